package carddav_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"

	"github.com/linkport/linkport/connectors"
	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// server is a CardDAV server under test with one empty address book.
type server struct {
	name          string
	root, bookURL string
	user          string
}

func inProcess(t testing.TB) server {
	s := carddavtest.NewServer()
	t.Cleanup(s.Close)
	return server{name: "go-webdav", root: s.URL, bookURL: s.BookURL}
}

func radicale(t testing.TB) server {
	r := carddavtest.StartRadicale(t)
	return server{name: "radicale", root: r.URL, bookURL: r.BookURL, user: r.User}
}

var servers = []func(testing.TB) server{inProcess, radicale}

func logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// open returns a target on the server's book with a request counter.
func open(t testing.TB, s server, mod func(*cd.Options)) (*cd.Target, *carddavtest.Counter) {
	t.Helper()
	cnt := &carddavtest.Counter{}
	opt := cd.Options{URL: s.bookURL, Username: s.user, Password: "secret", Transport: cnt,
		RetryWaitMax: 50 * time.Millisecond}
	if mod != nil {
		mod(&opt)
	}
	tg, err := cd.New(context.Background(), opt, logger(t))
	if err != nil {
		t.Fatalf("carddav.New: %v", err)
	}
	return tg, cnt
}

// client is a plain go-webdav client acting as the user's phone.
func client(t testing.TB, s server) *carddav.Client {
	c, err := carddav.NewClient(nil, s.bookURL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cards lists the book: every card by X-LINKPORT-ID (or UID for foreign ones).
func cards(t testing.TB, s server) map[string]carddav.AddressObject {
	t.Helper()
	objs, err := client(t, s).QueryAddressBook(context.Background(), pathOf(s.bookURL),
		&carddav.AddressBookQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil {
		t.Fatalf("list book: %v", err)
	}
	out := map[string]carddav.AddressObject{}
	uids := map[string]bool{}
	for _, o := range objs {
		id := o.Card.Value(card.FieldLinkportID)
		if id == "" {
			id = o.Card.Value(vcard.FieldUID)
		}
		if _, dup := out[id]; dup || uids[o.Card.Value(vcard.FieldUID)] {
			t.Errorf("contact %s is in the book twice", id)
		}
		uids[o.Card.Value(vcard.FieldUID)] = true
		out[id] = o
	}
	return out
}

func pathOf(u string) string {
	i := strings.Index(u[len("http://"):], "/")
	return u[len("http://")+i:]
}

func TestConformance(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv(t).name, func(t *testing.T) {
			connectortest.Run(t, func(t *testing.T) connectortest.Harness {
				s := srv(t)
				tg, _ := open(t, s, func(o *cd.Options) { o.OnRemove = cd.RemoveDelete })
				return connectortest.Harness{Target: tg, RemoteRefs: true, Contents: func(t *testing.T) map[string]string {
					out := map[string]string{}
					for id, o := range cards(t, s) {
						out[id] = o.Card.Value(vcard.FieldFormattedName)
					}
					return out
				}, Edit: func(t *testing.T, id, name string) {
					ctx, href := context.Background(), pathOf(s.bookURL)+id+".vcf"
					o, err := client(t, s).GetAddressObject(ctx, href)
					if err != nil {
						t.Fatalf("phone GET %s: %v", href, err)
					}
					o.Card.SetValue(vcard.FieldFormattedName, name)
					if _, err := client(t, s).PutAddressObject(ctx, href, o.Card); err != nil {
						t.Fatalf("phone PUT %s: %v", href, err)
					}
				}}
			})
		})
	}
}

// run diffs people against the snapshot and syncs the plan, as the CLI does.
func run(t testing.TB, tg *cd.Target, snap *state.Snapshot, people []*mapping.Contact) (state.Plan, []state.Result, error) {
	t.Helper()
	plan, err := state.Diff(snap, "dav", "carddav", &mapping.Graph{People: people})
	if err != nil {
		t.Fatal(err)
	}
	var results []state.Result
	err = connectors.Sync(context.Background(), tg, plan, connectors.SyncOptions{Workers: tg.Workers()},
		func(r state.Result) error {
			results = append(results, r)
			if r.Err == nil {
				snap.Apply("dav", "carddav", r)
			}
			return nil
		})
	return plan, results, err
}

func people(n int) []*mapping.Contact {
	out := make([]*mapping.Contact, n)
	for i := range out {
		out[i] = connectortest.Person(i)
	}
	return out
}

func TestSync(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv(t).name, func(t *testing.T) {
			s := srv(t)
			ctx := context.Background()
			snap := state.New()
			folks := people(20)
			tg, cnt := open(t, s, nil)
			if _, _, err := run(t, tg, snap, folks); err != nil {
				t.Fatalf("initial sync: %v", err)
			}
			if got := cards(t, s); len(got) != 20 {
				t.Fatalf("book holds %d cards after the initial sync, want 20", len(got))
			}
			if _, w := cnt.Total(); w != 20 {
				t.Errorf("initial sync wrote %d times, want 20", w)
			}

			// No-op: a fresh process (new target) on the book URL.
			tg, cnt = open(t, s, nil)
			plan, _, err := run(t, tg, snap, folks)
			if err != nil || len(plan.Changes) != 0 {
				t.Fatalf("no-op run: %d changes, err %v", len(plan.Changes), err)
			}
			if n, w := cnt.Total(); n > 3 || w != 0 {
				t.Errorf("no-op run sent %d requests (%d writes), want ≤ 3 and 0", n, w)
			}

			// On the phone: a phone number added to #3, #5's title edited, #7 deleted.
			phone := client(t, s)
			edit := func(i int, f func(vcard.Card)) {
				href := pathOf(s.bookURL) + folks[i].ID + ".vcf"
				o, err := phone.GetAddressObject(ctx, href)
				if err != nil {
					t.Fatalf("phone GET %s: %v", href, err)
				}
				f(o.Card)
				if _, err := phone.PutAddressObject(ctx, href, o.Card); err != nil {
					t.Fatalf("phone PUT: %v", err)
				}
			}
			edit(3, func(c vcard.Card) { c.Add(vcard.FieldTelephone, &vcard.Field{Value: "+1 555 0100"}) })
			edit(5, func(c vcard.Card) { c.SetValue(vcard.FieldTitle, "Chief Tinkerer") })
			if err := phone.RemoveAll(ctx, pathOf(s.bookURL)+folks[7].ID+".vcf"); err != nil {
				t.Fatalf("phone DELETE: %v", err)
			}

			// The next export: #3, #5 and #7 changed jobs.
			for _, i := range []int{3, 5, 7} {
				c := *folks[i]
				c.Company, c.Title = "Globex", "CTO"
				folks[i] = &c
			}
			tg, cnt = open(t, s, nil)
			_, results, err := run(t, tg, snap, folks)
			if err != nil {
				t.Fatalf("sync after edits: %v", err)
			}
			if n, w := cnt.Total(); w != 2 || n > 8 { // discovery, a multiget split around the deleted card, 2 PUTs
				t.Errorf("3 changes sent %d requests, %d writes; want 2 writes (one card was deleted) and few requests", n, w)
			}
			byID := map[string]state.Result{}
			for _, r := range results {
				byID[r.ID] = r
			}
			if r := byID[folks[5].ID]; !slices.Equal(r.Conflicts, []string{"title"}) {
				t.Errorf("conflicts for the edited title = %q, want [title]", r.Conflicts)
			}
			if r := byID[folks[7].ID]; !r.RemoteDeleted {
				t.Errorf("the card deleted on the phone was not reported remote-deleted: %+v", r)
			}
			got := cards(t, s)
			if c := got[folks[3].ID].Card; c.Value(vcard.FieldOrganization) != "Globex" ||
				!slices.Contains(c.Values(vcard.FieldTelephone), "+1 555 0100") {
				t.Errorf("#3 should have the new job and the user's phone: %v", c)
			}
			if c := got[folks[5].ID].Card; c.Value(vcard.FieldTitle) != "Chief Tinkerer" || c.Value(vcard.FieldOrganization) != "Globex" {
				t.Errorf("#5 should keep the user's title and get the new company: %v", c)
			}
			if _, ok := got[folks[7].ID]; ok || len(got) != 19 {
				t.Errorf("the deleted card came back or cards went missing: %d cards", len(got))
			}

			// Again: nothing to do, the deleted card stays deleted.
			tg, cnt = open(t, s, nil)
			if plan, _, err := run(t, tg, snap, folks); err != nil || len(plan.Changes) != 0 {
				t.Errorf("run after edits: %d changes, err %v", len(plan.Changes), err)
			}
		})
	}
}

