package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// flakyReceiver answers 500 while failing is set (so events stay in the
// outbox), else 204, and keeps every body it accepted.
type flakyReceiver struct {
	failing atomic.Bool
	mu      sync.Mutex
	bodies  []string
}

func (r *flakyReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	if r.failing.Load() {
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, string(b))
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *flakyReceiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

// forgetSetup is one network synced to every kind of target.
type forgetSetup struct {
	dir, cfg, statePath, src string
	stateDir, outDir         string
	backups                  []string
	books                    []book
	dav                      *carddavtest.Server
	hook                     *flakyReceiver
	bramGone                 bool // forgotten: no report may name him
}

// bram is the person forgotten: every byte that says who he is.
var bramNeedles = []string{"Bram", "Osei", "bram@example.org", "b.osei@example.net", "bram-osei", "7946 0958", "7700 900123"}

func newForgetSetup(t *testing.T) *forgetSetup {
	dir := env(t)
	s := &forgetSetup{dir: dir, stateDir: filepath.Join(dir, "state-dir"), outDir: filepath.Join(dir, "out"), src: filepath.Join(dir, "export")}
	copyDir(t, "testdata/export2024", s.src)
	s.statePath = filepath.Join(s.stateDir, "state.json")
	s.dav = carddavtest.NewServer()
	t.Cleanup(s.dav.Close)
	rad := carddavtest.StartRadicale(t)
	s.hook = &flakyReceiver{}
	s.hook.failing.Store(true)
	hs := httptest.NewServer(s.hook)
	t.Cleanup(hs.Close)
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_FORGET_HOOK_SECRET", secret)
	s.backups = []string{filepath.Join(dir, "backup-mem"), filepath.Join(dir, "backup-radicale")}
	s.books = []book{{url: s.dav.BookURL}, {url: rad.BookURL, user: rad.User}}
	body := fmt.Sprintf(`source:
  path: %s
state: %s
targets:
  sheet:
    type: csv
    path: %s/contacts.csv
  cards:
    type: csv
    profile: vcard
    path: %s/contacts.vcf
  crm:
    type: csv
    mode: changes
    path: %s/changes/crm.csv
  mem:
    type: carddav
    url: %s
    backup_dir: %s
  radicale:
    type: carddav
    url: %s
    username: %s
    backup_dir: %s
  hooks:
    type: webhook
    url: %s
    secret_env: LP_FORGET_HOOK_SECRET
    max_attempts: 1
`, s.src, s.statePath, s.outDir, s.outDir, s.outDir, s.dav.BookURL, s.backups[0], rad.BookURL, rad.User, s.backups[1], hs.URL)
	s.cfg = writeConfig(t, dir, body)
	return s
}

// setTitle rewrites Bram's position in the export, so a sync updates his
// card (and backs the old one up).
func (s *forgetSetup) setTitle(t *testing.T, from, to string) {
	t.Helper()
	p := filepath.Join(s.src, "Connections.csv")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	nb := bytes.Replace(b, []byte("Partners\","+from+","), []byte("Partners\","+to+","), 1)
	if bytes.Equal(b, nb) {
		t.Fatalf("Bram's title %q is not in %s", from, p)
	}
	if err := os.WriteFile(p, nb, 0o644); err != nil {
		t.Fatal(err)
	}
}

// syncReport is what these tests read of a sync's JSON report.
type syncReport struct {
	Forgotten int `json:"forgotten"`
	Targets   []struct {
		Name                   string
		Create, Update, Remove int
		Unchanged              int
	} `json:"targets"`
}

func (s *forgetSetup) sync(t *testing.T, wantCode int) syncReport {
	t.Helper()
	code, out, errs := runCLI(t, "sync", "-c", s.cfg, "--format", "json")
	if code != wantCode {
		t.Fatalf("sync: exit %d, want %d: %s", code, wantCode, errs)
	}
	if s.bramGone {
		for _, n := range bramNeedles {
			if strings.Contains(strings.ToLower(out+errs), strings.ToLower(n)) {
				t.Errorf("the sync's report or log names %q after the forget", n)
			}
		}
	}
	var r syncReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("sync report: %v: %s", err, out)
	}
	return r
}

