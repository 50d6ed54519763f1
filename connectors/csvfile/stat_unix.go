//go:build linux || darwin || freebsd || netbsd || openbsd

package csvfile

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// statToken is the size, modification and change times and inode of the
// file at path, or "" when it cannot vouch for the file's bytes as they
// were at checked: the file is missing, or it changed within racyWindow
// of checked (or after it).
func statToken(path string, checked time.Time) string {
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil {
		return ""
	}
	limit := checked.Add(-racyWindow).UnixNano()
	mtime, ctime := st.Mtim.Nano(), st.Ctim.Nano()
	if mtime >= limit || ctime >= limit {
		return ""
	}
	return fmt.Sprintf("%d:%d:%d:%d", st.Size, mtime, ctime, st.Ino)
}
