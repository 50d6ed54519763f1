package connectors_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// book is a target that keeps what it was sent, by ID.
type book struct {
	mu   sync.Mutex
	held map[string]*mapping.Contact
	puts int
}

func newBook() *book { return &book{held: map[string]*mapping.Contact{}} }

func (b *book) Put(_ context.Context, c, _ *mapping.Contact, _ state.Ref) (connectors.Outcome, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cp := *c
	b.held[c.ID], b.puts = &cp, b.puts+1
	return connectors.Outcome{Ref: state.Ref{Href: c.ID}}, nil
}

func (b *book) Remove(_ context.Context, c *mapping.Contact, _ state.Ref) (connectors.Outcome, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.held, c.ID)
	return connectors.Outcome{}, nil
}

func (b *book) Close(context.Context) error { return nil }

func bookSpec(name string, b *book, shape func(*mapping.Contact) *mapping.Contact) connectors.Spec {
	return connectors.Spec{Name: name, Type: "memory", Shape: shape,
		Open: func(context.Context, func() ([]*mapping.Contact, error)) (connectors.Target, error) { return b, nil }}
}

type row struct {
	slug, name, company, title, email, phone, connected string
}

// archive is a generated export of one network at date.
func archive(date string, rows ...row) *mapping.Graph {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	g := &mapping.Graph{ExportedAt: d}
	for _, r := range rows {
		c := &mapping.Contact{Name: r.name, ProfileURL: "https://www.linkedin.com/in/" + r.slug, Company: r.company,
			Title: r.title, ConnectedOn: r.connected, Sources: []string{"connection"}, EmailStatus: mapping.EmailHidden,
			Keys: mapping.KeysOf("url:linkedin.com/in/" + r.slug)}
		if r.email != "" {
			c.Emails, c.EmailStatus = []string{r.email}, mapping.EmailPresent
		}
		if r.phone != "" {
			c.Phones = []mapping.Phone{{Raw: r.phone, E164: r.phone}}
		}
		g.People = append(g.People, c)
	}
	g.Stats.People, g.Stats.Connections = len(g.People), len(g.People)
	return g
}

// network is three archives of one network: 2019 with emails; 2022 with
// a job change (Ada), an email hidden (Ada), an email changed (Eve) and a
// removal (Cyd); 2025 with another job change (Ada's title), a removal
// (Bob), a reconnection (Cyd) and a new connection (Dan).
func network() (a2019, a2022, a2025 *mapping.Graph) {
	a2019 = archive("2019-05-01",
		row{"ada", "Ada Lovelace", "Acme", "Engineer", "ada@example.org", "+442079460000", "2015-01-02"},
		row{"bob", "Bob Byte", "Initech", "Analyst", "bob@example.org", "", "2016-03-04"},
		row{"cyd", "Cyd Core", "Globex", "Designer", "", "", "2017-05-06"},
		row{"eve", "Eve Ernst", "Hooli", "Manager", "eve@old.example", "", "2018-07-08"})
	a2022 = archive("2022-03-01",
		row{"ada", "Ada Lovelace", "Babbage Ltd", "Engineer", "", "", "2015-01-02"},
		row{"bob", "Bob Byte", "Initech", "Analyst", "bob@example.org", "", "2016-03-04"},
		row{"eve", "Eve Ernst", "Hooli", "Manager", "eve@new.example", "", "2018-07-08"})
	a2025 = archive("2025-01-10",
		row{"ada", "Ada Lovelace", "Babbage Ltd", "Lead Engineer", "", "", "2015-01-02"},
		row{"cyd", "Cyd Core", "Globex", "Designer", "", "", "2024-09-10"},
		row{"eve", "Eve Ernst", "Hooli", "Manager", "eve@new.example", "", "2018-07-08"},
		row{"dan", "Dan Dot", "Umbrella", "Chemist", "", "", "2024-12-01"})
	return
}

// fingerprints names every contact the book holds by its fingerprint.
func (b *book) fingerprints() map[string]string {
	out := map[string]string{}
	for id, c := range b.held {
		out[id] = mapping.Fingerprint(c)
	}
	return out
}

