package carddav_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/connectors"
	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// book is an address book the user filled long before linkport: each
// card shares one thing with a LinkedIn person, in another spelling.
type userCard struct {
	href  string
	build func(vcard.Card)
}

const photo = "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="

func userBook() []userCard {
	add := func(c vcard.Card, k, v string, params ...string) {
		f := &vcard.Field{Value: v}
		for i := 0; i+1 < len(params); i += 2 {
			if f.Params == nil {
				f.Params = vcard.Params{}
			}
			f.Params.Add(params[i], params[i+1])
		}
		c.Add(k, f)
	}
	base := func(uid, fn string) func(vcard.Card) {
		return func(c vcard.Card) {
			c.SetValue(vcard.FieldVersion, "3.0")
			c.SetValue(vcard.FieldUID, uid)
			c.SetValue(vcard.FieldFormattedName, fn)
			c.SetValue(vcard.FieldName, strings.Replace(fn, " ", ";", 1)+";;;")
		}
	}
	with := func(b func(vcard.Card), more func(vcard.Card)) func(vcard.Card) {
		return func(c vcard.Card) { b(c); more(c) }
	}
	return []userCard{
		{"ada.vcf", with(base("phone-ada", "Ada Lovelace"), func(c vcard.Card) {
			add(c, vcard.FieldEmail, "ADA@Example.ORG", "TYPE", "home")
			add(c, vcard.FieldTelephone, "+44 7700 900001", "TYPE", "cell")
			c.SetValue(vcard.FieldBirthday, "1815-12-10")
			add(c, vcard.FieldPhoto, photo, "ENCODING", "b", "TYPE", "JPEG")
			c.SetValue(vcard.FieldNote, "Met at the Analytical Society dinner.")
		})},
		{"grace.vcf", with(base("phone-grace", "Grace Hopper"), func(c vcard.Card) {
			add(c, vcard.FieldTelephone, "+44 (0)20 7946 0958", "TYPE", "work")
		})},
		{"linus.vcf", with(base("phone-linus", "Linus Torvalds"), func(c vcard.Card) {
			add(c, vcard.FieldTelephone, "020 7946 0959")
		})},
		{"alan.vcf", with(base("phone-alan", "Alan Turing"), func(c vcard.Card) {
			add(c, vcard.FieldURL, "http://linkedin.com/in/alanturing/")
		})},
		{"barbara.vcf", with(base("phone-barbara", "Barbara Liskov"), func(c vcard.Card) {
			add(c, card.FieldSocialProfile, "https://www.linkedin.com/in/bliskov/", "TYPE", "linkedin")
		})},
		{"edsger.vcf", with(base("phone-edsger", "Edsger Dijkstra"), func(c vcard.Card) {
			c.SetValue(vcard.FieldOrganization, "Burroughs")
		})},
	}
}

// network is the LinkedIn side: one person per user card, plus two
// strangers the book does not know.
func network() []*mapping.Contact {
	p := func(id, name, url, company string) *mapping.Contact {
		first, last, _ := strings.Cut(name, " ")
		return &mapping.Contact{ID: id, Name: name, FirstName: first, LastName: last, ProfileURL: url,
			Company: company, Title: "Fellow", Sources: []string{"connection"}, EmailStatus: mapping.EmailHidden}
	}
	ada := p("a0000000000000aa", "Ada Lovelace", "https://www.linkedin.com/in/ada", "Analytical Engines")
	ada.Emails, ada.EmailStatus = []string{"ada@example.org"}, mapping.EmailPresent
	grace := p("a0000000000000ab", "Grace M. Hopper", "https://www.linkedin.com/in/grace", "Navy")
	grace.Phones = []mapping.Phone{{Raw: "+44 20 7946 0958", E164: "+442079460958"}}
	linus := p("a0000000000000ac", "Linus B. Torvalds", "https://www.linkedin.com/in/linus", "Linux")
	linus.Phones = []mapping.Phone{{Raw: "+44 20 7946 0959", E164: "+442079460959"}}
	alan := p("a0000000000000ad", "A. M. Turing", "https://www.linkedin.com/in/alanturing", "Bletchley")
	barbara := p("a0000000000000ae", "B. Liskov", "https://www.linkedin.com/in/bliskov", "MIT")
	edsger := p("a0000000000000af", "Edsger Dijkstra", "https://www.linkedin.com/in/ewd", "Burroughs")
	return []*mapping.Contact{ada, grace, linus, alan, barbara, edsger,
		p("a0000000000000b0", "Stranger One", "https://www.linkedin.com/in/one", "Acme"),
		p("a0000000000000b1", "Stranger Two", "https://www.linkedin.com/in/two", "Acme")}
}

