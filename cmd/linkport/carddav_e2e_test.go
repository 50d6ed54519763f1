package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"

	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// builtCLI is the linkport binary the crash test runs as a subprocess,
// built once per test binary; TestMain removes it.
var builtCLI struct {
	once      sync.Once
	dir, path string
	err       error
	// env is the environment before any test moved HOME: go build needs the
	// real one to find its cache.
	env []string
}

func TestMain(m *testing.M) {
	builtCLI.env = os.Environ()
	code := m.Run()
	if builtCLI.dir != "" {
		os.RemoveAll(builtCLI.dir)
	}
	os.Exit(code)
}

// cliBinary builds ./ into a temp dir the first time it is called.
func cliBinary(t *testing.T) string {
	t.Helper()
	builtCLI.once.Do(func() {
		builtCLI.dir, builtCLI.err = os.MkdirTemp("", "linkport-e2e-")
		if builtCLI.err != nil {
			return
		}
		builtCLI.path = filepath.Join(builtCLI.dir, "linkport")
		cmd := exec.Command("go", "build", "-o", builtCLI.path, ".")
		cmd.Env = builtCLI.env
		out, err := cmd.CombinedOutput()
		if err != nil {
			builtCLI.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if builtCLI.err != nil {
		t.Fatal(builtCLI.err)
	}
	return builtCLI.path
}

// book is a CardDAV address book seen the way the user's phone sees it.
type book struct {
	url, user, pass string
}

func (b book) client(t *testing.T) *carddav.Client {
	t.Helper()
	c, err := carddav.NewClient(webdav.HTTPClientWithBasicAuth(nil, b.user, b.pass), b.url)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cards lists the book by X-LINKPORT-ID, failing on a card without one, a
// duplicate ID, a duplicate UID or a UID that is not the ID's.
func (b book) cards(t *testing.T) map[string]carddav.AddressObject {
	t.Helper()
	objs, err := b.client(t).QueryAddressBook(context.Background(), urlPath(b.url),
		&carddav.AddressBookQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil {
		t.Fatalf("list %s: %v", b.url, err)
	}
	out := map[string]carddav.AddressObject{}
	uids := map[string]string{}
	for _, o := range objs {
		id, uid := o.Card.Value(card.FieldLinkportID), o.Card.Value(vcard.FieldUID)
		switch {
		case id == "":
			t.Errorf("card %s has no %s", o.Path, card.FieldLinkportID)
		case out[id].Path != "":
			t.Errorf("contact %s is in the book twice: %s and %s", id, out[id].Path, o.Path)
		case uids[uid] != "":
			t.Errorf("UID %s is in the book twice: %s and %s", uid, uids[uid], o.Path)
		case uid != card.UID(id):
			t.Errorf("card %s: UID %s is not the UID of its ID %s", o.Path, uid, id)
		}
		uids[uid] = o.Path
		out[id] = o
	}
	return out
}

// exists reports whether the address book is there: a sync killed early,
// before discovery created it, leaves none.
func (b book) exists(t *testing.T) bool {
	t.Helper()
	req, err := http.NewRequest("PROPFIND", b.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Depth", "0")
	req.SetBasicAuth(b.user, b.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PROPFIND %s: %v", b.url, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusMultiStatus:
		return true
	case http.StatusNotFound:
		return false
	}
	t.Fatalf("PROPFIND %s: %s", b.url, resp.Status)
	return false
}

func urlPath(u string) string {
	rest := u[strings.Index(u, "//")+2:]
	return rest[strings.Index(rest, "/"):]
}

// verify checks the book against the state after a completed sync: exactly
// want cards, each one an item of the state with the same href and ETag, and
// linkport's fields on the server equal to what the state says was sent.
func (b book) verify(t *testing.T, statePath, target string, want int) map[string]carddav.AddressObject {
	t.Helper()
	got := b.cards(t)
	if len(got) != want {
		t.Errorf("the book holds %d cards, want %d", len(got), want)
	}
	snap, err := state.Load(statePath)
	if err != nil {
		t.Fatalf("load state: %v", err)
	}
	items := snap.Targets[target].Items
	if len(items) != want {
		t.Errorf("the state holds %d items for %s, want %d", len(items), target, want)
	}
	for id, it := range items {
		o, ok := got[id]
		switch {
		case !ok:
			t.Errorf("state item %s (%s) has no card on the server", id, it.Ref.Href)
			continue
		case it.RemoteDeleted || it.Removed:
			t.Errorf("state item %s is marked removed=%v remote_deleted=%v after a crash", id, it.Removed, it.RemoteDeleted)
		case it.Ref.Href != o.Path || strings.Trim(it.Ref.ETag, `"`) != strings.Trim(o.ETag, `"`):
			t.Errorf("state item %s has ref %+v; the server has %s %s", id, it.Ref, o.Path, o.ETag)
		}
		sent, err := snap.Contact(it)
		if err != nil {
			t.Fatal(err)
		}
		want := roundTrip(t, card.New(sent, "3.0"))
		for _, f := range []string{vcard.FieldFormattedName, vcard.FieldOrganization, vcard.FieldTitle} {
			if w, g := want.Value(f), o.Card.Value(f); w != g {
				t.Errorf("card %s: %s is %q on the server, the state sent %q", id, f, g, w)
			}
		}
	}
	return got
}

// roundTrip encodes and decodes a card, so that values compare the way the
// server's decoded ones do (escapes included).
func roundTrip(t *testing.T, c vcard.Card) vcard.Card {
	t.Helper()
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(c); err != nil {
		t.Fatal(err)
	}
	out, err := vcard.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// davReport is the JSON report's target part, with the CardDAV counters.
type davReport struct {
	Targets []struct {
		Create, Update, Remove, Unchanged, Conflicts, Failed int
		RemoteDeleted                                        int `json:"remote_deleted"`
		Error                                                string
		Changes                                              []struct {
			Op, ID, Name string
			Conflicts    []string
		}
	}
}

func decodeDAVReport(t *testing.T, s string) davReport {
	t.Helper()
	var r davReport
	if err := json.Unmarshal([]byte(s), &r); err != nil || len(r.Targets) != 1 {
		t.Fatalf("report is not JSON for one target: %v\n%s", err, s)
	}
	return r
}

// writeExport renders n into dir as an unzipped export, replacing what was there.
func writeExport(t *testing.T, dir string, n *linkedintest.Network) {
	t.Helper()
	os.RemoveAll(dir)
	if err := linkedintest.WriteDir(dir, n.Files()); err != nil {
		t.Fatal(err)
	}
}

// davConfig is a config syncing src into one carddav target "phone".
func davConfig(t *testing.T, dir, name, src, target string) (cfg, statePath string) {
	t.Helper()
	statePath = filepath.Join(dir, name+".state.json")
	cfg = filepath.Join(dir, name+".yaml")
	body := "source:\n  path: " + src + "\nstate: " + statePath + "\ntargets:\n  phone:\n    type: carddav\n" + target
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, statePath
}

// cliEnv is the subprocess environment: the user's own config and state out of reach.
func cliEnv(dir string) []string {
	return append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"), "LINKPORT_CONFIG=")
}

// runBinary runs the built CLI to completion.
func runBinary(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(cliBinary(t), args...)
	cmd.Env = cliEnv(dir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("run linkport: %v", err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// journalLines counts the confirmed writes in a running sync's journal.
// journalLines counts the confirmed writes in the journal (the identities
// a run mints are journaled too, on a line of their own before its first write).
func journalLines(statePath string) int {
	b, _ := os.ReadFile(statePath + ".journal")
	return bytes.Count(b, []byte(`"result":`))
}

// killedSync starts `linkport sync` and SIGKILLs it a pause after ready
// first reports true (polled every 2 ms; nil: at once). It reports how many
// writes were confirmed at the kill and whether the run had already
// finished by itself. The kill waits on what the run did, not on the
// clock, so a loaded machine moves it no later in the run.
func killedSync(t *testing.T, dir, cfg, statePath string, ready func() bool, pause time.Duration) (confirmed int, finished bool) {
	t.Helper()
	cmd := exec.Command(cliBinary(t), "sync", "-c", cfg, "-q", "--format", "json")
	cmd.Env = cliEnv(dir)
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
		case err := <-done: // it may finish, and drop the journal, between two looks
			if err != nil {
				t.Fatalf("sync failed before the kill: %v: %s", err, errb.String())
			}
			return journalLines(statePath), true
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("sync did not reach the kill point in 5 minutes")
		case <-time.After(2 * time.Millisecond):
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sync failed before the kill: %v: %s", err, errb.String())
		}
		return journalLines(statePath), true
	case <-time.After(pause):
	}
	confirmed = journalLines(statePath)
	cmd.Process.Kill()
	if err := <-done; err == nil {
		return confirmed, true // it finished in the same instant
	}
	return confirmed, false
}

// afterWrites is a kill point: the journal holds n confirmed writes.
func afterWrites(statePath string, n int) func() bool {
	return func() bool { return journalLines(statePath) >= n }
}

// requestCounter is a reverse proxy in front of the server that counts
// the requests reaching it, so a kill can land in discovery however slow
// the machine is.
type requestCounter struct {
	URL string
	n   atomic.Int64
}

func newRequestCounter(t *testing.T, target string) *requestCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rc := &requestCounter{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // the kill cuts requests short: expected
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.n.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL
	return rc
}

// after is a kill point: the k-th request since n was zeroed reached the server.
func (rc *requestCounter) after(k int64) func() bool {
	return func() bool { return rc.n.Load() >= k }
}

// resync runs sync to completion after a kill. The killed run's lock died
// with it (an flock): the re-run goes ahead at once and only warns.
func resync(t *testing.T, dir, cfg, statePath string) davReport {
	t.Helper()
	code, stdout, stderr := runBinary(t, dir, "sync", "-c", cfg, "-q", "--format", "json")
	if code != exitOK {
		t.Fatalf("sync after the kill: exit %d: %s", code, stderr)
	}
	return decodeDAVReport(t, stdout)
}

// planNothing asserts `linkport diff` finds the state in step with the export.
func planNothing(t *testing.T, dir, cfg string, want int) {
	t.Helper()
	code, stdout, stderr := runBinary(t, dir, "diff", "-c", cfg, "--format", "json")
	if code != exitOK {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	tr := decodeDAVReport(t, stdout).Targets[0]
	if len(tr.Changes) != 0 || tr.Unchanged != want {
		t.Errorf("diff after the re-run plans %d changes (%d unchanged, want %d): %+v", len(tr.Changes), tr.Unchanged, want, tr.Changes)
	}
}

// TestCarddavCrash kills `linkport sync` with SIGKILL at random moments of
// an initial push (each trial into a new address book, found or created by
// discovery from the server root) and of an update run, runs it again, and
// checks that every person is in the book exactly once with the data of the
// export, and that the state agrees with the server card for card.
func TestCarddavCrash(t *testing.T) {
	r := carddavtest.StartRadicale(t)
	dir := env(t)
	rnd := rand.New(rand.NewPCG(20241207, 3))
	createTrials, updateTrials := 6, 4
	if testing.Short() {
		createTrials, updateTrials = 1, 1
	}
	network := linkedintest.New(linkedintest.GenOptions{Seed: 3, Connections: 300, Contacts: 20})
	src := filepath.Join(dir, "export")
	writeExport(t, src, network)

	front := newRequestCounter(t, r.URL)
	people := 0
	var last struct{ cfg, statePath string }
	killedMid := 0
	for trial := range createTrials {
		name := fmt.Sprintf("crash-%d", trial)
		cfg, statePath := davConfig(t, dir, name, src, fmt.Sprintf("    url: %s\n    addressbook: %s\n    username: %s\n", front.URL, name, r.User))
		if people == 0 {
			code, stdout, stderr := runBinary(t, dir, "diff", "-c", cfg, "--format", "json")
			if code != exitOK {
				t.Fatalf("diff: exit %d: %s", code, stderr)
			}
			people = decodeDAVReport(t, stdout).Targets[0].Create
			if people < 290 {
				t.Fatalf("the export yields %d people to create, want about 300", people)
			}
		}
		// Most kills land after a random number of confirmed writes; every
		// third when one of the first requests reaches the server, mostly
		// in discovery (before the address book exists) or the first writes.
		ready, pause := afterWrites(statePath, 1+rnd.IntN(people-1)), time.Duration(rnd.IntN(5))*time.Millisecond
		if trial%3 == 2 {
			ready = front.after(int64(2 + rnd.IntN(8)))
		}
		front.n.Store(0)
		confirmed, finished := killedSync(t, dir, cfg, statePath, ready, pause)
		if !finished {
			killedMid++
		}
		bk := book{url: r.URL + "/" + r.User + "/" + name + "/", user: r.User}
		onServer := -1 // no address book: killed before discovery created it
		if bk.exists(t) {
			onServer = len(bk.cards(t)) // also: no duplicates even mid-push
		}
		t.Logf("%s: killed after %d confirmed writes and %d requests (%d cards on the server, -1: no book yet; finished=%v)",
			name, confirmed, front.n.Load(), onServer, finished)
		switch {
		case onServer < 0 && (confirmed > 0 || finished):
			t.Errorf("%s: the address book does not exist, but %d writes were journaled (finished=%v)", name, confirmed, finished)
		case onServer >= 0 && onServer < confirmed:
			t.Errorf("%s: %d writes were journaled but only %d cards are on the server", name, confirmed, onServer)
		}
		rep := resync(t, dir, cfg, statePath).Targets[0]
		if rep.Failed+rep.Conflicts+rep.RemoteDeleted != 0 || rep.Create+rep.Unchanged != people {
			t.Errorf("%s: re-run report %+v; want creates and unchanged adding up to %d, no failures", name, rep, people)
		}
		bk.verify(t, statePath, "phone", people)
		planNothing(t, dir, cfg, people)
		last.cfg, last.statePath = cfg, statePath
	}
	if want := createTrials * 2 / 3; killedMid < want {
		t.Errorf("only %d of %d create trials were killed before the sync finished; want at least %d", killedMid, createTrials, want)
	}

	// Update runs: a tenth of the people change employer, the run is killed
	// after some of those writes, and the re-run completes them.
	bk := book{url: r.URL + "/" + r.User + fmt.Sprintf("/crash-%d/", createTrials-1), user: r.User}
	for trial := range updateTrials {
		changed := network.ChangeCompanies(people / 10)
		writeExport(t, src, network)
		confirmed, finished := killedSync(t, dir, last.cfg, last.statePath, afterWrites(last.statePath, rnd.IntN(len(changed)-1)), time.Duration(rnd.IntN(5))*time.Millisecond)
		t.Logf("update %d: killed after %d of %d writes (finished=%v)", trial, confirmed, len(changed), finished)
		rep := resync(t, dir, last.cfg, last.statePath).Targets[0]
		if rep.Create+rep.Remove+rep.Failed+rep.Conflicts+rep.RemoteDeleted != 0 || rep.Update+rep.Unchanged != people {
			t.Errorf("update %d: re-run report %+v; want only updates and unchanged adding up to %d", trial, rep, people)
		}
		got := bk.verify(t, last.statePath, "phone", people)
		wantOrgs := map[string]int{}
		for _, i := range changed {
			company := strings.Join(strings.Fields(network.Connections[i].Company), " ") // as the reader normalises it
			wantOrgs[roundTrip(t, vcard.Card{"VERSION": {{Value: "3.0"}}, vcard.FieldOrganization: {{Value: company}}}).Value(vcard.FieldOrganization)]++
		}
		for _, o := range got {
			if org := o.Card.Value(vcard.FieldOrganization); wantOrgs[org] > 0 {
				wantOrgs[org]--
			}
		}
		for org, missing := range wantOrgs {
			if missing > 0 {
				t.Errorf("update %d: %d cards with the new employer %q are missing", trial, missing, org)
			}
		}
		planNothing(t, dir, last.cfg, people)
	}
}

// TestCarddavRemovalGuard drops a fifth of the people from the export: the
// sync refuses (max_delete 10 %) without touching a card, and --force then
// applies the on_remove policy.
func TestCarddavRemovalGuard(t *testing.T) {
	r := carddavtest.StartRadicale(t)
	for _, tc := range []struct {
		name, onRemove string
	}{
		{"mark by default", ""},
		{"delete", "delete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			network := linkedintest.New(linkedintest.GenOptions{Seed: 11, Connections: 60})
			src := filepath.Join(dir, "export")
			writeExport(t, src, network)
			name := "guard-" + strings.ReplaceAll(tc.name, " ", "-")
			target := fmt.Sprintf("    url: %s\n    addressbook: %s\n    username: %s\n", r.URL, name, r.User)
			if tc.onRemove != "" {
				target += "    on_remove: " + tc.onRemove + "\n"
			}
			cfg, statePath := davConfig(t, dir, "guard", src, target)
			code, stdout, errs := runCLI(t, "sync", "-c", cfg, "-q", "--format", "json")
			if code != exitOK {
				t.Fatalf("first sync: exit %d: %s", code, errs)
			}
			people := decodeDAVReport(t, stdout).Targets[0].Create
			bk := book{url: r.URL + "/" + r.User + "/" + name + "/", user: r.User}
			before := bk.verify(t, statePath, "phone", people)

			gone := network.DropConnections(people / 5)
			writeExport(t, src, network)
			code, _, errs = runCLI(t, "sync", "-c", cfg, "-q")
			if code != exitRun || !strings.Contains(errs, "max_delete") || !strings.Contains(errs, "--force") {
				t.Fatalf("sync dropping %d of %d people: exit %d, stderr %q; want exit 1 naming max_delete and --force", len(gone), people, code, errs)
			}
			after := bk.cards(t)
			for id, o := range before {
				if after[id].ETag != o.ETag {
					t.Errorf("the refused sync touched card %s (ETag %s → %s)", id, o.ETag, after[id].ETag)
				}
			}
			if len(after) != len(before) {
				t.Errorf("the refused sync left %d cards of %d", len(after), len(before))
			}

			code, stdout, errs = runCLI(t, "sync", "-c", cfg, "-q", "--force", "--format", "json")
			if code != exitOK {
				t.Fatalf("forced sync: exit %d: %s", code, errs)
			}
			rep := decodeDAVReport(t, stdout).Targets[0]
			removed := map[string]bool{}
			for _, c := range rep.Changes {
				if c.Op == "remove" {
					removed[c.ID] = true
				}
			}
			if rep.Remove != len(gone) || len(removed) != len(gone) || rep.Failed != 0 {
				t.Fatalf("forced sync report %+v; want %d removals", rep, len(gone))
			}
			after = bk.cards(t)
			for id := range before {
				o, there := after[id]
				marked := there && hasCategory(o.Card, card.CategoryRemoved)
				switch {
				case tc.onRemove == "delete" && there == removed[id]:
					t.Errorf("card %s: on the server %v, removed from LinkedIn %v", id, there, removed[id])
				case tc.onRemove == "" && (!there || marked != removed[id]):
					t.Errorf("card %s: on the server %v, marked %q %v, removed from LinkedIn %v", id, there, card.CategoryRemoved, marked, removed[id])
				}
			}
			if code, stdout, _ := runCLI(t, "diff", "-c", cfg, "--format", "json"); code != exitOK || len(decodeDAVReport(t, stdout).Targets[0].Changes) != 0 {
				t.Errorf("diff after the forced sync (exit %d) plans changes: %s", code, stdout)
			}
		})
	}
}

func hasCategory(c vcard.Card, want string) bool {
	for _, f := range c[vcard.FieldCategories] {
		for _, v := range strings.Split(f.Value, ",") {
			if strings.TrimSpace(v) == want {
				return true
			}
		}
	}
	return false
}

// TestCarddavUserPhoneSurvivesJobChange: the user adds a phone number to a
// card on the server, the person changes job in the next export; after the
// sync the card has both, and the sync after that changes nothing.
func TestCarddavUserPhoneSurvivesJobChange(t *testing.T) {
	r := carddavtest.StartRadicale(t)
	dir := env(t)
	network := linkedintest.New(linkedintest.GenOptions{Seed: 5, Connections: 40})
	src := filepath.Join(dir, "export")
	writeExport(t, src, network)
	cfg, statePath := davConfig(t, dir, "edits", src, fmt.Sprintf("    url: %s\n    username: %s\n", r.BookURL, r.User))
	code, stdout, errs := runCLI(t, "sync", "-c", cfg, "-q", "--format", "json")
	if code != exitOK {
		t.Fatalf("first sync: exit %d: %s", code, errs)
	}
	people := decodeDAVReport(t, stdout).Targets[0].Create
	bk := book{url: r.BookURL, user: r.User}
	cards := bk.verify(t, statePath, "phone", people)

	// Pick a connection whose card is the only one with its name.
	byName := map[string][]string{}
	for id, o := range cards {
		byName[o.Card.Value(vcard.FieldFormattedName)] = append(byName[o.Card.Value(vcard.FieldFormattedName)], id)
	}
	pick, id := -1, ""
	for i, c := range network.Connections {
		if ids := byName[c.FirstName+" "+c.LastName]; !c.Hidden && len(ids) == 1 {
			pick, id = i, ids[0]
			break
		}
	}
	if pick < 0 {
		t.Fatal("no connection with a card of its own name")
	}
	cardURL := r.URL + cards[id].Path

	// The user's phone adds a number, with the ETag it holds.
	card, etag := getCard(t, cardURL, r.User)
	const phone = "+44 20 7946 0999"
	card.Add(vcard.FieldTelephone, &vcard.Field{Value: phone, Params: vcard.Params{vcard.ParamType: {"cell"}}})
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(card); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, cardURL, &buf)
	req.Header.Set("Content-Type", "text/vcard; charset=utf-8")
	req.Header.Set("If-Match", etag)
	req.SetBasicAuth(r.User, "x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode >= 300 {
		t.Fatalf("the user's PUT %s: %v %v", cardURL, err, resp)
	}
	resp.Body.Close()

	network.Connections[pick].Company, network.Connections[pick].Position = "Difference Engines Ltd", "Chief Analyst"
	writeExport(t, src, network)
	code, stdout, errs = runCLI(t, "sync", "-c", cfg, "-q", "--format", "json")
	if code != exitOK {
		t.Fatalf("sync after the job change: exit %d: %s", code, errs)
	}
	if rep := decodeDAVReport(t, stdout).Targets[0]; rep.Update != 1 || rep.Conflicts != 0 || rep.Create+rep.Remove+rep.Failed != 0 {
		t.Errorf("sync after the job change: %+v; want one update, no conflict", rep)
	}
	check := func(when string) {
		t.Helper()
		got, _ := getCard(t, cardURL, r.User)
		var phones []string
		for _, f := range got[vcard.FieldTelephone] {
			phones = append(phones, f.Value)
		}
		if !strings.Contains(strings.Join(phones, "|"), phone) {
			t.Errorf("%s: the phone number the user added is gone; TELs %q", when, phones)
		}
		if got.Value(vcard.FieldOrganization) != "Difference Engines Ltd" || got.Value(vcard.FieldTitle) != "Chief Analyst" {
			t.Errorf("%s: ORG %q TITLE %q; want the new job", when, got.Value(vcard.FieldOrganization), got.Value(vcard.FieldTitle))
		}
	}
	check("after the job change")
	code, stdout, errs = runCLI(t, "sync", "-c", cfg, "-q", "--format", "json")
	if rep := decodeDAVReport(t, stdout).Targets[0]; code != exitOK || rep.Unchanged != people {
		t.Errorf("the next sync (exit %d, %s): %+v; want nothing to do", code, errs, rep)
	}
	check("after the next sync")
}

// getCard fetches and decodes one card, returning its ETag.
func getCard(t *testing.T, cardURL, user string) (vcard.Card, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, cardURL, nil)
	req.SetBasicAuth(user, "x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %v", cardURL, err, resp)
	}
	defer resp.Body.Close()
	card, err := vcard.NewDecoder(resp.Body).Decode()
	if err != nil {
		t.Fatalf("GET %s: %v", cardURL, err)
	}
	if resp.Header.Get("ETag") == "" {
		t.Fatalf("GET %s: no ETag", cardURL)
	}
	return card, resp.Header.Get("ETag")
}

// TestCarddavUnauthorized: a wrong password (from password_env) against a
// Radicale with htpasswd auth exits 1 naming the URL and the user, and the
// password appears nowhere in the output, even with -v; the right one works.
func TestCarddavUnauthorized(t *testing.T) {
	const user, good, bad = "alice", "correct-horse-battery", "wrong-staple-4711"
	root := carddavtest.StartRadicaleAuth(t, user, good).URL
	dir := env(t)
	src := filepath.Join(dir, "export")
	writeExport(t, src, linkedintest.New(linkedintest.GenOptions{Seed: 8, Connections: 15}))
	cfg, statePath := davConfig(t, dir, "auth", src, fmt.Sprintf("    url: %s\n    username: %s\n    password_env: LINKPORT_E2E_PASSWORD\n", root, user))

	t.Setenv("LINKPORT_E2E_PASSWORD", bad)
	for _, args := range [][]string{{"sync", "-c", cfg}, {"sync", "-c", cfg, "-v", "--format", "json"}} {
		code, stdout, errs := runCLI(t, args...)
		if code != exitRun {
			t.Errorf("%v with a wrong password: exit %d, want %d; stderr: %s", args, code, exitRun, errs)
		}
		if !strings.Contains(errs, root) || !strings.Contains(errs, `"`+user+`"`) || !strings.Contains(errs, "401") {
			t.Errorf("%v: stderr does not name the URL %s, user %q and the 401:\n%s", args, root, user, errs)
		}
		if strings.Contains(stdout+errs, bad) {
			t.Errorf("%v: the password is in the output:\n%s\n%s", args, stdout, errs)
		}
	}
	if b, err := os.ReadFile(statePath); err == nil && strings.Contains(string(b), bad) {
		t.Error("the password is in the state file")
	}

	t.Setenv("LINKPORT_E2E_PASSWORD", good)
	code, stdout, errs := runCLI(t, "sync", "-c", cfg, "-q", "--format", "json")
	if code != exitOK {
		t.Fatalf("sync with the right password: exit %d: %s", code, errs)
	}
	if rep := decodeDAVReport(t, stdout).Targets[0]; rep.Create != 15 {
		t.Errorf("sync with the right password: %+v; want 15 created", rep)
	}
}
