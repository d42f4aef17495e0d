// Package synth generates synthetic mail archives of a given shape through
// pstwrite: a folder tree, messages with bodies, recipients, attachments
// and embedded messages, all decided by a seed, so that the same seed and
// shape give the same file byte for byte. It returns what it wrote (every
// folder's path and item count, in order), which the checks compare with
// what readers find.
package synth

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// Shape says what to generate.
type Shape struct {
	// Size stops generating once the file has reached this many bytes;
	// Messages stops after this many messages. One of them is needed.
	Size     int64
	Messages int
	// Folders is the number of folders made under "Top of Personal
	// Folders", nested up to Depth levels (1: all side by side).
	Folders, Depth int
	// BodyMin and BodyMax bound a message body's length in characters.
	BodyMin, BodyMax int
	// AttachEvery gives every n-th message attachments (0: none);
	// AttachMin and AttachMax bound their sizes in bytes.
	AttachEvery          int
	AttachMin, AttachMax int
	// EmbedEvery gives every n-th message an embedded message (0: none).
	EmbedEvery int
	// Recipients is the most recipients a message has (at least 1).
	Recipients int
	// Received makes every message one received from the Internet by the
	// mailbox's owner, its only recipient: with transport headers of a
	// few KB (kept in a subnode) that repeat its Message-ID.
	Received bool
	// AssocEvery puts a folder associated (FAI) message in every n-th
	// folder (0: none).
	AssocEvery int
	// Weights share the messages among the folders, in folder order: 60,
	// 25, 15 puts 60% of them in the first folder (an Inbox of 240,000 of
	// 400,000 messages, say). Folders past the list weigh as its last;
	// none: an equal share each.
	Weights []int
}

// DefaultShape is a mailbox-like mix: mostly short mail, an attachment on
// one message in five, an embedded message now and then.
func DefaultShape() Shape {
	return Shape{Folders: 12, Depth: 3, BodyMin: 200, BodyMax: 6000, AttachEvery: 5,
		AttachMin: 2 << 10, AttachMax: 400 << 10, EmbedEvery: 50, Recipients: 3, AssocEvery: 4}
}

// Folder is one folder generated: its path (as pstcheck prints folder
// paths) and how many normal messages it holds.
type Folder struct {
	Path     string
	Messages int
	Assoc    int
}

// Result is what was generated.
type Result struct {
	Folders  []Folder // in creation order; the store's own folders first
	Messages int
	Assoc    int
}

// Generate writes a store of the given shape into w (which the caller
// closes).
func Generate(w *pstwrite.Writer, shape Shape, seed uint64) (*Result, error) {
	if shape.Size <= 0 && shape.Messages <= 0 {
		return nil, fmt.Errorf("synth: give a size or a number of messages")
	}
	shape.Folders = max(shape.Folders, 1)
	shape.Depth = max(shape.Depth, 1)
	shape.Recipients = max(shape.Recipients, 1)
	shape.BodyMax = max(shape.BodyMax, shape.BodyMin)
	shape.AttachMax = max(shape.AttachMax, shape.AttachMin)
	g := &gen{w: w, shape: shape, rng: rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15)), pool: newPool(seed)}
	res := &Result{Folders: []Folder{
		{Path: "Top of Personal Folders"}, {Path: "Top of Personal Folders/Deleted Items"},
		{Path: "Search Root"}}}
	if err := g.namedProps(); err != nil {
		return nil, err
	}
	ids, paths, err := g.folders()
	if err != nil {
		return nil, err
	}
	base := len(res.Folders)
	for _, p := range paths {
		res.Folders = append(res.Folders, Folder{Path: p})
	}
	// Messages go into one folder at a time, each folder closed when its
	// share is written, so the writer holds one open table at a time.
	total := shape.Messages
	if shape.Size > 0 {
		total = int(shape.Size / g.meanMessageSize())
	}
	shares := folderShares(total, len(ids), shape.Weights)
	n := 0
	for fi, id := range ids {
		last := fi == len(ids)-1
		for k := 0; ; k++ {
			if shape.Messages > 0 && n >= shape.Messages {
				break
			}
			if shape.Size > 0 && w.Stats().Size >= shape.Size {
				break
			}
			if !last && k >= shares[fi] {
				break
			}
			if err := w.AddMessage(id, g.message(n)); err != nil {
				return nil, err
			}
			res.Folders[base+fi].Messages++
			n++
		}
		if shape.AssocEvery > 0 && fi%shape.AssocEvery == 0 {
			if err := w.AddAssociated(id, g.assoc(fi)); err != nil {
				return nil, err
			}
			res.Folders[base+fi].Assoc++
			res.Assoc++
		}
		if err := w.CloseFolder(id); err != nil {
			return nil, err
		}
	}
	res.Messages = n
	return res, nil
}

// folderShares splits total messages among n folders by weights (see
// Shape.Weights), each folder at least one.
func folderShares(total, n int, weights []int) []int {
	w := make([]int, n)
	sum := 0
	for i := range w {
		w[i] = 1
		if len(weights) > 0 {
			w[i] = max(weights[min(i, len(weights)-1)], 0)
		}
		sum += w[i]
	}
	out := make([]int, n)
	for i := range out {
		if sum > 0 {
			out[i] = int(int64(total) * int64(w[i]) / int64(sum))
		}
		out[i] = max(out[i], 1)
	}
	return out
}

type gen struct {
	w     *pstwrite.Writer
	shape Shape
	rng   *rand.Rand
	pool  *pool
	named struct{ keywords, mailer uint16 }
}

func (g *gen) namedProps() error {
	var err error
	g.named.keywords, err = g.w.NamedProperty(pstwrite.PropertyName{GUID: pstwrite.PSPublicStrings, Name: "Keywords"})
	if err != nil {
		return err
	}
	g.named.mailer, err = g.w.NamedProperty(pstwrite.PropertyName{GUID: pstwrite.PSInternetHeaders, Name: "x-mailer"})
	return err
}

// folders makes the folder tree: a b-ary tree in breadth-first order
// under the IPM subtree, b the smallest fan-out that keeps Folders folders
// within Depth levels.
func (g *gen) folders() ([]pstwrite.FolderID, []string, error) {
	f, d := g.shape.Folders, g.shape.Depth
	b := 1
	for capacity(b, d) < f {
		b++
	}
	ids := make([]pstwrite.FolderID, f)
	paths := make([]string, f)
	for i := range f {
		parent, ppath := g.w.IPMSubtree(), "Top of Personal Folders"
		if i >= b {
			k := i/b - 1
			parent, ppath = ids[k], paths[k]
		}
		name := fmt.Sprintf("%s %03d", folderWords[i%len(folderWords)], i+1)
		id, err := g.w.AddFolder(parent, pstwrite.Folder{Name: name, Class: "IPF.Note"})
		if err != nil {
			return nil, nil, err
		}
		ids[i], paths[i] = id, ppath+"/"+name
	}
	return ids, paths, nil
}

// capacity is how many folders a b-ary tree of d levels holds.
func capacity(b, d int) int {
	n, level := 0, 1
	for range d {
		level *= b
		n += level
		if n > 1<<30 {
			break
		}
	}
	return n
}

var folderWords = []string{"Projects", "Archive", "Customers", "Reports", "Travel", "Invoices", "Team", "Lists"}

func (g *gen) meanMessageSize() int64 {
	s := g.shape
	mean := int64(2*(s.BodyMin+s.BodyMax)/2) + 1500
	if s.AttachEvery > 0 {
		mean += int64(s.AttachMin+s.AttachMax) / 2 / int64(s.AttachEvery)
	}
	return max(mean, 1)
}

var epoch = time.Date(2015, 3, 1, 8, 0, 0, 0, time.UTC)

