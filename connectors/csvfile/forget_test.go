package csvfile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// TestForgetChangesFiles writes, in every profile and with files split in
// parts, a changes-mode run of three people and a run that removes one,
// then forgets that one: no file left holds them, in the profile's
// encoding, and the others' rows are all still there.
func TestForgetChangesFiles(t *testing.T) {
	ctx := context.Background()
	people := []*mapping.Contact{connectortest.Person(0), connectortest.Person(1), connectortest.Person(2)}
	gone := people[1]
	for _, name := range Profiles() {
		for _, limit := range []int{0, 2} {
			t.Run(name+"/"+map[int]string{0: "whole", 2: "parts"}[limit], func(t *testing.T) {
				p, err := LoadProfile(name)
				if err != nil {
					t.Fatal(err)
				}
				p.RowLimit = limit
				dir := t.TempDir()
				ext := ".csv"
				if p.Format == FormatVCard {
					ext = ".vcf"
				}
				path := filepath.Join(dir, "crm"+ext)
				now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
				run := func(do func(*Target)) {
					tg, err := New(Options{Path: path, Profile: p, Mode: ModeChanges, Now: func() time.Time { return now }})
					if err != nil {
						t.Fatal(err)
					}
					do(tg)
					if err := tg.Close(ctx); err != nil {
						t.Fatal(err)
					}
					now = now.Add(time.Hour)
				}
				run(func(tg *Target) {
					for _, c := range people {
						tg.Put(ctx, c, nil, state.Ref{})
					}
				})
				run(func(tg *Target) { tg.Remove(ctx, gone, state.Ref{}) })
				before := readDir(t, dir)
				if !bytes.Contains(before, []byte(gone.LastName)) || !bytes.Contains(before, []byte("person-1")) {
					t.Fatalf("the files do not hold %s before the forget:\n%s", gone.Name, before)
				}
				run(func(tg *Target) {
					if err := tg.Forget(ctx, []connectors.Forgotten{{ID: gone.ID, Sent: gone}}); err != nil {
						t.Fatal(err)
					}
				})
				after := readDir(t, dir)
				for _, n := range append([]string{gone.LastName, "person-1"}, gone.Emails...) { // the URL's slug: a vCard folds the URL
					if bytes.Contains(after, []byte(n)) {
						t.Errorf("%q is left after the forget:\n%s", n, after)
					}
				}
				for _, c := range []*mapping.Contact{people[0], people[2]} {
					if !bytes.Contains(after, []byte(c.LastName)) {
						t.Errorf("%s was lost by the forget:\n%s", c.Name, after)
					}
				}
			})
		}
	}
}

// readDir is every file in dir, decoded to UTF-8 where it is UTF-16.
func readDir(t *testing.T, dir string) []byte {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(b, []byte{0xff, 0xfe}) {
			b, _ = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Bytes(b)
		}
		all = append(append(all, b...), '\n')
	}
	return all
}