// traces lists every place under the state directory, the backups and
// every target where a byte of Bram is left.
func (s *forgetSetup) traces(t *testing.T) []string {
	t.Helper()
	var found []string
	look := func(where string, b []byte) {
		for _, n := range bramNeedles {
			if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(n))) {
				found = append(found, fmt.Sprintf("%s holds %q", where, n))
			}
		}
	}
	for _, root := range append([]string{s.stateDir, s.outDir}, s.backups...) {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				b, _ := os.ReadFile(p)
				look(p, b)
			}
			return nil
		})
	}
	for _, bk := range s.books {
		for _, o := range bk.cards(t) {
			var b bytes.Buffer
			vcard.NewEncoder(&b).Encode(o.Card)
			look(bk.url+" "+o.Path, b.Bytes())
		}
	}
	return found
}

// synced brings the setup to where a forget starts: two syncs (the second
// updates Bram, so backups of his card exist), the receiver failing so
// every event waits in the outbox.
func (s *forgetSetup) synced(t *testing.T) {
	t.Helper()
	r := s.sync(t, exitRun) // the webhook fails; every other target is written
	for _, tr := range r.Targets {
		if tr.Name != "hooks" && tr.Create != 6 {
			t.Fatalf("first sync: %s created %d, want 6", tr.Name, tr.Create)
		}
	}
	s.setTitle(t, "Partner", "Managing Partner")
	s.sync(t, exitRun)
	if len(s.traces(t)) == 0 {
		t.Fatal("Bram is nowhere before the forget: the test would prove nothing")
	}
	for _, d := range s.backups {
		if m, _ := filepath.Glob(filepath.Join(d, "*.vcf")); len(m) == 0 {
			t.Fatalf("no backup in %s after an update", d)
		}
	}
	if w, err := webhook.List(s.statePath); err != nil || len(w) == 0 {
		t.Fatalf("no events wait in the outbox: %v %v", w, err)
	}
}

// forgotten checks the end of a forget: no trace of Bram, the receiver
// told with his ID only, and a sync of the same export that creates
// nobody and says one was skipped.
func (s *forgetSetup) forgotten(t *testing.T, bramID string) {
	t.Helper()
	for _, tr := range s.traces(t) {
		t.Error(tr)
	}
	var told bool
	for _, b := range s.hook.got() {
		var ev struct {
			Type string
			Data map[string]any
		}
		if err := json.Unmarshal([]byte(b), &ev); err != nil {
			t.Fatalf("receiver got %s: %v", b, err)
		}
		for _, n := range bramNeedles {
			if strings.Contains(strings.ToLower(b), strings.ToLower(n)) {
				t.Errorf("the receiver got %q in %s", n, b)
			}
		}
		if ev.Type == webhook.TypeForgotten {
			told = true
			if len(ev.Data) != 1 || ev.Data["id"] != bramID {
				t.Errorf("contact.forgotten carries %v, want only the id %s", ev.Data, bramID)
			}
		}
	}
	if !told {
		t.Error("the receiver never got contact.forgotten")
	}
	s.bramGone = true
	defer func() { s.bramGone = false }()
	r := s.sync(t, exitOK)
	if r.Forgotten != 1 {
		t.Errorf("the sync after forget reports %d forgotten, want 1", r.Forgotten)
	}
	for _, tr := range r.Targets {
		if tr.Create+tr.Update+tr.Remove != 0 {
			t.Errorf("the sync after forget changed %s: %+v", tr.Name, tr)
		}
	}
	for _, tr := range s.traces(t) {
		t.Error("after the next sync: " + tr)
	}
}

// bramID is Bram's ID, as the state has it.
func (s *forgetSetup) bramID(t *testing.T) string {
	t.Helper()
	snap, err := state.Load(s.statePath)
	if err != nil {
		t.Fatal(err)
	}
	id := snap.Identities["url:bram-osei"]
	if id == "" {
		t.Fatal("Bram has no ID in the state")
	}
	return id
}

