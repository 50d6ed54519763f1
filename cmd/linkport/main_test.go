package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// env isolates a test from the user's own config and state.
func env(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("LINKPORT_CONFIG", "")
	return dir
}

// copyDir copies a fixture export so a test may change it.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	os.MkdirAll(dst, 0o755)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
	}
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type jsonReport struct {
	Graph struct {
		People, Connections, Contacts, Merged int
		HiddenMembers                         int `json:"hidden_members"`
		EmailMissing                          int `json:"email_missing"`
		Organizations                         int
	}
	Targets []struct {
		Name, Type                        string
		Create, Update, Remove, Unchanged int
		Changes                           []struct {
			Op, ID, Name string
			Fields       map[string]struct{ Old, New string }
		}
	}
}

func decodeReport(t *testing.T, s string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, s)
	}
	return r
}

func TestDiffCountsWithoutWriting(t *testing.T) {
	dir := env(t)
	statePath := filepath.Join(dir, "state.json")
	code, out, errs := runCLI(t, "diff", "--source", "testdata/export2024", "--state", statePath, "--format", "json")
	if code != exitOK {
		t.Fatalf("diff exit %d: %s", code, errs)
	}
	r := decodeReport(t, out)
	g := r.Graph
	// 6 rows: 5 people + 1 hidden; Bram joins by email; Farah stays alone.
	if g.People != 6 || g.Connections != 5 || g.Contacts != 2 || g.Merged != 1 || g.HiddenMembers != 1 || g.EmailMissing != 4 {
		t.Errorf("graph counts = %+v", g)
	}
	if g.People != g.Connections+g.Contacts-g.Merged {
		t.Errorf("people %d != connections + contacts - merged", g.People)
	}
	if _, err := os.Stat(statePath); !os.IsNotExist(err) {
		t.Errorf("diff wrote the state file: %v", err)
	}
}

func TestExitCodes(t *testing.T) {
	dir := env(t)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"diff", "--nope"}, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"no source", []string{"diff"}, exitUsage},
		{"bad format", []string{"diff", "--source", "testdata/export2024", "--format", "yaml"}, exitUsage},
		{"missing explicit config", []string{"diff", "-c", filepath.Join(dir, "nope.yaml")}, exitUsage},
		{"version", []string{"version"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runCLI(t, tc.args...)
			if code != tc.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.want, errs)
			}
		})
	}
}

// zipOf builds a zip holding files.
func zipOf(t *testing.T, files map[string]string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, _ := w.Create(name)
		f.Write([]byte(body))
	}
	w.Close()
	return b.Bytes()
}

func TestBadInputExitsTwoAndTouchesNothing(t *testing.T) {
	good, _ := os.ReadFile("testdata/export2024/Connections.csv")
	whole := zipOf(t, map[string]string{"Connections.csv": string(good)})
	for _, tc := range []struct {
		name    string
		file    string // written into the test dir as the source
		body    []byte
		state   string // the state file's content ("" = a valid, saved state)
		config  string // extra config
		wantMsg string
	}{
		{name: "truncated zip", file: "export.zip", body: whole[:len(whole)/2], wantMsg: "export.zip"},
		{name: "zip without connections", file: "export.zip", body: zipOf(t, map[string]string{"Profile.csv": "First Name\nA\n"}), wantMsg: "Connections.csv"},
		{name: "not a LinkedIn header", file: "Connections.csv", body: []byte("Name,Mail\nA,b@c.d\n"), wantMsg: "First Name"},
		{name: "broken quote", file: "Connections.csv", body: []byte("First Name,Last Name,URL,Email Address,Company,Position,Connected On\nA,B,,,\"Acme,Eng,01 Jan 2024\nC,D,,,E,F,01 Jan 2024\n"), wantMsg: "Connections.csv:2"},
		{name: "state not JSON", file: "Connections.csv", body: good, state: "{oops", wantMsg: "state"},
		{name: "state newer", file: "Connections.csv", body: good, state: `{"version": 7}`, wantMsg: "version 7"},
		{name: "config unknown key", file: "Connections.csv", body: good, config: "adressbook: x\n", wantMsg: `unknown key "adressbook"`},
		{name: "target unknown key", file: "Connections.csv", body: good, config: "targets:\n  t:\n    type: csv\n    profile: generic\n    path: out.csv\n    adressbook: x\n", wantMsg: `"adressbook"`},
		{name: "target unknown type", file: "Connections.csv", body: good, config: "targets:\n  t:\n    type: carddv\n", wantMsg: `unknown type "carddv"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			src := filepath.Join(dir, tc.file)
			os.WriteFile(src, tc.body, 0o644)
			statePath := filepath.Join(dir, "state.json")
			stateBody := `{"version": 1, "identities": {}, "targets": {}}` + "\n"
			if tc.state != "" {
				stateBody = tc.state
			}
			os.WriteFile(statePath, []byte(stateBody), 0o600)
			targets := "targets:\n  t:\n    type: csv\n    profile: generic\n    path: " + filepath.Join(dir, "out.csv") + "\n"
			if strings.HasPrefix(tc.config, "targets:") {
				targets = ""
			}
			cfg := writeConfig(t, dir, "state: "+statePath+"\n"+tc.config+targets)
			for _, cmd := range []string{"diff", "sync"} {
				code, _, errs := runCLI(t, cmd, "-c", cfg, "--source", src)
				if code != exitUsage {
					t.Errorf("%s: exit %d, want %d; stderr: %s", cmd, code, exitUsage, errs)
				}
				if !strings.Contains(errs, tc.wantMsg) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
					t.Errorf("%s: stderr %q: want one line mentioning %q", cmd, errs, tc.wantMsg)
				}
				if b, _ := os.ReadFile(statePath); string(b) != stateBody {
					t.Errorf("%s changed the state file", cmd)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "out.csv")); !os.IsNotExist(err) {
				t.Error("a target was written")
			}
		})
	}
}

func TestDemo(t *testing.T) {
	env(t)
	code, out, errs := runCLI(t, "demo")
	if code != exitOK {
		t.Fatalf("demo exit %d: %s", code, errs)
	}
	for _, want := range []string{"148 created", "0 created, 0 updated, 0 removed, 148 unchanged", "148 cards were written to the demo server",
		"go run ./cmd/linkport demo --serve", "146 messages, 51 invitations, 11 notes", "    Last contacted on "} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
