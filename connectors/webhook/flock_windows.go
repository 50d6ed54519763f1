//go:build windows

package webhook

import (
	"math"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile holds an exclusive lock on the whole of f, waiting for it.
func lockFile(f *os.File) error {
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, math.MaxUint32, math.MaxUint32, new(windows.Overlapped))
}

// unlockFile releases lockFile's lock; closing f releases it too.
func unlockFile(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, math.MaxUint32, math.MaxUint32, new(windows.Overlapped))
}