// message makes message n.
func (g *gen) message(n int) *pstwrite.Message {
	s := g.shape
	sent := epoch.Add(time.Duration(n)*17*time.Minute + time.Duration(g.rng.IntN(600))*time.Second)
	from := g.pool.person(g.rng)
	subject := fmt.Sprintf("Message %d: %s", n+1, g.pool.words(g.rng, 3+g.rng.IntN(6)))
	flags := int32(0x01) // read
	if g.rng.IntN(4) == 0 {
		flags = 0
	}
	m := &pstwrite.Message{Props: []pstwrite.Property{
		pstwrite.String(0x001A, "IPM.Note"),
		pstwrite.String(0x0037, subject),
		pstwrite.String(0x0070, subject),
		pstwrite.String(0x0042, from.name),
		pstwrite.String(0x0C1A, from.name),
		pstwrite.String(0x0C1F, from.addr),
		pstwrite.String(0x0C1E, "SMTP"),
		pstwrite.String(0x0065, from.addr),
		pstwrite.String(0x0064, "SMTP"),
		pstwrite.Time(0x0039, sent),
		pstwrite.Time(0x0E06, sent.Add(time.Duration(1+g.rng.IntN(90))*time.Second)),
		pstwrite.Time(0x3007, sent),
		pstwrite.Time(0x3008, sent),
		pstwrite.Int32(0x0E07, flags),
		pstwrite.Int32(0x0017, 1),
		pstwrite.Property{ID: 0x1000, Type: ltp.TypeString, Data: g.pool.bodyUTF16(g.rng, s.BodyMin+g.rng.IntN(s.BodyMax-s.BodyMin+1))},
		pstwrite.MultiString(g.named.keywords, g.pool.word(g.rng), g.pool.word(g.rng)),
		pstwrite.String(g.named.mailer, "pstgen"),
	}}
	if s.Received {
		g.received(m, n, from, subject, sent)
		return m
	}
	var to []string
	for r := range 1 + g.rng.IntN(s.Recipients) {
		p := g.pool.person(g.rng)
		typ := int32(1) // To
		if r > 0 && g.rng.IntN(3) == 0 {
			typ = 2 // Cc
		}
		if typ == 1 {
			to = append(to, p.name)
		}
		m.Recipients = append(m.Recipients, []pstwrite.Property{
			pstwrite.Int32(0x0C15, typ),
			pstwrite.String(0x3001, p.name),
			pstwrite.String(0x3002, "SMTP"),
			pstwrite.String(0x3003, p.addr),
			pstwrite.String(0x39FE, p.addr),
			pstwrite.Int32(0x0FFE, 6), // MAPI_MAILUSER
			pstwrite.Int32(0x3900, 0), // DT_MAILUSER
		})
	}
	m.Props = append(m.Props, pstwrite.String(0x0E04, strings.Join(to, "; ")))
	if s.AttachEvery > 0 && n%s.AttachEvery == s.AttachEvery-1 {
		for k := range 1 + g.rng.IntN(2) {
			size := s.AttachMin + g.rng.IntN(s.AttachMax-s.AttachMin+1)
			name := fmt.Sprintf("%s-%d-%d.bin", g.pool.word(g.rng), n+1, k+1)
			m.Attachments = append(m.Attachments, pstwrite.Attachment{
				Props: []pstwrite.Property{
					pstwrite.String(0x3704, name), pstwrite.String(0x3707, name),
					pstwrite.String(0x3703, ".bin"), pstwrite.String(0x370E, "application/octet-stream"),
					pstwrite.Int32(0x3705, 1)},
				Data: g.pool.data(g.rng, size), Size: int64(size)})
		}
	}
	if s.EmbedEvery > 0 && n%s.EmbedEvery == s.EmbedEvery-1 {
		inner := fmt.Sprintf("Forwarded: %s", g.pool.words(g.rng, 4))
		m.Attachments = append(m.Attachments, pstwrite.Attachment{
			Props: []pstwrite.Property{pstwrite.String(0x3001, inner), pstwrite.Int32(0x3705, 5)},
			Embedded: &pstwrite.Message{Props: []pstwrite.Property{
				pstwrite.String(0x001A, "IPM.Note"),
				pstwrite.String(0x0037, inner),
				pstwrite.String(0x0C1A, from.name),
				pstwrite.String(0x0C1F, from.addr),
				pstwrite.Time(0x0E06, sent.Add(-time.Hour)),
				pstwrite.Int32(0x0E07, 1),
				pstwrite.Property{ID: 0x1000, Type: ltp.TypeString, Data: g.pool.bodyUTF16(g.rng, 300+g.rng.IntN(1000))},
			}, Recipients: [][]pstwrite.Property{{pstwrite.Int32(0x0C15, 1), pstwrite.String(0x3001, from.name),
				pstwrite.String(0x3003, from.addr), pstwrite.String(0x3002, "SMTP")}}},
		})
	}
	return m
}

