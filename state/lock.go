package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// Lock takes the state's lock file (path + ".lock") so only one run at a
// time touches the state and its targets. The returned func releases it.
func Lock(path string) (unlock func() error, err error) {
	lp := path + ".lock"
	host, _ := os.Hostname()
	info := lockInfo{PID: os.Getpid(), Host: host, Started: time.Now().UTC().Truncate(time.Second)}
	b, _ := json.Marshal(info)
	f, err := os.OpenFile(lp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, lockedError(lp, host)
	}
	if err != nil {
		return nil, fmt.Errorf("create lock: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(lp)
		return nil, fmt.Errorf("write lock: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write lock: %w", err)
	}
	return func() error { return os.Remove(lp) }, nil
}

func lockedError(lp, host string) error {
	var held lockInfo
	b, err := os.ReadFile(lp)
	if err != nil || json.Unmarshal(b, &held) != nil {
		return fmt.Errorf("%w: %s exists but is unreadable; if no linkport is running, remove it", ErrLocked, lp)
	}
	if held.Host == host && !alive(held.PID) {
		return fmt.Errorf("%w: stale lock %s: pid %d on %s (since %s) is no longer running; remove the file and run again",
			ErrLocked, lp, held.PID, held.Host, held.Started.Format(time.RFC3339))
	}
	return fmt.Errorf("%w: another linkport (pid %d on %s) has held %s since %s; if it is not running, remove the file",
		ErrLocked, held.PID, held.Host, lp, held.Started.Format(time.RFC3339))
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
