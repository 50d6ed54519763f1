package mapping

import (
	"slices"
	"testing"
)

// TestFieldsOrder: Fields' names and order are what diffs, reports and
// webhook payloads have always carried.
func TestFieldsOrder(t *testing.T) {
	want := []string{"name", "first_name", "last_name", "profile_url", "emails",
		"email_status", "phones", "company", "title", "addresses", "sites", "connected_on", "sources",
		"last_contacted", "message_count", "last_message_from", "invited_by", "invited_on", "invitation_text",
		"notes", "endorsed_you", "you_endorsed", "recommended_you", "you_recommended",
		"previous_positions", "email_last_seen", "phone_last_seen"}
	var got []string
	for _, f := range (&Contact{}).Fields() {
		got = append(got, f.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Fields names\n got %q\nwant %q", got, want)
	}
}

func TestFieldSpecValues(t *testing.T) {
	c := &Contact{ID: "x1", Name: "Zoë Doe", Emails: []string{"a@x.org", "b@x.org"}, EmailStatus: EmailPresent,
		Phones: []Phone{{Raw: "+49 30 123456", E164: "+4930123456"}, {Raw: "030 1 ext. 2"}}, Extra: &Extra{MessageCount: 3}}
	tests := []struct {
		field  string
		value  string
		values []string
	}{
		{"id", "x1", []string{"x1"}},
		{"name", "Zoë Doe", []string{"Zoë Doe"}},
		{"title", "", nil},
		{"emails", "a@x.org; b@x.org", []string{"a@x.org", "b@x.org"}},
		{"email_status", "present", []string{"present"}},
		{"phones", "+49 30 123456; 030 1 ext. 2", []string{"+49 30 123456", "030 1 ext. 2"}},
		{"phones_e164", "+4930123456; ", []string{"+4930123456", ""}},
		{"phones_intl", "+4930123456; 030 1 ext. 2", []string{"+4930123456", "030 1 ext. 2"}},
		{"message_count", "3", []string{"3"}},
		{"sites", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			f, ok := LookupField(tt.field)
			if !ok {
				t.Fatalf("no field %q", tt.field)
			}
			if got := f.Value(c); got != tt.value {
				t.Errorf("Value = %q, want %q", got, tt.value)
			}
			if got := f.Values(c); !slices.Equal(got, tt.values) {
				t.Errorf("Values = %q, want %q", got, tt.values)
			}
		})
	}
	if _, ok := LookupField("nope"); ok {
		t.Error("LookupField found an unknown name")
	}
}

// TestCatalogue: names are unique, every field documents itself, and a
// vCard property carries one field only.
func TestCatalogue(t *testing.T) {
	names, props := map[string]bool{}, map[string]string{}
	for _, f := range Catalogue() {
		if names[f.Name] || f.Doc == "" {
			t.Errorf("field %q repeated or undocumented", f.Name)
		}
		names[f.Name] = true
		for _, p := range f.Card {
			if other, ok := props[p.Name]; ok {
				t.Errorf("%s carries both %s and %s", p.Name, other, f.Name)
			}
			props[p.Name] = f.Name
		}
	}
	cat := Catalogue()
	cat[1].Card[0].Name = "changed"
	if Catalogue()[1].Card[0].Name == "changed" {
		t.Error("Catalogue hands out the catalogue itself")
	}
}
