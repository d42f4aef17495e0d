//go:build !unix

package testkit

import "time"

// CPUTime is the processor time the process has used; 0 where unknown.
func CPUTime() time.Duration { return 0 }
