package connectors

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/linkport/linkport/mapping"
)

// fullContact has a value in every field a target can receive.
func fullContact() *mapping.Contact {
	return &mapping.Contact{
		ID: "c1", Name: "Ada Lovelace", FirstName: "Ada", LastName: "Lovelace",
		ProfileURL: "https://www.linkedin.com/in/ada", Emails: []string{"ada@example.org"}, EmailStatus: mapping.EmailPresent,
		Phones:  []mapping.Phone{{Raw: "+44 20 7946 0000", E164: "+442079460000"}},
		Company: "Analytical Engines", Title: "Programmer",
		Whereabouts: &mapping.Whereabouts{Addresses: []string{"12 Example Street, London"},
			PostalAddresses: []mapping.Address{{Street: "12 Example Street", City: "London"}},
			Sites:           []string{"https://ada.example.org"}},
		ConnectedOn: "2024-03-01", Sources: []string{"connection"},
		Extra: &mapping.Extra{LastContacted: "2026-01-02", MessageCount: 3, LastMessageFrom: "them",
			InvitedBy: "them", InvitedOn: "2024-02-28", InvitationText: "Hi Ada, let's connect.",
			Notes: []string{"met at the meetup"}, EndorsedYou: []string{"Go"}, YouEndorsed: []string{"Maths"},
			RecommendedYou: "2025-01-01", YouRecommended: "yes",
			Previous:      []mapping.Position{{Title: "Analyst", Company: "Difference Engines", Until: "2025-06-01"}},
			EmailLastSeen: "2025-06-01", PhoneLastSeen: "2025-06-01"},
		Keys: mapping.KeysOf("url:ada"),
	}
}

// jsonKeys are the keys of c's JSON form (what the sent store keeps and a
// webhook sends), sorted.
func jsonKeys(t *testing.T, c *mapping.Contact) []string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k, v := range m {
		if v != nil && v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// The test contact fills every field of Contact's JSON form, so a field
// added to Contact fails here until the shape (and this test) knows it.
func TestFullContactIsFull(t *testing.T) {
	var want []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[mapping.Contact]()) {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "-" && !f.Anonymous {
			want = append(want, name)
		}
	}
	sort.Strings(want)
	if got := jsonKeys(t, fullContact()); !slices.Equal(got, want) {
		t.Errorf("the full contact has JSON keys\n%v\nwant every field of Contact\n%v", got, want)
	}
}

