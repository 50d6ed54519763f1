package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readCSV returns the generic file's rows keyed by name.
func readCSV(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out[m["name"]] = m
	}
	return out
}

func TestSyncCSVTwiceThenChanges(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	out := filepath.Join(dir, "out", "contacts.csv")
	cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  backup:\n    type: csv\n    profile: generic\n    path: "+out+"\n")

	code, stdout, errs := runCLI(t, "sync", "-c", cfg, "--format", "json")
	if code != exitOK {
		t.Fatalf("sync exit %d: %s", code, errs)
	}
	r := decodeReport(t, stdout)
	if len(r.Targets) != 1 || r.Targets[0].Create != 6 {
		t.Fatalf("first sync: %+v", r.Targets)
	}
	rows := readCSV(t, out)
	if len(rows) != 6 {
		t.Fatalf("csv holds %d people, want 6: %v", len(rows), rows)
	}
	if ada := rows["Ada Quill"]; ada == nil || ada["email_status"] != "hidden" {
		t.Errorf("Ada (no email) = %v; want a row marked hidden", ada)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "state.json")); fi == nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file missing or not 0600: %v", fi)
	}

	// Same export again: nothing planned, nothing written.
	code, stdout, _ = runCLI(t, "diff", "-c", cfg, "--format", "json")
	if r := decodeReport(t, stdout); code != exitOK || len(r.Targets[0].Changes) != 0 || r.Targets[0].Unchanged != 6 {
		t.Fatalf("second diff (exit %d): %+v", code, r.Targets)
	}

	// Ada changes job, Emeka disappears, a new connection appears.
	conns := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(conns)
	s := strings.Replace(string(b), "Analytical Engines,Engineer", "Difference Works,Principal", 1)
	s = strings.Replace(s, "Emeka,Nwosu,https://www.linkedin.com/in/emeka-nwosu,,Lagos Labs,CTO,19 Sep 2022\n", "", 1)
	s += "Greta,Lind,https://www.linkedin.com/in/greta-lind,,Nordlys AS,Founder,20 Nov 2026\n"
	os.WriteFile(conns, []byte(s), 0o644)

	code, stdout, errs = runCLI(t, "sync", "-c", cfg, "--format", "json")
	if code != exitOK {
		t.Fatalf("changed sync exit %d: %s", code, errs)
	}
	tr := decodeReport(t, stdout).Targets[0]
	if tr.Create != 1 || tr.Update != 1 || tr.Remove != 1 || tr.Unchanged != 4 {
		t.Fatalf("changed sync: %+v", tr)
	}
	for _, c := range tr.Changes {
		if c.Op == "update" && (c.Name != "Ada Quill" || c.Fields["company"].New != "Difference Works" || len(c.Fields) != 2) {
			t.Errorf("update = %+v; want Ada's company and title", c)
		}
	}
	rows = readCSV(t, out)
	if len(rows) != 6 || rows["Emeka Nwosu"] != nil || rows["Greta Lind"] == nil || rows["Ada Quill"]["company"] != "Difference Works" {
		t.Errorf("csv after changes: %v", rows)
	}
}

func TestEraMoveKeepsIdentities(t *testing.T) {
	dir := env(t)
	statePath := filepath.Join(dir, "state.json")
	cfg := writeConfig(t, dir, "state: "+statePath+"\ntargets:\n  backup:\n    type: csv\n    path: "+filepath.Join(dir, "c.csv")+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2021"); code != exitOK {
		t.Fatalf("sync 2021: %s", errs)
	}
	// The 2024 export adds the URL column: the same three people are updated
	// (they gain a URL), never removed and re-created.
	code, stdout, errs := runCLI(t, "diff", "-c", cfg, "--source", "testdata/export2024", "--format", "json")
	if code != exitOK {
		t.Fatalf("diff 2024: %s", errs)
	}
	tr := decodeReport(t, stdout).Targets[0]
	if tr.Remove != 0 || tr.Update != 3 || tr.Create != 3 {
		t.Errorf("era move plan: create %d update %d remove %d; want 3 new people, 3 updates, 0 removals", tr.Create, tr.Update, tr.Remove)
	}
}

func TestRemovalGuardStopsSync(t *testing.T) {
	dir := env(t)
	out := filepath.Join(dir, "c.csv")
	cfg := writeConfig(t, dir, "state: "+filepath.Join(dir, "state.json")+"\nmax_delete: 1\ntargets:\n  backup:\n    type: csv\n    path: "+out+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2024"); code != exitOK {
		t.Fatalf("sync: %s", errs)
	}
	before, _ := os.ReadFile(out)
	stateBefore, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	// The 2021 export lacks three of the six people: more than max_delete.
	code, report, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2021", "--format", "json")
	if code != exitRun || !strings.Contains(errs, "max_delete") || !strings.Contains(errs, "--force") {
		t.Fatalf("guarded sync: exit %d, stderr %q", code, errs)
	}
	var rep struct {
		DryRun  bool   `json:"dry_run"`
		Stopped string `json:"stopped"`
		Targets []struct {
			Error          string
			Create, Remove int
			NotDone        int `json:"not_done"`
			Changes        []struct{ Status, Reason string }
		}
	}
	if err := json.Unmarshal([]byte(report), &rep); err != nil || rep.DryRun || rep.Stopped == "" || !strings.Contains(rep.Targets[0].Error, "max_delete") {
		t.Fatalf("the guarded sync's report must say nothing was written and why: %+v (%v)", rep, err)
	}
	if tr := rep.Targets[0]; tr.Create+tr.Remove != 0 || tr.NotDone == 0 || tr.NotDone != len(tr.Changes) ||
		tr.Changes[0].Status != "not_done" || !strings.Contains(tr.Changes[0].Reason, "max_delete") {
		t.Errorf("the guarded sync's report counts %+v; want every change not done, held back by the guard", tr)
	}
	after, _ := os.ReadFile(out)
	stateAfter, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	if string(before) != string(after) || string(stateBefore) != string(stateAfter) {
		t.Fatal("the refused sync wrote the target or the state")
	}
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2021", "--force"); code != exitOK {
		t.Fatalf("forced sync: exit %d: %s", code, errs)
	}
	if rows := readCSV(t, out); len(rows) != 3 {
		t.Errorf("after the forced sync the file holds %d people, want 3", len(rows))
	}
}