// owner is the mailbox's owner, to whom received messages (Shape.Received)
// are sent.
var owner = person{"Mailbox Owner", "owner@example.com"}

// received makes m, message n, one received by the owner alone: its
// recipient, display To, Message-ID and transport headers. The headers
// name the relays it passed and carry a signature, as today's mail does:
// 4 to 6 KB, too long for the message's heap.
func (g *gen) received(m *pstwrite.Message, n int, from person, subject string, sent time.Time) {
	id := fmt.Sprintf("<%d.%x@pstgen.example>", n+1, g.rng.Uint64())
	var h strings.Builder
	for hop := range 6 + g.rng.IntN(4) {
		fmt.Fprintf(&h, "Received: from %s.example (%s.example [10.%d.%d.%d])\r\n\tby mx%d.example.com with ESMTPS id %x\r\n\tfor <%s>; %s\r\n",
			g.pool.word(g.rng), g.pool.word(g.rng), g.rng.IntN(256), g.rng.IntN(256), g.rng.IntN(256), hop, g.rng.Uint64(), owner.addr,
			sent.Add(time.Duration(hop)*time.Second).Format(time.RFC1123Z))
	}
	h.WriteString("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel;\r\n\tb=")
	for range 2200 + g.rng.IntN(1200) {
		h.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[g.rng.IntN(64)])
	}
	fmt.Fprintf(&h, "\r\nFrom: %s <%s>\r\nTo: %s <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		from.name, from.addr, owner.name, owner.addr, subject, sent.Format(time.RFC1123Z), id)
	m.Props = append(m.Props,
		pstwrite.String(0x0E04, owner.name),
		pstwrite.String(0x1035, id),
		pstwrite.String(0x007D, h.String()))
	m.Recipients = [][]pstwrite.Property{{
		pstwrite.Int32(0x0C15, 1),
		pstwrite.String(0x3001, owner.name),
		pstwrite.String(0x3002, "SMTP"),
		pstwrite.String(0x3003, owner.addr),
		pstwrite.String(0x39FE, owner.addr),
		pstwrite.Int32(0x0FFE, 6),
		pstwrite.Int32(0x3900, 0),
	}}
}

// assoc makes a folder associated message: a view definition.
func (g *gen) assoc(i int) *pstwrite.Message {
	return &pstwrite.Message{Props: []pstwrite.Property{
		pstwrite.String(0x001A, "IPM.Microsoft.FolderDesign.NamedView"),
		pstwrite.String(0x3001, fmt.Sprintf("View %d", i+1)),
		pstwrite.Int32(0x0E07, 0x41), // read, unmodified
		pstwrite.Int32(0x7003, 0),
		pstwrite.String(0x7006, fmt.Sprintf("View %d", i+1)),
	}}
}

// attachmentData is an attachment's bytes, streamed from the pool.
type attachmentData struct {
	p   *pool
	off int
	n   int
}

func (a *attachmentData) Read(b []byte) (int, error) {
	if a.n == 0 {
		return 0, io.EOF
	}
	k := copy(b[:min(len(b), a.n)], a.p.bin[a.off:])
	a.off = (a.off + k) % len(a.p.bin)
	a.n -= k
	return k, nil
}
