//go:build unix

package testkit

import (
	"syscall"
	"time"
)

// CPUTime is the processor time (user and system) the process has used so
// far: what a benchmark costs whatever else the machine is doing, where
// wall time is noise when other work shares the processors.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
