package enrich

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/mapping"
)

// TestFoldedEqualsRows holds the enrichment from folded messages
// (mapping.Messages) to the row-by-row one it replaced (reference_test.go):
// every person's values, the owner and the counts, on random rows built to
// collide: shared and duplicate names, names with ", ", URLs spelt several
// ways, group and 2018-style conversations, outgoing rows, the owner by
// URL or only by name, undated rows and rows sent in the same second.
func TestFoldedEqualsRows(t *testing.T) {
	for seed := range uint64(60) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 14))
			exp := randomExport(r)
			rows := randomRows(r, 1+r.IntN(400))
			exp.Messages = mapping.MessagesOf(rows...)
			if exp.Messages.Len() != len(rows) {
				t.Fatalf("%d rows folded, want %d", exp.Messages.Len(), len(rows))
			}
			g1, g2 := mapping.Reconcile(exp, mapping.Options{}), mapping.Reconcile(exp, mapping.Options{})
			ego1, ego2 := Enrich(g1, exp), refEnrich(g2, exp, rows)
			a, _ := json.Marshal([]any{g1.People, ego1})
			b, _ := json.Marshal([]any{g2.People, ego2})
			if !bytes.Equal(a, b) {
				t.Errorf("folded and row-by-row enrichment differ:\nfolded %s\nrows   %s", a, b)
			}
			if DetectOwner(exp) != refDetectOwner(exp, rows) {
				t.Errorf("owner %+v, row by row %+v", DetectOwner(exp), refDetectOwner(exp, rows))
			}
		})
	}
}

type who struct{ name, url string }

var (
	randPeople = func() []who {
		var ps []who
		for i, n := range []string{"Ada Quill", "Bo Ng", "Jane Doe, PhD", "Jane Doe", "Omar Haddad", "Omar Haddad", "Li Wei", "Zoë Brandt", "ana lima", "Ana Lima"} {
			u := fmt.Sprintf("https://www.linkedin.com/in/p%d", i)
			if i%4 == 3 {
				u = ""
			}
			ps = append(ps, who{n, u})
		}
		return ps
	}()
	randOwner = who{"Alex Example", "https://www.linkedin.com/in/alex"}
)

// randomExport is a few people and, sometimes, invitations that name the owner.
func randomExport(r *rand.Rand) *mapping.Export {
	exp := &mapping.Export{}
	for i, p := range randPeople {
		first, last, _ := strings.Cut(p.name, " ")
		exp.Records = append(exp.Records, &mapping.Record{Kind: mapping.KindConnection, File: "c", Line: i + 2,
			FirstName: first, LastName: last, ProfileURL: p.url})
	}
	switch r.IntN(3) {
	case 0: // invitations with the owner's URL
		exp.Invitations = []mapping.Invitation{{From: randOwner.name, FromURL: randOwner.url, To: "Bo Ng", Outgoing: true}}
	case 1: // before late 2023: names only, the URL comes from messages
		exp.Invitations = []mapping.Invitation{{From: randOwner.name, To: "Bo Ng", Outgoing: true}}
	}
	return exp
}

func randomRows(r *rand.Rand, n int) []mapping.Message {
	pick := func() who {
		switch k := r.IntN(len(randPeople) + 3); {
		case k < len(randPeople):
			return randPeople[k]
		case k == len(randPeople):
			return who{"Stranger", "https://www.linkedin.com/in/stranger"}
		}
		return randOwner
	}
	spell := func(u string) string {
		switch r.IntN(6) {
		case 0:
			return strings.TrimPrefix(u, "https://www.")
		case 1:
			return strings.ToUpper(u)
		case 2:
			return ""
		}
		return u
	}
	dates := []time.Time{{}}
	for i := range 6 {
		dates = append(dates, time.Date(2024, 6, 1+i%3, 9, 0, i, 0, time.UTC))
	}
	dates = append(dates, time.Date(2024, 6, 1, 11, 0, 0, 0, time.FixedZone("X", 7200))) // the same instant as 09:00:00 UTC
	var rows []mapping.Message
	for range n {
		from := pick()
		m := mapping.Message{From: from.name, FromURL: spell(from.url), Date: dates[r.IntN(len(dates))],
			Outgoing: from == randOwner && r.IntN(4) == 0}
		if r.IntN(8) == 0 {
			m.From = strings.ToLower(m.From)
		}
		var names []string
		for range 1 + r.IntN(3) {
			to := pick()
			names = append(names, to.name)
			if u := spell(to.url); u != "" && r.IntN(3) > 0 {
				m.ToURLs = append(m.ToURLs, u)
			}
		}
		m.To = strings.Join(names, ", ")
		if r.IntN(5) > 0 {
			m.Conversation = fmt.Sprintf("2-c%d", r.IntN(12))
		}
		rows = append(rows, m)
	}
	return rows
}

// TestIndexBuiltOnFirstLookup: the people index costs nothing until a row
// is looked up (an archive with nothing to enrich with looks up none),
// and then finds people by profile URL and by name.
func TestIndexBuiltOnFirstLookup(t *testing.T) {
	ada := &mapping.Contact{Name: "Ada Quill", ProfileURL: "https://www.linkedin.com/in/ada"}
	bo := &mapping.Contact{Name: "Bo Lind"}
	ix := newPeopleIndex([]*mapping.Contact{ada, bo}, Owner{}, newKeyCache())
	if ix.byURL != nil || ix.byName != nil {
		t.Fatal("the index was built before any lookup")
	}
	if p := ix.find("https://linkedin.com/in/ada/", ""); p != ada {
		t.Errorf("by URL: %v", p)
	}
	if p := ix.find("", "Bo Lind"); p != bo {
		t.Errorf("by name: %v", p)
	}
}
