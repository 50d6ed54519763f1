package mapping

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

func conn(line int, first, last, url, email, company string) *Record {
	r := &Record{Kind: KindConnection, File: "Connections.csv", Line: line, FirstName: first, LastName: last,
		ProfileURL: url, Company: company, Title: "Engineer", ConnectedOn: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
	if email != "" {
		r.Emails = []string{email}
	}
	return r
}

func contact(line int, full string, emails, phones []string) *Record {
	return &Record{Kind: KindContact, File: "Contacts.csv", Line: line, FullName: full, Emails: emails, Reach: &Reach{Phones: phones}, Origin: "GOOGLE_CONTACTS"}
}

func TestReconcile(t *testing.T) {
	exp := &Export{Records: []*Record{
		contact(2, "Jane Doe", []string{"JANE@example.org"}, []string{"+44 20 7946 0958"}), // joins Jane by email
		conn(5, "Jane", "Doe", "https://www.linkedin.com/in/jane-doe/", "jane@example.org", "Acme"),
		conn(6, "John", "Roe", "https://www.linkedin.com/in/john-roe", "", "Acme"),
		conn(7, "John", "Roe", "linkedin.com/in/JOHN-ROE", "", "Acme"), // duplicate row: same URL
		{Kind: KindConnection, File: "Connections.csv", Line: 8, Hidden: true},
		contact(3, "Solo Person", []string{"solo@example.net"}, nil),
		contact(4, "No Mail", nil, []string{"0171 555"}),
	}}
	g := Reconcile(exp, Options{})
	want := Stats{People: 4, Connections: 3, Contacts: 3, Merged: 2, HiddenMembers: 1, EmailMissing: 2, Organizations: 1}
	if g.Stats != want {
		t.Fatalf("stats = %+v, want %+v", g.Stats, want)
	}
	if got := g.Stats.Connections + g.Stats.Contacts - g.Stats.Merged; got != g.Stats.People {
		t.Errorf("people %d != connections+contacts-merged %d", g.Stats.People, got)
	}
	jane := g.People[0]
	if jane.Name != "Jane Doe" || len(jane.Phones) != 1 || jane.Phones[0].E164 != "+442079460958" ||
		!slices.Equal(jane.Sources, []string{"connection", "contact:GOOGLE_CONTACTS"}) || jane.EmailStatus != EmailPresent {
		t.Errorf("merged Jane = %+v", jane)
	}
	if g.People[1].EmailStatus != EmailHidden {
		t.Errorf("John's email status = %q, want hidden", g.People[1].EmailStatus)
	}
	if g.People[3].EmailStatus != EmailNone || g.People[3].Name != "No Mail" {
		t.Errorf("contact without email = %+v", g.People[3])
	}
	wantMerges := []Merge{
		{Into: "John Roe", Record: "Connections.csv:7", By: "profile_url"},
		{Into: "Jane Doe", Record: "Contacts.csv:2", By: "email"},
	}
	if !slices.Equal(g.Merges, wantMerges) {
		t.Errorf("merges = %+v, want %+v", g.Merges, wantMerges)
	}
	if len(g.Organizations) != 1 || len(g.Organizations[0].Members) != 2 {
		t.Errorf("organisations = %+v", g.Organizations)
	}
}

// People from the same source share one Sources array (caches.one): the
// merges that add a source to two of them must leave each other, and the
// third, as they were.
func TestSourcesSharedButNotWritten(t *testing.T) {
	exp := &Export{Records: []*Record{
		conn(2, "Jane", "Doe", "https://www.linkedin.com/in/jane-doe", "jane@example.org", "Acme"),
		conn(3, "John", "Roe", "https://www.linkedin.com/in/john-roe", "", "Acme"),
		conn(4, "Ann", "Poe", "https://www.linkedin.com/in/ann-poe", "ann@example.org", "Acme"),
		contact(2, "Jane Doe", []string{"jane@example.org"}, nil),
		{Kind: KindContact, File: "Contacts.csv", Line: 3, FullName: "Ann Poe", Emails: []string{"ann@example.org"}, Origin: "OUTLOOK"},
		{Kind: KindContact, File: "Contacts.csv", Line: 4, FullName: "Ann Poe", Emails: []string{"ann@example.org"}, Origin: "PHONE"},
	}}
	g := Reconcile(exp, Options{})
	want := map[string][]string{
		"Jane Doe": {"connection", "contact:GOOGLE_CONTACTS"},
		"John Roe": {"connection"},
		"Ann Poe":  {"connection", "contact:OUTLOOK", "contact:PHONE"},
	}
	for _, p := range g.People {
		if !slices.Equal(p.Sources, want[p.Name]) {
			t.Errorf("%s: sources %q; want %q", p.Name, p.Sources, want[p.Name])
		}
	}
	if len(g.People) != 3 {
		t.Errorf("people = %d; want 3", len(g.People))
	}
}

func TestReconcileMergeByNameIsOptIn(t *testing.T) {
	exp := &Export{Records: []*Record{
		conn(2, "Ana", "Lima", "https://www.linkedin.com/in/ana-lima", "", "Acme"),
		contact(2, "ana  lima", []string{"ana@example.com"}, nil),
	}}
	if g := Reconcile(exp, Options{}); g.Stats.People != 2 {
		t.Fatalf("without merge_by_name: %d people, want 2", g.Stats.People)
	}
	g := Reconcile(exp, Options{MergeByName: true})
	if g.Stats.People != 1 || len(g.Merges) != 1 || g.Merges[0].By != "name" {
		t.Fatalf("with merge_by_name: people %d merges %+v", g.Stats.People, g.Merges)
	}
	if p := g.People[0]; p.EmailStatus != EmailPresent || p.Emails[0] != "ana@example.com" {
		t.Errorf("merged person = %+v", p)
	}
}

func TestKeysStrongestFirst(t *testing.T) {
	exp := &Export{Records: []*Record{
		contact(2, "Kim Park", []string{"kim@example.com"}, nil),
		conn(3, "Kim", "Park", "https://www.linkedin.com/in/kim-park", "", "Acme"),
	}}
	g := Reconcile(exp, Options{})
	// The connection came second in the input but is processed first; the
	// contact joins it by nothing (no shared key), so they stay two people.
	if g.Stats.People != 2 {
		t.Fatalf("people = %d", g.Stats.People)
	}
	if k := g.People[0].Keys.List(); len(k) != 2 || k[0] != "url:kim-park" || k[1] != "name:kim park|acme" {
		t.Errorf("keys = %v", k)
	}
}

func TestDiffFieldsAndFingerprint(t *testing.T) {
	a := &Contact{ID: "x", Name: "A", Company: "Old", EmailStatus: EmailHidden, Sources: []string{"connection"}}
	b := *a
	b.Company = "New"
	d := DiffFields(a, &b)
	if len(d) != 1 || d["company"] != (Change{"Old", "New"}) {
		t.Errorf("DiffFields = %v", d)
	}
	if Fingerprint(a) == Fingerprint(&b) {
		t.Error("fingerprints equal for different contacts")
	}
	c := *a
	c.Keys = KeysOf("url:elsewhere") // how a person was found is not content
	if Fingerprint(a) != Fingerprint(&c) {
		t.Error("fingerprint depends on Keys")
	}
}

// TestReconcilePhoneRegion: a national number gets its E.164 form from the
// row's own country first, then the configured default region, else none;
// the raw form is kept whatever happens.
func TestReconcilePhoneRegion(t *testing.T) {
	row := func(country string, phone string) *Record {
		r := contact(2, "Ann Example", nil, []string{phone})
		if country != "" {
			r.Addresses = []string{"1 High St, London, " + country}
			r.PostalAddresses = []Address{{Street: "1 High St", City: " London ", Country: country}}
		}
		return r
	}
	for _, tc := range []struct {
		name, region, country, phone, e164 string
	}{
		{"national, no region", "", "", "(202) 555-0142", ""},
		{"national, default region", "US", "", "(202) 555-0142", "+12025550142"},
		{"national, row's country wins", "US", "GB", "020 7946 0958", "+442079460958"},
		{"row's country not a region code", "GB", "United Kingdom", "020 7946 0958", "+442079460958"},
		{"international, any region", "US", "", "+49 (0) 30 1234567", "+49301234567"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Reconcile(&Export{Records: []*Record{row(tc.country, tc.phone)}}, Options{DefaultRegion: tc.region})
			p := g.People[0]
			if len(p.Phones) != 1 || p.Phones[0].Raw != tc.phone || p.Phones[0].E164 != tc.e164 {
				t.Errorf("phones = %+v, want raw %q e164 %q", p.Phones, tc.phone, tc.e164)
			}
			if w := p.Where(); tc.country != "" && (len(w.PostalAddresses) != 1 || w.PostalAddresses[0].City != "London") {
				t.Errorf("postal addresses = %+v, want one, normalised", w.PostalAddresses)
			}
		})
	}
}

