package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/linkport/linkport/mapping"
)

func person(name, url, email, company string) *mapping.Contact {
	c := &mapping.Contact{Name: name, ProfileURL: url, Company: company, Sources: []string{"connection"}, EmailStatus: mapping.EmailHidden}
	if _, slug := mapping.NormalizeProfileURL(url); slug != "" {
		c.Keys = c.Keys.With("url:" + slug)
	}
	if email != "" {
		c.Emails, c.EmailStatus = []string{email}, mapping.EmailPresent
		c.Keys = c.Keys.With("email:" + email)
	}
	c.Keys = c.Keys.With("name:" + strings.ToLower(name) + "|" + strings.ToLower(company))
	return c
}

func graph(people ...*mapping.Contact) *mapping.Graph {
	return &mapping.Graph{People: people, Stats: mapping.Stats{People: len(people)}}
}

func TestLoadMissingIsEmpty(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "state.json"))
	if err != nil || len(s.Targets) != 0 || s.Version != Version {
		t.Fatalf("Load(missing) = %+v, %v", s, err)
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"not json":      "hello",
		"no version":    `{"targets":{}}`,
		"newer version": `{"version": 3}`,
		"unknown field": `{"version": 1, "surprise": true}`,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "state.json")
			os.WriteFile(p, []byte(body), 0o600)
			_, err := Load(p)
			if err == nil || !strings.Contains(err.Error(), p) {
				t.Fatalf("Load = %v; want an error naming %s", err, p)
			}
			if b, _ := os.ReadFile(p); string(b) != body {
				t.Error("Load changed the file")
			}
		})
	}
}

func TestSaveLoadRoundTripAndMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "state.json")
	s := New()
	g := graph(person("Jane Doe", "https://www.linkedin.com/in/jane", "", "Acme"))
	s.Identify(g)
	s.Apply("book", "carddav", Result{Op: OpCreate, ID: g.People[0].ID, Ref: Ref{Href: "/a.vcf", ETag: `"1"`}, Sent: g.People[0]})
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state mode = %v, %v; want 0600", fi.Mode(), err)
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	it := got.Targets["book"].Items[g.People[0].ID]
	if it == nil || it.Ref.ETag != `"1"` || it.Fingerprint != mapping.Fingerprint(g.People[0]) {
		t.Fatalf("round trip item = %+v", it)
	}
}

func TestJournalReplay(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	a := person("A", "https://www.linkedin.com/in/a", "", "")
	b := person("B", "https://www.linkedin.com/in/b", "", "")
	a.ID, b.ID = "aaaa", "bbbb"
	j, err := OpenJournal(p)
	if err != nil {
		t.Fatal(err)
	}
	j.Append("book", "carddav", Result{Op: OpCreate, ID: a.ID, Sent: a, Ref: Ref{Href: "a.vcf"}})
	j.Append("book", "carddav", Result{Op: OpCreate, ID: b.ID, Sent: b, Ref: Ref{Href: "b.vcf"}})
	j.Close()
	// A torn write: the process died in the middle of the third entry.
	f, _ := os.OpenFile(p+".journal", os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"target":"book","type":"carddav","result":{"op":"cre`)
	f.Close()

	s, err := Load(p)
	if err != nil {
		t.Fatalf("Load with torn journal: %v", err)
	}
	if n := len(s.Targets["book"].Items); n != 2 {
		t.Fatalf("replayed %d items, want 2", n)
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".journal"); !os.IsNotExist(err) {
		t.Errorf("journal still there after Save: %v", err)
	}

	// The next run appends after the torn tail is cut: a second kill must
	// still leave a journal that replays.
	os.WriteFile(p+".journal", []byte(`{"target":"book","type":"carddav","result":{"op":"create","id":"aaaa","sent":{"id":"aaaa","name":"A","email_status":"hidden","sources":["connection"]}}}`+"\n"+`{"target":"bo`), 0o600)
	j, err = OpenJournal(p)
	if err != nil {
		t.Fatal(err)
	}
	j.Append("book", "carddav", Result{Op: OpCreate, ID: b.ID, Sent: b, Ref: Ref{Href: "b.vcf"}})
	j.Close()
	if s, err := Load(p); err != nil || len(s.Targets["book"].Items) != 2 {
		t.Fatalf("Load after a torn tail and another run's append = %v (items %v)", err, s)
	}

	// Damage before the last line is an error, not a silent loss.
	os.WriteFile(p+".journal", []byte("garbage\n{}\n"), 0o600)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), ".journal:1") {
		t.Errorf("Load with a damaged journal = %v; want an error naming line 1", err)
	}
}

