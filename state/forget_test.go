package state

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkport/linkport/mapping"
)

// TestTombstone: a tombstone recognises the person by any of their keys,
// holds none of them readably, and is lifted whole by any one key.
func TestTombstone(t *testing.T) {
	s := New()
	ada := person("Ada Quill", "https://www.linkedin.com/in/ada-quill", "ada@example.org", "Analytical Engines")
	ts, err := s.Tombstone(ada.Keys.List())
	if err != nil {
		t.Fatal(err)
	}
	s.Bury([]string{ts})
	for _, tc := range []struct {
		name string
		c    *mapping.Contact
		want bool
	}{
		{"same person", ada, true},
		{"only the URL", person("A. Quill", "https://linkedin.com/in/ada-quill/", "", "Elsewhere"), true},
		{"only the email", person("Ada Q", "", "ada@example.org", ""), true},
		{"name and company", person("Ada Quill", "", "", "Analytical Engines"), true},
		{"a namesake elsewhere", person("Ada Quill", "https://www.linkedin.com/in/ada-quill-2", "", "Difference Engines"), false},
		{"someone else", person("Bram Osei", "https://www.linkedin.com/in/bram-osei", "bram@example.org", ""), false},
	} {
		if got := s.IsForgotten(tc.c); got != tc.want {
			t.Errorf("%s: IsForgotten = %v, want %v", tc.name, got, tc.want)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	for _, n := range []string{"ada quill", "quill", "analytical", "ada@"} { // not "ada" alone: the tombstones are hex, which may hold it
		if bytes.Contains(bytes.ToLower(b), []byte(n)) {
			t.Errorf("the state holds %q: %s", n, b)
		}
	}
	s2, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !s2.IsForgotten(ada) {
		t.Error("the tombstone did not survive a save and load")
	}
	other := New() // another state's key makes other hashes
	if ts2, _ := other.Tombstone(ada.Keys.List()); ts2 == ts {
		t.Error("two states made the same tombstone: the key is not per state")
	}
	n, err := s2.Lift(IdentityKeys(&mapping.Contact{Emails: []string{"ADA@example.org"}}))
	if err != nil || n != 1 || s2.IsForgotten(ada) || len(s2.Graves) != 0 {
		t.Errorf("Lift by email: %d, %v; still forgotten: %v", n, err, s2.IsForgotten(ada))
	}
}

// TestPurge: after Purge and Save no file beside the state holds a byte
// of the person, and everyone else is as before.
func TestPurge(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	s, _ := Load(p)
	ada := person("Ada Quill", "https://www.linkedin.com/in/ada-quill", "ada@example.org", "Analytical Engines")
	bram := person("Bram Osei", "https://www.linkedin.com/in/bram-osei", "bram@example.org", "Osei Partners")
	g := graph(ada, bram)
	s.Identify(g)
	h, _ := s.History()
	h.Observe(g, "2026-01-01")
	for _, target := range []string{"a", "b"} {
		for _, c := range g.People {
			s.Apply(target, "csv", Result{Op: OpCreate, ID: c.ID, Sent: c, Ref: Ref{Href: c.ID + ".vcf"}})
		}
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	// A journal of a later run that sent Ada again, as a killed run leaves it.
	j, _ := OpenJournal(p)
	j.Append("a", "csv", Result{Op: OpCreate, ID: ada.ID, Sent: ada})
	j.Close()

	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge([]string{ada.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, n := range []string{"Ada", "Quill", "ada@example.org", "ada-quill", ada.ID} {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %q after the purge", e.Name(), n)
			}
		}
	}
	s, err = Load(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"a", "b"} {
		sent, err := s.Sent(target)
		if err != nil || len(sent) != 1 || sent[0].Name != "Bram Osei" {
			t.Errorf("target %s after the purge: %v %v", target, sent, err)
		}
	}
	h, _ = s.History()
	if h.Person(bram.ID) == nil || h.Person(ada.ID) != nil || h.Len() != 1 {
		t.Errorf("the history after the purge knows %v", h.IDs())
	}
}