// fill puts the user's cards on the server, as their phone would.
func fill(t *testing.T, s server) map[string]string {
	t.Helper()
	etags := map[string]string{}
	for _, u := range userBook() {
		c := vcard.Card{}
		u.build(c)
		o, err := client(t, s).PutAddressObject(context.Background(), pathOf(s.bookURL)+u.href, c)
		if err != nil {
			t.Fatalf("phone PUT %s: %v", u.href, err)
		}
		etags[u.href] = o.ETag
	}
	return etags
}

// syncRun is one `linkport sync` of people into the server's book through
// the engine, with a fresh target (a fresh process) each time.
func syncRun(t *testing.T, s server, statePath string, people []*mapping.Contact, mod func(*cd.Options)) (connectors.TargetOutcome, *carddavtest.Counter) {
	t.Helper()
	cnt := &carddavtest.Counter{}
	opt := cd.Options{URL: s.bookURL, Username: s.user, Password: "secret", Transport: cnt,
		RetryWaitMax: 50 * time.Millisecond, Region: "GB"}
	if mod != nil {
		mod(&opt)
	}
	g := &mapping.Graph{}
	for _, p := range people {
		c := *p
		c.Keys = mapping.KeysOf("url:" + p.ProfileURL)
		g.People = append(g.People, &c)
	}
	spec := connectors.Spec{Name: "dav", Type: "carddav", Open: func(ctx context.Context, _ func() ([]*mapping.Contact, error)) (connectors.Target, error) {
		return cd.New(ctx, opt, logger(t))
	}}
	out, err := connectors.Run(context.Background(), g, connectors.RunOptions{StatePath: statePath,
		Targets: []connectors.Spec{spec}, Limit: state.Limit{Count: -1, Percent: 100}, RenameLimit: state.Limit{Count: -1, Percent: 100}})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return out.Targets[0], cnt
}

// identified gives the people the IDs the state mints for them.
func identified(t *testing.T, statePath string, people []*mapping.Contact) map[string]string {
	t.Helper()
	snap, err := state.Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, p := range people {
		ids[p.Name] = snap.Identities["url:"+p.ProfileURL]
	}
	return ids
}

func statuses(o connectors.TargetOutcome) map[string]connectors.Status {
	out := map[string]connectors.Status{}
	for _, c := range o.Changes {
		out[c.Contact.Name] = c.Status
	}
	return out
}

func byHref(t *testing.T, s server) map[string]vcard.Card {
	out := map[string]vcard.Card{}
	for _, o := range cards(t, s) {
		out[o.Path[strings.LastIndex(o.Path, "/")+1:]] = o.Card
	}
	return out
}

func TestAdopt(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv(t).name, func(t *testing.T) {
			s := srv(t)
			dir := t.TempDir()
			statePath := filepath.Join(dir, "state.json")
			before := fill(t, s)
			folks := network()

			// suggest (the default): the five certain matches and the possible one are not created.
			out, _ := syncRun(t, s, statePath, folks, nil)
			st := statuses(out)
			certain, possible := 0, 0
			for _, c := range out.Changes {
				var m *connectors.Match
				if c.Status == connectors.StatusMatched && asMatch(c.Err, &m) {
					if m.Certain {
						certain++
					} else {
						possible++
					}
				}
			}
			if certain != 5 || possible != 1 || st["Stranger One"] != connectors.StatusDone || st["Stranger Two"] != connectors.StatusDone {
				t.Fatalf("suggest: %d certain, %d possible, statuses %v; want 5, 1 and the strangers created", certain, possible, st)
			}
			if got := byHref(t, s); len(got) != 8 {
				t.Errorf("suggest: %d cards in the book, want the 6 of the user and 2 new", len(got))
			}
			for href, etag := range before {
				if o, err := client(t, s).GetAddressObject(context.Background(), pathOf(s.bookURL)+href); err != nil || o.ETag != etag {
					t.Errorf("suggest touched the user's card %s (err %v)", href, err)
				}
			}
			// Reported again on the next run, still nothing created.
			out, _ = syncRun(t, s, statePath, folks, nil)
			if n := countStatus(out, connectors.StatusMatched); n != 6 {
				t.Errorf("second suggest run reports %d matches, want 6", n)
			}

			// link: the certain ones merge into the user's cards, backed up first.
			backups := filepath.Join(dir, "backup")
			link := func(o *cd.Options) { o.Adopt, o.BackupDir, o.OnRemove = cd.AdoptLink, backups, cd.RemoveDelete }
			out, _ = syncRun(t, s, statePath, folks, link)
			if n := countAdopted(out); n != 5 {
				t.Errorf("link adopted %d cards, want 5: %v", n, statuses(out))
			}
			if st := statuses(out); st["Edsger Dijkstra"] != connectors.StatusMatched {
				t.Errorf("the possible match was not left for the user: %v", st["Edsger Dijkstra"])
			}
			if files, _ := os.ReadDir(backups); len(files) != 5 {
				t.Errorf("%d backups, want one per adopted card", len(files))
			}
			ids := identified(t, statePath, folks)
			got := byHref(t, s)
			if len(got) != 8 {
				t.Errorf("link: %d cards in the book, want 8 (no duplicate)", len(got))
			}
			ada := got["ada.vcf"]
			if ada.Value(card.FieldLinkportID) != ids["Ada Lovelace"] || ada.Value(vcard.FieldBirthday) != "1815-12-10" ||
				ada.Value(vcard.FieldPhoto) != photo || !slices.Contains(ada.Values(vcard.FieldTelephone), "+44 7700 900001") ||
				ada.Value(vcard.FieldUID) != "phone-ada" || ada.Value(vcard.FieldFormattedName) != "Ada Lovelace" {
				t.Errorf("Ada's card lost what the user wrote or was not linked: %v", ada)
			}
			if n := ada.Value(vcard.FieldNote); !strings.HasPrefix(n, "Met at the Analytical Society dinner.") || !strings.Contains(n, card.NoteBlockStart) {
				t.Errorf("Ada's NOTE = %q, want the user's text and linkport's block", n)
			}
			if len(ada.Values(vcard.FieldEmail)) != 1 || ada.Value(vcard.FieldOrganization) != "Analytical Engines" || ada.Value(vcard.FieldTitle) != "Fellow" {
				t.Errorf("Ada's card: emails %q, ORG %q, TITLE %q; want the one email and the job added", ada.Values(vcard.FieldEmail), ada.Value(vcard.FieldOrganization), ada.Value(vcard.FieldTitle))
			}
			if tels := got["grace.vcf"].Values(vcard.FieldTelephone); len(tels) != 1 || got["grace.vcf"].Value(vcard.FieldFormattedName) != "Grace Hopper" {
				t.Errorf("Grace's card: phones %q, FN %q; want the user's one phone and name", tels, got["grace.vcf"].Value(vcard.FieldFormattedName))
			}
			if !slices.Contains(card.Categories(got["alan.vcf"]), card.CategoryLinkedIn) {
				t.Errorf("Alan's card has no LinkedIn category: %v", got["alan.vcf"])
			}

			// A second run writes nothing.
			out, cnt := syncRun(t, s, statePath, folks, link)
			if _, w := cnt.Total(); w != 0 {
				t.Errorf("second link run wrote %d times, want 0: %v", w, statuses(out))
			}

			// --accept of the possible match links it.
			snap, err := state.Load(statePath)
			if err != nil {
				t.Fatal(err)
			}
			if err := snap.Targets["dav"].Book.Decide(ids["Edsger Dijkstra"], true); err != nil {
				t.Fatal(err)
			}
			if err := snap.Save(statePath); err != nil {
				t.Fatal(err)
			}
			syncRun(t, s, statePath, folks, link)
			if e := byHref(t, s)["edsger.vcf"]; e.Value(card.FieldLinkportID) != ids["Edsger Dijkstra"] {
				t.Errorf("the accepted match was not linked: %v", e)
			}

			// Ada leaves LinkedIn: her card stays, with only what the user wrote.
			syncRun(t, s, statePath, folks[1:], link)
			ada = byHref(t, s)["ada.vcf"]
			switch {
			case ada == nil:
				t.Fatal("the adopted card was deleted")
			case ada.Value(card.FieldLinkportID) != "" || ada.Value(cd.FieldAdopted) != "" || ada.Value(vcard.FieldTitle) != "":
				t.Errorf("linkport's additions stayed on the card: %v", ada)
			case ada.Value(vcard.FieldNote) != "Met at the Analytical Society dinner." || ada.Value(vcard.FieldBirthday) != "1815-12-10" ||
				len(ada.Values(vcard.FieldEmail)) != 1 || ada.Value(vcard.FieldPhoto) != photo:
				t.Errorf("the user's card lost something: %v", ada)
			}
		})
	}
}

