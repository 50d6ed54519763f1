package linkedin_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

func mustZip(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	b, err := linkedintest.Zip(files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// prefixed moves every file under dir/ inside an export.
func prefixed(dir string, files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for n, b := range files {
		out[dir+"/"+n] = b
	}
	return out
}

// TestInputForms reads one generated export in every shape a user may hand
// over and checks every record is found, with its file and line.
func TestInputForms(t *testing.T) {
	opt := linkedintest.GenOptions{Seed: 7, Connections: 40, Contacts: 12}
	files := linkedintest.Generate(opt)
	old := linkedintest.Generate(linkedintest.GenOptions{Seed: 7, Era: linkedintest.Era2018, Connections: 40, Contacts: 12})
	withJunk := map[string][]byte{"__MACOSX/._Connections.csv": {0, 5, 22, 7}, "._Connections.csv": {0, 1}, "messages.csv": []byte("x"),
		"Jobs/Saved Jobs.csv": []byte("y")}
	for n, b := range files {
		withJunk[n] = b
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		src     func() *linkedin.Archive
		records int
		file    string // Record.File of the first record
	}{
		{"zip", func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "Basic_LinkedInDataExport_12-07-2024.zip"), mustZip(t, files)), linkedin.Options{})
		}, 52, "Connections.csv"},
		{"zip.zip", func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "Complete_LinkedInDataExport_12-07-2024.zip.zip"), mustZip(t, files)), linkedin.Options{})
		}, 52, "Connections.csv"},
		{"zip with a folder inside", func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "nested.zip"), mustZip(t, prefixed("Complete_LinkedInDataExport_12-07-2024 (1)", files))), linkedin.Options{})
		}, 52, "Complete_LinkedInDataExport_12-07-2024 (1)/Connections.csv"},
		{"zip in a zip", func() *linkedin.Archive {
			inner := mustZip(t, files)
			return linkedin.Open(writeFile(t, filepath.Join(dir, "wrapped.zip"), mustZip(t, map[string][]byte{"Basic_LinkedInDataExport_12-07-2024.zip": inner})), linkedin.Options{})
		}, 52, "Connections.csv"},
		{"zip with Finder junk and other files", func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "junk.zip"), mustZip(t, withJunk)), linkedin.Options{})
		}, 52, "Connections.csv"},
		{"2018 zip with Imported Contacts", func() *linkedin.Archive {
			return linkedin.FromZipBytes(mustZip(t, old), "2018.zip", linkedin.Options{})
		}, 52, "Connections.csv"},
		{"zip bytes", func() *linkedin.Archive {
			return linkedin.FromZipBytes(mustZip(t, files), "sample.zip", linkedin.Options{})
		}, 52, "Connections.csv"},
		{"folder", func() *linkedin.Archive {
			d := filepath.Join(dir, "unzipped")
			if err := linkedintest.WriteDir(d, files); err != nil {
				t.Fatal(err)
			}
			return linkedin.Open(d, linkedin.Options{})
		}, 52, filepath.Join(dir, "unzipped", "Connections.csv")},
		{"folder two down", func() *linkedin.Archive {
			d := filepath.Join(dir, "down")
			if err := linkedintest.WriteDir(d, prefixed("a/Complete_LinkedInDataExport (1)", files)); err != nil {
				t.Fatal(err)
			}
			return linkedin.Open(d, linkedin.Options{})
		}, 52, filepath.Join(dir, "down", "a", "Complete_LinkedInDataExport (1)", "Connections.csv")},
		{"lone Connections.csv", func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "lone", "Connections.csv"), files["Connections.csv"]), linkedin.Options{})
		}, 40, filepath.Join(dir, "lone", "Connections.csv")},
		{"lone Contacts.csv", func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "lone", "Contacts.csv"), files["Contacts.csv"]), linkedin.Options{})
		}, 12, filepath.Join(dir, "lone", "Contacts.csv")},
		{"lone CSV renamed, header decides", func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "lone", "address book.csv"), files["Contacts.csv"]), linkedin.Options{})
		}, 12, filepath.Join(dir, "lone", "address book.csv")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := tt.src().Read(context.Background())
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(exp.Records) != tt.records {
				t.Fatalf("got %d records, want %d", len(exp.Records), tt.records)
			}
			if got := exp.Records[0].File; got != tt.file {
				t.Errorf("File = %q, want %q", got, tt.file)
			}
			for _, r := range exp.Records {
				if r.Line < 2 {
					t.Fatalf("record %+v has line %d", r, r.Line)
				}
			}
		})
	}
}

