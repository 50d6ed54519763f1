package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// linkport init then linkport diff and sync, on a fresh HOME.
func TestInitThenDiff(t *testing.T) {
	dir := env(t)
	src, _ := filepath.Abs("testdata/export2024")
	out := filepath.Join(dir, "crm", "hubspot.csv")
	code, stdout, errs := runCLI(t, "init", "--csv", out, "--profile", "hubspot", "--source", src)
	if code != exitOK {
		t.Fatalf("init: exit %d: %s", code, errs)
	}
	cfg := filepath.Join(dir, "config", "linkport", "config.yaml")
	fi, err := os.Stat(cfg)
	if err != nil {
		t.Fatalf("init wrote no %s: %v (stdout %q)", cfg, err, stdout)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("config mode %04o, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(stdout, cfg) || !strings.Contains(stdout, "linkport diff") {
		t.Errorf("init does not say where it wrote and what is next: %q", stdout)
	}
	code, stdout, errs = runCLI(t, "diff")
	if code != exitOK || !strings.Contains(stdout, "target crm (csv): 6 to create") {
		t.Fatalf("diff after init: exit %d\n%s\n%s", code, stdout, errs)
	}
	if code, _, errs = runCLI(t, "sync", "-q"); code != exitOK {
		t.Fatalf("sync after init: exit %d: %s", code, errs)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "First Name") {
		t.Errorf("the HubSpot file: %v %.80q", err, b)
	}
}

func TestInit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		want     []string // in the file, or in stderr when the code is not 0
	}{
		{name: "carddav", args: []string{"--carddav", "https://dav.example.org/", "--username", "me"},
			want: []string{"type: carddav", `url: "https://dav.example.org/"`, `username: "me"`, "password_env: LINKPORT_CARDDAV_PASSWORD", "#   password_command:", `path: "~/Downloads/Basic_LinkedInDataExport_*.zip"`}},
		{name: "csv", args: []string{"--csv", "/tmp/x/zoho.csv", "--profile", "zoho", "--name", "zoho"},
			want: []string{"  zoho:\n    type: csv", `profile: "zoho"`, `path: "/tmp/x/zoho.csv"`}},
		{name: "webhook", args: []string{"--webhook", "https://hooks.example.org/lp"},
			want: []string{"type: webhook", "secret_env: LINKPORT_WEBHOOK_SECRET", "linkport webhook secret"}},
		{name: "a quote in a value", args: []string{"--carddav", "https://dav.example.org/", "--username", `me"; x: y`},
			want: []string{`username: "me\"; x: y"`}},
		{name: "two kinds", args: []string{"--csv", "a.csv", "--webhook", "https://h.example.org/"}, wantCode: exitUsage, want: []string{"one of"}},
		{name: "no kind off a terminal", args: nil, wantCode: exitUsage, want: []string{"--carddav URL, --csv PATH or --webhook URL"}},
		{name: "bad url", args: []string{"--carddav", "ftp://dav.example.org/"}, wantCode: exitUsage, want: []string{"http:// or https://"}},
		{name: "unknown profile", args: []string{"--csv", "a.csv", "--profile", "nosuchcrm"}, wantCode: exitUsage, want: []string{"nosuchcrm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			cfg := filepath.Join(dir, "config", "linkport", "config.yaml")
			code, _, errs := runCLI(t, append([]string{"init"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("init exit %d, want %d: %s", code, tc.wantCode, errs)
			}
			b, err := os.ReadFile(cfg)
			if tc.wantCode != exitOK {
				if err == nil {
					t.Errorf("a failed init wrote %s", cfg)
				}
				for _, w := range tc.want {
					if !strings.Contains(errs, w) {
						t.Errorf("stderr %q lacks %q", errs, w)
					}
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("the config lacks %q:\n%s", w, b)
				}
			}
			if _, err := loadConfig(&globalFlags{}); err != nil {
				t.Errorf("the written config does not load: %v", err)
			}
			if entries, _ := os.ReadDir(filepath.Dir(cfg)); len(entries) != 1 {
				t.Errorf("init left %d files beside the config", len(entries))
			}
		})
	}
}

// An existing config is never replaced without --force.
func TestInitKeepsAnExistingConfig(t *testing.T) {
	dir := env(t)
	cfg := filepath.Join(dir, "my.yaml")
	os.WriteFile(cfg, []byte("# mine\n"), 0o600)
	code, _, errs := runCLI(t, "init", "--config", cfg, "--csv", "a.csv")
	if b, _ := os.ReadFile(cfg); code != exitUsage || string(b) != "# mine\n" || !strings.Contains(errs, "--force") {
		t.Fatalf("init over an existing file: exit %d, file %q, stderr %q", code, b, errs)
	}
	if code, _, errs := runCLI(t, "init", "--config", cfg, "--csv", "a.csv", "--force"); code != exitOK {
		t.Fatalf("init --force: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(cfg); !strings.Contains(string(b), "type: csv") {
		t.Errorf("--force did not replace it: %q", b)
	}
}

// On a terminal with no flag, init asks.
func TestAskInit(t *testing.T) {
	for _, tc := range []struct {
		name, answers string
		want          initOptions
	}{
		{name: "carddav", answers: "1\nhttps://dav.example.org/\nme\n\n\n",
			want: initOptions{Kind: "carddav", URL: "https://dav.example.org/", Username: "me", Book: "LinkedIn", Source: defaultSource}},
		{name: "csv with defaults", answers: "2\nhubspot\n\n~/x.zip\n",
			want: initOptions{Kind: "csv", Profile: "hubspot", Path: "~/linkedin/hubspot.csv", Source: "~/x.zip"}},
		{name: "a wrong choice, then webhook, an empty URL asked again", answers: "7\n3\n\nhttps://h.example.org/\n\n",
			want: initOptions{Kind: "webhook", URL: "https://h.example.org/", Source: defaultSource}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got initOptions
			if err := askInit(bufio.NewReader(strings.NewReader(tc.answers)), io.Discard, &got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("askInit = %+v, want %+v", got, tc.want)
			}
		})
	}
	if err := askInit(bufio.NewReader(strings.NewReader("1\n")), io.Discard, &initOptions{}); err == nil {
		t.Error("askInit accepted input that ends before the questions do")
	}
}