// sameItems reports whether a and b hold the same items for target.
func sameItems(a, b *Snapshot, target string) bool {
	var ai, bi map[string]*Item
	if t := a.Targets[target]; t != nil {
		ai = t.Items
	}
	if t := b.Targets[target]; t != nil {
		bi = t.Items
	}
	return maps.EqualFunc(ai, bi, func(x, y *Item) bool { return *x == *y })
}

// TestJournalBatch: a batch far larger than the journal's buffer (a file
// target confirms everyone at once), of every shape a result takes, is
// json.Marshal's lines byte for byte; the identities line, its keys in no
// order, replays as the same map; cut anywhere, as a kill mid-batch would
// leave it, the journal replays every whole line before the cut.
func TestJournalBatch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	var rs []Result
	var want bytes.Buffer
	for i := range 3000 {
		c := person(fmt.Sprintf("Person %04d \u2028 é", i), fmt.Sprintf("https://www.linkedin.com/in/p%04d", i), "", "Acme <&> Co")
		c.ID = fmt.Sprintf("id%04d", i)
		r := Result{Op: OpCreate, ID: c.ID, Sent: c, Ref: Ref{Href: "out.csv"}}
		switch i % 5 { // every shape a result takes
		case 1:
			r = Result{Op: OpRemove, ID: c.ID}
		case 2:
			r = Result{Op: OpRemove, ID: c.ID, Ref: Ref{Href: "/b/" + c.ID + ".vcf", ETag: `"7"`}}
		case 3:
			r.Op, r.Conflicts, r.Ref.Adopted = OpUpdate, []string{"title", "<note>"}, "EMAIL"
		case 4:
			r.Op, r.RemoteDeleted, r.Ref = OpUpdate, true, Ref{}
		}
		rs = append(rs, r)
		b, err := json.Marshal(entry{Target: "file", Type: "csv", Result: r})
		if err != nil {
			t.Fatal(err)
		}
		want.Write(append(b, '\n'))
	}
	j, err := OpenJournal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append("file", "csv", rs...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	got, err := os.ReadFile(p + ".journal")
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("the journal is not json.Marshal's lines (%d bytes, want %d): %v", len(got), want.Len(), err)
	}
	// The identities a run minted: their keys in any order, the same map.
	ids := map[string]string{}
	for i := range 500 {
		ids[fmt.Sprintf("name:p%04d <&>|acme", i)] = fmt.Sprintf("id%04d", i)
	}
	if j, err = OpenJournal(p); err != nil {
		t.Fatal(err)
	}
	if err := j.AppendIdentities(ids); err != nil {
		t.Fatal(err)
	}
	j.Close()
	if s, err := Load(p); err != nil || !maps.Equal(s.Identities, ids) {
		t.Fatalf("the identities line replays as %d identities (%v), want %d", len(s.Identities), err, len(ids))
	}
	for _, cut := range []int{len(got), len(got) - 1, 64<<10 + 17, 100} {
		if err := os.WriteFile(p+".journal", got[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Load(p)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		whole := bytes.Count(got[:cut], []byte("\n"))
		want := New()
		for _, r := range rs[:whole] {
			want.Apply("file", "csv", r)
		}
		if !sameItems(s, want, "file") {
			t.Errorf("cut at %d: the replay is not that of the %d whole lines", cut, whole)
		}
	}
}

func TestIdentifyKeepsIDsAcrossEras(t *testing.T) {
	s := New()
	// 2021 export: no URL column.
	old := person("Jane Doe", "", "", "Acme")
	s.Identify(graph(old))
	// 2024 export: the same person now has a URL and later an email.
	newer := person("Jane Doe", "https://www.linkedin.com/in/jane-doe", "", "Acme")
	s.Identify(graph(newer))
	if newer.ID != old.ID {
		t.Fatalf("ID changed when the URL column appeared: %s → %s", old.ID, newer.ID)
	}
	newest := person("Jane Doe", "https://www.linkedin.com/in/jane-doe", "jane@example.org", "Other Corp")
	s.Identify(graph(newest))
	if newest.ID != old.ID {
		t.Fatalf("ID changed when the email appeared and the company changed: %s → %s", old.ID, newest.ID)
	}
}

// Identify returns exactly the keys it recorded: all of them on a first
// run (the state's own map), the new ones after; IdentifyEarlier, those
// its archive added.
func TestIdentifyReturnsWhatItAdded(t *testing.T) {
	s := New()
	jane := person("Jane Doe", "https://www.linkedin.com/in/jane-doe", "jane@example.org", "Acme")
	sam := person("Sam Lee", "", "", "Acme")
	added := s.Identify(graph(jane, sam))
	if !maps.Equal(added, map[string]string{"url:jane-doe": jane.ID, "email:jane@example.org": jane.ID, "name:sam lee|acme": sam.ID}) {
		t.Errorf("a first run added %v", added)
	}
	if !maps.Equal(added, s.Identities) {
		t.Errorf("a first run added %v, but the state holds %v", added, s.Identities)
	}
	ann := person("Ann Ho", "", "ann@example.org", "")
	if added := s.Identify(graph(jane, sam, ann)); !maps.Equal(added, map[string]string{"email:ann@example.org": ann.ID, "name:ann ho|": ann.ID}) {
		t.Errorf("a second run added %v, want Ann's keys only", added)
	}
	old := person("Bo Yu", "", "", "Initech")
	newer := graph(jane, sam, ann)
	if added := s.IdentifyEarlier(graph(old), newer); !maps.Equal(added, map[string]string{"name:bo yu|initech": old.ID}) {
		t.Errorf("an earlier archive added %v, want Bo's key only", added)
	}
	if len(s.Identities) != 6 {
		t.Errorf("the state holds %d identities, want 6: %v", len(s.Identities), s.Identities)
	}
}

func TestIdentifySeparatesNamesakes(t *testing.T) {
	a, b := person("Sam Lee", "", "", "Acme"), person("Sam Lee", "", "", "Acme")
	s := New()
	s.Identify(graph(a, b))
	if a.ID == b.ID {
		t.Fatal("two people with the same name and company got one ID")
	}
	// Same input, same IDs: a lost state file yields the same hrefs again.
	a2, b2 := person("Sam Lee", "", "", "Acme"), person("Sam Lee", "", "", "Acme")
	New().Identify(graph(a2, b2))
	if a2.ID != a.ID || b2.ID != b.ID {
		t.Errorf("minting is not deterministic: %s %s vs %s %s", a.ID, b.ID, a2.ID, b2.ID)
	}
}

// diff is Diff for tests: a decode error fails the test.
func diff(t *testing.T, s *Snapshot, target string, g *mapping.Graph) Plan {
	t.Helper()
	p, err := Diff(s, target, "memory", g)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiff(t *testing.T) {
	s := New()
	a := person("A", "https://www.linkedin.com/in/a", "", "Acme")
	b := person("B", "https://www.linkedin.com/in/b", "", "Acme")
	c := person("C", "https://www.linkedin.com/in/c", "", "Acme")
	g := graph(a, b, c)
	s.Identify(g)
	p := diff(t, s, "t", g)
	if p.Count(OpCreate) != 3 || p.Known != 0 {
		t.Fatalf("first plan: %+v", p)
	}
	for _, ch := range p.Changes {
		s.Apply("t", "memory", Result{Op: ch.Op, ID: ch.Contact.ID, Sent: ch.Contact, Ref: Ref{Href: ch.Contact.ID}})
	}
	if p := diff(t, s, "t", g); len(p.Changes) != 0 || p.Unchanged != 3 {
		t.Fatalf("second plan is not empty: %+v", p)
	}
	b2 := *b
	b2.Company = "New Co"
	g2 := graph(a, &b2)
	p = diff(t, s, "t", g2)
	if p.Count(OpUpdate) != 1 || p.Count(OpRemove) != 1 || p.Unchanged != 1 {
		t.Fatalf("changed plan: %+v", p)
	}
	for _, ch := range p.Changes {
		switch ch.Op {
		case OpUpdate:
			if ch.Fields["company"] != (mapping.Change{Old: "Acme", New: "New Co"}) || ch.Ref().Href != b.ID || ch.Base.Company != "Acme" {
				t.Errorf("update = %+v", ch)
			}
		case OpRemove:
			if ch.Contact.ID != c.ID {
				t.Errorf("removes %s, want %s", ch.Contact.ID, c.ID)
			}
		}
	}
	// A removal the target marked (kept, non-zero ref) is not planned again;
	// the person's return is an update that clears the mark.
	s.Apply("t", "memory", Result{Op: OpRemove, ID: c.ID, Ref: Ref{Href: c.ID}})
	if p := diff(t, s, "t", graph(a, b)); p.Count(OpRemove) != 0 {
		t.Errorf("marked removal planned again: %+v", p)
	}
	if p := diff(t, s, "t", g); p.Count(OpUpdate) != 1 {
		t.Errorf("returning person: %+v", p)
	}
	// A deletion (zero ref) forgets the item: the person's return is a create.
	s.Apply("t", "memory", Result{Op: OpRemove, ID: c.ID})
	if p := diff(t, s, "t", g); p.Count(OpCreate) != 1 {
		t.Errorf("returning deleted person: %+v", p)
	}
	// The user deleted it on the target: never recreated.
	s.Apply("t", "memory", Result{Op: OpUpdate, ID: a.ID, Sent: a, RemoteDeleted: true})
	if p := diff(t, s, "t", graph(a, b)); p.Count(OpCreate)+p.Count(OpUpdate) != 0 {
		t.Errorf("remote-deleted person planned again: %+v", p)
	}
}

func TestRemovalGuard(t *testing.T) {
	plan := func(known, removes int) Plan {
		p := Plan{Target: "book", Known: known}
		for range removes {
			p.Changes = append(p.Changes, Change{Op: OpRemove, Contact: &mapping.Contact{}})
		}
		return p
	}
	pct, _ := ParseLimit("max_delete", "10%")
	cnt, _ := ParseLimit("max_delete", "5")
	for _, tc := range []struct {
		name    string
		p       Plan
		limit   Limit
		people  int
		wantErr bool
	}{
		{"no removals", plan(100, 0), pct, 100, false},
		{"within percent", plan(100, 10), pct, 90, false},
		{"over percent", plan(100, 11), pct, 89, true},
		{"within count", plan(100, 5), cnt, 95, false},
		{"over count", plan(100, 6), cnt, 94, true},
		{"empty export", plan(3, 3), Limit{Count: -1, Percent: 100}, 0, true},
		{"small book rounds up", plan(6, 1), pct, 5, false},
		{"small book, two", plan(6, 2), pct, 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.CheckRemovals(tc.limit, tc.people)
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, ErrTooManyRemovals)) {
				t.Errorf("CheckRemovals = %v, want error %v", err, tc.wantErr)
			}
		})
	}
	for _, bad := range []string{"ten", "-3", "120%", "%"} {
		if _, err := ParseLimit("max_delete", bad); err == nil {
			t.Errorf("ParseLimit(%q) accepted", bad)
		}
	}
}

