// Command damagedcopy writes a copy of a PST or OST with one message
// damaged (damagekit.DamageMessage: one byte flipped in its first data
// block), so that exactly one item is damaged and every other stays
// readable. scripts/windows-smoke scans such a copy to check the advice for
// a damaged file; it is also a quick way to see pstcheck's report of one.
//
//	go run ./internal/damagekit/damagedcopy [-nid 0x200024] SRC DST
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
)

func main() {
	nid := flag.String("nid", "0", "the message's NID (0: the first message the node index lists)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: damagedcopy [-nid NID] SRC DST")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *nid); err != nil {
		fmt.Fprintln(os.Stderr, "damagedcopy:", err)
		os.Exit(1)
	}
}

func run(src, dst, nidText string) error {
	n, err := strconv.ParseUint(nidText, 0, 32)
	if err != nil {
		return fmt.Errorf("-nid: %v", err)
	}
	f, err := pstmut.Load(src)
	if err != nil {
		return err
	}
	nid, off, err := damagekit.DamageMessage(f, uint32(n))
	if err != nil {
		return fmt.Errorf("%s: %v", src, err)
	}
	if err := os.WriteFile(dst, f.B, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: message %#x damaged (byte at offset %d flipped)\n", dst, nid, off)
	return nil
}
