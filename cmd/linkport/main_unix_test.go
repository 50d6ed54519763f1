//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// --output to something that is not a regular file (a pipe, /dev/stdout)
// is written in place: renaming a temp file over it would replace it.
func TestOutputToAPipe(t *testing.T) {
	dir := env(t)
	fifo := filepath.Join(dir, "report.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if code, _, errs := runCLI(t, "diff", "--source", "testdata/export2024", "--output", fifo); code != exitOK {
		t.Fatalf("diff --output fifo: exit %d: %s", code, errs)
	}
	if s := <-got; !strings.Contains(s, "graph: 6 people") {
		t.Errorf("the pipe got %q", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", fi.Mode(), err)
	}
}