// The sent-contacts file is written before the state file and keeps the
// contacts of both; a crash between the two renames must leave a state
// that loads, replays its journal and plans nothing more.
func TestSentCopiesSurviveACrashBetweenRenames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	a := person("A", "https://www.linkedin.com/in/a", "", "Acme")
	b := person("B", "https://www.linkedin.com/in/b", "", "Acme")
	g1 := graph(a, b)
	s := New()
	s.Identify(g1)
	for _, c := range g1.People {
		s.Apply("t", "memory", Result{Op: OpCreate, ID: c.ID, Sent: c})
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	oldState, _ := os.ReadFile(p)

	// Run 2: A changes job, B is removed; each result is journaled, then saved.
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	a2 := *a
	a2.Company = "Globex"
	g2 := graph(&a2)
	s.Identify(g2)
	plan := diff(t, s, "t", g2)
	j, _ := OpenJournal(p)
	for _, ch := range plan.Changes {
		r := Result{Op: ch.Op, ID: ch.Contact.ID}
		if ch.Op != OpRemove {
			r.Sent = ch.Contact
		}
		j.Append("t", "memory", r)
		s.Apply("t", "memory", r)
	}
	j.Close()
	journal, _ := os.ReadFile(p + ".journal")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	// The crash: the sent file was renamed, the state file and journal not yet.
	os.WriteFile(p, oldState, 0o600)
	os.WriteFile(p+".journal", journal, 0o600)

	s, err = Load(p)
	if err != nil {
		t.Fatalf("Load after the crash: %v", err)
	}
	s.Identify(g2)
	if plan := diff(t, s, "t", g2); len(plan.Changes) != 0 {
		t.Errorf("after the crash the plan is %+v, want nothing", plan.Changes)
	}
	got, err := s.Sent("t")
	if err != nil || len(got) != 1 || got[0].Company != "Globex" {
		t.Errorf("Sent = %v, %v", got, err)
	}
}

