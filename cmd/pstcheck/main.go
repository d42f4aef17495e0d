// Command pstcheck checks Outlook PST and OST files for damage without
// modifying them.
package main

import "os"

func main() {
	ios := SystemIO()
	os.Exit(execute(NewCmdRoot(ios), ios))
}
