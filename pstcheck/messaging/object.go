package messaging

import (
	"encoding/binary"
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// A message object is a property context, a recipient table and an
// attachment table in its subnodes, and an attachment object per row of
// the latter, each with a property context and subnodes of its own; an
// attachment whose method is "embedded" holds a message object in turn
// (MS-PST 2.4.5, 2.4.6). walkObject is the one walk over it: the scan's
// check and the export's read are visits of it.

// Subnodes and properties of a message object.
const (
	nidRecipientTable  = 0x692
	nidAttachmentTable = 0x671
	propAttachMethod   = 0x3705
	// propAttachData is PidTagAttachDataBinary, or PidTagAttachDataObject
	// (the same ID with type PtypObject) for an embedded message or an OLE
	// object: a subnode of the attachment.
	propAttachData   = 0x3701
	propLtpRowID     = 0x67F2
	attachEmbedded   = 5
	maxEmbeddedDepth = 8
)

// objectVisit says what to do with each part of a message object.
// Callbacks left nil are skipped; their parts are still opened, and so
// checked. depth is 0 for the message, 1 for a message it embeds, ...
type objectVisit struct {
	// mem receives the blocks read and the heaps and tables opened (nil:
	// fresh memory, for values that outlive the walk).
	mem *memory
	// message sees a message's property context.
	message func(depth int, pc *ltp.PC, subs map[uint32]ndb.Subnode) error
	// recipients sees a message's recipient table.
	recipients func(depth int, tc *ltp.TC, subs map[uint32]ndb.Subnode) error
	// attachment sees an attachment's property context, before the
	// message it embeds, if any, is walked.
	attachment func(depth int, aid uint32, pc *ltp.PC, subs map[uint32]ndb.Subnode) error
	// done is told when a message's parts have all been seen.
	done func(depth int)
	// lenient, when set, is asked whether to pass over a part that cannot
	// be read (said in what); nil: the first such part ends the walk. A
	// lenient walk also passes over each property of the message whose
	// value cannot be found (ltp.SalvagePC): a lost message's subnodes are
	// unknown, a damaged one's subnode tree or heap may be damaged.
	lenient func(err error, what string) bool
}

func (v *objectVisit) keepGoing(err error, what string) bool {
	return v.lenient != nil && v.lenient(err, what)
}

// walkObject walks the message object whose property context is the data
// tree data and whose subnodes are subs.
func walkObject(res *ndb.Result, data uint64, subs map[uint32]ndb.Subnode, depth int, v *objectVisit) error {
	pages, err := res.ReadBlocks(data, v.mem.blocks())
	if err != nil {
		return err
	}
	var pc *ltp.PC
	if v.lenient != nil && depth == 0 {
		var dropped []error
		pc, dropped, err = ltp.SalvagePC(v.mem.objects(), pages, res.Decoder(), subnodeSet(subs))
		for _, e := range dropped {
			v.keepGoing(e, "value")
		}
	} else {
		pc, err = ltp.OpenPC(v.mem.objects(), pages, res.Decoder(), subnodeSet(subs))
	}
	if err != nil {
		return err
	}
	if v.message != nil {
		if err := v.message(depth, pc, subs); err != nil {
			return err
		}
	}
	if s, ok := subs[nidRecipientTable]; ok {
		tc, tsubs, err := openTable(res, s, v.mem)
		if err == nil && v.recipients != nil {
			err = v.recipients(depth, tc, tsubs)
		}
		if err != nil && !v.keepGoing(err, "recipients") {
			return err
		}
	}
	if s, ok := subs[nidAttachmentTable]; ok {
		tc, _, err := openTable(res, s, v.mem)
		if err != nil && !v.keepGoing(err, "attachment table") {
			return err
		}
		if err == nil {
			for _, aid := range tc.RowIDs {
				if err := walkAttachment(res, aid, subs, depth, v); err != nil && !v.keepGoing(err, fmt.Sprintf("attachment 0x%X", aid)) {
					return err
				}
			}
		}
	}
	if v.done != nil {
		v.done(depth)
	}
	return nil
}

// walkAttachment opens attachment aid and walks the message it embeds.
func walkAttachment(res *ndb.Result, aid uint32, subs map[uint32]ndb.Subnode, depth int, v *objectVisit) error {
	as, ok := subs[aid]
	if !ok {
		return &ltp.Error{Code: finding.MessageDamaged, Detail: fmt.Sprintf("attachment table lists attachment 0x%X, which does not exist", aid)}
	}
	asubs, err := res.Subnodes(as.Sub, v.mem.blocks())
	if err != nil {
		return err
	}
	apages, err := res.ReadBlocks(as.Data, v.mem.blocks())
	if err != nil {
		return err
	}
	pc, err := ltp.OpenPC(v.mem.objects(), apages, res.Decoder(), subnodeSet(asubs))
	if err != nil {
		return err
	}
	if v.attachment != nil {
		if err := v.attachment(depth, aid, pc, asubs); err != nil {
			return err
		}
	}
	emb, ok, err := embeddedMessage(pc, asubs, aid)
	if err != nil || !ok {
		return err
	}
	if depth >= maxEmbeddedDepth {
		return &ltp.Error{Code: finding.MessageDamaged, Detail: "embedded messages nest too deep"}
	}
	esubs, err := res.Subnodes(emb.Sub, v.mem.blocks())
	if err != nil {
		return err
	}
	return walkObject(res, emb.Data, esubs, depth+1, v)
}

// embeddedMessage returns the subnode of the message an attachment embeds;
// ok is false for an attachment of another kind.
func embeddedMessage(pc *ltp.PC, asubs map[uint32]ndb.Subnode, aid uint32) (ndb.Subnode, bool, error) {
	m, ok := pc.Get(propAttachMethod)
	if !ok || m.Value != attachEmbedded {
		return ndb.Subnode{}, false, nil
	}
	obj, ok := pc.Get(propAttachData)
	if !ok || obj.Type != ltp.TypeObject {
		return ndb.Subnode{}, false, nil
	}
	ref := pc.Bytes(obj)
	if len(ref) < 4 {
		return ndb.Subnode{}, false, &ltp.Error{Code: finding.MessageDamaged, Detail: fmt.Sprintf("attachment 0x%X: embedded message reference is %d bytes", aid, len(ref))}
	}
	emb, ok := asubs[binary.LittleEndian.Uint32(ref)]
	if !ok {
		return ndb.Subnode{}, false, &ltp.Error{Code: finding.MessageDamaged, Detail: fmt.Sprintf("attachment 0x%X: embedded message 0x%X does not exist", aid, binary.LittleEndian.Uint32(ref))}
	}
	return emb, true, nil
}

// openTable opens a table context held in subnode s, with its own
// subnodes.
func openTable(res *ndb.Result, s ndb.Subnode, mem *memory) (*ltp.TC, map[uint32]ndb.Subnode, error) {
	subs, err := res.Subnodes(s.Sub, mem.blocks())
	if err != nil {
		return nil, nil, err
	}
	pages, err := res.ReadBlocks(s.Data, mem.blocks())
	if err != nil {
		return nil, nil, err
	}
	tc, err := ltp.OpenTC(mem.objects(), pages, res.Decoder(), subnodeSet(subs), mem.rowReader(res, subs))
	return tc, subs, err
}