// lyingFS reports every file as 10 bytes long, as a forged zip header would.
type lyingFS struct{ fstest.MapFS }

func (l lyingFS) Open(name string) (fs.File, error) {
	f, err := l.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	return lyingFile{f}, nil
}

// Stat lies the same way, so only counting the bytes read can tell.
func (l lyingFS) Stat(name string) (fs.FileInfo, error) {
	fi, err := l.MapFS.Stat(name)
	if err != nil {
		return nil, err
	}
	return lyingInfo{fi}, nil
}

type lyingFile struct{ fs.File }

func (l lyingFile) Stat() (fs.FileInfo, error) {
	fi, err := l.File.Stat()
	return lyingInfo{fi}, err
}

type lyingInfo struct{ fs.FileInfo }

func (lyingInfo) Size() int64 { return 10 }

// TestBadInput: every malformed input is an *InputError naming the file
// (and the line when a row is at fault) and saying what was expected.
func TestBadInput(t *testing.T) {
	good := linkedintest.Generate(linkedintest.GenOptions{Seed: 3, Connections: 20, Contacts: 5})
	zipped := mustZip(t, good)
	dir := t.TempDir()
	conn := func(body string) map[string][]byte {
		return map[string][]byte{"Connections.csv": []byte(body)}
	}
	bomb := bytes.Repeat([]byte("a"), 1<<20)
	tests := []struct {
		name string
		src  func() *linkedin.Archive
		file string // InputError.File
		line int
		want string // in the message
		is   error  // errors.Is target, if any
		as   any    // errors.As target, if any
	}{
		{name: "truncated zip", src: func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "Basic_LinkedInDataExport_truncated.zip"), zipped[:len(zipped)/2]), linkedin.Options{})
		}, file: filepath.Join(dir, "Basic_LinkedInDataExport_truncated.zip"), want: "truncated or corrupt"},
		{name: "corrupt entry", src: func() *linkedin.Archive {
			b := bytes.Clone(zipped)
			i := bytes.Index(b, []byte("Connections.csv")) + len("Connections.csv") + 40
			for j := i; j < i+64; j++ {
				b[j] ^= 0x5a
			}
			return linkedin.FromZipBytes(b, "corrupt.zip", linkedin.Options{})
		}, file: "Connections.csv", line: 1, want: "corrupt.zip: Connections.csv:1: read (truncated or corrupt?)"},
		{name: "zip without Connections.csv", src: func() *linkedin.Archive {
			return linkedin.FromZipBytes(mustZip(t, map[string][]byte{"Contacts.csv": good["Contacts.csv"], "messages.csv": []byte("x")}), "Basic_x.zip", linkedin.Options{})
		}, file: "Basic_x.zip", want: "Basic_x.zip: no Connections.csv found", is: linkedin.ErrNoConnections},
		{name: "folder without Connections.csv", src: func() *linkedin.Archive { return linkedin.Open(t.TempDir(), linkedin.Options{}) },
			want: "no Connections.csv found", is: linkedin.ErrNoConnections},
		{name: "zip name but not a zip", src: func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "fake.zip"), good["Connections.csv"]), linkedin.Options{})
		}, file: filepath.Join(dir, "fake.zip"), want: "not a zip archive"},
		{name: "missing path", src: func() *linkedin.Archive { return linkedin.Open(filepath.Join(dir, "nope.zip"), linkedin.Options{}) },
			file: filepath.Join(dir, "nope.zip"), want: "no such file", is: fs.ErrNotExist},
		{name: "not LinkedIn's header", src: func() *linkedin.Archive {
			return linkedin.FromFS(fstest.MapFS{"Connections.csv": {Data: []byte("Name,Email\nAda,ada@example.com\n")}}, "x", linkedin.Options{})
		}, file: "Connections.csv", want: `Connections.csv: no LinkedIn header found; expected a row starting "First Name,Last Name"`, is: linkedin.ErrNoHeader},
		{name: "contacts header wrong", src: func() *linkedin.Archive {
			return linkedin.FromZipBytes(mustZip(t, map[string][]byte{"Connections.csv": good["Connections.csv"], "Contacts.csv": []byte("who,what\n")}), "e.zip", linkedin.Options{})
		}, file: "Contacts.csv", want: `e.zip: Contacts.csv: no LinkedIn header found; expected a row starting "Source,FirstName,LastName"`, is: linkedin.ErrNoHeader},
		{name: "empty file", src: func() *linkedin.Archive {
			return linkedin.FromFS(fstest.MapFS{"Connections.csv": {}}, "x", linkedin.Options{})
		},
			file: "Connections.csv", want: "no LinkedIn header found", is: linkedin.ErrNoHeader},
		{name: "broken quote", src: func() *linkedin.Archive {
			return linkedin.FromFS(fstest.MapFS{"Connections.csv": {Data: []byte(preamble2024 +
				"Ada,Quill,,,Hooli,CTO,01 Jan 2024\nBo,Qu\"ill,,,Hooli,CTO,01 Jan 2024\n")}}, "x", linkedin.Options{})
		}, file: "Connections.csv", line: 6, want: "Connections.csv:6: broken CSV row", as: new(*csv.ParseError)},
		{name: "unterminated quote", src: func() *linkedin.Archive {
			return linkedin.FromFS(fstest.MapFS{"Contacts.csv": {Data: []byte("Source,FirstName,LastName\nGOOGLE_CONTACTS,\"Ada,Quill\nMOBILE_CONTACTS,Bo,Quill\n")},
				"Connections.csv": {Data: good["Connections.csv"]}}, "x", linkedin.Options{})
		}, file: "Contacts.csv", line: 2, want: "Contacts.csv:2: broken CSV row", as: new(*csv.ParseError)},
		{name: "UTF-16 without BOM", src: func() *linkedin.Archive {
			b := utf16LE("First Name,Last Name\nAda,Quill\n")[2:]
			return linkedin.FromFS(fstest.MapFS{"Connections.csv": {Data: b}}, "x", linkedin.Options{})
		}, file: "Connections.csv", line: 1, want: "Connections.csv:1: NUL byte: binary data or UTF-16 without a byte-order mark; expected a UTF-8 CSV"},
		{name: "zip bomb: declared size", src: func() *linkedin.Archive {
			return linkedin.FromZipBytes(mustZip(t, conn(preamble2024+string(bomb))), "bomb.zip", linkedin.Options{MaxFileSize: 64 << 10})
		}, file: "Connections.csv", want: "bomb.zip: Connections.csv: file too large: inflates to", is: linkedin.ErrTooLarge},
		{name: "zip bomb: lying size", src: func() *linkedin.Archive {
			return linkedin.FromFS(lyingFS{fstest.MapFS{"Connections.csv": {Data: bomb}}}, "x", linkedin.Options{MaxFileSize: 64 << 10})
		}, file: "Connections.csv", line: 1, want: "Connections.csv:1: file too large: inflates past the 65536-byte limit", is: linkedin.ErrTooLarge},
		{name: "lone CSV too large", src: func() *linkedin.Archive {
			return linkedin.Open(writeFile(t, filepath.Join(dir, "big", "Connections.csv"), bomb), linkedin.Options{MaxFileSize: 1000})
		}, file: filepath.Join(dir, "big", "Connections.csv"), is: linkedin.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := tt.src().Read(context.Background())
			if err == nil {
				t.Fatalf("no error; read %d records", len(exp.Records))
			}
			var ie *linkedin.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("%v (%T) is not an *InputError", err, err)
			}
			if ie.File == "" || (tt.file != "" && ie.File != tt.file) || ie.Line != tt.line {
				t.Errorf("File, Line = %q, %d; want %q, %d", ie.File, ie.Line, tt.file, tt.line)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if tt.as != nil && !errors.As(err, tt.as) {
				t.Errorf("error %q does not wrap %T", err, tt.as)
			}
		})
	}
}

// TestCancelled: a cancelled context stops the read.
func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := linkedin.FromZipBytes(mustZip(t, linkedintest.Generate(linkedintest.GenOptions{Connections: 10})), "x.zip", linkedin.Options{}).Read(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestDuplicateFiles: a second Connections.csv deeper down is ignored with a warning.
func TestDuplicateFiles(t *testing.T) {
	files := linkedintest.Generate(linkedintest.GenOptions{Seed: 1, Connections: 5})
	files["old/Connections.csv"] = []byte("garbage")
	exp, err := linkedin.FromZipBytes(mustZip(t, files), "x.zip", linkedin.Options{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Warnings) != 1 || exp.Warnings[0].File != "old/Connections.csv" {
		t.Errorf("warnings = %v, want one about old/Connections.csv", exp.Warnings)
	}
}
