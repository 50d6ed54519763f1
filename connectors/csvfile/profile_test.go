package csvfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestProfilesLoad(t *testing.T) {
	want := []string{"generic", "google", "hubspot", "insightly", "keap", "nimble", "outlook",
		"pipedrive", "salesforce", "salesforce-leads", "twenty", "vcard", "zoho"}
	if got := Profiles(); !slices.Equal(got, want) {
		t.Fatalf("Profiles() = %v, want %v", got, want)
	}
	for _, name := range want {
		p, err := LoadProfile(name)
		if err != nil {
			t.Errorf("LoadProfile(%q): %v", name, err)
			continue
		}
		if p.Name != name || p.Description == "" {
			t.Errorf("%s: name %q, description %q", name, p.Name, p.Description)
		}
	}
}

// Limits from the research note (crm-csv-formats.md §14).
func TestRowLimits(t *testing.T) {
	for name, want := range map[string]int{"salesforce": 50000, "salesforce-leads": 50000,
		"twenty": 10000, "keap": 5000, "pipedrive": 50000, "zoho": 10000, "generic": 0} {
		if got := mustProfile(t, name).RowLimit; got != want {
			t.Errorf("%s row_limit = %d, want %d", name, got, want)
		}
	}
}

func TestLoadProfileFromPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "my-crm.yaml")
	yaml := "description: mine\nencoding: utf-16le\ndelimiter: \"\\t\"\ncolumns:\n  - {header: Who, field: name}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := LoadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "my-crm" || p.Encoding != EncodingUTF16LE || p.Delimiter != "\t" || p.LineEnding != "lf" {
		t.Errorf("loaded %+v", p)
	}
	if _, err := LoadProfile(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestLoadProfileErrors(t *testing.T) {
	_, err := LoadProfile("sugarcrm")
	if err == nil || !strings.Contains(err.Error(), `"sugarcrm"`) || !strings.Contains(err.Error(), "hubspot") {
		t.Errorf("unknown built-in: %v; want the name and the built-in list", err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "descripton: x\ncolumns: [{header: A, field: name}]\n", "descripton"},
		{"unknown column key", "columns: [{header: A, feild: name}]\n", "feild"},
		{"empty", "", "empty"},
		{"no columns", "description: x\n", "no columns"},
		{"unknown field", "columns: [{header: A, field: nickname}]\n", `unknown field "nickname"`},
		{"bad encoding", "encoding: latin9\ncolumns: [{header: A, field: name}]\n", "latin9"},
		{"bad line ending", "line_ending: cr\ncolumns: [{header: A, field: name}]\n", "line_ending"},
		{"bad delimiter", "delimiter: ';;'\ncolumns: [{header: A, field: name}]\n", "delimiter"},
		{"negative limit", "row_limit: -1\ncolumns: [{header: A, field: name}]\n", "row_limit"},
		{"duplicate header", "columns: [{header: A, field: name}, {header: A, field: title}]\n", "twice"},
		{"no header", "columns: [{field: name}]\n", "no header"},
		{"index on single", "columns: [{header: A, field: name, index: 1}]\n", "list fields"},
		{"index and from", "columns: [{header: A, field: emails, index: 1, from: 2}]\n", "index picks one"},
		{"layout elsewhere", "columns: [{header: A, field: name, layout: '2006'}]\n", "layout"},
		{"list fallback", "columns: [{header: A, field: name, fallback: emails}]\n", "fallback"},
		{"vcard with columns", "format: vcard\ncolumns: [{header: A, field: name}]\n", "no columns"},
		{"opt-in constant", "columns: [{header: Email Opt In, value: 'yes'}]\n", "not consent"},
		{"marketing default", "columns: [{header: Marketing contact status, field: title, default: Marketing}]\n", "not consent"},
		{"subscribed constant", "columns: [{header: Subscription, value: Subscribed}]\n", "not consent"},
		{"opt-out constant", "columns: [{header: Email Opt Out, value: '0'}]\n", "not consent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProfile([]byte(tc.yaml), "x", "my-crm.yaml")
			if err == nil {
				t.Fatalf("loaded; want an error mentioning %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "my-crm.yaml") {
				t.Errorf("error %q: want it to name the file and %q", err, tc.want)
			}
		})
	}
}

// TestFields: the catalogue plus the profile's own fields are exactly the
// names profiles have always been able to use.
func TestFields(t *testing.T) {
	want := []string{"addresses", "company", "connected_on", "description", "email_last_seen", "email_status", "emails",
		"endorsed_you", "first_name", "id", "invitation_text", "invited_by", "invited_on", "job_changed_on", "last_contacted",
		"last_message_from", "last_name", "message_count", "name", "note", "notes", "phone_last_seen", "phones", "phones_e164",
		"phones_intl", "previous_company", "previous_positions", "previous_title", "profile_url", "recommended_you",
		"sites", "source_label", "sources", "tags", "title", "you_endorsed", "you_recommended"}
	if got := Fields(); !slices.Equal(got, want) {
		t.Errorf("Fields()\n got %q\nwant %q", got, want)
	}
}
