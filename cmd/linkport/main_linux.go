//go:build linux

package main

import "syscall"

// harden makes the process non-dumpable: no core file holds the password
// or token it resolved, and other processes of the same user cannot
// ptrace it or read its /proc/<pid>/mem.
func harden() {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0)
}
