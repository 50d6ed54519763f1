package csvfile

import (
	"slices"
	"testing"

	"github.com/linkport/linkport/mapping"
)

func TestNeutralize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Jean-Luc Picard", "Jean-Luc Picard"},
		{"O'Brien", "O'Brien"},
		{"=1+1", "'=1+1"},
		{`=HYPERLINK("http://evil.example")`, `'=HYPERLINK("http://evil.example")`},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"+Evil Corp", "'+Evil Corp"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"}, // Excel would show 1
		{"-A1", "'-A1"},
		{"-SUM(1)", "'-SUM(1)"},
		{"\tTab", "'\tTab"},
		{"\rCR", "'\rCR"},
		{"＝1+1", "'＝1+1"},
		{"＠SUM(1)", "'＠SUM(1)"},
		// Phones and lone signs stay intact: a CRM would store the apostrophe.
		{"+44 20 7946 0958", "+44 20 7946 0958"},
		{"+1 (555) 010-0001", "+1 (555) 010-0001"},
		{"+49.30.1234567", "+49.30.1234567"},
		{"-", "-"},
		{"+", "+"},
		{"- ", "'- "},
		{"+44 20 CALL", "'+44 20 CALL"},
		// An invisible character does not hide a formula; nor does a newline.
		{"\u200b=1+1", "'\u200b=1+1"},
		{"\u202e=HYPERLINK(1)", "'\u202e=HYPERLINK(1)"},
		{"\ufeff@SUM(1)", "'\ufeff@SUM(1)"},
		{"\u200b+44 20 7946 0958", "\u200b+44 20 7946 0958"},
		{"met at a fair\n=cmd|' /C calc'!A0", "met at a fair\n'=cmd|' /C calc'!A0"},
		{"=1\n@2\nfine", "'=1\n'@2\nfine"},
		{"two\nlines", "two\nlines"},
	} {
		if got := Neutralize(tc.in); got != tc.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCells(t *testing.T) {
	c := &mapping.Contact{ID: "x1", Name: "Ada Lovelace", Emails: []string{"a@x", "b@x", "c@x"},
		Phones:      []mapping.Phone{{Raw: "020 7946 0958", E164: "+442079460958"}, {Raw: "555 0102"}},
		ConnectedOn: "2024-03-09", Sources: []string{"connection"}}
	none := &mapping.Contact{ID: "x2", Name: "Solo", ConnectedOn: "not a date"}
	p := &Profile{Tags: []string{"* myContacts", "LinkedIn"}, NoEmailTag: DefaultNoEmailTag}
	for _, tc := range []struct {
		name     string
		col      Column
		c        *mapping.Contact
		want     string
		wantNone string
	}{
		{"single", Column{Field: "name"}, c, "Ada Lovelace", "Solo"},
		{"index", Column{Field: "emails", Index: 2}, c, "b@x", ""},
		{"index past end", Column{Field: "emails", Index: 4}, c, "", ""},
		{"from", Column{Field: "emails", From: 2}, c, "b@x; c@x", ""},
		{"from past end", Column{Field: "emails", From: 4}, c, "", ""},
		{"join", Column{Field: "emails", Join: " ::: "}, c, "a@x ::: b@x ::: c@x", ""},
		{"json", Column{Field: "emails", From: 2, JSON: true}, c, `["b@x","c@x"]`, ""},
		{"phones raw", Column{Field: "phones", Index: 1}, c, "020 7946 0958", ""},
		{"phones e164 unknown", Column{Field: "phones_e164", Index: 2}, c, "", ""},
		{"phones intl", Column{Field: "phones_intl", Join: ","}, c, "+442079460958,555 0102", ""},
		{"layout", Column{Field: "connected_on", Layout: "01/02/2006"}, c, "03/09/2024", "not a date"},
		{"label", Column{Field: "emails", Index: 1, Value: "* Other"}, c, "* Other", ""},
		{"constant", Column{Value: "LinkedIn"}, c, "LinkedIn", "LinkedIn"},
		{"empty column", Column{}, c, "", ""},
		{"fallback", Column{Field: "last_name", Fallback: "name"}, c, "Ada Lovelace", "Solo"},
		{"default", Column{Field: "company", Default: "[not provided]"}, c, "[not provided]", "[not provided]"},
		{"source", Column{Field: "source_label"}, c, "LinkedIn export 2026-11-20", "LinkedIn export 2026-11-20"},
		{"tags", Column{Field: "tags", Join: " ::: "}, c, "* myContacts ::: LinkedIn",
			"* myContacts ::: LinkedIn ::: LinkedIn: no email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			col := resolve(&tc.col)
			if got := col.cell(p, tc.c, "LinkedIn export 2026-11-20"); got != tc.want {
				t.Errorf("cell = %q, want %q", got, tc.want)
			}
			if got := col.cell(p, none, "LinkedIn export 2026-11-20"); got != tc.wantNone {
				t.Errorf("cell of a bare contact = %q, want %q", got, tc.wantNone)
			}
		})
	}
}