// TestHistoryAnyOrder feeds the three archives in every order and split
// over runs: the target ends with the same contacts, the hidden email is
// kept with its date, each job change is reported exactly once, and a
// rerun plans nothing.
func TestHistoryAnyOrder(t *testing.T) {
	type runArgs struct{ earlier, g []int } // indexes into the archives
	scenarios := map[string][]runArgs{
		"all at once":              {{earlier: []int{0, 1}, g: []int{2}}},
		"all at once, reversed":    {{earlier: []int{1, 0}, g: []int{2}}},
		"one by one":               {{g: []int{0}}, {g: []int{1}}, {g: []int{2}}},
		"older added later":        {{g: []int{2}}, {earlier: []int{0, 1}, g: []int{2}}},
		"older added one by one":   {{g: []int{2}}, {earlier: []int{1}, g: []int{2}}, {earlier: []int{0}, g: []int{2}}},
		"oldest, then the rest":    {{g: []int{0}}, {earlier: []int{1}, g: []int{2}}},
		"middle, then both others": {{g: []int{1}}, {earlier: []int{0}, g: []int{2}}},
	}
	wantChanges := []string{
		"Ada Lovelace: Engineer at Acme → Engineer at Babbage Ltd on 2022-03-01",
		"Ada Lovelace: Engineer at Babbage Ltd → Lead Engineer at Babbage Ltd on 2025-01-10",
	}
	var first map[string]string
	var firstName string
	names := make([]string, 0, len(scenarios))
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			b := newBook()
			var changes []string
			var last connectors.RunOptions
			for _, r := range scenarios[name] {
				as := [3]*mapping.Graph{}
				as[0], as[1], as[2] = network()
				opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{bookSpec("book", b, nil)}, Limit: state.Limit{Count: 10}, RenameLimit: state.DefaultRenameLimit}
				for _, i := range r.earlier {
					opt.Earlier = append(opt.Earlier, as[i])
				}
				out, err := connectors.Run(context.Background(), as[r.g[0]], opt)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range out.JobChanges {
					changes = append(changes, c.Name+": "+c.From.String()+" → "+c.To.String()+" on "+c.On)
				}
				last = opt
			}
			sort.Strings(changes) // over several runs, in the order they were found
			if !reflect.DeepEqual(changes, wantChanges) {
				t.Errorf("job changes over the runs:\n%s\nwant\n%s", strings.Join(changes, "\n"), strings.Join(wantChanges, "\n"))
			}
			var ada *mapping.Contact
			for _, c := range b.held {
				if c.Name == "Ada Lovelace" {
					ada = c
				}
			}
			switch {
			case ada == nil:
				t.Fatal("Ada is not on the target")
			case !reflect.DeepEqual(ada.Emails, []string{"ada@example.org"}) || ada.Extras().EmailLastSeen != "2019-05-01" || ada.EmailStatus != mapping.EmailHidden:
				t.Errorf("Ada's email: %v last seen %q status %s; want ada@example.org kept, last seen 2019-05-01, hidden", ada.Emails, ada.Extras().EmailLastSeen, ada.EmailStatus)
			case len(ada.Phones) != 1 || ada.Phones[0].E164 != "+442079460000" || ada.Extras().PhoneLastSeen != "2019-05-01":
				t.Errorf("Ada's phone: %+v last seen %q", ada.Phones, ada.Extras().PhoneLastSeen)
			case len(ada.Extras().Previous) != 2 || ada.Extras().Previous[0].Until != "2025-01-10" || ada.Extras().Previous[1].Company != "Acme" || ada.Extras().Previous[1].Until != "2022-03-01":
				t.Errorf("Ada's previous positions: %+v", ada.Extras().Previous)
			}
			for _, c := range b.held {
				if c.Name == "Eve Ernst" && (!reflect.DeepEqual(c.Emails, []string{"eve@new.example"}) || c.Extras().EmailLastSeen != "") {
					t.Errorf("Eve changed her email: %v last seen %q; want only the new one", c.Emails, c.Extras().EmailLastSeen)
				}
				if c.Name == "Bob Byte" {
					t.Error("Bob, gone in 2025, is still on the target")
				}
			}
			fps := b.fingerprints()
			if first == nil {
				first, firstName = fps, name
			} else if !reflect.DeepEqual(fps, first) {
				t.Errorf("the target holds other contacts than after %q:\n%v\n%v", firstName, fps, first)
			}

			// The same run again: nothing planned, no job change.
			puts := b.puts
			last.Earlier = nil
			as := [3]*mapping.Graph{}
			as[0], as[1], as[2] = network()
			out, err := connectors.Run(context.Background(), as[2], last)
			if err != nil || len(out.Targets[0].Changes) != 0 || len(out.JobChanges) != 0 || b.puts != puts {
				t.Fatalf("rerun: %v, %d changes, job changes %v", err, len(out.Targets[0].Changes), out.JobChanges)
			}
		})
	}
}

func TestHistoryRefusesAnOlderExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	_, a2022, a2025 := network()
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{bookSpec("book", newBook(), nil)}, Limit: state.DefaultLimit}
	if _, err := connectors.Run(context.Background(), a2025, opt); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path + ".history")
	for _, dry := range []bool{true, false} {
		opt.DryRun = dry
		_, err := connectors.Run(context.Background(), a2022, opt)
		var se *connectors.StateError
		if !errors.Is(err, connectors.ErrOlderExport) || !errors.As(err, &se) ||
			!strings.Contains(err.Error(), "2022-03-01") || !strings.Contains(err.Error(), "2025-01-10") {
			t.Fatalf("dry run %v: Run(older) = %v; want ErrOlderExport naming both dates", dry, err)
		}
	}
	if after, _ := os.ReadFile(path + ".history"); !bytes.Equal(before, after) {
		t.Error("the refused run changed the history")
	}
}

func TestHistoryDryRunSavesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	a2019, a2022, a2025 := network()
	out, err := connectors.Run(context.Background(), a2025, connectors.RunOptions{StatePath: path, DryRun: true,
		Earlier: []*mapping.Graph{a2019, a2022}, Targets: []connectors.Spec{bookSpec("book", newBook(), nil)}, Limit: state.DefaultLimit})
	if err != nil || len(out.JobChanges) != 2 {
		t.Fatalf("diff: %v, job changes %v", err, out.JobChanges)
	}
	if ch := out.Targets[0].Changes; len(ch) != 4 || ch[0].Contact.Extras().EmailLastSeen == "" && ch[1].Contact.Extras().EmailLastSeen == "" && ch[2].Contact.Extras().EmailLastSeen == "" {
		t.Errorf("the plan does not carry the kept email: %+v", ch)
	}
	for _, p := range []string{path, path + ".history"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a dry run wrote %s", p)
		}
	}
}

// TestOnMissingClear: a target that clears last-known values gets the
// latest export's emails only; another target of the same run keeps them.
func TestOnMissingClear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	a2019, a2022, a2025 := network()
	keep, clear := newBook(), newBook()
	_, err := connectors.Run(context.Background(), a2025, connectors.RunOptions{StatePath: path,
		Earlier: []*mapping.Graph{a2019, a2022}, Limit: state.DefaultLimit,
		Targets: []connectors.Spec{bookSpec("keep", keep, nil), bookSpec("clear", clear, connectors.ClearLastKnown)}})
	if err != nil {
		t.Fatal(err)
	}
	ada := func(b *book) *mapping.Contact {
		for _, c := range b.held {
			if c.Name == "Ada Lovelace" {
				return c
			}
		}
		t.Fatal("no Ada")
		return nil
	}
	if c := ada(clear); len(c.Emails) != 0 || c.Extras().EmailLastSeen != "" || len(c.Phones) != 0 || len(c.Extras().Previous) != 2 {
		t.Errorf("on_missing clear: %+v; want no kept email or phone, previous positions still there", c)
	}
	if c := ada(keep); len(c.Emails) != 1 {
		t.Errorf("on_missing keep (the other target): emails %v", c.Emails)
	}
	if len(a2025.People[0].Emails) != 1 {
		t.Error("the shape changed the graph's own contact")
	}
}

