// Command pstcheck checks Outlook PST and OST files for damage without
// modifying them.
package main

import "os"

func main() {
	if isWorker() {
		os.Exit(runWorker(os.Stdin, os.Stdout))
	}
	ios := SystemIO()
	os.Exit(execute(NewCmdRoot(ios), ios))
}
