package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-webdav/carddav"

	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

// dirState lists every file under dir with its content, to prove a run
// left it byte-identical.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return nil
	})
	return out
}

// Every configuration mistake exits 2 for diff and sync alike, with one
// sentence naming it, before a byte is written: no state file, no lock,
// no journal, and the good target beside the bad one untouched.
func TestConfigErrorsExitTwoAndTouchNothing(t *testing.T) {
	dir := env(t)
	blocker := filepath.Join(dir, "a-file")
	if err := os.WriteFile(blocker, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LINKPORT_TEST_UNSET", "")
	t.Setenv("LINKPORT_TEST_BADSECRET", "not-a-whsec-secret")
	t.Setenv("LINKPORT_TEST_SECRET", "whsec_"+base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	good := "  good:\n    type: csv\n    path: " + filepath.Join(dir, "out", "good.csv") + "\n"
	for _, tc := range []struct {
		name, target, state, want string
	}{
		{"carddav url scheme", "    type: carddav\n    url: ftp://dav.example.org/\n", "", "want an absolute http"},
		{"webhook url scheme", "    type: webhook\n    url: file:///etc/passwd\n    secret_env: LINKPORT_TEST_UNSET\n", "", "want an absolute http"},
		{"password that does not resolve", "    type: carddav\n    url: http://127.0.0.1:1/\n    username: me\n    password_env: LINKPORT_TEST_UNSET\n", "", "LINKPORT_TEST_UNSET is empty or unset"},
		{"password command that fails", "    type: carddav\n    url: http://127.0.0.1:1/\n    password_command: exit 3\n", "", "password_command failed"},
		{"webhook without a secret", "    type: webhook\n    url: http://127.0.0.1:1/\n", "", "set secret_env"},
		{"webhook secret that is not one", "    type: webhook\n    url: http://127.0.0.1:1/\n    secret_env: LINKPORT_TEST_BADSECRET\n", "", "secret"},
		{"webhook header linkport sets", "    type: webhook\n    url: http://127.0.0.1:1/\n    secret_env: LINKPORT_TEST_SECRET\n    headers:\n      webhook-id: x\n", "", "set by linkport"},
		{"profile that does not exist", "    type: csv\n    profile: nosuchcrm\n    path: " + filepath.Join(dir, "x.csv") + "\n", "", "nosuchcrm"},
		{"csv path that cannot be written", "    type: csv\n    path: " + filepath.Join(blocker, "x.csv") + "\n", "", "not a directory"},
		{"ca_file that cannot be read", "    type: carddav\n    url: https://127.0.0.1:1/\n    ca_file: " + filepath.Join(dir, "nope.pem") + "\n", "", "ca_file"},
		{"state that cannot be written", "    type: csv\n    path: " + filepath.Join(dir, "y.csv") + "\n", filepath.Join(blocker, "state.json"), "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			statePath := tc.state
			if statePath == "" {
				statePath = filepath.Join(dir, "state", "state.json")
			}
			cfg := writeConfig(t, dir, "source:\n  path: testdata/export2024\nstate: "+statePath+"\ntargets:\n"+good+"  bad:\n"+tc.target)
			before := dirState(t, dir)
			for _, cmd := range []string{"diff", "sync"} {
				code, stdout, errs := runCLI(t, cmd, "-c", cfg)
				if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
					t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line saying %q", cmd, code, errs, tc.want)
				}
				if stdout != "" {
					t.Errorf("%s printed a report for a run that never started:\n%s", cmd, stdout)
				}
			}
			after := dirState(t, dir)
			if fmt.Sprint(before) != fmt.Sprint(after) {
				t.Errorf("a configuration error changed files: before %v\nafter %v", keys(before), keys(after))
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// countIn reads "N created" and "N not done" from a text or Markdown report.
func countIn(t *testing.T, report, what string) int {
	t.Helper()
	m := regexp.MustCompile(`(\d+) ` + what).FindStringSubmatch(report)
	if m == nil {
		if what != "created" { // the line is left out when nothing failed
			return 0
		}
		t.Fatalf("the report does not say how many %s:\n%s", what, report)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// outcomeReport is the JSON report's per-change statuses.
type outcomeReport struct {
	DryRun  bool `json:"dry_run"`
	Targets []struct {
		Create  int
		Failed  int
		NotDone int `json:"not_done"`
		Error   string
		Changes []struct{ ID, Status, Reason, Error string }
	}
}

// checkReport checks a sync's report, in any format, against what the
// server holds: created is the number of cards, and every other planned
// change is reported as not done or failed.
func checkReport(t *testing.T, format, report string, onServer map[string]bool, planned int) {
	t.Helper()
	switch format {
	case "json":
		var r outcomeReport
		if err := json.Unmarshal([]byte(report), &r); err != nil || len(r.Targets) != 1 {
			t.Fatalf("not a JSON report: %v\n%s", err, report)
		}
		tr := r.Targets[0]
		if r.DryRun || tr.Create > len(onServer) || len(onServer) > tr.Create+tr.Failed || tr.Create+tr.Failed+tr.NotDone != planned {
			t.Errorf("json: created %d, failed %d, not done %d; the server holds %d of %d", tr.Create, tr.Failed, tr.NotDone, len(onServer), planned)
		}
		for _, c := range tr.Changes {
			// A write cut off by the interrupt's grace may or may not have arrived; it says so.
			unsure := c.Status == "failed" && strings.Contains(c.Error, "interrupted while being written")
			if (c.Status == "done") != onServer[c.ID] && !unsure {
				t.Errorf("json: change %s is %s (%s), on the server: %v", c.ID, c.Status, c.Reason, onServer[c.ID])
			}
		}
	default:
		created, failed, notDone := countIn(t, report, "created"), countIn(t, report, "failed"), countIn(t, report, "not done")
		if created > len(onServer) || len(onServer) > created+failed || created+failed+notDone != planned {
			t.Errorf("%s: %d created, %d not done; the server holds %d of %d:\n%s", format, created, notDone, len(onServer), planned, report)
		}
	}
}

// A wrong password and a server that is down write nothing: each report,
// in every format, says 0 created and why the rest was not done.
func TestSyncThatCannotStartReportsNothingDone(t *testing.T) {
	const user, good, bad = "alice", "correct-horse-battery", "wrong-staple-4711"
	root := carddavtest.StartRadicaleAuth(t, user, good).URL
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/"
	ln.Close() // nothing listens there now
	dir := env(t)
	src := filepath.Join(dir, "export")
	writeExport(t, src, linkedintest.New(linkedintest.GenOptions{Seed: 8, Connections: 12}))
	t.Setenv("LINKPORT_E2E_PASSWORD", bad)
	for _, tc := range []struct{ name, url, why string }{
		{"wrong password", root, "401"},
		{"server down", down, "connection refused"},
	} {
		for _, format := range []string{"text", "json", "markdown"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				cfg, statePath := davConfig(t, dir, "nostart-"+format, src, fmt.Sprintf("    url: %s\n    username: %s\n    password_env: LINKPORT_E2E_PASSWORD\n", tc.url, user))
				code, report, errs := runCLI(t, "sync", "-c", cfg, "--format", format)
				if code != exitRun || !strings.Contains(errs, tc.why) {
					t.Fatalf("exit %d, stderr %q; want 1 naming %q", code, errs, tc.why)
				}
				checkReport(t, format, report, map[string]bool{}, 12)
				if !strings.Contains(report, "did not start") {
					t.Errorf("the report does not say the target did not start:\n%s", report)
				}
				if b, err := os.ReadFile(statePath); err == nil && strings.Contains(string(b), `"phone"`) {
					t.Errorf("the state records writes to a target that received none: %s", b)
				}
			})
		}
	}
	bk := book{url: root + "/" + user + "/", user: user, pass: good}
	for _, o := range bk.cardsIfAny(t) {
		t.Errorf("a card reached the server: %s", o)
	}
}

// cardsIfAny lists the hrefs of every card under the principal's books.
func (b book) cardsIfAny(t *testing.T) []string {
	t.Helper()
	var out []string
	c := b.client(t)
	books, err := c.FindAddressBooks(t.Context(), urlPath(b.url))
	if err != nil {
		return nil // no address book at all: nothing reached it
	}
	for _, ab := range books {
		objs, err := c.QueryAddressBook(t.Context(), ab.Path, &carddav.AddressBookQuery{})
		if err != nil {
			t.Fatalf("list %s: %v", ab.Path, err)
		}
		for _, o := range objs {
			out = append(out, o.Path)
		}
	}
	return out
}

// A sync interrupted by SIGINT stops between writes, lets the write in
// flight finish, and reports card for card what reached the server.
func TestInterruptedSyncReportsWhatReachedTheServer(t *testing.T) {
	r := carddavtest.StartRadicale(t)
	dir := env(t)
	src := filepath.Join(dir, "export")
	writeExport(t, src, linkedintest.New(linkedintest.GenOptions{Seed: 5, Connections: 200}))
	_, plan, _ := runCLI(t, "diff", "--source", src, "--format", "json")
	people := decodeReport(t, plan).Graph.People
	for i, format := range []string{"json", "text", "markdown"} {
		t.Run(format, func(t *testing.T) {
			name := "sigint-" + format
			cfg, statePath := davConfig(t, dir, name, src, fmt.Sprintf("    url: %s\n    addressbook: %s\n    username: %s\n    concurrency: 4\n", r.URL, name, r.User))
			cmd := exec.Command(cliBinary(t), "sync", "-c", cfg, "-q", "--format", format)
			cmd.Env = cliEnv(dir)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			after := 20 + 40*i
			deadline := time.After(2 * time.Minute)
		wait:
			for journalLines(statePath) < after {
				select {
				case err := <-done:
					t.Fatalf("the sync ended before %d writes: %v: %s", after, err, errb.String())
				case <-deadline:
					cmd.Process.Kill()
					t.Fatalf("the sync did not reach %d writes", after)
				case <-time.After(2 * time.Millisecond):
					continue wait
				}
			}
			cmd.Process.Signal(syscall.SIGINT)
			err := <-done
			var ee *exec.ExitError
			if err == nil {
				t.Fatalf("the sync finished before the signal: nothing was interrupted")
			}
			if !asExit(err, &ee) || ee.ExitCode() != exitRun {
				t.Fatalf("interrupted sync: %v, want exit 1: %s", err, errb.String())
			}
			bk := book{url: r.URL + "/" + r.User + "/" + name + "/", user: r.User}
			onServer := map[string]bool{}
			for id := range bk.cards(t) {
				onServer[id] = true
			}
			if len(onServer) < after || len(onServer) == people {
				t.Fatalf("%d cards on the server; want an interruption after at least %d", len(onServer), after)
			}
			checkReport(t, format, out.String(), onServer, people)
			if !strings.Contains(out.String(), "interrupted") {
				t.Errorf("the report does not say the sync was interrupted:\n%.2000s", out.String())
			}
			if got := journalLines(statePath); got != 0 {
				t.Errorf("the journal still holds %d lines: the interrupted sync did not save the state", got)
			}
			rep := resync(t, dir, cfg, statePath).Targets[0]
			if rep.Create != people-len(onServer) {
				t.Errorf("the re-run created %d, want the %d not done", rep.Create, people-len(onServer))
			}
		})
	}
}

func asExit(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}
