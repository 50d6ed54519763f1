//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// On a terminal, forget shows who matches and asks: "n" changes nothing,
// "y" forgets.
func TestForgetAsksOnATerminal(t *testing.T) {
	dir := env(t)
	statePath := filepath.Join(dir, "s", "state.json")
	out := filepath.Join(dir, "c.csv")
	cfg := writeConfig(t, dir, "source:\n  path: "+mustAbs(t, "testdata/export2024")+"\nstate: "+statePath+
		"\ntargets:\n  sheet:\n    type: csv\n    path: "+out+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errs)
	}
	ask := func(answer string) (int, string) {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Fatalf("open a pty: %v", err)
		}
		defer ptmx.Close()
		defer tty.Close()
		cmd := exec.Command(cliBinary(t), "forget", "-c", cfg, "bram@example.org")
		cmd.Env = cliEnv(dir)
		var errb bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &errb, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ptmx.Write([]byte(answer + "\n")) // the terminal buffers it until forget reads its answer
		cmd.Wait()
		return cmd.ProcessState.ExitCode(), errb.String()
	}
	code, errs := ask("n")
	if code != exitUsage || !strings.Contains(errs, "Bram Osei") || !strings.Contains(errs, "[y/N]") {
		t.Fatalf("answered n: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(out); !bytes.Contains(b, []byte("Osei")) {
		t.Fatal("answering n forgot him anyway")
	}
	if code, errs := ask("y"); code != exitOK {
		t.Fatalf("answered y: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(out); bytes.Contains(b, []byte("Osei")) {
		t.Fatal("answering y did not forget him")
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