// TestReconcileRelease: with Release, Reconcile builds the same graph
// and leaves the export without its records.
func TestReconcileRelease(t *testing.T) {
	records := func() []*Record {
		var rs []*Record
		for i := range 3 * minParallel { // enough rows for every core
			rs = append(rs, conn(i+2, "First", fmt.Sprint("Last", i%(2*minParallel)), fmt.Sprintf("https://www.linkedin.com/in/p%d", i%(2*minParallel)), "", "Acme"))
			if i%7 == 0 {
				rs = append(rs, &Record{Kind: KindConnection, File: "Connections.csv", Line: i + 2, Hidden: true})
			}
		}
		return append(rs, contact(2, "Solo Person", []string{"solo@example.org"}, nil))
	}
	want := Reconcile(&Export{Records: records()}, Options{})
	exp := &Export{Records: records()}
	got := Reconcile(exp, Options{Release: true})
	if exp.Records != nil {
		t.Errorf("Release left %d records in the export", len(exp.Records))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with Release: %+v\nwithout: %+v", got.Stats, want.Stats)
	}
	if want.Stats.Merged == 0 || want.Stats.HiddenMembers == 0 || len(want.Merges) == 0 {
		t.Errorf("the records merge nothing or hide no one: %+v", want.Stats)
	}
}

