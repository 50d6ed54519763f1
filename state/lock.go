package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrLocked means another linkport run holds the state.
var ErrLocked = errors.New("state is locked")

type lockInfo struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
}

// Lock makes this run the only one that touches the state and its targets.
// It holds an flock(2) on path + ".lock", which the kernel releases however
// the process ends, so a run killed by SIGKILL, the OOM killer or a power
// cut never leaves a lock that blocks every later night. The file records
// who holds it, for the message another run prints. stale is non-empty when
// the previous holder ended without releasing it (it was killed): the
// caller reports it; the journal replays that run's confirmed writes.
func Lock(path string) (unlock func() error, stale string, err error) {
	lp := path + ".lock"
	if err := os.MkdirAll(filepath.Dir(lp), 0o700); err != nil { // the first run on a new machine
		return nil, "", fmt.Errorf("create state directory: %w", err)
	}
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		held := readLock(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, "", fmt.Errorf("%w: another linkport (pid %d on %s, since %s) is running with %s; wait for it to finish",
				ErrLocked, held.PID, held.Host, held.Started.Format(time.RFC3339), path)
		}
		return nil, "", fmt.Errorf("lock %s: %w", lp, err)
	}
	if prev := readLock(f); prev.PID != 0 {
		stale = fmt.Sprintf("a previous run (pid %d on %s, started %s) ended without releasing %s: it was killed; "+
			"its confirmed writes are replayed from the journal", prev.PID, prev.Host, prev.Started.Format(time.RFC3339), lp)
	}
	host, _ := os.Hostname()
	b, _ := json.Marshal(lockInfo{PID: os.Getpid(), Host: host, Started: time.Now().UTC().Truncate(time.Second)})
	if err := rewrite(f, b); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("write lock: %w", err)
	}
	return func() error {
		// Emptied, not removed: a run that opened this file an instant ago
		// must contend for the same inode, not lock a deleted one.
		err := rewrite(f, nil)
		return errors.Join(err, f.Close())
	}, stale, nil
}

func readLock(f *os.File) lockInfo {
	var info lockInfo
	b := make([]byte, 512)
	n, _ := f.ReadAt(b, 0)
	json.Unmarshal(b[:n], &info) // an empty or foreign file reads as no holder
	return info
}

func rewrite(f *os.File, b []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt(b, 0)
	return err
}
