package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestAppendSnapshot: appendSnapshot gives json.Marshal's bytes for
// states of every shape (nil and empty maps, every field of an item and
// its ref, books, cursors, tombstones, keys that need escaping), and
// knows every field of what it encodes: a field added to Snapshot,
// Target, Item or Ref fails here until appendSnapshot writes it.
func TestAppendSnapshot(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeFor[Snapshot](): {"version", "identities", "targets", "cursors", "forget_key", "tombstones"},
		reflect.TypeFor[Target]():   {"type", "items", "book"},
		reflect.TypeFor[Item]():     {"fingerprint", "ref", "removed", "remote_deleted"},
		reflect.TypeFor[Ref]():      {"href", "etag", "adopted"},
	}
	for typ, want := range known {
		var got []string
		for f := range typ.Fields() {
			if f.IsExported() {
				got = append(got, strings.Split(f.Tag.Get("json"), ",")[0])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s has the JSON fields %v; appendSnapshot writes %v", typ.Name(), got, want)
		}
	}

	odd := []string{"", "plain", "<&>", "é ü 東京", "\u2028\u2029", "tab\tnl\n", "bad\xffutf8", `quote"back\slash`}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return odd[r.IntN(len(odd))] + fmt.Sprint(r.IntN(1000)) }
	states := []*Snapshot{
		{},
		{Version: 2, Identities: map[string]string{}, Targets: map[string]*Target{}},
		{Version: 2, Targets: map[string]*Target{"nil": nil, "empty": {Type: "csv"}, "items": {Type: "csv", Items: map[string]*Item{}}}},
	}
	for range 50 {
		s := &Snapshot{Version: r.IntN(3), Identities: map[string]string{}, Targets: map[string]*Target{}}
		for range r.IntN(40) {
			s.Identities[pick()] = pick()
		}
		for range r.IntN(3) {
			tg := &Target{Type: pick(), Items: map[string]*Item{}}
			for range r.IntN(40) {
				it := &Item{Fingerprint: pick(), Removed: r.IntN(4) == 0, RemoteDeleted: r.IntN(4) == 0}
				if r.IntN(2) == 0 {
					it.Ref = Ref{Href: pick()}
				}
				if r.IntN(3) == 0 {
					it.Ref.ETag = pick()
				}
				if r.IntN(3) == 0 {
					it.Ref.Adopted = pick()
				}
				tg.Items[pick()] = it
			}
			if r.IntN(3) == 0 {
				tg.Book = &Book{CTag: pick(), SyncToken: pick(), Matches: map[string]BookMatch{pick(): {Href: pick()}}}
			}
			s.Targets[pick()] = tg
		}
		if r.IntN(2) == 0 {
			s.Cursors = map[string]string{pick(): pick()}
		}
		if r.IntN(2) == 0 {
			s.ForgetKey, s.Graves = pick(), []string{pick(), pick()}
		}
		states = append(states, s)
	}
	for i, s := range states {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendSnapshot(nil, s)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("state %d: appendSnapshot (%v)\n%s\njson.Marshal\n%s", i, err, got, want)
		}
	}
}