func TestRemovePolicies(t *testing.T) {
	for _, policy := range []string{cd.RemoveMark, cd.RemoveDelete, cd.RemoveKeep} {
		t.Run(policy, func(t *testing.T) {
			s := inProcess(t)
			snap := state.New()
			backups := t.TempDir()
			tg, _ := open(t, s, func(o *cd.Options) { o.OnRemove, o.BackupDir = policy, backups })
			if _, _, err := run(t, tg, snap, people(4)); err != nil {
				t.Fatal(err)
			}
			tg, cnt := open(t, s, func(o *cd.Options) { o.OnRemove, o.BackupDir = policy, backups })
			_, results, err := run(t, tg, snap, people(3))
			if err != nil || len(results) != 1 {
				t.Fatalf("remove run: %d results, err %v", len(results), err)
			}
			gone := connectortest.Person(3).ID
			c, present := cards(t, s)[gone]
			_, writes := cnt.Total()
			switch policy {
			case cd.RemoveMark:
				if !present || !slices.Contains(card.Categories(c.Card), card.CategoryRemoved) {
					t.Errorf("mark: card should be there with category %q: %v", card.CategoryRemoved, c.Card)
				}
				if !snap.Targets["dav"].Items[gone].Removed || results[0].Ref.IsZero() {
					t.Errorf("mark: state should keep the item as removed with its ref")
				}
			case cd.RemoveDelete:
				if present || snap.Targets["dav"].Items[gone] != nil {
					t.Errorf("delete: card or state item still there")
				}
			case cd.RemoveKeep:
				if !present || slices.Contains(card.Categories(c.Card), card.CategoryRemoved) || writes != 0 {
					t.Errorf("keep: card should be untouched, %d writes", writes)
				}
			}
			if files, _ := os.ReadDir(backups); (policy != cd.RemoveKeep) != (len(files) == 1) {
				t.Errorf("%s: %d backups, want one per overwritten or deleted card", policy, len(files))
			}

			// The person reconnects: the card is theirs again, without the mark.
			tg, _ = open(t, s, func(o *cd.Options) { o.OnRemove, o.BackupDir = policy, backups })
			if _, _, err := run(t, tg, snap, people(4)); err != nil {
				t.Fatal(err)
			}
			c, present = cards(t, s)[gone]
			if !present || slices.Contains(card.Categories(c.Card), card.CategoryRemoved) {
				t.Errorf("%s: after reconnecting the card is present=%v with categories %v", policy, present, card.Categories(c.Card))
			}
		})
	}
}

