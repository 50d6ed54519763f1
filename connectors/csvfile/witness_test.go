package csvfile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		w, err := Witness(path, ModeFull, "")
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
	if w, err := Witness(path, ModeChanges, ""); err != nil || w != ModeChanges {
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
				want, err := Witness(path, tc.mode, "")
				if err != nil {
					t.Fatal(err)
				}
				if got := tg.Witness(); withoutStats(got) != withoutStats(want) {
					t.Fatalf("round %d: the target says it left\n%s\nWitness finds\n%s", round, got, want)
				}
				if again, err := Witness(path, tc.mode, tg.Witness()); err != nil || again != tg.Witness() {
					t.Fatalf("round %d: a recall would not hold: Witness finds\n%s(%v)", round, again, err)
				}
				base = people
			}
			if tc.mode == ModeFull { // an edit after Close: on disk, not in what the target left
				parts := 1
				if tc.rowLimit > 0 {
					parts = (len(people) + tc.rowLimit - 1) / tc.rowLimit
				}
				os.WriteFile(PartPaths(path, parts)[0], []byte("edited"), 0o600)
				if w, _ := Witness(path, tc.mode, tg.Witness()); w == tg.Witness() {
					t.Fatal("the edit does not show")
				}
			}
		})
	}
}

// TestWitnessTrustsTimes: a file whose size, times and inode are those a
// witness holds is not read again; any write since shows, even one that
// keeps the size and sets the modification time back (the change time
// moves); a file that changed within racyWindow of its check is not
// vouched for by its times; a file touched with its bytes unchanged keeps
// its line.
func TestWitnessTrustsTimes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "contacts.csv")
	p, err := LoadProfile("generic")
	if err != nil {
		t.Fatal(err)
	}
	people := []*mapping.Contact{{ID: "a", Name: "Ada", Sources: []string{"connection"}}}
	closed := func(now time.Time, base []*mapping.Contact) string {
		t.Helper()
		tg, err := New(Options{Path: path, Profile: p, Base: base, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if base == nil {
			if _, err := tg.Put(ctx, people[0], nil, state.Ref{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tg.Close(ctx); err != nil {
			t.Fatal(err)
		}
		return tg.Witness()
	}
	closed(time.Now(), nil) // writes the file
	if w := closed(time.Now(), people); w != withoutStats(w) {
		t.Fatalf("a file just written is vouched for by its times:\n%s", w)
	}
	later := time.Now().Add(2 * racyWindow) // as if the night had passed
	left := closed(later, people)
	e, ok := parseWitnessLine(left)
	if !ok || e.stat == "" {
		t.Fatalf("an old file is not vouched for by its times:\n%s", left)
	}
	forged := witnessEntry{name: e.name, sum: strings.Repeat("0", len(e.sum)), stat: e.stat}
	var b strings.Builder
	forged.write(&b)
	if got, err := witnessAt(path, ModeFull, b.String(), later); err != nil || got != b.String() {
		t.Fatalf("the file was read again although its times vouch for it: %q, %v", got, err)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	edited, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited[len(edited)-2] ^= 1 // same size
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got, _ := witnessAt(path, ModeFull, left, later); got == left {
		t.Fatalf("an edit that kept the size and the modification time does not show:\n%s", got)
	}

	edited[len(edited)-2] ^= 1 // the bytes the witness holds, with new times
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := witnessAt(path, ModeFull, left, later); got != left {
		t.Fatalf("a file touched with its bytes unchanged lost its line:\n%s\nwas\n%s", got, left)
	}
}

// withoutStats is witness w without its files' stat tokens.
func withoutStats(w string) string {
	var b strings.Builder
	for line := range strings.Lines(w) {
		e, _ := parseWitnessLine(line)
		e.stat = ""
		e.write(&b)
	}
	return b.String()
}
