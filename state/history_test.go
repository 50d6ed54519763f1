package state

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/linkport/linkport/mapping"
)

func TestInsert(t *testing.T) {
	e := func(date, v, last string) Entry { return Entry{Date: date, Value: v, Last: last} }
	const y19, y20, y22, y25 = "2019-01-01", "2020-01-01", "2022-01-01", "2025-01-01"
	for _, tc := range []struct {
		name    string
		in      []Entry
		date, v string
		want    []Entry
		changed bool
	}{
		{"into nothing", nil, y19, "a", []Entry{e(y19, "a", y19)}, true},
		{"an empty first value counts", nil, y19, "", []Entry{e(y19, "", y19)}, true},
		{"same value later extends it", []Entry{e(y19, "a", y19)}, y22, "a", []Entry{e(y19, "a", y22)}, true},
		{"new value later", []Entry{e(y19, "a", y19)}, y22, "b", []Entry{e(y19, "a", y19), e(y22, "b", y22)}, true},
		{"same export twice", []Entry{e(y19, "a", y19), e(y22, "b", y22)}, y22, "b", []Entry{e(y19, "a", y19), e(y22, "b", y22)}, false},
		{"a date inside its own value", []Entry{e(y19, "a", y25)}, y22, "a", []Entry{e(y19, "a", y25)}, false},
		{"older archive with the current value moves it back", []Entry{e(y22, "b", y22)}, y19, "b", []Entry{e(y19, "b", y22)}, true},
		{"older archive with another value goes before", []Entry{e(y22, "b", y22)}, y19, "a", []Entry{e(y19, "a", y19), e(y22, "b", y22)}, true},
		{"archive between, first sight of the next", []Entry{e(y19, "a", y19), e(y25, "c", y25)}, y22, "c", []Entry{e(y19, "a", y19), e(y22, "c", y25)}, true},
		{"archive between, a value of its own", []Entry{e(y19, "a", y19), e(y25, "c", y25)}, y22, "b", []Entry{e(y19, "a", y19), e(y22, "b", y22), e(y25, "c", y25)}, true},
		// 2019 and 2025 showed a, a 2022 archive read later shows b: a stays current.
		{"archive inside another value splits it", []Entry{e(y19, "a", y25)}, y22, "b", []Entry{e(y19, "a", y20), e(y22, "b", y22), e(y25, "a", y25)}, true},
		{"same day, other value, folds into its neighbours", []Entry{e(y19, "a", y19), e(y22, "b", y22), e(y25, "a", y25)}, y22, "a", []Entry{e(y19, "a", y25)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exports := []ExportInfo{{Date: y19}, {Date: y20}, {Date: y22}, {Date: y25}}
			in := slices.Clone(tc.in)
			got, changed := insert(tc.in, tc.date, tc.v, exports)
			if !reflect.DeepEqual(got, tc.want) || changed != tc.changed {
				t.Fatalf("insert(%v, %s, %q) = %v, %v; want %v, %v", tc.in, tc.date, tc.v, got, changed, tc.want, tc.changed)
			}
			if !reflect.DeepEqual(in, tc.in) {
				t.Errorf("insert changed its argument: %v, was %v", tc.in, in)
			}
		})
	}
}

func hperson(id, company, title string, emails ...string) *mapping.Contact {
	return &mapping.Contact{ID: id, Name: "P " + id, Company: company, Title: title, Emails: emails, Sources: []string{"connection"}}
}

func hgraph(ps ...*mapping.Contact) *mapping.Graph {
	return &mapping.Graph{People: ps, Stats: mapping.Stats{Connections: len(ps), People: len(ps)}}
}

// TestObserveOrderAndIdempotence observes three exports in every order,
// each twice: the derived positions, job changes and last-known values are
// the same every time.
func TestObserveOrderAndIdempotence(t *testing.T) {
	exports := map[string]*mapping.Graph{
		"2019-05-01": hgraph(hperson("a", "Acme", "Engineer", "a@x.org"), hperson("b", "Initech", "Analyst")),
		"2022-03-01": hgraph(hperson("a", "Babbage", "Engineer")),
		"2025-01-10": hgraph(hperson("a", "Babbage", "Lead"), hperson("b", "Initech", "Analyst")),
	}
	orders := [][]string{
		{"2019-05-01", "2022-03-01", "2025-01-10"}, {"2025-01-10", "2022-03-01", "2019-05-01"},
		{"2022-03-01", "2019-05-01", "2025-01-10"}, {"2025-01-10", "2019-05-01", "2022-03-01"},
	}
	wantChanges := []mapping.JobChange{
		{ID: "a", Name: "P a", From: mapping.Position{Title: "Engineer", Company: "Acme"}, To: mapping.Position{Title: "Engineer", Company: "Babbage"}, On: "2022-03-01"},
		{ID: "a", Name: "P a", From: mapping.Position{Title: "Engineer", Company: "Babbage"}, To: mapping.Position{Title: "Lead", Company: "Babbage"}, On: "2025-01-10"},
	}
	for _, order := range orders {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			h := NewHistory()
			for _, d := range append(order, order...) {
				h.Observe(exports[d], d)
			}
			a := h.Person("a")
			if got := JobChanges("a", "P a", a.Positions()); !reflect.DeepEqual(got, wantChanges) {
				t.Errorf("job changes = %+v\nwant %+v", got, wantChanges)
			}
			wantPrev := []mapping.Position{{Title: "Engineer", Company: "Babbage", Until: "2025-01-10"}, {Title: "Engineer", Company: "Acme", Until: "2022-03-01"}}
			if got := Previous(a.Positions()); !reflect.DeepEqual(got, wantPrev) {
				t.Errorf("previous = %+v; want %+v", got, wantPrev)
			}
			if v, seen := h.LastKnown(a, FieldEmails); v != "a@x.org" || seen != "2019-05-01" {
				t.Errorf("last known email = %q, %q; want a@x.org seen 2019-05-01", v, seen)
			}
			b := h.Person("b")
			if got, want := b.Value(FieldConnection, "2022-03-01"), ""; got != want {
				t.Errorf("b on 2022: connection %q, want removed", got)
			}
			if got := b.Current(FieldConnection); got != "1" {
				t.Errorf("b reconnected: connection %q", got)
			}
			if got := h.Newest(); got != "2025-01-10" {
				t.Errorf("newest = %s", got)
			}
		})
	}
}