// A person's addresses come from every row folded into them, each once; a
// person none of whose rows has any carries no Whereabouts.
func TestReconcileWhereabouts(t *testing.T) {
	withPlaces := func(r *Record, addresses []string, postal ...Address) *Record {
		r.Addresses, r.PostalAddresses = addresses, postal
		return r
	}
	withSites := func(r *Record, sites ...string) *Record {
		r.Sites = sites
		return r
	}
	london := Address{Street: "1 High St", City: "London", Country: "GB"}
	for _, tc := range []struct {
		name string
		recs []*Record
		want *Whereabouts
	}{
		{"none", []*Record{conn(5, "Jane", "Doe", "https://www.linkedin.com/in/jane-doe", "jane@example.org", "Acme")}, nil},
		{"from the contact a connection is joined by", []*Record{
			conn(5, "Jane", "Doe", "https://www.linkedin.com/in/jane-doe", "jane@example.org", "Acme"),
			withPlaces(contact(2, "Jane Doe", []string{"jane@example.org"}, nil), []string{"1 High St, London"}, london),
		}, &Whereabouts{Addresses: []string{"1 High St, London"}, PostalAddresses: []Address{london}}},
		{"from two contacts, each once", []*Record{
			withPlaces(contact(2, "Jane Doe", []string{"jane@example.org"}, nil), []string{"1 High St, London"}, london),
			withPlaces(contact(3, "Jane Doe", []string{"jane@example.org"}, nil), []string{"1 High St, London", "PO Box 7"}, london),
		}, &Whereabouts{Addresses: []string{"1 High St, London", "PO Box 7"}, PostalAddresses: []Address{london}}},
		{"sites alone, each once", []*Record{
			conn(5, "Jane", "Doe", "https://www.linkedin.com/in/jane-doe", "jane@example.org", "Acme"),
			withSites(contact(2, "Jane Doe", []string{"jane@example.org"}, nil), "https://jane.example", "https://blog.example"),
			withSites(contact(3, "Jane Doe", []string{"jane@example.org"}, nil), "https://blog.example", "https://jane.example/about"),
		}, &Whereabouts{Sites: []string{"https://jane.example", "https://blog.example", "https://jane.example/about"}}},
		{"sites and addresses from two contacts", []*Record{
			withSites(contact(2, "Jane Doe", []string{"jane@example.org"}, nil), "https://jane.example"),
			withPlaces(contact(3, "Jane Doe", []string{"jane@example.org"}, nil), []string{"PO Box 7"}),
		}, &Whereabouts{Addresses: []string{"PO Box 7"}, Sites: []string{"https://jane.example"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Reconcile(&Export{Records: tc.recs}, Options{})
			if len(g.People) != 1 {
				t.Fatalf("%d people, want 1", len(g.People))
			}
			if got := g.People[0].Whereabouts; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("whereabouts = %+v, want %+v", got, tc.want)
			}
		})
	}
}