// TestSentSaveMerges: a save streams the sent file, merging the copies
// it keeps from the file with this run's; the file is byte for byte what
// writing it from memory gives, also when the file on disk is not in
// fingerprint order (it is then read whole), and a damaged line is an
// error naming it, with the file left as it was.
func TestSentSaveMerges(t *testing.T) {
	var people []*mapping.Contact
	for i := range 60 {
		people = append(people, person(fmt.Sprintf("P %02d", i), fmt.Sprintf("https://www.linkedin.com/in/p%02d", i), "", "Acme"))
	}
	// run saves the first 40 people, then a second run moves every fifth
	// to Globex, drops the ten after 30 and adds the last 20; disk, if
	// set, changes the sent file between the two (late: after the second
	// run's plan, just before its save); whole reads it whole first (the
	// save from memory).
	run := func(t *testing.T, disk func(b []byte) []byte, late, whole bool) ([]byte, error) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "state.json")
		s := New()
		g := graph(people[:40]...)
		s.Identify(g)
		for _, c := range g.People {
			s.Apply("t", "memory", Result{Op: OpCreate, ID: c.ID, Sent: c})
		}
		if err := s.Save(p); err != nil {
			t.Fatal(err)
		}
		change := func() {
			if disk != nil {
				b, _ := os.ReadFile(p + ".sent")
				os.WriteFile(p+".sent", disk(b), 0o600)
			}
		}
		if !late {
			change()
		}
		s, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		var next []*mapping.Contact
		for i, c := range people {
			switch {
			case i > 30 && i <= 40:
			case i%5 == 0:
				moved := *c
				moved.Company = "Globex"
				next = append(next, &moved)
			default:
				next = append(next, c)
			}
		}
		g = graph(next...)
		s.Identify(g)
		plan := diff(t, s, "t", g)
		if whole {
			if err := s.sent.load(); err != nil {
				t.Fatal(err)
			}
		}
		for _, ch := range plan.Changes {
			r := Result{Op: ch.Op, ID: ch.Contact.ID}
			if ch.Op != OpRemove {
				r.Sent = ch.Contact
			}
			s.Apply("t", "memory", r)
		}
		if late {
			change()
		}
		before, _ := os.ReadFile(p + ".sent")
		if err := s.Save(p); err != nil {
			if after, _ := os.ReadFile(p + ".sent"); !bytes.Equal(after, before) {
				t.Errorf("a failed save changed the sent file")
			}
			return nil, err
		}
		return os.ReadFile(p + ".sent")
	}
	want, err := run(t, nil, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := run(t, nil, false, false); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the merged file differs from the one written from memory (%v):\n%s\nwant\n%s", err, got, want)
	}
	reversed := func(b []byte) []byte {
		lines := bytes.SplitAfter(b, []byte("\n"))
		slices.Reverse(lines)
		return bytes.Join(lines, nil)
	}
	if got, err := run(t, reversed, false, false); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("a file out of order gave a different file (%v):\n%s", err, got)
	}
	damaged := func(b []byte) []byte { // the third line
		lines := bytes.SplitAfter(b, []byte("\n"))
		lines[2] = bytes.Replace(lines[2], []byte(`{"fp":`), []byte(`{"fq":`), 1)
		return bytes.Join(lines, nil)
	}
	if _, err := run(t, damaged, true, false); err == nil || !strings.Contains(err.Error(), ".sent:3:") {
		t.Fatalf("a damaged third line: %v, want an error naming it", err)
	}
}

func TestNoOpSaveLeavesSentFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	s := New()
	g := graph(person("A", "https://www.linkedin.com/in/a", "", ""))
	s.Identify(g)
	s.Apply("t", "memory", Result{Op: OpCreate, ID: g.People[0].ID, Sent: g.People[0]})
	s.Save(p)
	before, _ := os.Stat(p + ".sent")
	s, _ = Load(p)
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(p + ".sent")
	if err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("a save with no new contacts rewrote the sent file (%v)", err)
	}
	if fi, _ := os.Stat(p + ".sent"); fi.Mode().Perm() != 0o600 {
		t.Errorf("sent file mode %v, want 0600", fi.Mode())
	}
}

func TestRenameGuard(t *testing.T) {
	s := New()
	var people []*mapping.Contact
	for i := range 40 {
		people = append(people, person(fmt.Sprintf("Anna Müller %d", i), fmt.Sprintf("https://www.linkedin.com/in/anna%d", i), "", "Acme"))
	}
	g := graph(people...)
	s.Identify(g)
	for _, p := range people {
		s.Apply("book", "carddav", Result{Op: OpCreate, ID: p.ID, Sent: p})
	}
	for _, tc := range []struct {
		renamed int
		limit   Limit
		wantErr bool
	}{
		{0, DefaultRenameLimit, false},
		{2, DefaultRenameLimit, false}, // 5 % of 40
		{3, DefaultRenameLimit, true},
		{40, DefaultRenameLimit, true},
		{40, Limit{Count: 40}, false},
	} {
		next := make([]*mapping.Contact, len(people))
		for i, p := range people {
			c := *p
			if i < tc.renamed {
				c.Name = strings.ReplaceAll(c.Name, "ü", "Ã¼") // read as Windows-1252
			}
			next[i] = &c
		}
		g2 := graph(next...)
		s.Identify(g2)
		p, err := Diff(s, "book", "carddav", g2)
		if err != nil {
			t.Fatal(err)
		}
		err = p.CheckRenames(tc.limit)
		if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, ErrTooManyRenames)) {
			t.Errorf("%d of 40 renamed, limit %s: %v, want error %v", tc.renamed, tc.limit, err, tc.wantErr)
		}
	}
}

