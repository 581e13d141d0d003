//go:build !linux

package screening_test

import "time"

// threadCPU reports that the thread's CPU time is not measured here.
func threadCPU() (time.Duration, bool) { return 0, false }
