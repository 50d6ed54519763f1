package state

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkport/linkport/mapping"
)

// TestSaveUnchangedWritesNothing: saving a state that did not change since
// it was read leaves its files as they were, modification times too; one
// change and the state file is written again.
func TestSaveUnchangedWritesNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	s := New()
	g := &mapping.Graph{People: []*mapping.Contact{{Name: "Ada Quill", Keys: mapping.KeysOf("url:ada-quill")}}}
	s.Identify(g)
	s.Apply("book", "carddav", Result{Op: OpCreate, ID: g.People[0].ID, Sent: g.People[0], Ref: Ref{Href: "/a.vcf", ETag: `"1"`}})
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	files := []string{p, p + ".sent"}
	for _, f := range files {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	mtimes := func() (out []time.Time) {
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fi.ModTime())
		}
		return out
	}

	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	s.Identify(g)
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	for i, m := range mtimes() {
		if !m.Equal(old) {
			t.Errorf("unchanged save rewrote %s", filepath.Base(files[i]))
		}
	}

	s.SetCursor("api", "next")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if m := mtimes(); m[0].Equal(old) || !m[1].Equal(old) {
		t.Errorf("after a cursor moved: state rewritten %v (want true), sent store rewritten %v (want false)", !m[0].Equal(old), !m[1].Equal(old))
	}
	if s, err = Load(p); err != nil || s.Cursors["api"] != "next" {
		t.Fatalf("reload: %v, cursors %v", err, s.Cursors)
	}
}
