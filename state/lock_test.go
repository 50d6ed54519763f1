package state

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	unlock, stale, err := Lock(p)
	if err != nil || stale != "" {
		t.Fatalf("Lock = %q, %v", stale, err)
	}
	if _, _, err := Lock(p); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second Lock = %v; want ErrLocked naming the holder", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".lock.holder"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the holder record outlives unlock: %v", err)
	}
	unlock, stale, err = Lock(p)
	if err != nil || stale != "" {
		t.Fatalf("Lock after unlock = %q, %v", stale, err)
	}
	unlock()

	// A run killed while holding the lock leaves its record but not the
	// kernel lock: the next run goes ahead and says what happened.
	for _, file := range []string{".lock.holder", ".lock"} { // the record, and where earlier versions kept it
		host, _ := os.Hostname()
		os.WriteFile(p+file, []byte(`{"pid": 999999999, "host": "`+host+`", "started": "2026-01-01T00:00:00Z"}`), 0o600)
		unlock, stale, err = Lock(p)
		if err != nil || !strings.Contains(stale, "pid 999999999") || !strings.Contains(stale, "journal") {
			t.Fatalf("Lock after a killed run (record in %s) = %q, %v; want it taken with a note", file, stale, err)
		}
		unlock()
		unlock, stale, err = Lock(p)
		if err != nil || stale != "" {
			t.Fatalf("the killed run is reported twice (record in %s): %q, %v", file, stale, err)
		}
		unlock()
	}
}

// A lock held by a record-less holder (starting, or ending) still refuses.
func TestLockWithoutRecord(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	unlock, _, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	os.Remove(p + ".lock.holder")
	if _, _, err := Lock(p); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another linkport is running") {
		t.Fatalf("Lock = %v; want ErrLocked", err)
	}
}

// Another process holding the lock is named, and its lock dies with it:
// a SIGKILLed holder leaves a note, never a lock.
func TestLockAcrossProcesses(t *testing.T) {
	if p := os.Getenv("LINKPORT_TEST_LOCK_HOLD"); p != "" {
		if _, _, err := Lock(p); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		select {} // until killed
	}
	p := filepath.Join(t.TempDir(), "state.json")
	child := exec.Command(os.Args[0], "-test.run=^TestLockAcrossProcesses$")
	child.Env = append(os.Environ(), "LINKPORT_TEST_LOCK_HOLD="+p)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("child: %q", line)
	}
	if _, _, err := Lock(p); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", child.Process.Pid)) {
		t.Fatalf("Lock while the child holds it = %v; want ErrLocked naming pid %d", err, child.Process.Pid)
	}
	child.Process.Kill()
	child.Wait()
	unlock, stale, err := Lock(p)
	if err != nil || !strings.Contains(stale, fmt.Sprintf("pid %d", child.Process.Pid)) {
		t.Fatalf("Lock after the holder was killed = %q, %v; want it taken with a note", stale, err)
	}
	unlock()
}