func TestRowNeutralises(t *testing.T) {
	p := &Profile{Columns: []Column{{Header: "=Head", Field: "name"}, {Header: "Phone", Field: "phones", Index: 1}}}
	c := &mapping.Contact{Name: "=1+1", Phones: []mapping.Phone{{Raw: "+44 20 7946 0958"}}}
	if got, want := p.rower().row(c, ""), []string{"'=1+1", "+44 20 7946 0958"}; !slices.Equal(got, want) {
		t.Errorf("Row = %q, want %q", got, want)
	}
	if got := p.Header(); got[0] != "'=Head" {
		t.Errorf("Header = %q: a user's header must be neutralised too", got)
	}
}

// TestEnrichedCells: what the rest of the archive adds reaches the generic
// columns and the CRMs' free-text note columns; a person without it keeps
// the plain source label.
func TestEnrichedCells(t *testing.T) {
	c := &mapping.Contact{ID: "x", Name: "Ann Lee", Extra: &mapping.Extra{LastContacted: "2025-06-01", MessageCount: 3, LastMessageFrom: "them",
		InvitedBy: "me", InvitedOn: "2020-01-02", Notes: []string{"Owes me a coffee", "=cmd"}, EndorsedYou: []string{"Go", "SQL"}}}
	plain := &mapping.Contact{ID: "y", Name: "Bo Ng"}
	cell := func(profile, header string, c *mapping.Contact) string {
		p := mustProfile(t, profile)
		i := slices.Index(p.Header(), header)
		if i < 0 {
			t.Fatalf("%s has no column %q", profile, header)
		}
		return p.rower().row(c, "LinkedIn export 2026-01-01")[i]
	}
	tests := []struct{ profile, header, want string }{
		{"generic", "last_contacted", "2025-06-01"},
		{"generic", "message_count", "3"},
		{"generic", "last_message_from", "them"},
		{"generic", "invited_by", "me"},
		{"generic", "notes", "Owes me a coffee\n'=cmd"}, // an importer splitting the cell would run it
		{"generic", "endorsed_you", "Go; SQL"},
		{"google", "Notes", "LinkedIn export 2026-01-01\nLast contacted on 2025-06-01 (3 messages, the last from them).\n" +
			"You invited them on 2020-01-02.\nNote: Owes me a coffee\nNote: =cmd\nEndorsed you for: Go, SQL."},
		{"pipedrive", "Note", "LinkedIn export 2026-01-01\nLast contacted on 2025-06-01 (3 messages, the last from them).\n" +
			"You invited them on 2020-01-02.\nNote: Owes me a coffee\nNote: =cmd\nEndorsed you for: Go, SQL."},
	}
	for _, tt := range tests {
		if got := cell(tt.profile, tt.header, c); got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.profile, tt.header, got, tt.want)
		}
	}
	if got := cell("google", "Notes", plain); got != "LinkedIn export 2026-01-01" {
		t.Errorf("plain contact's Notes = %q", got)
	}
	if got := cell("generic", "message_count", plain); got != "" {
		t.Errorf("plain contact's message_count = %q", got)
	}
}
