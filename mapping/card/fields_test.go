package card

import (
	"strings"
	"testing"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/mapping"
)

// A field a target is not sent (connectors.FieldChoice empties it on the
// contact) is absent from the card, and the NOTE block says only what the
// contact holds: no "0 messages", no "invited them on .".
func TestNoteWithFieldsLeftOut(t *testing.T) {
	for _, tc := range []struct {
		name     string
		drop     func(c *mapping.Contact)
		want     []string
		unwanted []string
	}{
		{name: "everything", drop: func(*mapping.Contact) {},
			want: []string{"Last contacted on 2025-06-01 (12 messages, the last from them).", "You invited them on 2021-07-13.", "Invitation: “Hi Zoë"}},
		{name: "no invitation text", drop: func(c *mapping.Contact) { c.Fill().InvitationText = "" },
			want: []string{"You invited them on 2021-07-13."}, unwanted: []string{"Invitation:", "Hi Zoë"}},
		{name: "no message count", drop: func(c *mapping.Contact) { c.Fill().MessageCount = 0 },
			want: []string{"Last contacted on 2025-06-01 (the last from them)."}, unwanted: []string{"messages"}},
		{name: "no sender", drop: func(c *mapping.Contact) { c.Fill().LastMessageFrom = "" },
			want: []string{"Last contacted on 2025-06-01 (12 messages)."}, unwanted: []string{"the last from"}},
		{name: "neither", drop: func(c *mapping.Contact) { c.Fill().MessageCount, c.Fill().LastMessageFrom = 0, "" },
			want: []string{"Last contacted on 2025-06-01.\n"}},
		{name: "no last contact", drop: func(c *mapping.Contact) { c.Fill().LastContacted = "" },
			unwanted: []string{"Last contacted", "12 messages"}},
		{name: "no invitation date", drop: func(c *mapping.Contact) { c.Fill().InvitedOn = "" },
			want: []string{"You invited them.\n"}, unwanted: []string{"2021-07-13"}},
		{name: "no inviter", drop: func(c *mapping.Contact) { c.Fill().InvitedBy = "" },
			unwanted: []string{"invited"}},
		{name: "no notes", drop: func(c *mapping.Contact) { c.Fill().Notes = nil },
			unwanted: []string{"Note:", "coffee"}},
		{name: "no sources", drop: func(c *mapping.Contact) { c.Sources = nil },
			unwanted: []string{"Source:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := enrichedContact()
			tc.drop(c)
			n := strings.ReplaceAll(note(c), `\;`, ";")
			for _, w := range tc.want {
				if !strings.Contains(n, w) {
					t.Errorf("NOTE lacks %q:\n%s", w, n)
				}
			}
			for _, u := range tc.unwanted {
				if strings.Contains(n, u) {
					t.Errorf("NOTE holds %q:\n%s", u, n)
				}
			}
		})
	}
}

// A card synced with emails and phones, then merged with the contact
// without them (a target that now excludes them), loses the values
// linkport wrote and keeps the phone the user added.
func TestMergeFieldsLeftOut(t *testing.T) {
	base := sampleContact()
	remote := decode(t, strings.Replace(unfold(encode(t, New(base, "3.0"))), "END:VCARD\r\n", "TEL;TYPE=CELL:+1 555 0100\r\nEND:VCARD\r\n", 1))
	next := *base
	next.Emails, next.Phones = nil, nil
	merged, conflicts := Merge(remote, base, &next, "3.0", false)
	if conflicts != nil {
		t.Errorf("conflicts %q", conflicts)
	}
	if e := merged[vcard.FieldEmail]; len(e) != 0 {
		t.Errorf("EMAIL kept: %v", e[0].Value)
	}
	tels := merged[vcard.FieldTelephone]
	if len(tels) != 1 || tels[0].Value != "+1 555 0100" {
		t.Errorf("TEL %v; want only the user's +1 555 0100", values(tels))
	}
}

func values(fs []*vcard.Field) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Value)
	}
	return out
}
