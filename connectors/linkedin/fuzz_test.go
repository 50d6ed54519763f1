package linkedin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
)

// checkRead holds every read to the reader's contract: an *InputError that
// names a file, or records that all cite their file and line.
func checkRead(t *testing.T, exp *mapping.Export, err error) {
	t.Helper()
	if err != nil {
		var ie *linkedin.InputError
		if !errors.As(err, &ie) || ie.File == "" || !strings.Contains(err.Error(), ie.File) {
			t.Fatalf("error %q (%T) does not name a file", err, err)
		}
		return
	}
	for _, r := range exp.Records {
		if r.File == "" || r.Line < 1 {
			t.Fatalf("record without file:line: %+v", r)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, era := range []linkedintest.Era{linkedintest.Era2018, linkedintest.Era2021, linkedintest.Era2024} {
		files := linkedintest.Generate(linkedintest.GenOptions{Seed: 1, Era: era, Connections: 6, Contacts: 4, Overlap: 1, HiddenRate: 0.2})
		for name, b := range files {
			f.Add(b, strings.HasPrefix(name, "Connections"))
		}
	}
	for _, s := range []string{
		preamble2024 + "Bo,Qu\"ill,,,Hooli,CTO,01 Jan 2024\n",
		"Notes:;;\n\"x\";;\nFirst Name;Last Name;Connected on\nJosé;Weiß;9-Feb-26\r\n",
		"First Name,Last Name,Connected On\nA,B,\"1/2/06, 3:04 PM\"\nC,D,not a date\n,,07 Jun 2024",
		"Source,FirstName,LastName,Emails\nGOOGLE_CONTACTS,\"a,b\",c,\"x@example.com, , y@example.org\"\n",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Add(utf16LE("First Name\tLast Name\nA\tB\n"), true)
	f.Add(cp1252("First Name,Last Name\nRenée,Weiß\n"), true)
	good := linkedintest.Generate(linkedintest.GenOptions{Seed: 2, Connections: 3})["Connections.csv"]
	f.Fuzz(func(t *testing.T, data []byte, connections bool) {
		fsys := fstest.MapFS{"Connections.csv": {Data: data}}
		if !connections {
			fsys = fstest.MapFS{"Connections.csv": {Data: good}, "Contacts.csv": {Data: data}}
		}
		exp, err := linkedin.FromFS(fsys, "fuzz", linkedin.Options{}).Read(context.Background())
		checkRead(t, exp, err)
	})
}

func FuzzReadZip(f *testing.F) {
	files := linkedintest.Generate(linkedintest.GenOptions{Seed: 1, Connections: 5, Contacts: 3, Overlap: 1})
	z := mustZip(f, files)
	f.Add(z)
	f.Add(z[:len(z)/2])
	f.Add(z[:len(z)-10])
	f.Add(mustZip(f, prefixed("Complete_LinkedInDataExport_01-01-2024 (1)", files)))
	f.Add(mustZip(f, map[string][]byte{"inner.zip": z}))
	f.Add(mustZip(f, map[string][]byte{"Contacts.csv": files["Contacts.csv"]}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, b []byte) {
		exp, err := linkedin.FromZipBytes(b, "fuzz.zip", linkedin.Options{MaxFileSize: 1 << 20}).Read(context.Background())
		checkRead(t, exp, err)
	})
}