// The first sync on a new machine creates the state's directory.
func TestFirstSyncCreatesStateDir(t *testing.T) {
	dir := env(t)
	statePath := filepath.Join(dir, "new", "nested", "state.json")
	cfg := writeConfig(t, dir, "state: "+statePath+"\ntargets:\n  backup:\n    type: csv\n    path: "+filepath.Join(dir, "c.csv")+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2024"); code != exitOK {
		t.Fatalf("first sync: exit %d: %s", code, errs)
	}
	if fi, err := os.Stat(statePath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state: %v", err)
	}
}

func TestTargetFlagLimitsTheRun(t *testing.T) {
	dir := env(t)
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.vcf")
	cfg := writeConfig(t, dir, "state: "+filepath.Join(dir, "state.json")+"\ntargets:\n  a:\n    type: csv\n    path: "+a+
		"\n  b:\n    type: vcf\n    path: "+b+"\n")
	code, out, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2024", "--target", "a", "--format", "json")
	if code != exitOK {
		t.Fatalf("sync --target a: exit %d: %s", code, errs)
	}
	if r := decodeReport(t, out); len(r.Targets) != 1 || r.Targets[0].Name != "a" {
		t.Errorf("report targets: %+v", r.Targets)
	}
	if _, err := os.Stat(a); err != nil {
		t.Errorf("target a not written: %v", err)
	}
	if _, err := os.Stat(b); !os.IsNotExist(err) {
		t.Errorf("target b was written although --target a: %v", err)
	}
	// The other target still plans everything.
	_, out, _ = runCLI(t, "diff", "-c", cfg, "--source", "testdata/export2024", "--format", "json")
	for _, tr := range decodeReport(t, out).Targets {
		if want := map[string]int{"a": 0, "b": 6}[tr.Name]; tr.Create != want {
			t.Errorf("target %s plans %d creates, want %d", tr.Name, tr.Create, want)
		}
	}
}

// A synced CRM file names the export it came from (the archive's date),
// not the bare default: the label is read when the target opens, after
// the export.
func TestSyncedFileNamesItsExport(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "Basic_LinkedInDataExport_11-20-2026")
	copyDir(t, "testdata/export2024", src)
	out := filepath.Join(dir, "c.csv")
	cfg := writeConfig(t, dir, "state: "+filepath.Join(dir, "state.json")+"\ntargets:\n  backup:\n    type: csv\n    path: "+out+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", src); code != exitOK {
		t.Fatalf("sync: %s", errs)
	}
	for id, row := range readCSV(t, out) {
		if row["source"] != "LinkedIn export 2026-11-20" {
			t.Errorf("row %s: source %q, want the archive's date", id, row["source"])
		}
	}
}

// An export that renames more people than max_rename allows (here every
// first name gains a suffix, as a mis-decoded file would) stops before any
// write; --force goes ahead.
func TestRenameGuardStopsSync(t *testing.T) {
	dir := env(t)
	out := filepath.Join(dir, "c.csv")
	cfg := writeConfig(t, dir, "state: "+filepath.Join(dir, "state.json")+"\ntargets:\n  backup:\n    type: csv\n    path: "+out+"\n")
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", src); code != exitOK {
		t.Fatalf("sync: %s", errs)
	}
	before, _ := os.ReadFile(out)
	conns := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(conns)
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "http") || !strings.Contains(l, ",https://www.linkedin.com/") {
			continue
		}
		lines[i] = strings.Replace(l, ",", "Ã¼,", 1)
	}
	os.WriteFile(conns, []byte(strings.Join(lines, "\n")), 0o644)
	code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", src)
	if code != exitRun || !strings.Contains(errs, "max_rename") {
		t.Fatalf("mass rename: exit %d, stderr %q; want 1 naming max_rename", code, errs)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("the refused sync rewrote the file")
	}
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", src, "--force"); code != exitOK {
		t.Fatalf("forced: exit %d: %s", code, errs)
	}
}

// A symlinked state file is written where it points and stays a link;
// a report written with --output is private; a state directory others can
// read is warned about.
func TestStateSymlinkReportModeAndSharedDir(t *testing.T) {
	dir := env(t)
	real := filepath.Join(dir, "vault", "state.json")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "state.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.txt")
	cfg := writeConfig(t, dir, "state: "+link+"\ntargets:\n  backup:\n    type: csv\n    path: "+filepath.Join(dir, "c.csv")+"\n")
	code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2024", "--output", report)
	if code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errs)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the state symlink was replaced: %v %v", fi.Mode(), err)
	}
	if snap, err := os.ReadFile(real); err != nil || !strings.Contains(string(snap), `"backup"`) {
		t.Errorf("the state was not written where the link points: %v", err)
	}
	if fi, err := os.Stat(report); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if !strings.Contains(errs, "can be read by other users") {
		t.Errorf("no warning about the 0755 state directory; stderr:\n%s", errs)
	}

	// A link into a directory that is gone.
	os.RemoveAll(filepath.Dir(real))
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--source", "testdata/export2024"); code != exitUsage || !strings.Contains(errs, "symlink") {
		t.Errorf("a dangling state link: exit %d, stderr %q; want 2 naming the symlink", code, errs)
	}
}
