// Command damagedcopy writes a damaged copy of a PST or OST. By default
// one message is damaged (damagekit.DamageMessage: one byte flipped in its
// first data block), so that exactly one item is damaged and every other
// stays readable; scripts/windows-smoke scans such a copy to check the
// advice for a damaged file. With -case it writes one of the heavy-damage
// matrix's copies instead (damagekit.Cases: cut off, zeroed regions,
// destroyed index pages; -case list names them). It is also a quick way to
// see pstcheck's report of one.
//
//	go run ./internal/damagekit/damagedcopy [-nid 0x200024] SRC DST
//	go run ./internal/damagekit/damagedcopy -case 'NBT leaf zeroed (messages only)' SRC DST
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
	name := flag.String("case", "", `a heavy-damage case to write instead ("list": name them)`)
	flag.Parse()
	if flag.NArg() != 2 && !(*name == "list" && flag.NArg() == 1) {
		fmt.Fprintln(os.Stderr, "usage: damagedcopy [-nid NID | -case NAME] SRC DST")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *nid, *name); err != nil {
		fmt.Fprintln(os.Stderr, "damagedcopy:", err)
		os.Exit(1)
	}
}

func run(src, dst, nidText, name string) error {
	f, err := pstmut.Load(src)
	if err != nil {
		return err
	}
	if name != "" {
		return writeCase(f, dst, name)
	}
	n, err := strconv.ParseUint(nidText, 0, 32)
	if err != nil {
		return fmt.Errorf("-nid: %v", err)
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

// writeCase writes f damaged as the matrix case name says, or lists the
// cases for "list".
func writeCase(f *pstmut.File, dst, name string) error {
	if name == "list" {
		for _, c := range damagekit.Cases(f) {
			fmt.Println(c.Name)
		}
		return nil
	}
	c, ok := damagekit.Named(f, name)
	if !ok {
		return fmt.Errorf("no case %q (-case list names them)", name)
	}
	if err := os.WriteFile(dst, c.Damage(f), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %s\n", dst, c.Name)
	return nil
}
