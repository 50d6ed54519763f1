package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked means another linkport run holds the state.
var ErrLocked = errors.New("state is locked")

type lockInfo struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
}

// Lock makes this run the only one that touches the state and its targets.
// It holds a kernel lock on path + ".lock" (flock(2) on Unix, LockFileEx on
// Windows), which the system releases however the process ends, so a run
// killed by SIGKILL, the OOM killer or a power cut never leaves a lock that
// blocks every later night. Who holds it is recorded beside it, in
// path + ".lock.holder", for the message another run prints: a separate
// file because Windows forbids other handles from reading a locked range.
// stale is non-empty when the previous holder ended without releasing it
// (it was killed): the caller reports it; the journal replays that run's
// confirmed writes.
func Lock(path string) (unlock func() error, stale string, err error) {
	lp, hp := path+".lock", path+".lock.holder"
	if err := os.MkdirAll(filepath.Dir(lp), 0o700); err != nil { // the first run on a new machine
		return nil, "", fmt.Errorf("create state directory: %w", err)
	}
	// The lock file is never removed, only locked: a run that opened it an
	// instant ago must contend for the same file, not lock a deleted one.
	fl := flock.New(lp, flock.SetFlag(os.O_RDWR|os.O_CREATE), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, "", fmt.Errorf("lock %s: %w", lp, err)
	}
	if !ok {
		held := readLock(hp)
		if held.PID == 0 { // it is starting or ending: its record is not there
			return nil, "", fmt.Errorf("%w: another linkport is running with %s; wait for it to finish", ErrLocked, path)
		}
		return nil, "", fmt.Errorf("%w: another linkport (pid %d on %s, since %s) is running with %s; wait for it to finish",
			ErrLocked, held.PID, held.Host, held.Started.Format(time.RFC3339), path)
	}
	prev := readLock(hp)
	if prev.PID == 0 {
		prev = legacyLock(lp)
	}
	if prev.PID != 0 {
		stale = fmt.Sprintf("a previous run (pid %d on %s, started %s) ended without releasing %s: it was killed; "+
			"its confirmed writes are replayed from the journal", prev.PID, prev.Host, prev.Started.Format(time.RFC3339), lp)
	}
	host, _ := os.Hostname()
	b, _ := json.Marshal(lockInfo{PID: os.Getpid(), Host: host, Started: time.Now().UTC().Truncate(time.Second)})
	if err := os.WriteFile(hp, b, 0o600); err != nil {
		return nil, "", errors.Join(fmt.Errorf("write lock holder: %w", err), fl.Unlock())
	}
	return func() error {
		// The record goes first: a holder file left behind means "killed".
		err := os.Remove(hp)
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		return errors.Join(err, fl.Unlock())
	}, stale, nil
}

// readLock reads a holder record; a missing, torn or foreign file reads as
// no holder.
func readLock(path string) lockInfo {
	var info lockInfo
	f, err := os.Open(path)
	if err != nil {
		return info
	}
	defer f.Close()
	b := make([]byte, 512)
	n, _ := f.Read(b)
	json.Unmarshal(b[:n], &info)
	return info
}

// legacyLock reads and clears the record that earlier versions kept in
// the lock file itself, so that a run of one killed before an upgrade is
// still reported once. Only Unix ever had it (their lock was flock(2),
// advisory, so the file reads and truncates while it is locked).
func legacyLock(lp string) lockInfo {
	info := readLock(lp)
	if info.PID != 0 {
		_ = os.Truncate(lp, 0)
	}
	return info
}
