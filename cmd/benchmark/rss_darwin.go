package main

import (
	"os"
	"syscall"
)

// peakRSS is a finished child's peak resident set in bytes (macOS reports
// Maxrss in bytes), or -1 when the platform does not say.
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return -1
}
