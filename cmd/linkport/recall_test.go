package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// recalledLine is what -v logs when a run is recalled instead of made.
const recalledLine = "nothing was read again"

// recallSetup writes a generated export (with merges, messages and a
// legacy copy that makes a whole-file warning) and a config with a CSV and
// a .vcf target, and syncs twice: the second sync changes nothing and is
// remembered.
func recallSetup(t *testing.T) (dir, cfg, src string) {
	t.Helper()
	dir = env(t)
	src = filepath.Join(dir, "export")
	files := linkedintest.New(linkedintest.GenOptions{Seed: 11, Connections: 120, Contacts: 40}).Files()
	files["Endorsement Received Info.csv"] = []byte("Endorsement Date,Skill Name\n")
	if err := linkedintest.WriteDir(src, files); err != nil {
		t.Fatal(err)
	}
	cfg = writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "state", "state.json")+
		"\ntargets:\n  crm:\n    type: csv\n    profile: hubspot\n    path: "+filepath.Join(dir, "out", "crm.csv")+
		"\n  cards:\n    type: vcf\n    path: "+filepath.Join(dir, "out", "cards.vcf")+"\n")
	for i := range 2 {
		if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
			t.Fatalf("sync %d exit %d: %s", i+1, code, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "state.json.stamp")); err != nil {
		t.Fatalf("the second sync changed nothing and left no stamp: %v", err)
	}
	return dir, cfg, src
}

