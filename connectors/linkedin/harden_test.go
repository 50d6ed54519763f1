package linkedin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/mapping"
)

// TestDecodePerLine: a UTF-8 file with one stray non-UTF-8 line keeps every
// other line UTF-8 and names the stray line; a file that is Windows-1252 as
// a whole is decoded whole, with one warning.
func TestDecodePerLine(t *testing.T) {
	header := "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
	var utf8Rows strings.Builder
	for i := range 37 {
		fmt.Fprintf(&utf8Rows, "Anna,Müller,https://www.linkedin.com/in/anna-mueller-%d,,Bäckerei,Chefin,01 Jan 2024\n", i)
	}
	stray := []byte("Stray,\xE9\xDF\x81\x8D,,,,,02 Jan 2024\n")
	tests := []struct {
		name     string
		data     []byte
		muller   int               // records whose last name is exactly "Müller"
		warnings []mapping.Warning // exactly
	}{
		{name: "one stray row in a UTF-8 file", data: append([]byte(header+utf8Rows.String()), stray...), muller: 37,
			warnings: []mapping.Warning{{File: "Connections.csv", Line: 39, Msg: "not UTF-8; this line decoded as Windows-1252, the rest of the file as UTF-8"}}},
		{name: "Windows-1252 as a whole", data: cp1252(header + utf8Rows.String()), muller: 37,
			warnings: []mapping.Warning{{File: "Connections.csv", Msg: "not UTF-8; decoded as Windows-1252 (re-saved by Excel?)"}}},
		{name: "mostly Windows-1252", data: append(cp1252(header+utf8Rows.String()), "Zoë,Übel,,,,,03 Jan 2024\n"...), muller: 37,
			warnings: append([]mapping.Warning{{File: "Connections.csv", Msg: "mostly not UTF-8: 37 lines decoded as Windows-1252 (re-saved by Excel?), 1 lines read as UTF-8"}},
				func() []mapping.Warning {
					var ws []mapping.Warning
					for l := 2; l < 22; l++ {
						ws = append(ws, mapping.Warning{File: "Connections.csv", Line: l, Msg: "not UTF-8; this line decoded as Windows-1252, the rest of the file as UTF-8"})
					}
					return append(ws, mapping.Warning{File: "Connections.csv", Msg: "17 more lines decoded as Windows-1252 not listed"})
				}()...)},
		{name: "plain UTF-8", data: []byte(header + utf8Rows.String()), muller: 37},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := readFiles(t, map[string][]byte{"Connections.csv": tt.data})
			if err != nil {
				t.Fatal(err)
			}
			muller := 0
			for _, r := range exp.Records {
				if r.LastName == "Müller" {
					muller++
				}
				if strings.Contains(r.LastName, "Ã") {
					t.Errorf("line %d garbled: %q", r.Line, r.LastName)
				}
			}
			if muller != tt.muller {
				t.Errorf("%d records named Müller, want %d", muller, tt.muller)
			}
			if fmt.Sprint(exp.Warnings) != fmt.Sprint(tt.warnings) {
				t.Errorf("warnings\n got %v\nwant %v", exp.Warnings, tt.warnings)
			}
		})
	}
}