// A card linkport wrote deleted, another edited on the server: the next
// run with nothing to do says so by name, in at most 2 requests.
func TestRemoteChanges(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv(t).name, func(t *testing.T) {
			s := srv(t)
			statePath := filepath.Join(t.TempDir(), "state.json")
			folks := people(6)
			syncRun(t, s, statePath, folks, nil)
			out, cnt := syncRun(t, s, statePath, folks, nil)
			if n, _ := cnt.Total(); n > 2 || len(out.RemoteChanged) != 0 {
				t.Errorf("no-op run: %d requests, remote changes %v; want at most 2 and none", n, out.RemoteChanged)
			}
			out, cnt = syncRun(t, s, statePath, folks, nil)
			if n, _ := cnt.Total(); n > 2 || len(out.RemoteChanged) != 0 || s.name == "radicale" && n != 1 {
				t.Errorf("second no-op run: %d requests, remote changes %v; want at most 2 (1 with getctag) and none", n, out.RemoteChanged)
			}

			ctx, phone := context.Background(), client(t, s)
			ids := identified(t, statePath, folks)
			edited := pathOf(s.bookURL) + ids[folks[2].Name] + ".vcf"
			o, err := phone.GetAddressObject(ctx, edited)
			if err != nil {
				t.Fatal(err)
			}
			o.Card.Add(vcard.FieldTelephone, &vcard.Field{Value: "+1 555 0100"})
			if _, err := phone.PutAddressObject(ctx, edited, o.Card); err != nil {
				t.Fatal(err)
			}
			if err := phone.RemoveAll(ctx, pathOf(s.bookURL)+ids[folks[4].Name]+".vcf"); err != nil {
				t.Fatal(err)
			}

			out, cnt = syncRun(t, s, statePath, folks, nil)
			if n, w := cnt.Total(); n > 2 || w != 0 {
				t.Errorf("no-op run after the phone's edits: %d requests, %d writes; want at most 2 and none", n, w)
			}
			want := []connectors.RemoteChange{
				{ID: ids[folks[2].Name], Name: folks[2].Name, Href: edited},
				{ID: ids[folks[4].Name], Name: folks[4].Name, Href: pathOf(s.bookURL) + ids[folks[4].Name] + ".vcf", Deleted: true},
			}
			if !slices.Equal(out.RemoteChanged, want) {
				t.Errorf("remote changes = %+v, want %+v", out.RemoteChanged, want)
			}
			// Said once: the run after knows them.
			out, _ = syncRun(t, s, statePath, folks, nil)
			if len(out.RemoteChanged) != 0 {
				t.Errorf("the changes were reported again: %+v", out.RemoteChanged)
			}
		})
	}
}

func asMatch(err error, m **connectors.Match) bool { return errors.As(err, m) }

func countStatus(o connectors.TargetOutcome, st connectors.Status) int {
	n := 0
	for _, c := range o.Changes {
		if c.Status == st {
			n++
		}
	}
	return n
}

func countAdopted(o connectors.TargetOutcome) int {
	n := 0
	for _, c := range o.Changes {
		if c.Status == connectors.StatusDone && c.Op == state.OpCreate && c.Outcome != nil && c.Outcome.Ref.Adopted != "" {
			n++
		}
	}
	return n
}

