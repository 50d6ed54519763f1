package state

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkport/linkport/mapping"
)

// benchPeople builds n people shaped like a LinkedIn network's.
func benchPeople(n int) []*mapping.Contact {
	people := make([]*mapping.Contact, 0, n)
	for i := range n {
		people = append(people, &mapping.Contact{Name: fmt.Sprintf("Person %d Lastname", i), FirstName: "Person", LastName: fmt.Sprint(i),
			ProfileURL: fmt.Sprintf("https://www.linkedin.com/in/person-%d-abc", i), Company: "Some Company GmbH", Title: "Senior Engineer",
			ConnectedOn: "2024-01-02", Sources: []string{"connection"}, EmailStatus: mapping.EmailHidden,
			Keys: mapping.KeysOf(fmt.Sprintf("url:person-%d-abc", i), fmt.Sprintf("name:person %d lastname|some company gmbh", i))})
	}
	return people
}

// BenchmarkDiffFirst40k plans a first sync of 40,000 people: every one a
// create.
func BenchmarkDiffFirst40k(b *testing.B) {
	s := New()
	g := &mapping.Graph{People: benchPeople(40000)}
	s.Identify(g)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Diff(s, "book", "carddav", g); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad40k loads the state of a 40,000-contact target: what every
// nightly run pays before it can diff.
func BenchmarkLoad40k(b *testing.B) {
	s := New()
	people := benchPeople(40000)
	g := &mapping.Graph{People: people}
	s.Identify(g)
	for _, c := range people {
		s.Apply("book", "carddav", Result{Op: OpCreate, ID: c.ID, Sent: c, Ref: Ref{Href: "/dav/" + c.ID + ".vcf", ETag: `"abcdef0123456789"`}})
	}
	p := filepath.Join(b.TempDir(), "state.json")
	s.Save(p)
	fi, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/1e6, "state-MB")
	raw, _ := os.ReadFile(p)
	b.Run("valid", func(b *testing.B) {
		for b.Loop() {
			json.Valid(raw)
		}
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			Load(p)
		}
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			decode(raw, New())
		}
	})
	b.Run("decode-encoding-json", func(b *testing.B) { // the reference decode is measured against
		for b.Loop() {
			stdDecode(raw)
		}
	})
}

// BenchmarkIdentifyFirst40k gives 40,000 people their first IDs: a first
// run's identification.
func BenchmarkIdentifyFirst40k(b *testing.B) {
	people := benchPeople(40000)
	g := &mapping.Graph{People: people}
	for b.Loop() {
		New().Identify(g)
	}
}