// TestBidiStripped: bidi overrides and isolates never reach a record or an
// enrichment row.
func TestBidiStripped(t *testing.T) {
	exp, err := readFiles(t, map[string][]byte{
		"Connections.csv": []byte(preamble2024 + "\u202EAda,Love\u2066lace\u2069,https://www.linkedin.com/in/ada,,\u202AAcme\u202C,\u2067CTO\u2068,01 Jan 2024\n"),
		"Contacts.csv":    []byte("Source,FirstName,LastName,Companies,Title,Emails\nGOOGLE_CONTACTS,\u202BBo,Quill\u202D,Ini\u202Etech,Boss,bo@example.com\n"),
		"Notes.csv":       []byte("Connection First Name,Connection Last Name,Connection Profile URL,Note\nAda,Lovelace,https://www.linkedin.com/in/ada,\u202Egnol\u202C note\n"),
		"Invitations.csv": []byte("From,To,Sent At,Message,Direction\n\u202EAda Lovelace,Me,\"1/2/24, 3:04 PM\",hi \u2066there\u2069,INCOMING\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range exp.Records {
		got = append(got, r.FirstName, r.LastName, r.Company, r.Title)
	}
	for _, n := range exp.Notes {
		got = append(got, n.Text)
	}
	for _, i := range exp.Invitations {
		got = append(got, i.From, i.Text)
	}
	want := []string{"Ada", "Lovelace", "Acme", "CTO", "Bo", "Quill", "Initech", "Boss", "gnol note", "Ada Lovelace", "hi there"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("fields\n got %q\nwant %q", got, want)
	}
}

// TestBounds: a huge line or row is refused naming file and line, too many
// people rows are refused, an archive over its inflate budget is refused
// before anything is inflated, and an enrichment file larger than the people
// limit is read (it is streamed, with no size stop of its own).
func TestBounds(t *testing.T) {
	good := []byte(preamble2024 + "Ada,Quill,,,Hooli,CTO,01 Jan 2024\n")
	msgHeader := "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
	msgRow := func(i int, content string) string {
		return fmt.Sprintf("c%d,,Bo Quill,https://www.linkedin.com/in/bo,Ada Quill,2024-06-01 14:03:22 UTC,,%s,INBOX\n", i, content)
	}
	var honest strings.Builder
	honest.WriteString(msgHeader)
	for i := 0; honest.Len() < 2<<20; i++ {
		honest.WriteString(msgRow(i, strings.Repeat("lorem ipsum ", 50)))
	}
	manyPeople := []byte("First Name,Last Name\n" + strings.Repeat("a,b\n", 200_001))
	tests := []struct {
		name  string
		src   func() *linkedin.Archive
		file  string
		line  int
		want  string // in the error; "" for a read that must succeed
		count int    // messages read when it succeeds
	}{
		{name: "9 MiB cell on one line", src: func() *linkedin.Archive {
			return linkedin.FromFS(fstest.MapFS{"Connections.csv": {Data: good},
				"messages.csv": {Data: []byte(msgHeader + msgRow(1, "hi") + msgRow(2, strings.Repeat("x", 9<<20)))}}, "x", linkedin.Options{})
		}, file: "messages.csv", line: 3, want: "messages.csv:3: file too large: a line runs past 8388608 bytes"},
		{name: "9 MiB quoted cell over many lines", src: func() *linkedin.Archive {
			return linkedin.FromFS(fstest.MapFS{"Connections.csv": {Data: good},
				"messages.csv": {Data: []byte(msgHeader + msgRow(1, "\""+strings.Repeat("line\n", 2<<20)+"\""))}}, "x", linkedin.Options{})
		}, file: "messages.csv", line: 1677707, want: "messages.csv:1677707: file too large: a CSV row runs past 8388608 bytes"},
		{name: "too many people rows", src: func() *linkedin.Archive {
			return linkedin.FromFS(fstest.MapFS{"Connections.csv": {Data: manyPeople}}, "x", linkedin.Options{})
		}, file: "Connections.csv", line: 200_002, want: "more than 200000 rows in Connections.csv and Contacts.csv together"},
		{name: "archive over its inflate budget", src: func() *linkedin.Archive {
			return linkedin.FromZipBytes(mustZip(t, map[string][]byte{"Connections.csv": good, "messages.csv": []byte(honest.String())}),
				"bomb.zip", linkedin.Options{MaxInflate: 1 << 20})
		}, file: "messages.csv", want: "bomb.zip: messages.csv: file too large: inflates to"},
		{name: "messages larger than the people limit", src: func() *linkedin.Archive {
			return linkedin.FromZipBytes(mustZip(t, map[string][]byte{"Connections.csv": good, "messages.csv": []byte(honest.String())}),
				"big.zip", linkedin.Options{MaxFileSize: 64 << 10})
		}, count: strings.Count(honest.String(), "\n") - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := tt.src().Read(context.Background())
			if tt.want == "" {
				if err != nil || exp.Messages.Len() != tt.count {
					t.Fatalf("err %v, %d messages; want nil, %d", err, exp.Messages.Len(), tt.count)
				}
				return
			}
			var ie *linkedin.InputError
			if !errors.As(err, &ie) || ie.File != tt.file || ie.Line != tt.line {
				t.Fatalf("err = %v; want an *InputError at %s:%d", err, tt.file, tt.line)
			}
			if !errors.Is(err, linkedin.ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q is not ErrTooLarge saying %q", err, tt.want)
			}
		})
	}
}

// endlessFS serves a messages.csv that never ends and cancels the read
// once a few MiB have gone by.
type endlessFS struct {
	fstest.MapFS
	cancel context.CancelFunc
}

func (e endlessFS) Open(name string) (fs.File, error) {
	if name != "messages.csv" {
		return e.MapFS.Open(name)
	}
	return &endlessFile{cancel: e.cancel}, nil
}

func (e endlessFS) Stat(name string) (fs.FileInfo, error) {
	if name != "messages.csv" {
		return e.MapFS.Stat(name)
	}
	return (&endlessFile{}).Stat()
}

type endlessFile struct {
	n      int
	cancel context.CancelFunc
}

func (f *endlessFile) Read(p []byte) (int, error) {
	if f.n == 0 {
		f.n = 1
		return copy(p, "FROM,DATE\n"), nil
	}
	if f.n += len(p); f.n > 4<<20 {
		f.cancel()
	}
	return copy(p, bytes.Repeat([]byte("Bo,2024-06-01 14:03:22 UTC\n"), len(p)/27+1)), nil
}

func (f *endlessFile) Stat() (fs.FileInfo, error) {
	return fstest.MapFS{"messages.csv": {ModTime: time.Time{}}}.Stat("messages.csv")
}
func (f *endlessFile) Close() error { return nil }

// TestCancelMidRead: cancelling ends a read that would otherwise never
// end, as a cancellation, not as bad input.
func TestCancelMidRead(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fsys := endlessFS{MapFS: fstest.MapFS{"Connections.csv": {Data: []byte(preamble2024 + "Ada,Quill,,,Hooli,CTO,01 Jan 2024\n")}, "messages.csv": {}}, cancel: cancel}
	_, err := linkedin.FromFS(fsys, "x", linkedin.Options{}).Read(ctx)
	var ie *linkedin.InputError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want context.Canceled and no *InputError", err, err)
	}
}

var _ io.Reader = (*endlessFile)(nil)
