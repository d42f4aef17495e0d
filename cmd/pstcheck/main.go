// Command pstcheck checks Outlook PST and OST files for damage without
// modifying them.
package main

import (
	"os"

	"github.com/pstcheck/pstcheck/internal/batch"
)

func main() {
	if batch.IsWorker() {
		os.Exit(batch.ServeWorker(os.Stdin, os.Stdout))
	}
	ios := SystemIO()
	os.Exit(execute(NewCmdRoot(ios), ios))
}
