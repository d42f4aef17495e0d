//go:build !amd64

package export

// encodeBase64Lines encodes len(src)/57 whole lines of src into dst, 78
// bytes each.
func encodeBase64Lines(dst, src []byte) { encodeBase64LinesScalar(dst, src) }
