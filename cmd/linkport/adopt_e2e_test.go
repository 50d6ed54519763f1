package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"

	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/carddav/carddavtest"
	"github.com/linkport/linkport/connectors/carddav/davmem"
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
		// diff reads the book: the people it plans to link are not among its creates.
		d := decodeAdoptReport(t, "diff", "-c", cfg, "--format", "json").Targets[0]
		if d.Adopted != len(before) {
			t.Fatalf("diff plans to link %d cards, want %d", d.Adopted, len(before))
		}
		people := d.Create + d.Adopted

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

// adoptReport is the JSON report's target part with the adoption figures.
type adoptReport struct {
	Targets []struct {
		Create, Unchanged int
		Adopted           int `json:"adopted"`
		MatchedCertain    int `json:"matched_certain"`
		MatchedPossible   int `json:"matched_possible"`
		RemoteChanged     []struct {
			Name    string
			Deleted bool
		} `json:"remote_changed"`
		Changes []struct {
			ID, Name, Status string
		}
	}
}

func decodeAdoptReport(t *testing.T, args ...string) adoptReport {
	t.Helper()
	code, stdout, stderr := runCLI(t, args...)
	var r adoptReport
	if code != exitOK || json.Unmarshal([]byte(stdout), &r) != nil || len(r.Targets) != 1 {
		t.Fatalf("exit %d, report %s: %s", code, stdout, stderr)
	}
	return r
}

// TestAdoptCLI walks a user through suggest (the default): diff and sync
// name the people already in the book and create none of them; adopt
// lists them, --accept links one, --reject gives another a card of its
// own; a card the user deletes on the phone is named by the next sync.
func TestAdoptCLI(t *testing.T) {
	// go-webdav's server behind a handler that counts what reaches it.
	backend := davmem.NewBackend()
	bookPath := backend.AddBook("linkedin", "LinkedIn")
	var requests atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		backend.Handler().ServeHTTP(w, r)
	}))
	defer hs.Close()
	srv := struct{ BookURL string }{hs.URL + bookPath}
	dir := env(t)
	network := linkedintest.New(linkedintest.GenOptions{Seed: 5, Connections: 60})
	src := filepath.Join(dir, "export")
	writeExport(t, src, network)
	bk := book{url: srv.BookURL}
	before := fillUserCards(t, bk.client(t), urlPath(srv.BookURL), network)
	if len(before) < 5 {
		t.Fatalf("only %d user cards", len(before))
	}
	cfg, statePath := davConfig(t, dir, "adopt", src, "    url: "+srv.BookURL+"\n")

	diff := decodeAdoptReport(t, "diff", "-c", cfg, "--format", "json")
	tr := diff.Targets[0]
	if tr.MatchedCertain != len(before) || tr.Create == 0 {
		t.Fatalf("diff: %d certain matches and %d creates; want %d matches", tr.MatchedCertain, tr.Create, len(before))
	}
	people := tr.Create + tr.MatchedCertain + tr.MatchedPossible

	code, stdout, stderr := runCLI(t, "sync", "-c", cfg)
	if code != exitOK || !strings.Contains(stdout, fmt.Sprintf("already in your book: %d certain, 0 possible", len(before))) {
		t.Fatalf("sync: exit %d: %s%s", code, stdout, stderr)
	}
	if linked, total := checkUserCards(t, bk.client(t), urlPath(srv.BookURL), before); linked != 0 || total != people {
		t.Errorf("suggest linked %d user cards and the book holds %d; want none and %d", linked, total, people)
	}

	code, stdout, _ = runCLI(t, "adopt", "-c", cfg)
	if code != exitOK || strings.Count(stdout, "waiting") != len(before) {
		t.Fatalf("adopt lists: exit %d\n%s", code, stdout)
	}
	snap, err := state.Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	pending := snap.Targets["phone"].Book.Pending()
	if code, _, stderr := runCLI(t, "adopt", "-c", cfg, "--accept", pending[0]); code != exitOK {
		t.Fatalf("adopt --accept: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "adopt", "-c", cfg, "--reject", pending[1]); code != exitOK {
		t.Fatalf("adopt --reject: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "adopt", "-c", cfg, "--accept", "0123456789abcdef"); code != exitUsage || !strings.Contains(stderr, "no card") {
		t.Errorf("adopt --accept of an unknown ID: exit %d: %s", code, stderr)
	}

	r := decodeAdoptReport(t, "sync", "-c", cfg, "--format", "json")
	tr = r.Targets[0]
	if tr.Adopted != 1 || tr.Create != 1 || tr.MatchedCertain != len(before)-2 {
		t.Errorf("sync after the decisions: %d adopted, %d created, %d still matched; want 1, 1, %d", tr.Adopted, tr.Create, tr.MatchedCertain, len(before)-2)
	}
	if linked, total := checkUserCards(t, bk.client(t), urlPath(srv.BookURL), before); linked != 1 || total != people+1 {
		t.Errorf("after the decisions %d user cards are linked and the book holds %d; want 1 and %d", linked, total, people+1)
	}

	// The phone deletes a card linkport made: the next sync says so.
	snap, err = state.Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	var gone, goneName string
	for id, it := range snap.Targets["phone"].Items {
		if it.Ref.Adopted == "" && id != pending[1] {
			gone = it.Ref.Href
			c, _ := snap.Contact(it)
			goneName = c.Name
			break
		}
	}
	if err := bk.client(t).RemoveAll(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	r = decodeAdoptReport(t, "sync", "-c", cfg, "--format", "json")
	if rc := r.Targets[0].RemoteChanged; len(rc) != 1 || rc[0].Name != goneName || !rc[0].Deleted {
		t.Errorf("remote_changed = %+v, want %s deleted", rc, goneName)
	}

	// Nothing changed on either side: at most 2 requests (discovery and
	// the one listing the waiting matches need; this server has no getctag).
	requests.Store(0)
	r = decodeAdoptReport(t, "sync", "-c", cfg, "--format", "json")
	if n := requests.Load(); n > 2 || len(r.Targets[0].RemoteChanged) != 0 || r.Targets[0].Create+r.Targets[0].Adopted != 0 {
		t.Errorf("no-op sync: %d requests, report %+v; want at most 2 and nothing done", n, r.Targets[0])
	}
}
