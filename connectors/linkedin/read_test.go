package linkedin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var update = flag.Bool("update", false, "rewrite golden files and the bundled sample")

var _ connectors.Source = (*linkedin.Archive)(nil)

// Byte-level shapes real exports and their re-saves take.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }
func bom(s string) []byte  { return append([]byte("\uFEFF"), s...) }
func utf16LE(s string) []byte {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}
func cp1252(s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

// readFiles reads files through FromFS, as a folder or an unpacked zip.
func readFiles(t *testing.T, files map[string][]byte) (*mapping.Export, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for n, b := range files {
		fsys[n] = &fstest.MapFile{Data: b}
	}
	return linkedin.FromFS(fsys, "export", linkedin.Options{}).Read(context.Background())
}

// golden compares v, as indented JSON, with testdata/name.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", name, path, got)
	}
}

const preamble2024 = linkedintest.Preamble + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"

// TestFormats reads one hand-made file per era and re-save shape and
// compares the records with golden files.
func TestFormats(t *testing.T) {
	tests := []struct {
		name  string
		files map[string][]byte
		// spot checks on top of the golden file
		records, hidden, warnings int
	}{
		{name: "connections_2018", records: 2, files: map[string][]byte{"Connections.csv": []byte(
			"First Name,Last Name,Email Address,Company,Position,Connected On\n" +
				"Zoë,Fontaine,zoe@example.com,\"Acme, Inc.\",CTO,\"4/12/17, 9:05 PM\"\n" +
				"Kofi,Abara,kofi@example.org,Initech,Engineer,\"11/3/16, 10:30 AM\"")}},
		{name: "connections_2021_preamble", records: 2, hidden: 1, files: map[string][]byte{"Connections.csv": []byte(
			linkedintest.Preamble + "First Name,Last Name,Email Address,Company,Position,Connected On\n" +
				"Søren,\"Eklund, PhD\",,\"Soylent \"\"Green\"\" Foods\",Designer,08 Feb 2021\n" +
				",,,,,07 Jun 2021")}},
		{name: "connections_2024_extra_column", records: 3, hidden: 1, files: map[string][]byte{"Connections.csv": []byte(
			preamble2024 + "Priya,Rossi,https://www.linkedin.com/in/priya-rossi-1a2b,,Hooli,PM,01 Mar 2024,extra\n" +
				"Łukasz,Dąbrowski,https://www.linkedin.com/in/%C5%82ukasz-d%C4%85browski-9f,lukasz@example.net,,,15 Jan 2023\n" +
				",,,,,,07 Jun 2022\n")}},
		{name: "connections_columns_reordered", records: 1, files: map[string][]byte{"Connections.csv": []byte(
			"First Name,Last Name,Connected On,Position,Company,Email Address,URL,Notes\n" +
				"Aiko,Tanaka,02 Jan 2020,Founder,Pied Piper,,https://www.linkedin.com/in/aiko-tanaka,hello\n")}},
		{name: "connections_bom_crlf", records: 1, files: map[string][]byte{"Connections.csv": bom(string(crlf(
			preamble2024 + "Mia,Moreau,https://www.linkedin.com/in/mia-moreau,,Initech,CTO,09 Feb 2026\n")))}},
		{name: "connections_utf16_tab", records: 1, files: map[string][]byte{"Connections.csv": utf16LE(
			"\"First Name\"\t\"Last Name\"\t\"URL\"\t\"Email Address\"\t\"Company\"\t\"Position\"\t\"Connected On\"\r\n" +
				"\"美咲\"\t\"佐藤\"\t\"https://www.linkedin.com/in/misaki\"\t\"\"\t\"株式会社サンプル\"\t\"CEO\"\t\"03 Mar 2022\"\r\n")}},
		{name: "connections_excel_semicolon_cp1252", records: 2, warnings: 1, files: map[string][]byte{"Connections.csv": cp1252(string(crlf(
			"Notes:;;;;;;\n\"When exporting your connection data, you may notice; that some are missing\";;;;;;\n;;;;;;\n" +
				"First Name;Last Name;URL;Email Address;Company;Position;Connected on\n" +
				"José;Müller;https://www.linkedin.com/in/jose-muller;;Müller & Söhne;Geschäftsführer;23-Nov-21\n" +
				"Renée;Weiß;;;Café Crème;Barista;9-Feb-26\n;;;;;;\n")))}},
		{name: "connections_excel_notes_cells", records: 1, files: map[string][]byte{"Connections.csv": []byte(
			"Notes:,,,,,,\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\",,,,,,\n,,,,,,\n" +
				"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" +
				"Noah,Petrov,https://www.linkedin.com/in/noah-petrov,,Oscorp,Analyst,1/2/2024\n")}},
		{name: "connections_bad_date", records: 2, warnings: 1, files: map[string][]byte{"Connections.csv": []byte(
			preamble2024 + "Liam,Quill,https://www.linkedin.com/in/liam-quill,,Hooli,CTO,03 Mär 2024\n" +
				"Emma,Quill,https://www.linkedin.com/in/emma-quill,,Hooli,CEO,2024-03-04\n")}},
		{name: "contacts_2024", records: 4, files: map[string][]byte{
			"Connections.csv": []byte(preamble2024 + "Omar,Haddad,https://www.linkedin.com/in/omar-haddad,,Initech,CTO,01 Jan 2024"),
			"Contacts.csv": []byte("Source,FirstName,LastName,Companies,Title,Emails,PhoneNumbers,CreatedAt,Addresses,Sites,InstantMessageHandles,FullName,Birthday,Location,BookmarkedAt,Profiles\n" +
				"GOOGLE_CONTACTS,Omar,Haddad,Initech,,\"omar@example.com, o.haddad@example.org\",\" +44 20 7946 0001, +1 202-555-0100\",\"6/17/20, 1:55 PM\",\"1 Example Street, Springfield City:Springfield State: Country:US Postal Code:00001 Type:HOME Primary:true\",\"https://omar.example.com/, https://blog.example.org/\",,,,,,http://linkedin.com/in/omar-haddad/\n" +
				"MOBILE_CONTACTS,Ingrid,,,,,+1 202-555-0101,\"6/17/20, 1:56 PM\",,,,,,,,\n" +
				"YAHOO_CONTACTS,,,,,,,,,,,Mary Kate Quill,,,,\n")}},
		{name: "contacts_2018_imported", records: 2, files: map[string][]byte{
			"Connections.csv": []byte("First Name,Last Name,Email Address,Company,Position,Connected On\nAmara,Okafor,amara@example.com,Globex,VP,\"1/5/18, 8:00 AM\""),
			"Imported Contacts.csv": []byte("First Name,Last Name,Companies,Title,Email Address,Phone Numbers,Created At,Instant Message Handles,Addresses,Sites,Full Name,Birthday,Location,Bookmarked At,Profiles\n" +
				"Amara,Okafor,Globex,VP,\"AMARA@example.com, amara.o@example.net\",+1 202-555-0199,\"3/1/18, 9:00 AM\",,,,Amara Okafor,,,,\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := readFiles(t, tt.files)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			hidden := 0
			for _, r := range exp.Records {
				if r.Hidden {
					hidden++
				}
				if r.File == "" || r.Line < 1 {
					t.Errorf("record without file:line: %+v", r)
				}
			}
			if len(exp.Records) != tt.records || hidden != tt.hidden || len(exp.Warnings) != tt.warnings {
				t.Errorf("records, hidden, warnings = %d, %d, %d; want %d, %d, %d (warnings: %v)",
					len(exp.Records), hidden, len(exp.Warnings), tt.records, tt.hidden, tt.warnings, exp.Warnings)
			}
			golden(t, tt.name, exp)
		})
	}
}

// TestRecordFields pins the mapping of one row of each kind field by field.
func TestRecordFields(t *testing.T) {
	exp, err := readFiles(t, map[string][]byte{
		"Connections.csv": []byte(preamble2024 +
			"Zoë,\"Nakamura, PhD\",https://www.linkedin.com/in/zo%C3%AB-nakamura-1,zoe@example.com,\"Acme, Inc.\",\"Head of Sales, EMEA\",08 Feb 2026\n" +
			",,,,,,07 Jun 2026"),
		"Contacts.csv": []byte("Source,FirstName,LastName,Companies,Title,Emails,PhoneNumbers,CreatedAt,Addresses,Sites,InstantMessageHandles,FullName,Birthday,Location,BookmarkedAt,Profiles\n" +
			"GOOGLE_CONTACTS,Kofi,Abara,Initech,CTO,\"kofi@example.com, k.abara@example.org\",\" +44 20 7946 0001, +1 202-555-0100\",\"6/17/20, 1:55 PM\",\"1 Example Street, Springfield City:Springfield State:IL Country:US Postal Code:62701 Type:HOME Primary:true\",https://kofi.example.com/,,Kofi Abara,,,,https://www.linkedin.com/in/kofi-abara\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []mapping.Record{
		{Kind: mapping.KindConnection, File: "Connections.csv", Line: 5, FirstName: "Zoë", LastName: "Nakamura, PhD",
			ProfileURL: "https://www.linkedin.com/in/zo%C3%AB-nakamura-1", Emails: []string{"zoe@example.com"},
			Company: "Acme, Inc.", Title: "Head of Sales, EMEA", ConnectedOn: time.Date(2026, 2, 8, 0, 0, 0, 0, time.UTC)},
		{Kind: mapping.KindConnection, File: "Connections.csv", Line: 6, Hidden: true, ConnectedOn: time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)},
		{Kind: mapping.KindContact, File: "Contacts.csv", Line: 2, FirstName: "Kofi", LastName: "Abara", FullName: "Kofi Abara",
			ProfileURL: "https://www.linkedin.com/in/kofi-abara", Emails: []string{"kofi@example.com", "k.abara@example.org"},
			Company: "Initech", Title: "CTO", Reach: &mapping.Reach{Phones: []string{"+44 20 7946 0001", "+1 202-555-0100"},
				Addresses: []string{"1 Example Street, Springfield, IL 62701, US"}, Sites: []string{"https://kofi.example.com/"},
				PostalAddresses: []mapping.Address{{Street: "1 Example Street", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}}},
			Origin: "GOOGLE_CONTACTS"},
	}
	got, _ := json.Marshal(exp.Records)
	w, _ := json.Marshal(want)
	if !bytes.Equal(got, w) {
		t.Errorf("records\n got %s\nwant %s", got, w)
	}
}
