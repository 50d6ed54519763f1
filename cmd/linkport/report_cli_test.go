package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/connectors/webhook"
)

// --format html writes one page for diff, sync and graph; demo --html
// writes the first sync's.
func TestHTMLReports(t *testing.T) {
	dir := env(t)
	page := filepath.Join(dir, "diff.html")
	cfg := csvTargetConfig(t, dir, "testdata/export2024")
	if code, out, errs := runCLI(t, "diff", "-c", cfg, "--format", "html", "--output", page); code != exitOK || out != "" {
		t.Fatalf("diff --format html --output: exit %d, stdout %q: %s", code, out, errs)
	}
	b, err := os.ReadFile(page)
	if err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.Contains(string(b), `data-count="create">6</td>`) {
		t.Errorf("diff.html: %v\n%.500s", err, b)
	}
	if code, out, errs := runCLI(t, "graph", "--source", "testdata/export2024", "--format", "html"); code != exitOK || !strings.Contains(out, `data-count="people">6<`) {
		t.Errorf("graph --format html: exit %d: %s\n%.500s", code, errs, out)
	}
	demo := filepath.Join(dir, "demo.html")
	code, out, errs := runCLI(t, "demo", "--html", demo)
	if code != exitOK || !strings.Contains(out, "the report of the first sync is in "+demo) || !strings.Contains(out, "148 unchanged") {
		t.Fatalf("demo --html: exit %d: %s\n%s", code, errs, out)
	}
	if b, err := os.ReadFile(demo); err != nil || !strings.Contains(string(b), `data-count="create">148</td>`) {
		t.Errorf("demo.html does not hold the first sync's 148 creates: %v", err)
	}
}

// Text lists the first ten changes of a kind and says how many more;
// --all lists every one.
func TestSummaryAndAllFlag(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	writeExport(t, src, linkedintest.New(linkedintest.GenOptions{Seed: 3, Connections: 40}))
	cfg := csvTargetConfig(t, dir, src)
	code, sum, errs := runCLI(t, "diff", "-c", cfg)
	if code != exitOK {
		t.Fatalf("diff: exit %d: %s", code, errs)
	}
	_, all, _ := runCLI(t, "diff", "-c", cfg, "--all")
	n := countIn(t, sum, "to create")
	if got := strings.Count(sum, "+ create "); got != 10 || !strings.Contains(sum, "more (--all lists them)") {
		t.Errorf("the summary lists %d of %d creates, want 10 and how many more:\n%s", got, n, sum)
	}
	if got := strings.Count(all, "+ create "); got != n || n <= 10 {
		t.Errorf("--all lists %d of %d creates", got, n)
	}
}

// -q prints no report after a run that went well; one asked for with
// --format still prints, and so does the report of a run that failed.
func TestQuietPrintsNothingOnSuccess(t *testing.T) {
	dir := env(t)
	if err := os.Chmod(dir, 0o700); err != nil { // else the run warns, rightly, that others can read the state
		t.Fatal(err)
	}
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	cfg := csvTargetConfig(t, dir, src)
	for _, args := range [][]string{{"diff", "-c", cfg, "-q"}, {"sync", "-c", cfg, "-q"}, {"sync", "-c", cfg, "--quiet"}} {
		if code, out, errs := runCLI(t, args...); code != exitOK || out != "" || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and nothing", args, code, out, errs)
		}
	}
	if code, out, _ := runCLI(t, "diff", "-c", cfg, "-q", "--format", "json"); code != exitOK || !strings.Contains(out, `"dry_run": true`) {
		t.Errorf("diff -q --format json: exit %d, %q; want the JSON asked for", code, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/"
	ln.Close() // nothing listens there now
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	hook := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "hook.json")+
		"\ntargets:\n  hooks:\n    type: webhook\n    url: "+down+"\n    secret_env: LP_TEST_HOOK_SECRET\n    max_attempts: 1\n")
	code, out, errs := runCLI(t, "sync", "-c", hook, "-q")
	if code != exitRun || !strings.Contains(out, "target hooks (webhook)") || errs == "" {
		t.Errorf("a failed sync -q: exit %d, stdout %q, stderr %q; want 1, the report and the error", code, out, errs)
	}
}

// csvTargetConfig is a config syncing src into a generic CSV file in dir.
func csvTargetConfig(t *testing.T, dir, src string) string {
	t.Helper()
	return writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  backup:\n    type: csv\n    profile: generic\n    path: "+filepath.Join(dir, "out.csv")+"\n")
}
