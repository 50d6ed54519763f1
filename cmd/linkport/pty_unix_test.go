//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
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

// On a terminal with no flag, init asks, and writes what was answered.
func TestInitAsksOnATerminal(t *testing.T) {
	if os.Getenv("LINKPORT_TEST_INIT_CHILD") != "" {
		os.Exit(run(context.Background(), []string{"init"}, os.Stdout, os.Stderr))
	}
	dir := env(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestInitAsksOnATerminal$")
	cmd.Env = append(os.Environ(), "LINKPORT_TEST_INIT_CHILD=1")
	ptmx, err := pty.Start(cmd) // stdin, stdout and stderr on the pty
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	defer ptmx.Close()
	out := bufio.NewReader(ptmx)
	for _, qa := range []struct{ prompt, answer string }{
		{"Choose 1, 2 or 3 [1]: ", "2"},
		{"[generic]: ", "zoho"},
		{"[~/linkedin/zoho.csv]: ", ""},
		{"[~/Downloads/Basic_LinkedInDataExport_*.zip]: ", "~/exports/linkedin.zip"},
	} {
		var seen strings.Builder
		for !strings.HasSuffix(seen.String(), qa.prompt) {
			b, err := out.ReadByte()
			if err != nil {
				t.Fatalf("waiting for %q: %v after %q", qa.prompt, err, seen.String())
			}
			seen.WriteByte(b)
		}
		io.WriteString(ptmx, qa.answer+"\r")
	}
	go io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("init on a terminal: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "config", "linkport", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`profile: "zoho"`, `path: "~/linkedin/zoho.csv"`, `path: "~/exports/linkedin.zip"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the config lacks %q:\n%s", want, b)
		}
	}
}