// TestForget syncs a network to a CSV file, a .vcf, a changes-mode CSV,
// two CardDAV books (go-webdav's in-process server and Radicale) with
// backup_dir, and a webhook whose events wait in the outbox; forgets one
// person; and checks that no byte of them is left anywhere, that the
// receiver was told by ID only, that the next sync skips them, and that
// unforget brings them back.
func TestForget(t *testing.T) {
	s := newForgetSetup(t)
	s.synced(t)
	id := s.bramID(t)

	// No terminal and no --yes: refused, nothing touched.
	if code, _, errs := runCLI(t, "forget", "-c", s.cfg, "Bram Osei"); code != exitUsage || !strings.Contains(errs, "--yes") {
		t.Fatalf("forget without --yes off a terminal: exit %d: %s", code, errs)
	}
	// A name two people share is refused with both listed.
	if code, _, errs := runCLI(t, "forget", "-c", s.cfg, "--yes", "nobody-at-all@example.com"); code != exitUsage {
		t.Fatalf("forget of an unknown email: exit %d: %s", code, errs)
	}
	s.hook.failing.Store(false)
	code, out, errs := runCLI(t, "forget", "-c", s.cfg, "--yes", "https://www.linkedin.com/in/bram-osei/")
	if code != exitOK {
		t.Fatalf("forget: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, id) || !strings.Contains(out, "forgot 1 person") {
		t.Errorf("forget did not show whom it forgot: %s / %s", out, errs)
	}
	s.forgotten(t, id)
	if code, out, _ := runCLI(t, "forget", "-c", s.cfg, "--list"); code != exitOK || !strings.Contains(out, "tombstones: ") || strings.Contains(out, "tombstones: 0") {
		t.Errorf("forget --list: exit %d: %s", code, out)
	}

	// unforget by email lifts it; the next sync creates him everywhere again.
	if code, out, errs := runCLI(t, "unforget", "-c", s.cfg, "bram@example.org"); code != exitOK {
		t.Fatalf("unforget: exit %d: %s %s", code, out, errs)
	}
	r := s.sync(t, exitOK)
	if r.Forgotten != 0 {
		t.Errorf("after unforget the sync skipped %d", r.Forgotten)
	}
	for _, tr := range r.Targets {
		if tr.Create != 1 {
			t.Errorf("after unforget %s created %d, want 1 (Bram)", tr.Name, tr.Create)
		}
	}
}

// TestForgetKilled SIGKILLs `linkport forget` at several points (once its
// intent is written, once a file target no longer holds the person, once
// the state is saved) and checks that a rerun ends where an uninterrupted
// forget does.
func TestForgetKilled(t *testing.T) {
	points := []struct {
		name  string
		ready func(s *forgetSetup) bool
	}{
		{"at start", nil},
		{"intent written", func(s *forgetSetup) bool {
			_, err := os.Stat(state.IntentPath(s.statePath))
			return err == nil
		}},
		{"a file rewritten", func(s *forgetSetup) bool {
			b, err := os.ReadFile(filepath.Join(s.outDir, "contacts.vcf"))
			return err == nil && !bytes.Contains(b, []byte("Osei"))
		}},
		{"state saved", func(s *forgetSetup) bool {
			b, err := os.ReadFile(s.statePath)
			return err == nil && !bytes.Contains(b, []byte("bram-osei"))
		}},
	}
	if testing.Short() {
		points = points[1:2]
	}
	for _, pt := range points {
		t.Run(strings.ReplaceAll(pt.name, " ", "_"), func(t *testing.T) {
			s := newForgetSetup(t)
			s.synced(t)
			id := s.bramID(t)
			s.hook.failing.Store(false)
			var ready func() bool
			if pt.ready != nil {
				ready = func() bool { return pt.ready(s) }
			}
			finished := killedForget(t, s, ready)
			t.Logf("%s: finished before the kill: %v", pt.name, finished)
			// The rerun: a plain forget finishes an interrupted one; one
			// killed before its intent was written did nothing, so is asked again.
			if in, _ := state.ReadIntent(s.statePath); in != nil {
				t.Logf("%s: the intent of %d people is left", pt.name, len(in.IDs))
				if code, _, errs := runCLI(t, "sync", "-c", s.cfg); code != exitUsage || !strings.Contains(errs, "linkport forget") {
					t.Errorf("sync with a forget unfinished: exit %d: %s", code, errs)
				}
			}
			args := []string{"forget", "-c", s.cfg, "--yes"}
			if in, _ := state.ReadIntent(s.statePath); in == nil && !finished {
				if snap, _ := state.Load(s.statePath); snap != nil && snap.Identities["url:bram-osei"] != "" {
					args = append(args, "bram@example.org")
				}
			}
			if code, _, errs := runCLI(t, args...); code != exitOK {
				t.Fatalf("rerun %v: exit %d: %s", args, code, errs)
			}
			if in, _ := state.ReadIntent(s.statePath); in != nil {
				t.Fatalf("the rerun left the intent %v", in)
			}
			s.forgotten(t, id)
		})
	}
}

// killedForget runs `linkport forget --yes bram@example.org` as a
// process and SIGKILLs it once ready reports true (nil: at once). It
// reports whether the forget had finished by itself.
func killedForget(t *testing.T, s *forgetSetup, ready func() bool) (finished bool) {
	t.Helper()
	cmd := exec.Command(cliBinary(t), "forget", "-c", s.cfg, "--yes", "bram@example.org")
	cmd.Env = append(cliEnv(s.dir), "LP_FORGET_HOOK_SECRET="+os.Getenv("LP_FORGET_HOOK_SECRET"))
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("start linkport: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(5 * time.Minute) // a hang guard, generous for a loaded machine
	for ready != nil && !ready() {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("forget failed before the kill: %v: %s", err, errb.String())
			}
			return true
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("forget did not reach the kill point in 5 minutes")
		case <-time.After(time.Millisecond):
		}
	}
	cmd.Process.Kill()
	if err := <-done; err == nil {
		return true
	}
	return false
}

