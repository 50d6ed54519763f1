package csvfile

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// TestWitness: what a full-mode file target holds shows in its witness,
// part by part; a changes-mode target has nothing to witness.
func TestWitness(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "contacts.csv")
	witness := func() string {
		t.Helper()
		w, err := Witness(path, ModeFull)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	put := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]string{}
	step := func(what string) {
		t.Helper()
		w := witness()
		if w != witness() {
			t.Fatalf("%s: the witness is not stable", what)
		}
		for was, v := range seen {
			if v == w {
				t.Fatalf("%s: the witness is the one of %q:\n%s", what, was, w)
			}
		}
		seen[what] = w
	}
	step("no file")
	put(path, "a,b\n1,2\n")
	step("one file")
	put(path, "a,b\n1,3\n")
	step("one byte edited")
	put(filepath.Join(dir, "contacts-1.csv"), "a,b\n")
	step("a numbered part beside it")
	put(filepath.Join(dir, "contacts-2.csv"), "a,b\n")
	step("a second part")
	os.Remove(path)
	step("the unnumbered file gone")
	put(filepath.Join(dir, "contacts-4.csv"), "a,b\n") // not after a gap: never written as one set
	if w := witness(); w != seen["the unnumbered file gone"] {
		t.Fatalf("a part after a gap changed the witness:\n%s", w)
	}
	if w, err := Witness(path, ModeChanges); err != nil || w != ModeChanges {
		t.Fatalf("changes mode: %q, %v", w, err)
	}
}

// TestTargetWitness: what a closed target says it left is what Witness
// finds on disk, whether Close wrote the file, its parts, or found them
// as they should be; an edit after Close is not in it.
func TestTargetWitness(t *testing.T) {
	ctx := context.Background()
	people := []*mapping.Contact{
		{ID: "a", Name: "Ada", Sources: []string{"connection"}},
		{ID: "b", Name: "Bram", Sources: []string{"connection"}},
		{ID: "c", Name: "Chloé", Sources: []string{"connection"}},
	}
	for _, tc := range []struct {
		name     string
		rowLimit int
		mode     string
	}{{"one file", 0, ModeFull}, {"parts", 2, ModeFull}, {"changes mode", 0, ModeChanges}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "contacts.csv")
			p, err := LoadProfile("generic")
			if err != nil {
				t.Fatal(err)
			}
			p.RowLimit = tc.rowLimit
			var base []*mapping.Contact
			var tg *Target
			for round := range 2 { // the second finds the files as they should be
				tg, err = New(Options{Path: path, Profile: p, Mode: tc.mode, Base: base})
				if err != nil {
					t.Fatal(err)
				}
				if round == 0 {
					for _, c := range people {
						if _, err := tg.Put(ctx, c, nil, state.Ref{}); err != nil {
							t.Fatal(err)
						}
					}
				}
				if tg.Witness() != "" {
					t.Fatal("a witness before Close")
				}
				if err := tg.Close(ctx); err != nil {
					t.Fatal(err)
				}
				want, err := Witness(path, tc.mode)
				if err != nil {
					t.Fatal(err)
				}
				if got := tg.Witness(); got != want {
					t.Fatalf("round %d: the target says it left\n%s\nWitness finds\n%s", round, got, want)
				}
				base = people
			}
			if tc.mode == ModeFull { // an edit after Close: on disk, not in what the target left
				parts := 1
				if tc.rowLimit > 0 {
					parts = (len(people) + tc.rowLimit - 1) / tc.rowLimit
				}
				os.WriteFile(PartPaths(path, parts)[0], []byte("edited"), 0o600)
				if w, _ := Witness(path, tc.mode); w == tg.Witness() {
					t.Fatal("the edit does not show")
				}
			}
		})
	}
}
