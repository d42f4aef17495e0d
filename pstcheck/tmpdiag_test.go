package pstcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

func TestTmpDiag(t *testing.T) {
	files, _ := filepath.Glob(os.Getenv("DIAG"))
	for _, p := range files {
		fh, _ := os.Open(p)
		st, _ := fh.Stat()
		_, res, _ := scan(context.Background(), fh, st.Size(), Options{}, true)
		if res == nil {
			continue
		}
		top, emb := map[uint16]int{}, map[uint16]int{}
		ntop, nemb := 0, 0
		props := func(bid uint64) []uint16 {
			blocks, err := res.ReadBlocks(bid, nil)
			if err != nil {
				return nil
			}
			pc, _, err := ltp.SalvagePC(new(ltp.Space), blocks, res.Decoder(), nil)
			if err != nil || pc == nil {
				return nil
			}
			var ids []uint16
			for _, q := range pc.Props {
				ids = append(ids, q.ID)
			}
			return ids
		}
		var walk func(sub uint64)
		walk = func(sub uint64) {
			subs, err := res.Subnodes(sub, nil)
			if err != nil {
				return
			}
			for k, v := range subs {
				if k&0x1F == 4 { // normal message subnode: embedded
					ids := props(v.Data)
					if ids != nil {
						nemb++
						for _, id := range ids {
							emb[id]++
						}
					}
				}
				if v.Sub != 0 {
					walk(v.Sub)
				}
			}
		}
		for _, e := range res.NBT.All() {
			if e.NID&0x1F != 4 {
				continue
			}
			if ids := props(e.Data); ids != nil {
				ntop++
				for _, id := range ids {
					top[id]++
				}
			}
			if e.Sub != 0 {
				walk(e.Sub)
			}
		}
		if nemb == 0 {
			fh.Close()
			continue
		}
		fmt.Printf("%s: %d top, %d embedded\n", filepath.Base(p), ntop, nemb)
		var ids []int
		for id := range top {
			ids = append(ids, int(id))
		}
		for id := range emb {
			if top[id] == 0 {
				ids = append(ids, int(id))
			}
		}
		sort.Ints(ids)
		for _, id := range ids {
			a, b := top[uint16(id)], emb[uint16(id)]
			if (a == ntop && b < nemb) || (b == nemb && a < ntop) {
				fmt.Printf("   %04X top %d/%d emb %d/%d\n", id, a, ntop, b, nemb)
			}
		}
		fh.Close()
	}
	_ = ndb.Subnode{}
}
