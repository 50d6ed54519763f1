package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestHarden: harden makes the process non-dumpable. It runs in a
// child process so that the test binary itself stays as it was.
func TestHarden(t *testing.T) {
	if mode := os.Getenv("LINKPORT_TEST_HARDEN"); mode != "" {
		if mode == "harden" {
			harden()
		}
		d, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_GET_DUMPABLE, 0, 0)
		os.Stdout.WriteString(map[uintptr]string{0: "not-dumpable", 1: "dumpable"}[d] + "\n")
		return
	}
	for mode, want := range map[string]string{"plain": "dumpable", "harden": "not-dumpable"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHarden$")
		cmd.Env = append(os.Environ(), "LINKPORT_TEST_HARDEN="+mode)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s child: %v", mode, err)
		}
		if !strings.HasPrefix(string(out), want+"\n") {
			t.Errorf("%s child says %q, want %s", mode, out, want)
		}
	}
}