// TestDiffReadsOnlyTheBases: a plan reads from the sent store the copies
// its updates and removals need, and no other; a save after it still keeps
// every copy; a damaged line fails the plan with its file and line.
// A plan holds the handles the target had when it was made: applying its
// changes one by one rewrites the state's items, not the plan. A create
// holds none.
func TestPlanRefsSurviveApply(t *testing.T) {
	s := New()
	a, b := person("A", "https://www.linkedin.com/in/a", "", "Acme"), person("B", "https://www.linkedin.com/in/b", "", "Acme")
	s.Identify(graph(a, b))
	for _, c := range []*mapping.Contact{a, b} {
		s.Apply("t", "memory", Result{Op: OpCreate, ID: c.ID, Sent: c, Ref: Ref{Href: "old-" + c.Name, ETag: "1"}})
	}
	a2, n := *a, person("N", "https://www.linkedin.com/in/n", "", "Acme")
	a2.Company = "New Co"
	g := graph(&a2, n) // a changed, b gone, n new
	s.Identify(g)
	p := diff(t, s, "t", g)
	for _, ch := range p.Changes {
		s.Apply("t", "memory", Result{Op: ch.Op, ID: ch.Contact.ID, Sent: ch.Contact, Ref: Ref{Href: "new", ETag: "2"}})
	}
	want := map[Op]Ref{OpUpdate: {Href: "old-A", ETag: "1"}, OpRemove: {Href: "old-B", ETag: "1"}, OpCreate: {}}
	for _, ch := range p.Changes {
		if got := ch.Ref(); got != want[ch.Op] {
			t.Errorf("%s %s: Ref() = %+v after apply; want %+v", ch.Op, ch.Contact.Name, got, want[ch.Op])
		}
		if (ch.Prev == nil) != (ch.Op == OpCreate) {
			t.Errorf("%s %s: Prev = %v; want nil only for a create", ch.Op, ch.Contact.Name, ch.Prev)
		}
	}
	if len(p.Changes) != 3 {
		t.Errorf("plan = %+v; want an update, a remove and a create", p.Changes)
	}
}