// TestVersion1StateMigrates: a state written by the first format loads,
// nobody is re-created or rewritten by the migration, and it is saved as
// version 2 with the history seeded from that run's export.
func TestVersion1StateMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	b := newBook()
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{bookSpec("book", b, nil)}, Limit: state.DefaultLimit}
	_, _, a2025 := network()
	if _, err := connectors.Run(context.Background(), a2025, opt); err != nil {
		t.Fatal(err)
	}
	// Make it the state version 1 wrote: the same JSON, version 1, no history.
	raw, _ := os.ReadFile(path)
	if !bytes.HasPrefix(raw, []byte(`{"version":2,`)) {
		t.Fatalf("state starts %.20s", raw)
	}
	os.WriteFile(path, append([]byte(`{"version":1,`), raw[len(`{"version":2,`):]...), 0o600)
	os.Remove(path + ".history")

	puts := b.puts
	_, _, a2025 = network()
	out, err := connectors.Run(context.Background(), a2025, opt)
	if err != nil || len(out.Targets[0].Changes) != 0 || b.puts != puts || len(out.JobChanges) != 0 {
		t.Fatalf("after migration: %v, %d changes, %d puts, job changes %v", err, len(out.Targets[0].Changes), b.puts-puts, out.JobChanges)
	}
	raw, _ = os.ReadFile(path)
	if !bytes.HasPrefix(raw, []byte(`{"version":2,`)) {
		t.Errorf("migrated state starts %.20s; want version 2", raw)
	}
	s, _ := state.Load(path)
	if h, err := s.History(); err != nil || h.Len() != 4 || h.Newest() != "2025-01-10" {
		t.Errorf("history after migration: %v", err)
	}
}

// TestURLlessArchiveAddedLater: a 2019 archive has no profile URLs; read
// after the 2025 one was synced, its people still match by name and
// company, and the email only it has stays on the target.
func TestURLlessArchiveAddedLater(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	b := newBook()
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{bookSpec("book", b, nil)}, Limit: state.DefaultLimit}
	nameKey := "name:" + mapping.NameKey("Bob Byte") + "|" + mapping.NameKey("Initech")
	a2025 := archive("2025-01-10", row{"bob", "Bob Byte", "Initech", "Analyst", "", "", "2016-03-04"})
	a2025.People[0].Keys = a2025.People[0].Keys.With(nameKey)
	if _, err := connectors.Run(context.Background(), a2025, opt); err != nil {
		t.Fatal(err)
	}
	a2019 := archive("2019-05-01", row{"", "Bob Byte", "Initech", "Analyst", "bob@example.org", "", "2016-03-04"})
	a2019.People[0].ProfileURL = ""
	a2019.People[0].Keys = mapping.KeysOf("email:bob@example.org", nameKey)
	a2025 = archive("2025-01-10", row{"bob", "Bob Byte", "Initech", "Analyst", "", "", "2016-03-04"})
	a2025.People[0].Keys = a2025.People[0].Keys.With(nameKey)
	opt.Earlier = []*mapping.Graph{a2019}
	out, err := connectors.Run(context.Background(), a2025, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.held) != 1 || out.Targets[0].Count(state.OpCreate, connectors.StatusDone) != 0 {
		t.Fatalf("target holds %d, created %d; want Bob once", len(b.held), out.Targets[0].Count(state.OpCreate, connectors.StatusDone))
	}
	for _, c := range b.held {
		if !reflect.DeepEqual(c.Emails, []string{"bob@example.org"}) || c.Extras().EmailLastSeen != "2019-05-01" {
			t.Errorf("Bob: %v last seen %q; want the 2019 email kept", c.Emails, c.Extras().EmailLastSeen)
		}
	}
	s, _ := state.Load(path)
	if h, _ := s.History(); h.Len() != 1 {
		t.Errorf("the history knows %d people; want Bob once", h.Len())
	}
}
