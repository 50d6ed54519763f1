package atomicfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkport/linkport/state/atomicfile"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name   string
		old    string // "" for no file
		data   string
		perm   os.FileMode
		nested bool // the directory does not exist yet
	}{
		{"new private file", "", "{}\n", 0o600, false},
		{"replace", "old content, longer than the new", "new", 0o600, false},
		{"readable report", "", "# report\n", 0o644, false},
		{"missing directory", "", "x", 0o600, true},
		{"empty data", "old", "", 0o600, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.nested {
				dir = filepath.Join(dir, "a", "b")
			}
			p := filepath.Join(dir, "state.json")
			if tt.old != "" {
				if err := os.WriteFile(p, []byte(tt.old), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			if err := atomicfile.Write(p, []byte(tt.data), tt.perm); err != nil {
				t.Fatalf("Write: %v", err)
			}
			b, err := os.ReadFile(p)
			if err != nil || string(b) != tt.data {
				t.Errorf("file holds %q (%v), want %q", b, err, tt.data)
			}
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm() != tt.perm {
				t.Errorf("mode %v (%v), want %v", fi.Mode().Perm(), err, tt.perm)
			}
			onlyFile(t, dir, "state.json")
		})
	}
}

// TestCreate covers the streaming form: nothing shows before Commit, Close
// discards, and a committed file cannot be written further.
func TestCreate(t *testing.T) {
	tests := []struct {
		name   string
		commit bool
		want   string
	}{
		{"commit replaces", true, "part one, part two"},
		{"close discards", false, "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "contacts.csv")
			if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := atomicfile.Create(p, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, s := range []string{"part one", ", ", "part two"} {
				if _, err := f.Write([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Sync(); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(p); string(b) != "old" {
				t.Errorf("before Commit the file holds %q, want the old content", b)
			}
			if tt.commit {
				if err := f.Commit(); err != nil {
					t.Fatal(err)
				}
				if _, err := f.Write([]byte("late")); !errors.Is(err, fs.ErrClosed) {
					t.Errorf("Write after Commit: %v, want fs.ErrClosed", err)
				}
			}
			if err := f.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := f.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if b, _ := os.ReadFile(p); string(b) != tt.want {
				t.Errorf("file holds %q, want %q", b, tt.want)
			}
			onlyFile(t, dir, "contacts.csv")
		})
	}
}

// TestCommitFailure: when the rename fails (the target is a directory), the
// error says so, the temp file is gone and the target is untouched.
func TestCommitFailure(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out")
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(p, []byte("x"), 0o600); err == nil {
		t.Fatal("Write over a non-empty directory succeeded")
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		t.Errorf("the directory was replaced: %v", err)
	}
	onlyFile(t, dir, "out")
}

func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only %s (no temp file left)", names, name)
	}
}
