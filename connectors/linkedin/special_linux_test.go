package linkedin_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/linkport/linkport/connectors/linkedin"
)

// TestOnlyRegularFiles: a FIFO, a device or a symlink to one is refused at
// once, before open(2) (which blocks on a FIFO), naming the file.
func TestOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := func(p string) string {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(target, p string) string {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := []byte(preamble2024 + "Ada,Quill,,,Hooli,CTO,01 Jan 2024\n")
	tests := []struct {
		name, path, file, want string
	}{
		{"FIFO as the source", fifo(filepath.Join(dir, "a", "export.zip")), filepath.Join(dir, "a", "export.zip"), "a named pipe (FIFO)"},
		{"lone Connections.csv linked to /dev/zero", link("/dev/zero", filepath.Join(dir, "b", "Connections.csv")), filepath.Join(dir, "b", "Connections.csv"), "a device"},
		{"Connections.csv linked to /dev/zero in a folder", link("/dev/zero", filepath.Join(dir, "c", "Connections.csv")), filepath.Join(dir, "c", "Connections.csv"), "a device"},
		{"FIFO messages.csv in a folder", func() string {
			writeFile(t, filepath.Join(dir, "d", "Connections.csv"), good)
			fifo(filepath.Join(dir, "d", "messages.csv"))
			return filepath.Join(dir, "d")
		}(), filepath.Join(dir, "d", "messages.csv"), "a named pipe (FIFO)"},
	}
	tests[2].path = filepath.Join(dir, "c")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := linkedin.Open(tt.path, linkedin.Options{}).Read(context.Background())
			var ie *linkedin.InputError
			if !errors.As(err, &ie) || ie.File != tt.file {
				t.Fatalf("err = %v; want an *InputError naming %s", err, tt.file)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "refuse to read") {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}
