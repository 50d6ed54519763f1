package card

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/mapping"
)

// historyContact is sampleContact after two job changes, with its second
// email kept from an earlier export.
func historyContact() *mapping.Contact {
	c := sampleContact()
	c.Fill().Previous = []mapping.Position{
		{Title: "Engineer", Company: "Acme; Research, Inc.", Until: "2026-03-01"},
		{Title: "Intern", Company: "Globex", Until: "2021-09-15"},
	}
	c.Fill().EmailLastSeen = "2019-05-01"
	return c
}

func TestHistoryLines(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mapping.Contact)
		want []string
	}{
		{name: "no history", edit: func(*mapping.Contact) {}},
		{name: "positions newest first, to the month",
			edit: func(c *mapping.Contact) { c.Fill().Previous = historyContact().Extras().Previous },
			want: []string{"Previously: Engineer at Acme; Research, Inc., until 2026-03.", "Previously: Intern at Globex, until 2021-09."}},
		{name: "title or company alone",
			edit: func(c *mapping.Contact) {
				c.Fill().Previous = []mapping.Position{{Title: "Freelancer", Until: "2024-01-31"}, {Company: "Initech", Until: "2020-02-02"}}
			},
			want: []string{"Previously: Freelancer, until 2024-01.", "Previously: Initech, until 2020-02."}},
		{name: "an empty position says nothing; an undated one no date",
			edit: func(c *mapping.Contact) {
				c.Fill().Previous = []mapping.Position{{Until: "2024-01-31"}, {Title: "Analyst", Company: "Umbrella"}}
			},
			want: []string{"Previously: Analyst at Umbrella."}},
		{name: "control characters cleaned",
			edit: func(c *mapping.Contact) {
				c.Fill().Previous = []mapping.Position{{Title: "Head\nof\tSales\u202e", Company: "Evil\x00 Corp", Until: "2025-12-31"}}
			},
			want: []string{"Previously: Head of Sales at Evil  Corp, until 2025-12."}},
		{name: "last-known email and phone",
			edit: func(c *mapping.Contact) { c.Fill().EmailLastSeen, c.Fill().PhoneLastSeen = "2019-05-01", "2022-11-30" },
			want: []string{"Email last seen in the 2019-05-01 export.", "Phone last seen in the 2022-11-30 export."}},
		{name: "a last-seen date without the value says nothing",
			edit: func(c *mapping.Contact) {
				c.Emails, c.Phones, c.Fill().EmailLastSeen, c.Fill().PhoneLastSeen = nil, nil, "2019-05-01", "2019-05-01"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleContact()
			tt.edit(c)
			if got := HistoryLines(c); !slices.Equal(got, tt.want) {
				t.Errorf("HistoryLines = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestNoteHistory: the NOTE block carries the history after what the rest
// of the archive says and before the source line; without history it is
// the block linkport has always written.
func TestNoteHistory(t *testing.T) {
	plain := note(sampleContact())
	if strings.Contains(plain, "Previously") || strings.Contains(plain, "last seen") {
		t.Fatalf("a contact without history has history in its block:\n%s", plain)
	}
	got := note(historyContact())
	want := NoteBlockStart + "\n" +
		"Connected on LinkedIn on 2021-07-14.\n" +
		`Previously: Engineer at Acme\; Research, Inc., until 2026-03.` + "\n" +
		"Previously: Intern at Globex, until 2021-09.\n" +
		"Email last seen in the 2019-05-01 export.\n" +
		"Source: LinkedIn export (connection, contact:GOOGLE_CONTACTS), synced by linkport.\n" +
		NoteBlockEnd
	if got != want {
		t.Errorf("block:\n%s\nwant:\n%s", got, want)
	}
	// The escaped ";" decodes back to the text, and the whole card reads back as built.
	card := New(historyContact(), "3.0")
	back := decode(t, encode(t, card))
	if n := back.Value(vcard.FieldNote); n != got {
		t.Errorf("NOTE reads back as\n%q\nwant\n%q", n, got)
	}
	checkWritten(t, encode(t, card))
}

// TestMergeHistory: a job change reaches the card's NOTE block with the
// user's own text around it, and their separate NOTE, untouched; a second
// run with nothing new writes nothing.
func TestMergeHistory(t *testing.T) {
	before := sampleContact() // as last sent: no history yet
	moved := historyContact()
	moved.Company, moved.Title = "Initech", "CTO"
	again := historyContact() // and then a second change
	again.Fill().Previous = append([]mapping.Position{{Title: "CTO", Company: "Initech", Until: "2026-11-01"}}, again.Extras().Previous...)
	again.Company, again.Title = "Umbrella", "CEO"

	around := func(block string) string { return "Call after 5pm.\n" + block + "\nAsk about the boat." }
	tests := []struct {
		name    string
		remote  []string // NOTE values on the server
		base, c *mapping.Contact
		want    []string
	}{
		{name: "history arrives, user text around the block kept",
			remote: []string{around(note(before))}, base: before, c: moved, want: []string{around(note(moved))}},
		{name: "history arrives, separate user NOTE kept",
			remote: []string{"my own note", note(before)}, base: before, c: moved, want: []string{"my own note", note(moved)}},
		{name: "a later job change adds a line",
			remote: []string{around(note(moved))}, base: moved, c: again, want: []string{around(note(again))}},
		{name: "history gone (on_missing: clear): back to the plain block",
			remote: []string{around(note(moved))}, base: moved, c: before, want: []string{around(note(before))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card := New(tt.base, "3.0")
			delete(card, vcard.FieldNote)
			for _, n := range tt.remote {
				card.Add(vcard.FieldNote, &vcard.Field{Value: n})
			}
			remote := decode(t, encode(t, card)) // as the server returns it
			got, conflicts := Merge(remote, tt.base, tt.c, "3.0", false)
			got = decode(t, encode(t, got))
			if vals := got.Values(vcard.FieldNote); !reflect.DeepEqual(vals, tt.want) {
				t.Errorf("NOTE = %q\nwant %q", vals, tt.want)
			}
			if conflicts != nil {
				t.Errorf("conflicts %q, want none", conflicts)
			}
			// the next run: the server holds the merge, linkport last sent tt.c
			twice, conflicts := Merge(got, tt.c, tt.c, "3.0", false)
			if encode(t, twice) != encode(t, got) || conflicts != nil {
				t.Errorf("a second merge changed the card (conflicts %q):\n%s\nwas\n%s", conflicts, encode(t, twice), encode(t, got))
			}
		})
	}
}
