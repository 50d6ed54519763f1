package csvfile

import (
	"os"
	"path/filepath"
	"testing"
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
