package synth

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"strings"
)

// pool holds the raw material of generated content, made once per seed:
// slicing it at random offsets is what lets messages be generated as fast
// as the writer writes them.
type pool struct {
	text  []byte // UTF-16LE words and line breaks
	bin   []byte // attachment bytes
	vocab []string
}

const (
	poolText = 2 << 20
	poolBin  = 4 << 20
)

var syllables = []string{"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "an", "el", "or", "ti", "mar", "den", "pol", "ser"}

var firstNames = []string{"Anna", "Ben", "Carla", "David", "Eva", "Frank", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Luis", "Mia", "Nils", "Olga", "Paul"}
var lastNames = []string{"Adler", "Berger", "Costa", "Dubois", "Engel", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen", "Keller", "Lange", "Moreau", "Novak", "Olsen", "Petrov"}

func newPool(seed uint64) *pool {
	rng := rand.New(rand.NewPCG(seed^0xA5A5, seed+1))
	p := &pool{}
	for range 2000 {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		p.vocab = append(p.vocab, b.String())
	}
	p.text = make([]byte, 0, poolText+64)
	line := 0
	for len(p.text) < poolText {
		w := p.vocab[rng.IntN(len(p.vocab))]
		for _, c := range w {
			p.text = binary.LittleEndian.AppendUint16(p.text, uint16(c))
		}
		line += len(w) + 1
		if line > 70 {
			p.text = binary.LittleEndian.AppendUint16(p.text, '\r')
			p.text = binary.LittleEndian.AppendUint16(p.text, '\n')
			line = 0
		} else {
			p.text = binary.LittleEndian.AppendUint16(p.text, ' ')
		}
	}
	p.bin = make([]byte, poolBin)
	for i := 0; i < len(p.bin); i += 8 {
		binary.LittleEndian.PutUint64(p.bin[i:], rng.Uint64())
	}
	return p
}

func (p *pool) word(rng *rand.Rand) string { return p.vocab[rng.IntN(len(p.vocab))] }

func (p *pool) words(rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = p.word(rng)
	}
	return strings.Join(w, " ")
}

// bodyUTF16 returns n characters of text as UTF-16LE (a slice of the
// pool: callers must not change it).
func (p *pool) bodyUTF16(rng *rand.Rand, n int) []byte {
	n = min(n, len(p.text)/2)
	off := 2 * rng.IntN(len(p.text)/2-n+1)
	return p.text[off : off+2*n]
}

type person struct{ name, addr string }

func (p *pool) person(rng *rand.Rand) person {
	f, l := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	return person{f + " " + l, strings.ToLower(f+"."+l) + "@example.com"}
}

// data returns a reader of n attachment bytes.
func (p *pool) data(rng *rand.Rand, n int) io.Reader {
	return &attachmentData{p: p, off: rng.IntN(len(p.bin)), n: n}
}
