package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportOneOff(t *testing.T) {
	dir := env(t)
	for _, profile := range []string{"hubspot", "google", "vcard"} {
		out := filepath.Join(dir, profile+".out")
		code, stdout, errs := runCLI(t, "export", "--profile", profile, "--source", "testdata/export2024", "--output", out)
		if code != exitOK || !strings.Contains(stdout, "wrote 6 people") {
			t.Fatalf("export %s: exit %d, %q %q", profile, code, stdout, errs)
		}
		b, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(b), "Kovács") {
			t.Errorf("export %s: %v; file lacks a person:\n%s", profile, err, b)
		}
	}
	if code, _, _ := runCLI(t, "export", "--source", "testdata/export2024"); code != exitUsage {
		t.Errorf("export without --profile: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := runCLI(t, "export", "--profile", "nosuchcrm", "--source", "testdata/export2024"); code != exitUsage {
		t.Errorf("export with an unknown profile: exit %d, want %d", code, exitUsage)
	}
}

func TestExportChanges(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	statePath := filepath.Join(dir, "state.json")
	out := filepath.Join(dir, "changes.csv")
	args := []string{"export", "--profile", "generic", "--source", src, "--state", statePath, "--changes", "--output", out}
	if code, _, errs := runCLI(t, args...); code != exitOK {
		t.Fatalf("first changes export: %s", errs)
	}
	if rows := readCSV(t, out); len(rows) != 6 {
		t.Fatalf("first changes export holds %d people, want 6", len(rows))
	}
	conns := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(conns)
	s := strings.Replace(string(b), "Lagos Labs,CTO", "Lagos Labs,CEO", 1)
	s = strings.Replace(s, "Chiara,Ventimiglia,https://www.linkedin.com/in/chiara-v,,Analytical Engines,Designer,15 Mar 2024\n", "", 1)
	os.WriteFile(conns, []byte(s), 0o644)
	if code, _, errs := runCLI(t, args...); code != exitOK {
		t.Fatalf("second changes export: %s", errs)
	}
	rows := readCSV(t, out)
	if len(rows) != 1 || rows["Emeka Nwosu"]["title"] != "CEO" {
		t.Errorf("changes file = %v; want only Emeka's new title", rows)
	}
	removed, err := os.ReadFile(filepath.Join(dir, "changes-removed.csv"))
	if err != nil || !strings.Contains(string(removed), "Chiara") {
		t.Errorf("removed list: %v\n%s", err, removed)
	}
}

func TestSourceLabel(t *testing.T) {
	if got := sourceLabel("/x/Complete_LinkedInDataExport_11-20-2026.zip (1).zip"); got != "LinkedIn export 2026-11-20" {
		t.Errorf("sourceLabel = %q", got)
	}
}