// A run that linked a card and died before its state was saved: the next
// run finds the card by its X-LINKPORT-ID and takes it back, with what the
// user had there first, instead of creating a duplicate.
func TestAdoptAfterLostState(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv(t).name, func(t *testing.T) {
			s := srv(t)
			statePath := filepath.Join(t.TempDir(), "state.json")
			fill(t, s)
			folks := network()
			link := func(o *cd.Options) { o.Adopt = cd.AdoptLink }
			syncRun(t, s, statePath, folks, link)
			snap, err := state.Load(statePath)
			if err != nil {
				t.Fatal(err)
			}
			ids := identified(t, statePath, folks)
			want := snap.Targets["dav"].Items[ids["Ada Lovelace"]].Ref
			delete(snap.Targets["dav"].Items, ids["Ada Lovelace"]) // the write landed, its confirmation did not
			if err := snap.Save(statePath); err != nil {
				t.Fatal(err)
			}
			out, cnt := syncRun(t, s, statePath, folks, link)
			if _, w := cnt.Total(); w != 0 || countAdopted(out) != 1 {
				t.Errorf("re-run: %d writes, %d adopted; want none written and Ada adopted again: %v", w, countAdopted(out), statuses(out))
			}
			snap, err = state.Load(statePath)
			if err != nil {
				t.Fatal(err)
			}
			if got := snap.Targets["dav"].Items[ids["Ada Lovelace"]].Ref; got != want {
				t.Errorf("Ada's ref after the re-run = %+v, want %+v", got, want)
			}
			if got := byHref(t, s); len(got) != 8 {
				t.Errorf("%d cards, want 8: a duplicate was created", len(got))
			}
		})
	}
}

// adopt: off is linkport before adoption: every person gets a card of
// their own, the user's cards are not even read.
func TestAdoptOff(t *testing.T) {
	s := inProcess(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	before := fill(t, s)
	out, cnt := syncRun(t, s, statePath, network(), func(o *cd.Options) { o.Adopt = cd.AdoptOff })
	if n := countStatus(out, connectors.StatusDone); n != 8 {
		t.Errorf("off: %d people created, want all 8: %v", n, statuses(out))
	}
	if n, w := cnt.Total(); n != 1+1+8 || w != 8 { // discovery, the ETag listing, 8 PUTs
		t.Errorf("off: %d requests, %d writes; want 10 and 8", n, w)
	}
	got := byHref(t, s)
	if len(got) != 14 {
		t.Errorf("off: %d cards, want the user's 6 and 8 new", len(got))
	}
	for href, etag := range before {
		if o, err := client(t, s).GetAddressObject(context.Background(), pathOf(s.bookURL)+href); err != nil || o.ETag != etag {
			t.Errorf("off touched the user's card %s (err %v)", href, err)
		}
	}
}

// on_remove: mark on a linked card marks it and keeps everything else.
func TestAdoptedMarked(t *testing.T) {
	s := inProcess(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	fill(t, s)
	folks := network()
	link := func(o *cd.Options) { o.Adopt = cd.AdoptLink }
	syncRun(t, s, statePath, folks, link)
	syncRun(t, s, statePath, folks[1:], link)
	ada := byHref(t, s)["ada.vcf"]
	if !slices.Contains(card.Categories(ada), card.CategoryRemoved) || ada.Value(vcard.FieldBirthday) != "1815-12-10" ||
		ada.Value(vcard.FieldUID) != "phone-ada" || !strings.HasPrefix(ada.Value(vcard.FieldNote), "Met at the") {
		t.Errorf("the linked card of a person who left is not marked, or lost the user's data: %v", ada)
	}
	out, _ := syncRun(t, s, statePath, folks, link) // back on LinkedIn: the mark goes
	if ada := byHref(t, s)["ada.vcf"]; slices.Contains(card.Categories(ada), card.CategoryRemoved) || ada.Value(card.FieldLinkportID) == "" {
		t.Errorf("the person came back but the card is still marked or unlinked: %v (%v)", ada, statuses(out))
	}
}
