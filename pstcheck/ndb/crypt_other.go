//go:build !amd64

package ndb

// substitute replaces each byte c of b with t[c].
func substitute(b []byte, t *[256]byte) { substituteBytes(b, t) }

func hasVectorSubstitute() bool { return false }
