package pstwrite

import "fmt"

// Buffer is an Output in memory, for small stores: tests, fuzz seeds.
type Buffer struct{ b []byte }

// Bytes returns the store's bytes (valid until the next write).
func (m *Buffer) Bytes() []byte { return m.b }

func (m *Buffer) Write(p []byte) (int, error) {
	m.b = append(m.b, p...)
	return len(p), nil
}

// WriteAt writes over bytes already written (the writer goes back only
// over the header and map pages it wrote before).
func (m *Buffer) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(m.b)) {
		return 0, fmt.Errorf("pstwrite: write at 0x%X+%d past the %d bytes written", off, len(p), len(m.b))
	}
	return copy(m.b[off:], p), nil
}