// TestForgetAmbiguousName refuses a name two people share, listing both,
// and forgets one of them named by profile URL; a name matching nobody is
// refused too. Nothing is changed by a refusal.
func TestForgetAmbiguousName(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	p := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(p)
	b = append(b, "Ada,Quill,https://www.linkedin.com/in/ada-quill-2,,Difference Engines,Analyst,01 Jan 2020\n"...)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(dir, "s", "state.json")
	cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+statePath+"\ntargets:\n  sheet:\n    type: csv\n    path: "+filepath.Join(dir, "c.csv")+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errs)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "c.csv"))
	code, _, errs := runCLI(t, "forget", "-c", cfg, "--yes", "ada quill")
	if code != exitUsage || !strings.Contains(errs, "matches 2 people") || !strings.Contains(errs, "Analytical Engines") || !strings.Contains(errs, "Difference Engines") {
		t.Fatalf("forget of a shared name: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI(t, "forget", "-c", cfg, "--yes", "Nobody Atall"); code != exitUsage || !strings.Contains(errs, "no one") {
		t.Fatalf("forget of an unknown name: exit %d: %s", code, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "c.csv")); !bytes.Equal(before, after) {
		t.Fatal("a refused forget changed the file")
	}
	if code, _, errs := runCLI(t, "forget", "-c", cfg, "--yes", "linkedin.com/in/ada-quill-2"); code != exitOK {
		t.Fatalf("forget by URL: exit %d: %s", code, errs)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "c.csv"))
	if bytes.Contains(after, []byte("Difference Engines")) || !bytes.Contains(after, []byte("Analytical Engines")) {
		t.Fatalf("the file after forgetting the second Ada Quill:\n%s", after)
	}

	// Someone new in the export, never synced, is forgotten before they
	// reach any target: the next sync skips them.
	b = append(b, "Zed,Unsynced,https://www.linkedin.com/in/zed-unsynced,,Nowhere Ltd,Dev,02 Feb 2026\n"...)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "forget", "-c", cfg, "--yes", "Zed Unsynced"); code != exitOK {
		t.Fatalf("forget of someone only in the export: exit %d: %s", code, errs)
	}
	code, out, errs := runCLI(t, "sync", "-c", cfg)
	if code != exitOK || !strings.Contains(out, "forgotten: 2 skipped") {
		t.Errorf("sync after forgetting someone never synced: exit %d: %s %s", code, out, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "c.csv")); bytes.Contains(after, []byte("Unsynced")) {
		t.Errorf("the file holds the person forgotten before their first sync:\n%s", after)
	}
	if st, _ := os.ReadFile(statePath); bytes.Contains(st, []byte("zed")) {
		t.Errorf("the state holds the person forgotten before their first sync: %s", st)
	}
}

