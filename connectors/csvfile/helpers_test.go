package csvfile

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixtures are the golden-file contacts: the conformance fixture plus the
// cases a CRM file gets wrong.
func fixtures() []*mapping.Contact {
	people := []*mapping.Contact{connectortest.Person(0), connectortest.Person(1), connectortest.Person(2)}
	return append(people,
		&mapping.Contact{ // typed by a stranger to run in Excel
			ID: "formula0000000001", Name: `=HYPERLINK("http://evil.example","click")`,
			FirstName: "=cmd|' /C calc'!A0", LastName: "@SUM(A1:A9)",
			ProfileURL: "https://www.linkedin.com/in/formula", Company: "+Evil Corp", Title: "-2+3",
			EmailStatus: mapping.EmailHidden, Sources: []string{"connection"}, ConnectedOn: "2023-11-20",
		},
		&mapping.Contact{
			ID: "unicode000000001", Name: "Zoë Ångström-Łukasiewicz", FirstName: "Zoë", LastName: "Ångström-Łukasiewicz",
			ProfileURL: "https://www.linkedin.com/in/zo%C3%AB", Emails: []string{"zoe@example.org"},
			EmailStatus: mapping.EmailPresent, Phones: []mapping.Phone{{Raw: "+44 20 7946 0958", E164: "+442079460958"}},
			Company: "株式会社例", Title: "Ingénieure, \"Lead\"", ConnectedOn: "2021-02-03", Sources: []string{"connection"},
		},
		&mapping.Contact{ // an imported contact without any address
			ID: "noemail000000001", Name: "Nadia Noemail", FirstName: "Nadia", LastName: "Noemail",
			EmailStatus: mapping.EmailNone, Phones: []mapping.Phone{{Raw: "030 1234567"}},
			Title: "-", Sources: []string{"contact:GOOGLE_CONTACTS"},
		},
		&mapping.Contact{
			ID: "several000000001", Name: "Sam Several", FirstName: "Sam", LastName: "Several",
			ProfileURL: "https://www.linkedin.com/in/sam-several",
			Emails:     []string{"sam@work.example", "sam@home.example", "s@old.example", "sam@fourth.example"},
			Phones: []mapping.Phone{{Raw: "+1 (555) 010-0001", E164: "+15550100001"}, {Raw: "555 0102"},
				{Raw: "+49 30 1234567", E164: "+49301234567"}, {Raw: "0800 FLOWERS"}},
			EmailStatus: mapping.EmailPresent, Company: "Several & Sons", Title: "Owner",
			Whereabouts: &mapping.Whereabouts{Addresses: []string{"1 Main St\nSpringfield", "PO Box 7"}, Sites: []string{"https://several.example"}},
			ConnectedOn: "2020-01-31", Sources: []string{"connection", "contact:OUTLOOK"},
		},
		&mapping.Contact{ // one name only, no company: CRMs that require a last name
			ID: "mononym000000001", Name: "Madonna", EmailStatus: mapping.EmailHidden,
			Sources: []string{"connection"}, ConnectedOn: "2019-06-01",
		},
	)
}

// readFile decodes a written CSV file back: the BOM (UTF-8 or UTF-16) is
// honoured, windows-1252 is decoded when the profile says so.
func readFile(t *testing.T, p *Profile, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	return decodeCSV(t, p, b, path)
}

func decodeCSV(t *testing.T, p *Profile, b []byte, name string) [][]string {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	if p.Encoding == EncodingWindows1252 {
		r = transform.NewReader(r, charmap.Windows1252.NewDecoder())
	} else {
		r = transform.NewReader(r, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
	}
	cr := csv.NewReader(r)
	cr.Comma, _ = utf8.DecodeRuneInString(p.Delimiter)
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("read back %s: %v", name, err)
	}
	return rows
}

// readParts reads every part of a (possibly split) output; the first row
// of each part must be the header.
func readParts(t *testing.T, p *Profile, path string, parts int) [][]string {
	t.Helper()
	var out [][]string
	for _, pp := range PartPaths(path, parts) {
		rows := readFile(t, p, pp)
		if len(rows) == 0 || strings.Join(rows[0], "|") != strings.Join(p.Header(), "|") {
			t.Fatalf("%s: header %q, want %q", pp, rows[0], p.Header())
		}
		out = append(out, rows[1:]...)
	}
	return out
}

// column returns the values of the named column, header excluded.
func column(t *testing.T, p *Profile, rows [][]string, header string) []string {
	t.Helper()
	for i, h := range p.Header() {
		if h == header {
			out := make([]string, len(rows))
			for j, r := range rows {
				out[j] = r[i]
			}
			return out
		}
	}
	t.Fatalf("profile %s has no column %q", p.Name, header)
	return nil
}

// readVCards decodes a .vcf bundle into display names by linkport ID.
func readVCards(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	defer f.Close()
	cards, err := card.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	out := map[string]string{}
	for _, c := range cards {
		if v := c.Value("VERSION"); v != "3.0" {
			t.Errorf("card VERSION %q, want 3.0", v)
		}
		id := c.Value(card.FieldLinkportID)
		if _, dup := out[id]; dup {
			t.Errorf("%s holds contact %s twice", path, id)
		}
		out[id] = c.Value("FN")
	}
	return out
}

func mustProfile(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := LoadProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// many returns n distinct people, a third of them with email.
func many(n int) []*mapping.Contact {
	out := make([]*mapping.Contact, n)
	for i := range out {
		c := &mapping.Contact{
			ID: fmt.Sprintf("gen%08d", i), Name: fmt.Sprintf("Gen Person %d", i),
			FirstName: "Gen", LastName: fmt.Sprintf("Person %d", i),
			ProfileURL: fmt.Sprintf("https://www.linkedin.com/in/gen-%d", i),
			Company:    fmt.Sprintf("Company %d", i%97), Title: "Engineer",
			ConnectedOn: "2024-05-06", Sources: []string{"connection"}, EmailStatus: mapping.EmailHidden,
		}
		if i%3 == 0 {
			c.Emails, c.EmailStatus = []string{fmt.Sprintf("gen%d@example.org", i)}, mapping.EmailPresent
		}
		out[i] = c
	}
	return out
}
