package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors/csvfile"
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

// export --changes writes each run's changes to a dated file of its own,
// beside the earlier ones, and nothing when nothing changed.
func TestExportChanges(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	statePath := filepath.Join(dir, "state.json")
	out := filepath.Join(dir, "changes.csv")
	args := []string{"export", "--profile", "generic", "--source", src, "--state", statePath, "--changes", "--output", out}
	dated := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, "changes-*Z.csv"))
		return m
	}
	if code, _, errs := runCLI(t, args...); code != exitOK {
		t.Fatalf("first changes export: %s", errs)
	}
	first := dated()
	if len(first) != 1 || len(readCSV(t, first[0])) != 6 {
		t.Fatalf("first changes export wrote %v; want one file of 6 people", first)
	}
	if code, _, errs := runCLI(t, args...); code != exitOK || len(dated()) != 1 {
		t.Fatalf("an export without changes: exit %d (%s), files %v; want no new file", code, errs, dated())
	}
	conns := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(conns)
	s := strings.Replace(string(b), "Lagos Labs,CTO", "Lagos Labs,CEO", 1)
	s = strings.Replace(s, "Chiara,Ventimiglia,https://www.linkedin.com/in/chiara-v,,Analytical Engines,Designer,15 Mar 2024\n", "", 1)
	os.WriteFile(conns, []byte(s), 0o644)
	if code, _, errs := runCLI(t, args...); code != exitOK {
		t.Fatalf("second changes export: %s", errs)
	}
	files := dated()
	if len(files) != 2 || files[0] != first[0] || len(readCSV(t, first[0])) != 6 {
		t.Fatalf("files %v; want the first one kept whole and a second one", files)
	}
	rows := readCSV(t, files[1])
	if len(rows) != 1 || rows["Emeka Nwosu"]["title"] != "CEO" {
		t.Errorf("changes file = %v; want only Emeka's new title", rows)
	}
	removed, err := os.ReadFile(csvfile.RemovedPath(files[1]))
	if err != nil || !strings.Contains(string(removed), "Chiara") {
		t.Errorf("removed list: %v\n%s", err, removed)
	}
}