// TestForgetAdopted forgets a person whose card in the book is the user's
// own, linked by adopt: link. The card stays, with everything the user
// wrote, and loses only what linkport added.
func TestForgetAdopted(t *testing.T) {
	dir := env(t)
	srv := carddavtest.NewServer()
	defer srv.Close()
	bk := book{url: srv.BookURL}
	v := vcard.Card{}
	v.SetValue(vcard.FieldVersion, "3.0")
	v.SetValue(vcard.FieldUID, "user-card-bram")
	v.SetValue(vcard.FieldFormattedName, "Bram Osei")
	v.SetValue(vcard.FieldName, "Osei;Bram;;;")
	v.SetValue(vcard.FieldTelephone, "+1 202 555 0101")
	v.SetValue(vcard.FieldNote, userNote)
	v.SetValue(vcard.FieldURL, "https://linkedin.com/in/bram-osei/")
	href := urlPath(srv.BookURL) + "user-bram.vcf"
	if _, err := bk.client(t).PutAddressObject(t.Context(), href, v); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(dir, "s", "state.json")
	cfg := writeConfig(t, dir, "source:\n  path: testdata/export2024\nstate: "+statePath+
		"\ntargets:\n  phone:\n    type: carddav\n    url: "+srv.BookURL+"\n    adopt: link\n    backup_dir: "+filepath.Join(dir, "backup")+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errs)
	}
	get := func() vcard.Card {
		o, err := bk.client(t).GetAddressObject(t.Context(), href)
		if err != nil {
			t.Fatalf("the user's card: %v", err)
		}
		return o.Card
	}
	if c := get(); c.Value(card.FieldLinkportID) == "" {
		t.Fatalf("the sync did not link the user's card: %v", c)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "backup", "*.vcf")); len(m) == 0 {
		t.Fatal("linking the user's card backed nothing up: the backup check below would prove nothing")
	}
	if code, _, errs := runCLI(t, "forget", "-c", cfg, "--yes", "Bram Osei"); code != exitOK {
		t.Fatalf("forget: exit %d: %s", code, errs)
	}
	c := get()
	for name := range c {
		if strings.HasPrefix(strings.ToUpper(name), "X-LINKPORT") {
			t.Errorf("the user's card still has %s after forget: %v", name, c)
		}
	}
	if c.Value(vcard.FieldNote) != userNote || c.Value(vcard.FieldTelephone) != "+1 202 555 0101" || c.Value(vcard.FieldFormattedName) != "Bram Osei" {
		t.Errorf("the user's card lost what they wrote: %v", c)
	}
	if strings.Contains(fmt.Sprint(c), "bram@example.org") {
		t.Errorf("the user's card keeps the email linkport added: %v", c)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "backup", "*")); len(m) != 0 {
		t.Errorf("backups of the forgotten person are left: %v", m)
	}
	code, out, errs := runCLI(t, "sync", "-c", cfg)
	if code != exitOK || !strings.Contains(out, "forgotten: 1 skipped") {
		t.Errorf("the sync after forget: exit %d: %s %s", code, out, errs)
	}
}
