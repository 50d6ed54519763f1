package state

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkport/linkport/mapping"
)

// BenchmarkLoad40k loads the state of a 40,000-contact target: what every
// nightly run pays before it can diff.
func BenchmarkLoad40k(b *testing.B) {
	s := New()
	var people []*mapping.Contact
	for i := range 40000 {
		c := &mapping.Contact{Name: fmt.Sprintf("Person %d Lastname", i), FirstName: "Person", LastName: fmt.Sprint(i),
			ProfileURL: fmt.Sprintf("https://www.linkedin.com/in/person-%d-abc", i), Company: "Some Company GmbH", Title: "Senior Engineer",
			ConnectedOn: "2024-01-02", Sources: []string{"connection"}, EmailStatus: mapping.EmailHidden,
			Keys: []string{fmt.Sprintf("url:person-%d-abc", i), fmt.Sprintf("name:person %d lastname|some company gmbh", i)}}
		people = append(people, c)
	}
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
}
