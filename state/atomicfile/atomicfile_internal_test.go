package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestUnsyncable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&fs.PathError{Op: "sync", Path: "/mnt/share", Err: syscall.EINVAL}, true},
		{&fs.PathError{Op: "sync", Path: "/mnt/share", Err: syscall.ENOTSUP}, true},
		{&fs.PathError{Op: "sync", Path: "/mnt/share", Err: syscall.EOPNOTSUPP}, true},
		{&fs.PathError{Op: "sync", Path: "/mnt/share", Err: syscall.EISDIR}, true},
		{fmt.Errorf("wrapped: %w", syscall.EINVAL), true},
		{&fs.PathError{Op: "sync", Path: "/data", Err: syscall.EIO}, false},
		{&fs.PathError{Op: "sync", Path: "/data", Err: syscall.ENOSPC}, false},
		{&fs.PathError{Op: "sync", Path: "/data", Err: syscall.EROFS}, false},
		{fs.ErrClosed, false},
	}
	for _, tt := range tests {
		if got := unsyncable(tt.err); got != tt.want {
			t.Errorf("unsyncable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestRemoveStale: only temp files of the file being written, older than
// this process, are removed.
func TestRemoveStale(t *testing.T) {
	old := started.Add(-time.Hour)
	fresh := time.Now().Add(time.Second)
	tests := []struct {
		name    string
		mtime   time.Time
		removed bool
	}{
		{".state.json.tmp-0123456789ab", old, true},
		{".state.json.tmp-0a", old, true},
		{".state.json.tmp1234567", old, true}, // named by linkport before this package
		{".state.json.tmp-0123456789ab", fresh, false},
		{".state.json.tmp-", old, false},
		{".state.json.tmp", old, false},
		{".state.json.tmp-notes", old, false},
		{".state.json.tmp-0a.bak", old, false},
		{"state.json.tmp-0123456789ab", old, false},
		{".state.json.sent.tmp-0123456789ab", old, false}, // another target's
		{".other.json.tmp-0123456789ab", old, false},
		{"state.json", old, false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"@"+tt.mtime.Format(time.TimeOnly), func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, tt.name)
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, tt.mtime, tt.mtime); err != nil {
				t.Fatal(err)
			}
			if err := Write(filepath.Join(dir, "state.json"), []byte("new"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := os.Stat(p)
			if gone := os.IsNotExist(err); gone != tt.removed {
				t.Errorf("%s (modified %v): removed = %v, want %v", tt.name, tt.mtime, gone, tt.removed)
			}
		})
	}
}

func TestTempName(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "contacts.csv"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if base := filepath.Base(f.tmp); !isTemp(base, "contacts.csv") || filepath.Dir(f.tmp) != dir {
		t.Errorf("temp file %s: want .contacts.csv.tmp-<hex> in %s", f.tmp, dir)
	}
	entries, _ := os.ReadDir(dir)
	if names := dirNames(entries); !slices.Equal(names, []string{filepath.Base(f.tmp)}) {
		t.Errorf("directory holds %v while writing", names)
	}
}

func dirNames(entries []os.DirEntry) []string {
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
