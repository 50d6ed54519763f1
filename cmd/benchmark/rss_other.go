//go:build !linux && !darwin

package main

import "os"

// peakRSS is -1: this platform's rusage has no peak resident set.
func peakRSS(*os.ProcessState) int64 { return -1 }
