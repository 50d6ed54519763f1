package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"

	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// userNote is what the user wrote on each of their cards.
const userNote = "Lent me a book in 2019."

// fillUserCards puts a card of the user's for every fifth connection into
// the book: the profile URL as the phone spells it (no www., a trailing
// slash), a phone and a note of theirs. It returns the cards' ETags by href.
func fillUserCards(t *testing.T, c *carddav.Client, bookPath string, n *linkedintest.Network) map[string]string {
	t.Helper()
	etags := map[string]string{}
	for i, conn := range n.Connections {
		if i%5 != 0 || conn.Hidden || conn.URL == "" {
			continue
		}
		v := vcard.Card{}
		v.SetValue(vcard.FieldVersion, "3.0")
		v.SetValue(vcard.FieldUID, fmt.Sprintf("user-card-%d", i))
		v.SetValue(vcard.FieldFormattedName, conn.FirstName+" "+conn.LastName)
		v.SetValue(vcard.FieldName, conn.LastName+";"+conn.FirstName+";;;")
		v.SetValue(vcard.FieldTelephone, fmt.Sprintf("+1 202 555 %04d", i))
		v.SetValue(vcard.FieldNote, userNote)
		v.SetValue(vcard.FieldURL, strings.Replace(conn.URL, "://www.", "://", 1)+"/")
		href := fmt.Sprintf("%suser-%d.vcf", bookPath, i)
		o, err := c.PutAddressObject(context.Background(), href, v)
		if err != nil {
			t.Fatalf("phone PUT %s: %v", href, err)
		}
		etags[href] = o.ETag
	}
	return etags
}

// checkUserCards asserts that every card of the user's is untouched or
// wholly linked (never half-merged), that no person is in the book twice,
// and returns how many were linked.
func checkUserCards(t *testing.T, c *carddav.Client, bookPath string, before map[string]string) (linked, total int) {
	t.Helper()
	objs, err := c.QueryAddressBook(context.Background(), bookPath, &carddav.AddressBookQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil {
		t.Fatalf("list book: %v", err)
	}
	byID := map[string]string{}
	for _, o := range objs {
		id := o.Card.Value(card.FieldLinkportID)
		if prev, dup := byID[id]; dup && id != "" {
			t.Errorf("person %s is in the book twice: %s and %s", id, prev, o.Path)
		}
		byID[id] = o.Path
		etag, mine := before[o.Path]
		if !mine {
			continue
		}
		hasBlock := strings.Contains(o.Card.Value(vcard.FieldNote), card.NoteBlockStart)
		switch {
		case o.ETag == etag:
			continue // untouched
		case id == "" || o.Card.Value(cd.FieldAdopted) == "" || !hasBlock || !slices.Contains(card.Categories(o.Card), card.CategoryLinkedIn):
			t.Errorf("card %s is half-merged: id %q, adopted %q, note %q", o.Path, id, o.Card.Value(cd.FieldAdopted), o.Card.Value(vcard.FieldNote))
		case !strings.HasPrefix(o.Card.Value(vcard.FieldNote), userNote) || !strings.HasPrefix(o.Card.Value(vcard.FieldTelephone), "+1 202 555"):
			t.Errorf("card %s lost what the user wrote: %v", o.Path, o.Card)
		}
		linked++
	}
	return linked, len(objs)
}

// TestAdoptLinkCrash kills `linkport sync` (adopt: link) with SIGKILL
// after a random number of confirmed writes into a book the user filled,
// then runs it again: no card of the user's is ever half-merged, every one
// ends linked, and no person is in the book twice.
func TestAdoptLinkCrash(t *testing.T) {
	r := carddavtest.StartRadicale(t)
	dir := env(t)
	rnd := rand.New(rand.NewPCG(20261201, 11))
	trials := 3
	if testing.Short() {
		trials = 1
	}
	network := linkedintest.New(linkedintest.GenOptions{Seed: 11, Connections: 200})
	src := filepath.Join(dir, "export")
	writeExport(t, src, network)
	for trial := range trials {
		name := fmt.Sprintf("adopt-%d", trial)
		bookURL, err := r.NewBook(name, name)
		if err != nil {
			t.Fatal(err)
		}
		bk := book{url: bookURL, user: r.User}
		before := fillUserCards(t, bk.client(t), urlPath(bookURL), network)
		cfg, statePath := davConfig(t, dir, name, src, fmt.Sprintf("    url: %s\n    username: %s\n    adopt: link\n", bookURL, r.User))
		code, stdout, stderr := runBinary(t, dir, "diff", "-c", cfg, "--format", "json")
		if code != exitOK {
			t.Fatalf("diff: exit %d: %s", code, stderr)
		}
		people := decodeDAVReport(t, stdout).Targets[0].Create

		confirmed, finished := killedSync(t, dir, cfg, statePath, afterWrites(statePath, 1+rnd.IntN(people-1)),
			time.Duration(rnd.IntN(5))*time.Millisecond)
		linked, total := checkUserCards(t, bk.client(t), urlPath(bookURL), before)
		t.Logf("%s: killed after %d confirmed writes (finished=%v): %d of %d user cards linked, %d cards", name, confirmed, finished, linked, len(before), total)

		resync(t, dir, cfg, statePath)
		linked, total = checkUserCards(t, bk.client(t), urlPath(bookURL), before)
		if linked != len(before) || total != people {
			t.Errorf("%s: after the re-run %d of %d user cards are linked and the book holds %d cards; want all and %d", name, linked, len(before), total, people)
		}
		snap, err := state.Load(statePath)
		if err != nil {
			t.Fatal(err)
		}
		adopted := 0
		for _, it := range snap.Targets["phone"].Items {
			if _, ok := before[it.Ref.Href]; ok && it.Ref.Adopted != "" {
				adopted++
			}
		}
		if items := len(snap.Targets["phone"].Items); adopted != len(before) || items != people {
			t.Errorf("%s: the state holds %d items, %d of them adopted; want %d and %d", name, items, adopted, people, len(before))
		}
		planNothing(t, dir, cfg, people)
	}
}