// A create whose answer was lost before the state was saved: the card is
// already there, the create gets 412 and adopts it.
func TestCreateAfterCrash(t *testing.T) {
	s := inProcess(t)
	p := connectortest.Person(1)
	tg, cnt := open(t, s, nil)
	first, err := tg.Put(context.Background(), p, nil, state.Ref{})
	if err != nil {
		t.Fatal(err)
	}
	cnt.Reset()
	again, err := tg.Put(context.Background(), p, nil, state.Ref{}) // the state never heard of the first
	if err != nil {
		t.Fatalf("re-create: %v", err)
	}
	if again.Ref != first.Ref {
		t.Errorf("re-create ref %v, want the existing %v", again.Ref, first.Ref)
	}
	if n, w := cnt.Total(); w != 1 || n != 2 {
		t.Errorf("re-create sent %d requests, %d writes; want the 412'd PUT and one GET", n, w)
	}
	if got := cards(t, s); len(got) != 1 {
		t.Errorf("%d cards, want 1", len(got))
	}
}

func TestNeverTouchesForeignCards(t *testing.T) {
	s := inProcess(t)
	p := connectortest.Person(1)
	foreign := vcard.Card{}
	foreign.SetValue(vcard.FieldVersion, "3.0")
	foreign.SetValue(vcard.FieldUID, "someone-else")
	foreign.SetValue(vcard.FieldFormattedName, "Not Ours")
	href := pathOf(s.bookURL) + p.ID + ".vcf"
	if _, err := client(t, s).PutAddressObject(context.Background(), href, foreign); err != nil {
		t.Fatal(err)
	}
	tg, _ := open(t, s, func(o *cd.Options) { o.OnRemove = cd.RemoveDelete })
	if _, err := tg.Put(context.Background(), p, nil, state.Ref{}); err == nil || !strings.Contains(err.Error(), "not created by linkport") {
		t.Errorf("create over a foreign card: err %v, want a refusal", err)
	}
	if _, err := tg.Remove(context.Background(), p, state.Ref{Href: href, ETag: `"x"`}); err == nil {
		t.Error("delete of a foreign card succeeded")
	}
	if got := cards(t, s)["someone-else"]; got.Card.Value(vcard.FieldFormattedName) != "Not Ours" {
		t.Errorf("the foreign card changed: %v", got.Card)
	}
}

func TestDiscovery(t *testing.T) {
	s := carddavtest.NewServer()
	defer s.Close()
	tests := []struct {
		name, url, book, want, version string
		maxRequests                    int
	}{
		// go-webdav's server advertises vCard 4.0 on the books it lists.
		{"book URL", s.BookURL, "", s.BookURL, "4.0", 1},
		{"root, by display name", s.URL, "LinkedIn", s.BookURL, "4.0", 3},
		{"principal, by segment", s.URL + carddavtest.PrincipalPath, "linkedin", s.BookURL, "4.0", 3},
		{"root, created", s.URL, "Work Contacts", s.URL + carddavtest.HomeSetPath + "work-contacts/", "3.0", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, cnt := open(t, server{bookURL: tt.url}, func(o *cd.Options) { o.AddressBook = tt.book })
			if tg.AddressBookURL() != tt.want {
				t.Errorf("address book %s, want %s", tg.AddressBookURL(), tt.want)
			}
			if n, _ := cnt.Total(); n > tt.maxRequests {
				t.Errorf("discovery took %d requests, want ≤ %d", n, tt.maxRequests)
			}
			if tg.VCardVersion() != tt.version {
				t.Errorf("vCard %s, want %s", tg.VCardVersion(), tt.version)
			}
		})
	}
}

