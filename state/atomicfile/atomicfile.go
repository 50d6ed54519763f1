// Package atomicfile replaces files so that a crash at any instant leaves
// either the old file or the new one, never a mix: the data goes to a temp
// file in the same directory, is fsynced, renamed over the target, and the
// directory is fsynced so the rename itself survives a power cut. Every
// file linkport writes whole (the state, its sent store and outbox, CSV
// exports, reports, card backups) goes through it.
//
// Temp files are named ".<name>.tmp-<random>" beside the target, so that a
// user who finds one knows what it was; those a killed process left behind
// for a target are removed the next time that target is written.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// started is when this process began writing files; a temp file older than
// it cannot belong to a writer of this process. It is never changed.
var started = time.Now()

// File is a replacement of a file being written. Nothing is visible at the
// target path until Commit; Close discards an uncommitted replacement.
type File struct {
	path, tmp string
	perm      os.FileMode
	f         *os.File
	w         *bufio.Writer
	done      bool
}

// Create starts replacing path with a file of mode perm (applied exactly,
// whatever the umask), creating its directory (0700) when missing. It first
// removes the temp files of path that a killed run left behind.
func Create(path string, perm os.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create directory: %w", err)
	}
	removeStale(dir, base, started)
	for range 100 {
		tmp := filepath.Join(dir, fmt.Sprintf("%s%012x", tempPrefix(base), rand.Uint64()>>16))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create temp file: %w", err)
		}
		return &File{path: path, tmp: tmp, perm: perm, f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
	}
	return nil, fmt.Errorf("create temp file for %s: no free name after 100 tries", path)
}

// Write buffers p for the temp file.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("write %s: %w", f.path, fs.ErrClosed)
	}
	return f.w.Write(p)
}

// Sync flushes and fsyncs what was written so far. Commit does it too;
// calling Sync first lets a caller replacing several files make sure all
// of them are on disk before it renames any.
func (f *File) Sync() error {
	if f.done {
		return fmt.Errorf("sync %s: %w", f.path, fs.ErrClosed)
	}
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("write temp file: %w", err)
	}
	if err := f.f.Sync(); err != nil {
		return fmt.Errorf("sync temp file: %w", err)
	}
	return nil
}

// Commit makes the written data the file at the path: fsync, rename over
// the old file, fsync of the directory. On an error before the rename the
// old file is untouched and the temp file is gone.
func (f *File) Commit() error {
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.f.Chmod(f.perm); err != nil {
		f.Close()
		return fmt.Errorf("set mode of temp file: %w", err)
	}
	f.done = true
	err := f.f.Close()
	if err == nil {
		err = os.Rename(f.tmp, f.path)
	}
	if err != nil {
		os.Remove(f.tmp)
		return fmt.Errorf("replace %s: %w", f.path, err)
	}
	return syncDir(filepath.Dir(f.path))
}

// Close discards the replacement unless it was committed, leaving the old
// file as it was; after Commit it does nothing. It is safe to defer.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	err := f.f.Close()
	if rerr := os.Remove(f.tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	if err != nil {
		return fmt.Errorf("discard temp file: %w", err)
	}
	return nil
}

// Write replaces path with data, with mode perm, as Create and Commit do.
func Write(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write temp file: %w", err)
	}
	return f.Commit()
}

// syncDir makes a rename in dir durable. Some filesystems (network and FUSE
// mounts, some container overlays) cannot fsync a directory and say so with
// EINVAL or ENOTSUP: there the rename is as durable as that filesystem makes
// it, and the write stands. Any other error (EIO, say) is reported.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		// No directory fsync there (a read-only directory handle refuses
		// FlushFileBuffers); NTFS journals the rename itself.
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !unsyncable(err) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// unsyncable reports whether err says the directory cannot be fsynced at
// all, as opposed to a failure to write it out.
func unsyncable(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.ENOSYS) || errors.Is(err, errors.ErrUnsupported)
}

func tempPrefix(base string) string { return "." + base + ".tmp-" }

// isTemp reports whether name is a temp file of the target base: this
// package's ".<base>.tmp-<hex>", or ".<base>.tmp<digits>" as linkport
// named them before it.
func isTemp(name, base string) bool {
	rest, ok := strings.CutPrefix(name, "."+base+".tmp")
	if !ok || rest == "" {
		return false
	}
	digits := "0123456789"
	if r, ok := strings.CutPrefix(rest, "-"); ok {
		rest, digits = r, "0123456789abcdef"
	}
	return rest != "" && strings.Trim(rest, digits) == ""
}

// removeStale deletes the temp files of base in dir last modified before
// since: what a run killed while writing it left behind. Temps of other
// targets, and fresh ones (another writer may be busy with them), stay.
// It is best effort: a temp that cannot be removed does not stop a write.
func removeStale(dir, base string, since time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTemp(e.Name(), base) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(since) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