func TestDiffReadsOnlyTheBases(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	s := New()
	people := []*mapping.Contact{person("A", "https://www.linkedin.com/in/a", "", "Acme"),
		person("B", "https://www.linkedin.com/in/b", "", "Acme"), person("C", "https://www.linkedin.com/in/c", "", "Acme"),
		person("D", "https://www.linkedin.com/in/d", "", "Acme")}
	g := graph(people...)
	s.Identify(g)
	for _, c := range people {
		s.Apply("t", "memory", Result{Op: OpCreate, ID: c.ID, Sent: c, Ref: Ref{Href: c.ID}})
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	b2 := *people[1]
	b2.Company = "New Co"
	plan := diff(t, s, "t", graph(people[0], &b2, people[2])) // B changed, D gone
	if plan.Count(OpUpdate) != 1 || plan.Count(OpRemove) != 1 {
		t.Fatalf("plan: %+v", plan)
	}
	for _, ch := range plan.Changes {
		if want := map[Op]string{OpUpdate: "Acme", OpRemove: "Acme"}[ch.Op]; ch.Base == nil || ch.Base.Company != want {
			t.Errorf("%s %s: base %+v", ch.Op, ch.Contact.Name, ch.Base)
		}
	}
	if s.sent.loaded || len(s.sent.disk) != 2 {
		t.Errorf("the plan read %d copies (whole file: %v), want the 2 it needs", len(s.sent.disk), s.sent.loaded)
	}
	for _, ch := range plan.Changes {
		s.Apply("t", "memory", Result{Op: ch.Op, ID: ch.Contact.ID, Sent: ch.Contact, Ref: ch.Ref()})
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	s, _ = Load(p)
	for id, it := range s.Targets["t"].Items { // D's too: it was marked removed, not deleted
		if c, err := s.Contact(it); err != nil || c.ID != id {
			t.Errorf("after the save, the copy of %s: %v, %v", id, c, err)
		}
	}
	if len(s.Targets["t"].Items) != 4 {
		t.Errorf("%d items after the save, want 4", len(s.Targets["t"].Items))
	}

	good, _ := os.ReadFile(p + ".sent")
	for _, damage := range []func(string) string{
		func(string) string { return "not a copy\n" },
		func(l string) string { return strings.TrimSuffix(l, "\n") + "\r\n" }, // load refuses a CRLF line too
	} {
		lines := strings.SplitAfter(string(good), "\n")
		lines[2] = damage(lines[2])
		os.WriteFile(p+".sent", []byte(strings.Join(lines, "")), 0o600)
		s, _ = Load(p)
		b3 := b2
		b3.Company = "Newer Co"
		_, err = Diff(s, "t", "memory", graph(people[0], &b3, people[2], people[3]))
		if err == nil || !strings.Contains(err.Error(), p+".sent:3: expected") {
			t.Errorf("a damaged line %q: %v, want it named as %s.sent:3", lines[2], err, p)
		}
	}
}