func TestBadServers(t *testing.T) {
	book := "/dav/book/"
	multistatus := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:response><d:href>` +
		book + `</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`
	tests := []struct {
		name    string
		handler http.HandlerFunc
		put     bool // the error comes from the first write, not from New
		want    []string
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="dav"`)
			http.Error(w, "no", http.StatusUnauthorized)
		}, false, []string{"/dav/book/", `"alice"`, "401", "check username and password"}},
		{"404 address book", http.NotFound, false, []string{"/dav/book/", "404", "does not exist"}},
		{"HTML error page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Welcome to nginx</body></html>")
		}, false, []string{"HTML page"}},
		{"507 on write", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" {
				w.WriteHeader(http.StatusMultiStatus)
				io.WriteString(w, multistatus)
				return
			}
			http.Error(w, "disk full", http.StatusInsufficientStorage)
		}, true, []string{"out of storage", "507"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			opt := cd.Options{URL: srv.URL + book, Username: "alice", Password: "hunter2", RetryWaitMax: time.Millisecond}
			tg, err := cd.New(context.Background(), opt, nil)
			if tt.put {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				_, err = tg.Put(context.Background(), connectortest.Person(1), nil, state.Ref{})
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestTLSErrorIsPlain(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := cd.New(context.Background(), cd.Options{URL: srv.URL + "/book/", RetryWaitMax: time.Millisecond}, nil)
	if err == nil || !strings.Contains(err.Error(), "TLS error") || !strings.Contains(err.Error(), "ca_file") {
		t.Errorf("err = %v, want a plain TLS error naming ca_file", err)
	}
}

// Faults on ~20 % of requests: the sync completes within two runs with
// every contact exactly once.
func TestFaults(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv(t).name, func(t *testing.T) {
			s := srv(t)
			proxy := carddavtest.NewFaultProxy(s.root, 0.2, 42)
			defer proxy.Close()
			via := s
			via.bookURL = proxy.URL + pathOf(s.bookURL)
			snap := state.New()
			folks := people(30)
			var err error
			for attempt := range 2 {
				tg, _ := open(t, via, nil)
				if _, _, err = run(t, tg, snap, folks); err == nil {
					break
				}
				t.Logf("run %d: %v", attempt+1, err)
			}
			if err != nil {
				t.Fatalf("sync did not complete in two runs: %v", err)
			}
			// Updates through the faults too.
			for i := range folks {
				if i%3 == 0 {
					c := *folks[i]
					c.Title = "Principal Engineer"
					folks[i] = &c
				}
			}
			for attempt := range 2 {
				tg, _ := open(t, via, nil)
				if _, _, err = run(t, tg, snap, folks); err == nil {
					break
				}
				t.Logf("update run %d: %v", attempt+1, err)
			}
			if err != nil {
				t.Fatalf("update did not complete in two runs: %v", err)
			}
			got := cards(t, s)
			if len(got) != len(folks) {
				t.Errorf("book holds %d cards, want %d", len(got), len(folks))
			}
			for _, p := range folks {
				if got[p.ID].Card.Value(vcard.FieldTitle) != p.Title {
					t.Errorf("%s: title %q, want %q", p.ID, got[p.ID].Card.Value(vcard.FieldTitle), p.Title)
				}
			}
			f := &proxy.Faults
			t.Logf("faults: 503 %d, 429 %d, reset before %d, reset after %d, slow %d",
				f.Unavailable.Load(), f.TooMany.Load(), f.ResetBefore.Load(), f.ResetAfter.Load(), f.Slow.Load())
			if f.ResetAfter.Load() == 0 || f.Unavailable.Load() == 0 {
				t.Error("the proxy injected too few faults for the test to mean anything")
			}
		})
	}
}

func ExampleNew() {
	s := carddavtest.NewServer()
	defer s.Close()
	tg, err := cd.New(context.Background(), cd.Options{URL: s.URL, AddressBook: "LinkedIn"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.TrimPrefix(tg.AddressBookURL(), s.URL), tg.VCardVersion(), tg.Workers())
	// Output: /linkport/contacts/linkedin/ 4.0 4
}