// TestObserveReturnInAnyOrder: someone at Globex in 2019 and 2025, at
// Initech in 2022. Whichever order the three are read in, the timeline is
// the same and Globex is current: an archive read later that falls inside
// a value's run splits it instead of overriding the newer sighting.
func TestObserveReturnInAnyOrder(t *testing.T) {
	exports := map[string]*mapping.Graph{
		"2019-05-01": hgraph(hperson("c", "Globex", "Designer", "c@x.org")),
		"2022-03-01": hgraph(hperson("c", "Initech", "Designer")),
		"2025-01-10": hgraph(hperson("c", "Globex", "Designer", "c@x.org")),
	}
	want := []Span{
		{"2019-05-01", mapping.Position{Title: "Designer", Company: "Globex"}},
		{"2022-03-01", mapping.Position{Title: "Designer", Company: "Initech"}},
		{"2025-01-10", mapping.Position{Title: "Designer", Company: "Globex"}},
	}
	for _, order := range [][]string{
		{"2019-05-01", "2022-03-01", "2025-01-10"}, {"2019-05-01", "2025-01-10", "2022-03-01"},
		{"2022-03-01", "2019-05-01", "2025-01-10"}, {"2022-03-01", "2025-01-10", "2019-05-01"},
		{"2025-01-10", "2019-05-01", "2022-03-01"}, {"2025-01-10", "2022-03-01", "2019-05-01"},
	} {
		h := NewHistory()
		for _, d := range order {
			h.Observe(exports[d], d)
		}
		c := h.Person("c")
		if got := c.Positions(); !reflect.DeepEqual(got, want) {
			t.Errorf("%v: positions %+v\nwant %+v", order, got, want)
		}
		if v, seen := h.LastKnown(c, FieldEmails); v != "c@x.org" || seen != "2025-01-10" || c.Current(FieldEmails) != "c@x.org" {
			t.Errorf("%v: email %q last seen %s, current %q", order, v, seen, c.Current(FieldEmails))
		}
	}
}

func TestObserveSameExportIsNoOp(t *testing.T) {
	h := NewHistory()
	g := hgraph(hperson("a", "Acme", "Engineer", "a@x.org"))
	if !h.Observe(g, "2019-05-01").Changed {
		t.Fatal("first observation changed nothing")
	}
	if obs := h.Observe(g, "2019-05-01"); obs.Changed || len(obs.Positions) != 0 {
		t.Fatalf("second observation = %+v; want no change", obs)
	}
}

func TestHistoryFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	s := New()
	h, _ := s.History()
	g := hgraph(hperson("a", "Acme\tWest", "Eng\\ineer", "a@x.org", "b@x.org"))
	g.People[0].Phones = []mapping.Phone{{Raw: "020 7946 0000", E164: "+442079460000"}, {Raw: "12 34"}}
	g.People[0].ProfileURL = "https://www.linkedin.com/in/ada"
	h.Observe(g, "2019-05-01")
	later := hgraph(hperson("a", "Babbage", "Lead"))
	later.People[0].ProfileURL = "~not-a-url"
	h.Observe(later, "2022-03-01")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p + ".history")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("history file: %v, %v; want mode 0600", fi, err)
	}
	s2, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s2.History()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h2.Person("a").fields, h.Person("a").fields) || h2.Len() != 1 || !reflect.DeepEqual(h2.exports, h.exports) {
		t.Fatalf("round trip:\n got %+v %+v\nwant %+v %+v", h2.people["a"], h2.exports, h.people["a"], h.exports)
	}
	if got := h2.Person("a").Value(FieldPhones, "2020-01-01"); got != "+442079460000\n12 34" {
		t.Errorf("phones = %q", got)
	}
}

