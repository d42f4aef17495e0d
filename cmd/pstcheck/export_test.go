package main

import (
	"fmt"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
)

func TestExportExplore(t *testing.T) {
	f, err := pstmut.Load(samples.GoPst("enron.pst"))
	if err != nil {
		t.Fatal(err)
	}
	users := f.Users()
	nid := uint32(0x2005c4)
	n := f.MustNode(nid)
	fmt.Printf("node %x data %x sub %x parent %x crypt %d kind %v\n", nid, n.Data, n.Sub, n.Parent, f.Crypt(), f.L.Kind)
	fmt.Println("data blocks", f.DataBlocks(n.Data))
	subs := f.Subnodes(n.Sub)
	for k, s := range subs {
		fmt.Printf(" sub %x data %x sub %x\n", k, s.Data, s.Sub)
	}
	at := f.SubnodeTable(nid, 0x671)
	for _, aid := range at.RowIDs() {
		h := f.SubnodeHeap(nid, aid)
		for _, p := range h.Props() {
			fmt.Printf("  att %x prop %04x type %04x val %x\n", aid, p.ID, p.Type, p.Value)
		}
		as := subs[aid]
		for k, s := range f.Subnodes(as.Sub) {
			fmt.Printf("  att sub %x data %x blocks %x users %v\n", k, s.Data, f.DataBlocks(s.Data), users[f.DataBlocks(s.Data)[0]])
		}
	}
	ct := uint32(0x8182&^0x1f | 0x0e) // Inbox contents
	c := f.MustNode(ct)
	fmt.Printf("contents %x data %x sub %x blocks %x users %v\n", ct, c.Data, c.Sub, f.DataBlocks(c.Data), users[f.DataBlocks(c.Data)[0]])
}
