//go:build unix

package webhook

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile holds an exclusive flock(2) on f, waiting for it. The outbox
// locks the very handle it appends through (gofrs/flock, used for the
// state's lock, opens a handle of its own and cannot).
func lockFile(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_EX) }

// unlockFile releases lockFile's lock; closing f releases it too.
func unlockFile(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }
