//go:build !linux

package main

// harden is Linux's non-dumpable flag; other systems have no such switch
// that linkport sets.
func harden() {}
