// Command pstcheck checks Outlook PST and OST files for damage without
// modifying them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pstcheck/pstcheck/internal/batch"
)

func main() {
	if batch.IsWorker() {
		os.Exit(batch.ServeWorker(os.Stdin, os.Stdout))
	}
	ios := SystemIO()
	// The first Ctrl-C (or SIGTERM) cancels the run: the command stops,
	// clears its progress bar and says what was done. A second one ends
	// the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	root := NewCmdRoot(ios)
	root.SetContext(ctx)
	os.Exit(execute(root, ios))
}