func TestHistoryFileRejectsDamage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	s := New()
	h, _ := s.History()
	h.Observe(hgraph(hperson("a", "Acme", "Engineer", "a@x.org")), "2019-05-01")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(p + ".history")
	for name, body := range map[string]string{
		"not a history": "hello\n",
		"cut short":     string(good[:len(good)-20]),
		"one byte off":  strings.Replace(string(good), "Acme", "Acne", 1),
		"newer format":  strings.Replace(string(good), "linkport-history\t1", "linkport-history\t2", 1),
	} {
		t.Run(name, func(t *testing.T) {
			os.WriteFile(p+".history", []byte(body), 0o600)
			s, err := Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.History(); err == nil || !strings.Contains(err.Error(), p+".history") {
				t.Fatalf("History() = %v; want an error naming the file", err)
			}
		})
	}
}

// TestUnchangedPeopleStayUndecoded: a nightly observation of an export
// with the same values decodes nobody, and the saved file reads back the same.
func TestUnchangedPeopleStayUndecoded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	s := New()
	h, _ := s.History()
	g := hgraph(hperson("a", "Acme", "Engineer", "a@x.org"), hperson("b", "Initech", "Analyst"))
	h.Observe(g, "2019-05-01")
	h.Observe(hgraph(hperson("a", "Babbage", "Engineer"), hperson("b", "Initech", "Analyst")), "2022-03-01")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	s, _ = Load(p)
	h, _ = s.History()
	g = hgraph(hperson("a", "Babbage", "Engineer"), hperson("b", "Initech", "Analyst"))
	if obs := h.Observe(g, "2023-01-01"); len(obs.Positions) != 0 {
		t.Fatalf("positions changed: %+v", obs)
	}
	if len(h.lines) != 2 {
		t.Error("an unchanged person was decoded")
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	s, _ = Load(p)
	h, _ = s.History()
	if got := JobChanges("a", "", h.Person("a").Positions()); len(got) != 1 || got[0].On != "2022-03-01" {
		t.Errorf("job changes after the round trip: %+v", got)
	}
	if got := h.Exports(); len(got) != 3 {
		t.Errorf("exports: %+v", got)
	}
	if !h.Plain("b") || h.Plain("a") {
		t.Error("plain flags are wrong")
	}
}

// TestLoadVersion1 reads a state of the first format: it loads with an
// empty history and is written back as version 2, items unchanged.
func TestLoadVersion1(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "state-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	os.WriteFile(p, b, 0o600)
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.History()
	if err != nil || h.Len() != 0 {
		t.Fatalf("history of a v1 state: %v people, %v", h.Len(), err)
	}
	want := s.Targets["book"].Items["0a1b2c3d4e5f6071"].Fingerprint
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(p)
	if !strings.HasPrefix(string(out), `{"version":2,`) {
		t.Fatalf("saved state starts %.30s; want version 2", out)
	}
	s2, err := Load(p)
	if err != nil || s2.Targets["book"].Items["0a1b2c3d4e5f6071"].Fingerprint != want {
		t.Fatalf("reloaded: %v", err)
	}
}

// BenchmarkHistory40k reads a history of 40,000 people over five exports
// and observes the newest again, as a nightly run does.
func BenchmarkHistory40k(b *testing.B) {
	p := filepath.Join(b.TempDir(), "state.json")
	s := New()
	h, _ := s.History()
	var g *mapping.Graph
	for k, date := range []string{"2021-06-01", "2022-06-01", "2023-06-01", "2024-06-01", "2025-06-01"} {
		g = &mapping.Graph{Stats: mapping.Stats{Connections: 30000}}
		for i := range 40000 {
			c := &mapping.Contact{ID: fmt.Sprintf("%016x", i*7919), Name: fmt.Sprintf("Person %d Lastname", i), ProfileURL: fmt.Sprintf("https://www.linkedin.com/in/person-%d-abc", i),
				Company: "Some Company GmbH", Title: "Senior Engineer", ConnectedOn: "2020-01-02", Sources: []string{"connection"}}
			if i%20 == k {
				c.Company = fmt.Sprintf("Employer %d", k)
			}
			if i%5 == 0 && k < 2 {
				c.Emails = []string{fmt.Sprintf("person%d@example.org", i)}
			}
			g.People = append(g.People, c)
		}
		h.Observe(g, date)
	}
	if err := s.Save(p); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(p + ".history")
	if dst := os.Getenv("LINKPORT_HISTORY_COPY"); dst != "" {
		raw, _ := os.ReadFile(p + ".history")
		os.WriteFile(dst, raw, 0o600)
	}
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := loadHistory(p); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(fi.Size())/1e6, "history-MB")
	})
	b.Run("observe", func(b *testing.B) {
		h, _ := loadHistory(p)
		for b.Loop() {
			h.Observe(g, "2025-06-01")
		}
	})
	b.Run("fill", func(b *testing.B) {
		h, _ := loadHistory(p)
		for b.Loop() {
			for _, c := range g.People {
				if h.Plain(c.ID) {
					continue
				}
				t := h.Person(c.ID)
				h.LastKnown(t, FieldEmails)
				h.LastKnown(t, FieldPhones)
				Previous(t.Positions())
			}
		}
	})
}