// Every canonical field is mandatory, derived from another or choosable,
// and only catalogue fields are choosable.
func TestEveryFieldHasARule(t *testing.T) {
	for _, f := range mapping.Catalogue() {
		_, clearable := clearers[f.Name]
		kinds := 0
		for _, b := range []bool{slices.Contains(mandatoryFields, f.Name), derivedFields[f.Name] != "", clearable} {
			if b {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("field %s is in %d of mandatory, derived and choosable; want exactly one", f.Name, kinds)
		}
	}
	for name := range clearers {
		if _, ok := mapping.LookupField(name); !ok {
			t.Errorf("clearer for %q, which is no canonical field", name)
		}
	}
}

func TestFieldChoiceShape(t *testing.T) {
	all := append(ChoosableFields(), "invitation_text")
	for _, tc := range []struct {
		name   string
		choice FieldChoice
		// gone are the JSON keys the shaped contact lacks.
		gone []string
		// only, if set, are the JSON keys it has, all of them.
		only []string
	}{
		{name: "default", gone: []string{"invitation_text"}},
		{name: "empty exclude is the default", choice: FieldChoice{Exclude: []string{}}, gone: []string{"invitation_text"}},
		{name: "exclude emails and phones", choice: FieldChoice{Exclude: []string{"emails", "phones"}},
			gone: []string{"emails", "email_last_seen", "phones", "phone_last_seen", "invitation_text"}},
		{name: "exclude the private ones", choice: FieldChoice{Exclude: []string{"notes", "last_contacted", "message_count", "last_message_from"}},
			gone: []string{"notes", "last_contacted", "message_count", "last_message_from", "invitation_text"}},
		{name: "exclude addresses takes the parts too", choice: FieldChoice{Exclude: []string{"addresses"}},
			gone: []string{"addresses", "postal_addresses", "invitation_text"}},
		{name: "include a few", choice: FieldChoice{Include: []string{"company", "title"}},
			only: []string{"company", "email_status", "id", "name", "sources", "title"}},
		{name: "include nothing: the mandatory fields", choice: FieldChoice{Include: []string{}},
			only: []string{"email_status", "id", "name", "sources"}},
		{name: "include names a mandatory field", choice: FieldChoice{Include: []string{"name", "emails"}},
			only: []string{"email_status", "emails", "id", "name", "sources"}},
		{name: "include invitation_text", choice: FieldChoice{Include: []string{"name", "invitation_text"}},
			only: []string{"email_status", "id", "invitation_text", "name", "sources"}},
		{name: "include everything", choice: FieldChoice{Include: all}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shape, err := tc.choice.Shape()
			if err != nil {
				t.Fatal(err)
			}
			c := fullContact()
			before, _ := json.Marshal(c)
			got := shape(c)
			if after, _ := json.Marshal(c); string(after) != string(before) {
				t.Fatalf("the shape changed its argument:\n%s\n%s", before, after)
			}
			keys := jsonKeys(t, got)
			if tc.only != nil && !slices.Equal(keys, tc.only) {
				t.Errorf("keys %v, want %v", keys, tc.only)
			}
			full := jsonKeys(t, c)
			for _, k := range full {
				if slices.Contains(tc.gone, k) == slices.Contains(keys, k) && tc.only == nil {
					t.Errorf("key %s: present %v, want %v", k, slices.Contains(keys, k), !slices.Contains(tc.gone, k))
				}
			}
			if tc.only == nil && len(tc.gone) == 0 {
				if got != c || mapping.Fingerprint(got) != mapping.Fingerprint(c) {
					t.Error("a shape that drops nothing is not the contact itself")
				}
			}
			// What stays is byte for byte what the contact holds.
			var g, w map[string]json.RawMessage
			b, _ := json.Marshal(got)
			json.Unmarshal(b, &g)
			json.Unmarshal(before, &w)
			for k, v := range g {
				if string(v) != string(w[k]) {
					t.Errorf("kept field %s is %s, was %s", k, v, w[k])
				}
			}
		})
	}
}

// A contact without any of the dropped fields is given as it is: no copy,
// and the same fingerprint, so a target sees no change for them.
func TestShapeKeepsWhatHasNothingToDrop(t *testing.T) {
	shape, _ := FieldChoice{Exclude: []string{"emails"}}.Shape()
	c := &mapping.Contact{ID: "c2", Name: "Bob", EmailStatus: mapping.EmailHidden, Sources: []string{"connection"}}
	if shape(c) != c {
		t.Error("a contact with nothing to drop was copied")
	}
}

func TestFieldChoiceErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		choice  FieldChoice
		want    string
		unknown bool
	}{
		{name: "exclude id", choice: FieldChoice{Exclude: []string{"id"}}, want: `fields.exclude: "id" is sent to every target`},
		{name: "exclude name", choice: FieldChoice{Exclude: []string{"emails", "name"}}, want: `fields.exclude: "name" is sent to every target`},
		{name: "exclude sources", choice: FieldChoice{Exclude: []string{"sources"}}, want: `"sources" is sent to every target`},
		{name: "both", choice: FieldChoice{Include: []string{"emails"}, Exclude: []string{"phones"}}, want: "include and exclude together"},
		{name: "both, one empty", choice: FieldChoice{Include: []string{}, Exclude: []string{"phones"}}, want: "include and exclude together"},
		{name: "unknown", choice: FieldChoice{Exclude: []string{"emial"}}, want: `fields.exclude: "emial" is not a field (fields: first_name`, unknown: true},
		{name: "unknown in include", choice: FieldChoice{Include: []string{"Emails"}}, want: `fields.include: "Emails" is not a field`, unknown: true},
		{name: "derived", choice: FieldChoice{Exclude: []string{"phones_e164"}}, want: `"phones_e164" is a form of "phones" and goes with it: name "phones"`},
		{name: "derived history", choice: FieldChoice{Include: []string{"job_changed_on"}}, want: `name "previous_positions"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.choice.Shape()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			fe, ok := err.(*FieldError)
			if ok != (tc.want != "include and exclude together") || (ok && fe.Unknown != tc.unknown) {
				t.Errorf("error %#v: FieldError %v, Unknown want %v", err, ok, tc.unknown)
			}
		})
	}
}

// on_missing: clear reads the last-seen dates, so it runs before the field
// choice: a target with clear whose fields leave out email_last_seen still
// gets no last-known email.
func TestShapeComposesWithClearLastKnown(t *testing.T) {
	kept := fullContact()
	kept.Emails, kept.EmailStatus = []string{"old@example.org"}, mapping.EmailHidden
	fresh := fullContact()
	fresh.Fill().EmailLastSeen, fresh.Fill().PhoneLastSeen = "", ""
	noDates, _ := FieldChoice{Exclude: []string{"email_last_seen", "phone_last_seen"}}.Shape()
	withText, _ := FieldChoice{Include: append(ChoosableFields(), "invitation_text")}.Shape()
	for _, tc := range []struct {
		name       string
		shape      func(*mapping.Contact) *mapping.Contact
		c          *mapping.Contact
		emails     int
		phones     int
		invitation bool
		seen       bool // the last-seen dates reach the target
	}{
		{name: "clear, then fields", shape: ComposeShapes(ClearLastKnown, noDates), c: kept},
		{name: "clear alone", shape: ComposeShapes(ClearLastKnown, nil), c: kept, invitation: true},
		{name: "clear keeps the latest export's values", shape: ComposeShapes(ClearLastKnown, noDates), c: fresh, emails: 1, phones: 1},
		{name: "keep, then fields", shape: ComposeShapes(nil, noDates), c: kept, emails: 1, phones: 1},
		{name: "clear with invitation text", shape: ComposeShapes(ClearLastKnown, withText), c: kept, invitation: true},
		{name: "default", shape: ComposeShapes(nil, DefaultShape()), c: kept, emails: 1, phones: 1, seen: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := json.Marshal(tc.c)
			got := tc.shape(tc.c)
			if after, _ := json.Marshal(tc.c); string(after) != string(before) {
				t.Fatal("the composed shape changed its argument")
			}
			if len(got.Emails) != tc.emails || len(got.Phones) != tc.phones || (got.Extras().InvitationText != "") != tc.invitation {
				t.Errorf("emails %v, phones %v, invitation %q; want %d, %d, %v", got.Emails, got.Phones, got.Extras().InvitationText, tc.emails, tc.phones, tc.invitation)
			}
			if seen := got.Extras().EmailLastSeen != "" && got.Extras().PhoneLastSeen != ""; seen != tc.seen || (!seen && got.Extras().EmailLastSeen+got.Extras().PhoneLastSeen != "") {
				t.Errorf("last-seen dates %q, %q; want them sent: %v", got.Extras().EmailLastSeen, got.Extras().PhoneLastSeen, tc.seen)
			}
		})
	}
	if ComposeShapes(nil, nil) != nil {
		t.Error("no shapes composed into one")
	}
}

// The off-by-default fields are choosable, so an include can name them.
func TestOffByDefaultAreChoosable(t *testing.T) {
	for _, n := range OffByDefault() {
		if !slices.Contains(ChoosableFields(), n) {
			t.Errorf("%s is off by default but cannot be included", n)
		}
	}
}

// BenchmarkDefaultShape shapes a person without invitation text, as most
// are: the default shape gives them back as they are.
func BenchmarkDefaultShape(b *testing.B) {
	shape := DefaultShape()
	c := &mapping.Contact{ID: "0123456789abcdef", Name: "Ada Lovelace", Company: "Analytical Engines", Sources: []string{"connection"}}
	for b.Loop() {
		if shape(c) != c {
			b.Fatal("a contact without invitation text was copied")
		}
	}
}