// TestRecallPrintsWhatTheRunWould: a diff or sync recalled from the stamp
// prints, in every format, exactly what the run made again prints, says
// the whole-file warning again, and reads nothing but hashes.
func TestRecallPrintsWhatTheRunWould(t *testing.T) {
	dir, cfg, _ := recallSetup(t)
	stampPath := filepath.Join(dir, "state", "state.json.stamp")
	stamp, err := os.ReadFile(stampPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"diff", "sync"} {
		for _, format := range []string{"text", "markdown", "json", "html"} {
			args := []string{cmd, "-c", cfg, "-v", "--format", format}
			code, recalled, errs := runCLI(t, args...)
			if code != exitOK || !strings.Contains(errs, recalledLine) {
				t.Fatalf("%s --format %s: exit %d, not recalled:\n%s", cmd, format, code, errs)
			}
			if !strings.Contains(errs, "ignored: ") {
				t.Errorf("%s --format %s recalled: the whole-file warning is not said again:\n%s", cmd, format, errs)
			}
			os.Remove(stampPath) // the run is made again
			code, made, errs := runCLI(t, args...)
			if code != exitOK || strings.Contains(errs, recalledLine) {
				t.Fatalf("%s --format %s without a stamp: exit %d, recalled:\n%s", cmd, format, code, errs)
			}
			if made != recalled {
				t.Errorf("%s --format %s: the recalled report differs from the run's\nrecalled:\n%.3000s\nmade:\n%.3000s", cmd, format, recalled, made)
			}
			if cmd == "sync" { // a steady sync stamps again, the same stamp
				if b, err := os.ReadFile(stampPath); err != nil || string(b) != string(stamp) {
					t.Fatalf("the sync made again left another stamp (%v)", err)
				}
			} else if err := os.WriteFile(stampPath, stamp, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	code, out, _ := runCLI(t, "sync", "-c", cfg, "-q")
	if code != exitOK || out != "" {
		t.Fatalf("sync -q recalled: exit %d, printed %q", code, out)
	}
}

// TestRecallOnlyWhatStands: whatever the run depends on, changed, makes
// the next diff or sync read and plan again, with the right result.
func TestRecallOnlyWhatStands(t *testing.T) {
	tests := []struct {
		name string
		// change is made after the two syncs; it returns the command run next.
		change func(t *testing.T, dir, cfg, src string) []string
		// check looks at that command's output.
		check func(t *testing.T, dir, out string)
	}{
		{"a new export", func(t *testing.T, dir, cfg, src string) []string {
			p := filepath.Join(src, "Connections.csv")
			b, _ := os.ReadFile(p)
			if len(b) > 0 && b[len(b)-1] != '\n' {
				b = append(b, '\n')
			}
			os.WriteFile(p, append(b, "Zoe,Newcomer,https://www.linkedin.com/in/zoe-newcomer,,Initech,CFO,01 Dec 2026\n"...), 0o600)
			return []string{"diff", "-c", cfg, "--format", "json"}
		}, func(t *testing.T, _, out string) {
			if r := decodeReport(t, out); r.Targets[0].Create != 1 || r.Targets[1].Create != 1 {
				t.Fatalf("want one create per target: %+v", r.Targets)
			}
		}},
		{"the configuration", func(t *testing.T, dir, cfg, src string) []string {
			b, _ := os.ReadFile(cfg)
			os.WriteFile(cfg, append(b, "    fields:\n      exclude: [phones]\n"...), 0o600)
			return []string{"diff", "-c", cfg, "--format", "json"}
		}, func(t *testing.T, _, out string) {
			if r := decodeReport(t, out); r.Targets[0].Name != "cards" || r.Targets[0].Update == 0 || r.Targets[1].Update != 0 {
				t.Fatalf("want updates on cards only (its config changed): %+v", r.Targets)
			}
		}},
		{"a profile file edited", func(t *testing.T, dir, cfg, src string) []string {
			// a target with a profile of the user's, synced twice, then the profile changes
			prof := filepath.Join(dir, "mine.yaml")
			os.WriteFile(prof, []byte("columns:\n  - {header: Name, field: name}\n"), 0o600)
			b, _ := os.ReadFile(cfg)
			os.WriteFile(cfg, append(b, "  mine:\n    type: csv\n    profile: "+prof+"\n    path: "+filepath.Join(dir, "out", "mine.csv")+"\n"...), 0o600)
			for range 2 {
				if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
					t.Fatalf("sync: exit %d: %s", code, errs)
				}
			}
			if code, _, errs := runCLI(t, "sync", "-c", cfg, "-v"); code != exitOK || !strings.Contains(errs, recalledLine) {
				t.Fatalf("the third sync with the profile as it was is not recalled: exit %d\n%s", code, errs)
			}
			os.WriteFile(prof, []byte("columns:\n  - {header: Full name, field: name}\n"), 0o600)
			return []string{"sync", "-c", cfg}
		}, func(t *testing.T, dir, _ string) {
			if b, _ := os.ReadFile(filepath.Join(dir, "out", "mine.csv")); !strings.HasPrefix(string(b), "Full name") {
				t.Fatalf("the file is not in the new layout:\n%.200s", b)
			}
		}},
		{"the default region", func(t *testing.T, dir, cfg, src string) []string {
			b, _ := os.ReadFile(cfg)
			os.WriteFile(cfg, append([]byte("default_region: GB\n"), b...), 0o600)
			return []string{"diff", "-c", cfg}
		}, func(*testing.T, string, string) {}},
		{"a target file edited", func(t *testing.T, dir, cfg, src string) []string {
			p := filepath.Join(dir, "out", "crm.csv")
			b, _ := os.ReadFile(p)
			os.WriteFile(p+".was", b, 0o600)
			os.WriteFile(p, append(b, "edited by hand\n"...), 0o600)
			return []string{"sync", "-c", cfg}
		}, func(t *testing.T, dir, _ string) {
			p := filepath.Join(dir, "out", "crm.csv")
			now, _ := os.ReadFile(p)
			was, _ := os.ReadFile(p + ".was")
			if string(now) != string(was) {
				t.Fatal("the sync did not write the file back")
			}
		}},
		{"a target file deleted", func(t *testing.T, dir, cfg, src string) []string {
			os.Remove(filepath.Join(dir, "out", "cards.vcf"))
			return []string{"sync", "-c", cfg}
		}, func(t *testing.T, dir, _ string) {
			if b, err := os.ReadFile(filepath.Join(dir, "out", "cards.vcf")); err != nil || !strings.Contains(string(b), "BEGIN:VCARD") {
				t.Fatalf("the sync did not write the file back: %v", err)
			}
		}},
		{"a journal left by a killed run", func(t *testing.T, dir, cfg, src string) []string {
			os.WriteFile(filepath.Join(dir, "state", "state.json.journal"), nil, 0o600)
			return []string{"diff", "-c", cfg}
		}, func(t *testing.T, _, out string) {
			if !strings.Contains(out, "unchanged") {
				t.Fatalf("diff:\n%s", out)
			}
		}},
		{"one target only", func(t *testing.T, dir, cfg, src string) []string {
			return []string{"diff", "-c", cfg, "--target", "crm", "--format", "json"}
		}, func(t *testing.T, _, out string) {
			if r := decodeReport(t, out); len(r.Targets) != 1 || r.Targets[0].Name != "crm" {
				t.Fatalf("targets: %+v", r.Targets)
			}
		}},
		{"a person forgotten", func(t *testing.T, dir, cfg, src string) []string {
			if code, _, errs := runCLI(t, "forget", "-c", cfg, "--yes", "https://www.linkedin.com/in/"+firstSlug(t, src)); code != exitOK {
				t.Fatalf("forget exit %d: %s", code, errs)
			}
			if _, err := os.Stat(filepath.Join(dir, "state", "state.json.stamp")); !os.IsNotExist(err) {
				t.Fatalf("forget left the stamp, whose report may name them: %v", err)
			}
			return []string{"diff", "-c", cfg, "--format", "json"}
		}, func(t *testing.T, _, out string) {
			if r := decodeReport(t, out); r.Targets[0].Create != 0 || r.Targets[0].Update != 0 {
				t.Fatalf("the forgotten person came back: %+v", r.Targets)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, cfg, src := recallSetup(t)
			args := append(tc.change(t, dir, cfg, src), "-v")
			code, out, errs := runCLI(t, args...)
			if code != exitOK {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			if strings.Contains(errs, recalledLine) {
				t.Fatalf("%v was recalled:\n%s", args, errs)
			}
			tc.check(t, dir, out)
		})
	}
}

// TestRecallSeesAnEditBehindOldTimes: once a night has passed between the
// sync that wrote a file target and the one that changed nothing, the
// stamp keeps the file's times, and the recall trusts them instead of
// hashing the file; an edit that keeps the file's size and sets its
// modification time back still shows a day later (the change time
// moved), and the sync writes the file back.
func TestRecallSeesAnEditBehindOldTimes(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	if err := linkedintest.WriteDir(src, linkedintest.New(linkedintest.GenOptions{Seed: 12, Connections: 60, Contacts: 20}).Files()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "crm.csv")
	cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "state", "state.json")+
		"\ntargets:\n  crm:\n    type: csv\n    path: "+out+"\n")
	sync := func(what string) string {
		t.Helper()
		code, _, errs := runCLI(t, "sync", "-c", cfg, "-v")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", what, code, errs)
		}
		return errs
	}
	sync("the first sync")
	// The night: the file's times vouch for it only once they are older
	// than the racy window (2 s) when the steady sync looks.
	time.Sleep(3 * time.Second)
	if errs := sync("the steady sync"); strings.Contains(errs, recalledLine) {
		t.Fatalf("the steady sync was recalled:\n%s", errs)
	}
	st := state.ReadStamp(filepath.Join(dir, "state", "state.json"))
	if st == nil || len(strings.Fields(st.Targets["crm"])) != 3 {
		t.Fatalf("the stamp does not keep the file's times: %+v", st)
	}
	if errs := sync("the night after"); !strings.Contains(errs, recalledLine) {
		t.Fatalf("the night after was not recalled:\n%s", errs)
	}
	was, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	edited := []byte(strings.Replace(string(was), ",", ";", 1)) // same size
	if err := os.WriteFile(out, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(out, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // a day: the edit's change time is past the racy window too
	if errs := sync("the sync after the edit"); strings.Contains(errs, recalledLine) {
		t.Fatalf("the edit was not seen: recalled\n%s", errs)
	}
	if now, _ := os.ReadFile(out); string(now) != string(was) {
		t.Fatal("the sync did not write the file back")
	}
}

// firstSlug is the profile slug of the export's first connection with one.
func firstSlug(t *testing.T, src string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(src, "Connections.csv"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "linkedin.com/in/")
	slug, _, _ := strings.Cut(rest, ",")
	if !ok || slug == "" {
		t.Fatal("no profile URL in the export")
	}
	return slug
}

// TestCarddavRecall: a nightly sync into a book that did not change since
// a sync that changed nothing is recalled after one look at the book's
// getctag (Radicale has one); a card edited on the phone makes the next
// run look, and report it. go-webdav's server offers neither getctag nor
// sync-token: its book is never vouched for, every run is made.
func TestCarddavRecall(t *testing.T) {
	t.Run("radicale", func(t *testing.T) {
		r := carddavtest.StartRadicale(t)
		rc := newRequestCounter(t, r.URL)
		dir := env(t)
		src := filepath.Join(dir, "export")
		writeExport(t, src, linkedintest.New(linkedintest.GenOptions{Seed: 21, Connections: 30}))
		cfg, statePath := davConfig(t, dir, "recall", src, fmt.Sprintf("    url: %s\n    username: %s\n", rc.URL, r.User))
		var steady int64 // requests of the sync that changed nothing, made in full
		for i := range 2 {
			rc.n.Store(0)
			if code, _, errs := runCLI(t, "sync", "-c", cfg, "-q"); code != exitOK {
				t.Fatalf("sync %d: exit %d: %s", i+1, code, errs)
			}
			steady = rc.n.Load()
		}
		if _, err := os.Stat(statePath + ".stamp"); err != nil {
			t.Fatalf("a steady sync into Radicale left no stamp: %v", err)
		}
		for _, cmd := range []string{"diff", "sync"} {
			rc.n.Store(0)
			code, out, errs := runCLI(t, cmd, "-c", cfg, "-v", "--format", "json")
			if code != exitOK || !strings.Contains(errs, recalledLine) {
				t.Fatalf("%s: exit %d, not recalled:\n%s", cmd, code, errs)
			}
			if n := rc.n.Load(); n < 1 || n > 3 || n > steady {
				t.Errorf("recalled %s sent %d requests to the book, want one discovery from the server root (3; the sync made in full sent %d)", cmd, n, steady)
			}
			if tr := decodeDAVReport(t, out).Targets[0]; len(tr.Changes) != 0 || tr.Unchanged == 0 {
				t.Fatalf("recalled %s: %+v", cmd, tr)
			}
		}

		bk := book{url: r.BookURL, user: r.User}
		var edited carddav.AddressObject
		for _, o := range bk.cards(t) {
			edited = o
			break
		}
		edited.Card.SetValue(vcard.FieldTelephone, "+1 202 555 0199")
		if _, err := bk.client(t).PutAddressObject(t.Context(), edited.Path, edited.Card); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI(t, "sync", "-c", cfg, "-v", "--format", "json")
		if code != exitOK || strings.Contains(errs, recalledLine) {
			t.Fatalf("sync after an edit on the phone: exit %d, recalled:\n%s", code, errs)
		}
		var rep struct {
			Targets []struct {
				RemoteChanged []struct{ Href string } `json:"remote_changed"`
			}
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Targets) != 1 || len(rep.Targets[0].RemoteChanged) != 1 {
			t.Fatalf("the edit on the phone is not reported once (%v):\n%s", err, out)
		}
	})
	t.Run("go-webdav", func(t *testing.T) {
		srv := carddavtest.NewServer()
		t.Cleanup(srv.Close)
		dir := env(t)
		src := filepath.Join(dir, "export")
		writeExport(t, src, linkedintest.New(linkedintest.GenOptions{Seed: 22, Connections: 20}))
		cfg, statePath := davConfig(t, dir, "recall", src, "    url: "+srv.BookURL+"\n")
		for i := range 3 {
			code, _, errs := runCLI(t, "sync", "-c", cfg, "-v")
			if code != exitOK || strings.Contains(errs, recalledLine) {
				t.Fatalf("sync %d: exit %d, recalled:\n%s", i+1, code, errs)
			}
		}
		if _, err := os.Stat(statePath + ".stamp"); !os.IsNotExist(err) {
			t.Fatalf("a book without getctag or sync-token got a stamp: %v", err)
		}
	})
}

// TestKeepRefusesAChangedExport: a run whose export changed while it was
// read is not remembered: the stamp would vouch for bytes it never saw.
func TestKeepRefusesAChangedExport(t *testing.T) {
	ctx := t.Context()
	src := filepath.Join(t.TempDir(), "export")
	copyDir(t, "testdata/export2024", src)
	ins := []input{{name: src, src: linkedin.Open(src, linkedin.Options{})}}
	before, err := digests(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	m := &connectors.Memo{Key: "k"}
	keepRun(ctx, m, ins, before, &mapping.Graph{})
	if k, err := m.Keep(&connectors.RunOutcome{}); err != nil || k == nil {
		t.Fatalf("an export as it was hashed is not kept: %v", err)
	}
	p := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, append(b, '\n'), 0o600)
	if k, _ := m.Keep(&connectors.RunOutcome{}); k != nil {
		t.Fatal("an export that changed after it was hashed is kept")
	}
}

// TestWebhookRecall: a sync whose outbox holds nothing for the webhook
// target is remembered, and the next one recalled without a request and
// without a file written; while dead letters wait, no run is remembered.
func TestWebhookRecall(t *testing.T) {
	dir := env(t)
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	rcv, _ := newHookReceiver(t, secret)
	var mode atomic.Int32 // 0 up, 1 down (503), 2 refusing (400: dead at once)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load() {
		case 1:
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		case 2:
			http.Error(w, "unknown schema", http.StatusBadRequest)
		default:
			rcv.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(front.Close)
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	stateDir := filepath.Join(dir, "state")
	stampPath := filepath.Join(stateDir, "state.json.stamp")
	cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(stateDir, "state.json")+
		"\ntargets:\n  hooks:\n    type: webhook\n    url: "+front.URL+"\n    secret_env: LP_TEST_HOOK_SECRET\n    max_attempts: 1\n")
	sync := func(wantCode int, recalled bool) {
		t.Helper()
		code, _, errs := runCLI(t, "sync", "-c", cfg, "-v")
		if code != wantCode || strings.Contains(errs, recalledLine) != recalled {
			t.Fatalf("sync: exit %d (want %d), recalled %v (want %v):\n%s", code, wantCode, !recalled, recalled, errs)
		}
	}

	mode.Store(1)
	sync(exitRun, false) // six events wait
	mode.Store(0)
	sync(exitOK, false) // delivered: the outbox is clear, and the run changed nothing else
	if events, _ := rcv.counts(); events != 6 {
		t.Fatalf("receiver got %d events, want 6", events)
	}
	stamp, err := os.ReadFile(stampPath)
	if err != nil {
		t.Fatalf("no stamp after a sync that left the outbox clear: %v", err)
	}
	before := stamps(t, stateDir)
	sync(exitOK, true)
	unchanged(t, before, stamps(t, stateDir))
	if events, _ := rcv.counts(); events != 6 {
		t.Fatalf("the recalled sync sent %d events", events-6)
	}

	mode.Store(2) // Ada changes job; the receiver refuses the events: dead letters
	conns := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(conns)
	os.WriteFile(conns, []byte(strings.Replace(string(b), "Analytical Engines,Engineer", "Difference Works,Engineer", 1)), 0o644)
	sync(exitRun, false)
	mode.Store(0)
	runCLI(t, "sync", "-c", cfg) // nothing planned, but dead letters wait: not remembered
	if now, _ := os.ReadFile(stampPath); string(now) != string(stamp) {
		t.Fatal("a sync with dead letters in the outbox was remembered")
	}
	if code, out, errs := runCLI(t, "outbox", "drop", "hooks", "-c", cfg); code != exitOK || !strings.Contains(out, "dropped") {
		t.Fatalf("outbox drop: exit %d: %s%s", code, out, errs)
	}
	sync(exitOK, false) // the outbox is clear again: remembered
	sync(exitOK, true)
}

// countedSource is an archive whose hashing is counted.
type countedSource struct {
	connectors.Source
	hashed *int
}

func (s countedSource) Digest(context.Context) (string, error) { *s.hashed++; return "sum", nil }

// TestDiffWithoutStampHashesNothing: a diff hashes the export only when a
// stamp lies beside the state to recall; a sync always does (its stamp, if
// the sync changes nothing, vouches for what was read).
func TestDiffWithoutStampHashesNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{State: filepath.Join(dir, "state.json")}
	for _, tt := range []struct {
		name          string
		stamp, dryRun bool
		hashes        int
	}{
		{"diff, no stamp", false, true, 0},
		{"diff, a stamp", true, true, 1},
		{"sync, no stamp", false, false, 1},
		{"sync, a stamp", true, false, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(cfg.State + ".stamp")
			if tt.stamp {
				if err := os.WriteFile(cfg.State+".stamp", []byte("{}"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			a := &app{log: slog.New(slog.DiscardHandler)}
			memo, _ := a.memo(context.Background(), cfg, nil, []input{{name: "export.zip", src: countedSource{hashed: &n}}}, tt.dryRun)
			if n != tt.hashes || (memo != nil) != (tt.hashes > 0) {
				t.Errorf("hashed %d times (memo %v), want %d", n, memo != nil, tt.hashes)
			}
		})
	}
}
