//go:build unix

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// On a real terminal (a pty), sync draws its phases on stderr and leaves
// one line per target saying what was pushed, with human log lines.
func TestProgressOnATerminal(t *testing.T) {
	dir := env(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pty: %v", err)
	}
	defer ptmx.Close()
	var got bytes.Buffer
	read := make(chan struct{})
	go func() {
		io.Copy(&got, ptmx) // ends with EIO once the tty side is closed
		close(read)
	}()
	cfg := writeConfig(t, dir, "targets:\n  crm:\n    type: csv\n    path: "+filepath.Join(dir, "out.csv")+"\n")
	var stdout bytes.Buffer
	code := run(context.Background(), []string{"sync", "-v", "--config", cfg, "--source", "testdata/export2024"}, &stdout, tty)
	tty.Close()
	<-read
	if code != exitOK {
		t.Fatalf("sync on a pty: exit %d\n%s", code, got.String())
	}
	lines := screen(got.Bytes())
	text := strings.Join(lines, "\n")
	if !strings.Contains(text, "pushing to crm: 6/6 contacts in ") {
		t.Errorf("no line says what was pushed:\n%s", text)
	}
	if !strings.Contains(text, " DBG ") || strings.Contains(text, "level=DEBUG") {
		t.Errorf("the log on a terminal is not human lines:\n%s", text)
	}
	for _, l := range lines {
		if strings.Contains(l, " DBG ") && strings.Contains(l, "%") {
			t.Errorf("a log line shares its line with the bar: %q", l)
		}
	}
	if strings.Contains(stdout.String(), "\r") {
		t.Errorf("the bar reached stdout: %q", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err != nil {
		t.Error(err)
	}
}
