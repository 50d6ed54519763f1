package csvfile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

const label = "LinkedIn export 2026-11-20"

func TestConformanceGeneric(t *testing.T) {
	p := mustProfile(t, "generic")
	connectortest.Run(t, func(t *testing.T) connectortest.Harness {
		path := filepath.Join(t.TempDir(), "contacts.csv")
		tg, err := New(Options{Path: path, Profile: p, SourceLabel: label})
		if err != nil {
			t.Fatal(err)
		}
		return connectortest.Harness{Target: tg, Contents: func(t *testing.T) map[string]string {
			rows := readParts(t, p, path, 1)
			ids, names := column(t, p, rows, "id"), column(t, p, rows, "name")
			out := map[string]string{}
			for i := range ids {
				if _, dup := out[ids[i]]; dup {
					t.Errorf("%s holds contact %s twice", path, ids[i])
				}
				out[ids[i]] = names[i]
			}
			return out
		}}
	})
}

func TestConformanceVCard(t *testing.T) {
	p := mustProfile(t, "vcard")
	connectortest.Run(t, func(t *testing.T) connectortest.Harness {
		path := filepath.Join(t.TempDir(), "contacts.vcf")
		tg, err := New(Options{Path: path, Profile: p})
		if err != nil {
			t.Fatal(err)
		}
		return connectortest.Harness{Target: tg, Contents: func(t *testing.T) map[string]string { return readVCards(t, path) }}
	})
}

// TestGolden writes the fixtures through every built-in profile, compares
// the bytes with testdata/golden, and reads them back through encoding/csv.
func TestGolden(t *testing.T) {
	people := fixtures()
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			p := mustProfile(t, name)
			ext := ".csv"
			if p.Format == FormatVCard {
				ext = ".vcf"
			}
			path := filepath.Join(t.TempDir(), "out"+ext)
			if err := Export(context.Background(), people, Options{Path: path, Profile: p, SourceLabel: label}); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+ext)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update and review the diff)", path, golden)
			}
			if p.Format == FormatVCard {
				if got := readVCards(t, path); len(got) != len(people) {
					t.Errorf("%d cards, want %d", len(got), len(people))
				}
				return
			}
			checkEncoding(t, p, got)
			rows := readParts(t, p, path, 1)
			if len(rows) != len(people) {
				t.Fatalf("%d rows, want one per person (%d): nobody dropped", len(rows), len(people))
			}
			for _, r := range rows {
				for i, cell := range r {
					if Neutralize(cell) != cell {
						t.Errorf("column %q holds %q, which a spreadsheet would run", p.Columns[i].Header, cell)
					}
				}
			}
		})
	}
}

// checkEncoding asserts the bytes are what the profile promises.
func checkEncoding(t *testing.T, p *Profile, b []byte) {
	t.Helper()
	hasBOM := bytes.HasPrefix(b, []byte("\xEF\xBB\xBF"))
	if hasBOM != (p.Encoding == EncodingUTF8BOM) {
		t.Errorf("encoding %s: UTF-8 BOM present = %v", p.Encoding, hasBOM)
	}
	crlf := bytes.Count(b, []byte("\r\n"))
	lines := bytes.Count(b, []byte("\n"))
	if p.LineEnding == "crlf" && crlf != lines {
		t.Errorf("line_ending crlf: %d of %d line ends are CRLF", crlf, lines)
	}
	if p.LineEnding == "lf" && crlf != 0 {
		t.Errorf("line_ending lf: %d CRLF line ends", crlf)
	}
}

// Google's fixed vocabulary (research §8, 2023+ export dialect).
var googleHeader = regexp.MustCompile(`^(First Name|Middle Name|Last Name|Phonetic (First|Middle|Last) Name|` +
	`Name Prefix|Name Suffix|Nickname|File As|Organization (Name|Title|Department)|Birthday|Notes|Photo|Labels|` +
	`E-mail \d+ - (Label|Value)|Phone \d+ - (Label|Value)|` +
	`Address \d+ - (Label|Formatted|Street|City|Region|Postal Code|Country|Extended Address)|` +
	`Website \d+ - (Label|Value)|Event \d+ - (Label|Value)|Custom Field \d+ - (Label|Value))$`)

// Outlook's English vocabulary (research §9).
var outlookHeaders = []string{"Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company",
	"Department", "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
	"Business State", "Business Postal Code", "Business Country/Region", "Home Street", "Home City",
	"Home State", "Home Postal Code", "Home Country/Region", "Other Street", "Other City", "Other State",
	"Other Postal Code", "Other Country/Region", "Assistant's Phone", "Business Fax", "Business Phone",
	"Business Phone 2", "Callback", "Car Phone", "Company Main Phone", "Home Fax", "Home Phone",
	"Home Phone 2", "Mobile Phone", "Other Fax", "Other Phone", "Pager", "Primary Phone", "Anniversary",
	"Birthday", "E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address",
	"E-mail 3 Address", "Notes", "Spouse", "Web Page", "Categories", "Gender", "Manager's Name"}

func TestFixedVocabularies(t *testing.T) {
	for _, h := range mustProfile(t, "google").Header() {
		if !googleHeader.MatchString(h) {
			t.Errorf("google header %q is not in Google's vocabulary", h)
		}
	}
	out := mustProfile(t, "outlook")
	for _, h := range out.Header() {
		if !slices.Contains(outlookHeaders, h) {
			t.Errorf("outlook header %q is not in Outlook's vocabulary", h)
		}
	}
	if out.Columns[0].Field != "" || out.Columns[0].Value != "" {
		t.Error("outlook: the first column takes the BOM and must stay empty")
	}
	for _, want := range []string{"E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Categories"} {
		if !slices.Contains(out.Header(), want) {
			t.Errorf("outlook lacks %q", want)
		}
	}
	// Labels keep people out of "Other contacts" and mark those without email.
	g := mustProfile(t, "google")
	rows := exportRows(t, g, fixtures())
	labels := column(t, g, rows, "Labels")
	byID := map[string]*mapping.Contact{}
	for _, c := range fixtures() {
		byID[c.ID] = c
	}
	for i, c := range sorted(byID) { // the file's order
		want := "* myContacts ::: LinkedIn"
		if len(c.Emails) == 0 {
			want += " ::: LinkedIn: no email"
		}
		if labels[i] != want {
			t.Errorf("Labels of %s = %q, want %q", c.Name, labels[i], want)
		}
	}
}

func exportRows(t *testing.T, p *Profile, people []*mapping.Contact) [][]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := Export(context.Background(), people, Options{Path: path, Profile: p, SourceLabel: label}); err != nil {
		t.Fatal(err)
	}
	return readParts(t, p, path, 1)
}

var consentHeaderTest = regexp.MustCompile(`(?i)opt|subscri|marketing|consent|permission|status`)
var affirmative = regexp.MustCompile(`(?i)^\s*(yes|y|true|1|opt(ed)?[ -]?in|subscribed|marketing|marketable|consent(ed)?)\s*$`)

// TestNoConsent: no opt-in, subscription or marketing column says yes, and
// every profile with a source column records where the person came from.
func TestNoConsent(t *testing.T) {
	people := fixtures()
	for _, name := range Profiles() {
		p := mustProfile(t, name)
		if p.Format != FormatCSV {
			continue
		}
		rows := exportRows(t, p, people)
		for i, h := range p.Header() {
			if strings.Contains(strings.ToLower(h), "source") && h != "sources" {
				for _, r := range rows {
					if r[i] != label {
						t.Errorf("%s: %q = %q, want the source label", name, h, r[i])
					}
				}
			}
			if !consentHeaderTest.MatchString(h) {
				continue
			}
			for _, r := range rows {
				if affirmative.MatchString(r[i]) {
					t.Errorf("%s: consent-like column %q holds %q", name, h, r[i])
				}
			}
		}
	}
}

func TestGenericStatusColumn(t *testing.T) {
	p := mustProfile(t, "generic")
	people := fixtures()
	rows := exportRows(t, p, people)
	byID := map[string][]string{}
	for _, r := range rows {
		byID[r[0]] = r
	}
	for _, c := range people {
		r := byID[c.ID]
		if r == nil {
			t.Errorf("%s missing", c.ID)
			continue
		}
		if got := column(t, p, [][]string{r}, "email_status")[0]; got != string(c.EmailStatus) {
			t.Errorf("%s email_status %q, want %q", c.ID, got, c.EmailStatus)
		}
	}
	several := byID["several000000001"]
	for h, want := range map[string]string{"email_1": "sam@work.example", "email_3": "s@old.example",
		"other_emails": "sam@fourth.example", "phone_2": "555 0102", "phone_1_e164": "+15550100001",
		"other_phones": "0800 FLOWERS", "addresses": "1 Main St\nSpringfield; PO Box 7", "source": label,
		"sources": "connection; contact:OUTLOOK"} {
		if got := column(t, p, [][]string{several}, h)[0]; got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

// TestLarge: 30,000 people (LinkedIn's cap) through every profile; split
// files hold everybody exactly once.
func TestLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	people := many(30000)
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			p := mustProfile(t, name)
			path := filepath.Join(t.TempDir(), "contacts.csv")
			if err := Export(context.Background(), people, Options{Path: path, Profile: p}); err != nil {
				t.Fatal(err)
			}
			if p.Format == FormatVCard {
				if got := readVCards(t, path); len(got) != len(people) {
					t.Errorf("%d cards, want %d", len(got), len(people))
				}
				return
			}
			parts := 1
			if p.RowLimit > 0 {
				parts = (len(people) + p.RowLimit - 1) / p.RowLimit
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != parts {
				t.Fatalf("%d files, want %d", len(entries), parts)
			}
			var rows [][]string
			for _, pp := range PartPaths(path, parts) {
				part := readParts(t, p, pp, 1)
				if p.RowLimit > 0 && len(part) > p.RowLimit {
					t.Errorf("%s holds %d rows, over the limit %d", pp, len(part), p.RowLimit)
				}
				rows = append(rows, part...)
			}
			if len(rows) != len(people) {
				t.Errorf("%d rows, want %d", len(rows), len(people))
			}
			seen := map[string]bool{}
			for _, r := range rows {
				seen[strings.Join(r, "|")] = true
			}
			if len(seen) != len(people) {
				t.Errorf("%d distinct rows, want %d", len(seen), len(people))
			}
		})
	}
}

func TestSplitNamingAndStaleParts(t *testing.T) {
	p := mustProfile(t, "generic")
	p.RowLimit = 2
	dir := t.TempDir()
	path := filepath.Join(dir, "contacts.csv")
	mine := filepath.Join(dir, "contacts-2019.csv") // the user's own file
	if err := os.WriteFile(mine, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	export := func(n int) []string {
		t.Helper()
		if err := Export(context.Background(), many(n), Options{Path: path, Profile: p}); err != nil {
			t.Fatal(err)
		}
		names, _ := filepath.Glob(filepath.Join(dir, "contacts*.csv"))
		for i := range names {
			names[i] = filepath.Base(names[i])
		}
		return names
	}
	if got, want := export(5), []string{"contacts-1.csv", "contacts-2.csv", "contacts-2019.csv", "contacts-3.csv"}; !slices.Equal(got, want) {
		t.Errorf("5 people: %v, want %v", got, want)
	}
	if got, want := export(3), []string{"contacts-1.csv", "contacts-2.csv", "contacts-2019.csv"}; !slices.Equal(got, want) {
		t.Errorf("3 people: %v, want %v", got, want)
	}
	if got, want := export(1), []string{"contacts-2019.csv", "contacts.csv"}; !slices.Equal(got, want) {
		t.Errorf("1 person: %v, want %v", got, want)
	}
	if got := readParts(t, p, path, 1); len(got) != 1 {
		t.Errorf("%d rows, want 1", len(got))
	}
}

// TestEncodings writes user profiles in UTF-16LE (tab-separated, as Excel's
// "Unicode text") and windows-1252, and decodes them back.
func TestEncodings(t *testing.T) {
	for _, tc := range []struct{ enc, delim, prefix string }{
		{EncodingUTF16LE, "\t", "\xFF\xFE"},
		{EncodingUTF8BOM, ";", "\xEF\xBB\xBF"},
		{EncodingWindows1252, ",", "Name"},
	} {
		t.Run(tc.enc, func(t *testing.T) {
			p := &Profile{Encoding: tc.enc, Delimiter: tc.delim, LineEnding: "crlf",
				Columns: []Column{{Header: "Name", Field: "name"}, {Header: "Title", Field: "title"}}}
			if err := p.check(); err != nil {
				t.Fatal(err)
			}
			people := []*mapping.Contact{
				{ID: "a", Name: "Zoë Ångström", Title: "Ingénieure; \"Lead\""},
				{ID: "b", Name: "Bob", Title: "=1+1"},
			}
			path := filepath.Join(t.TempDir(), "x.csv")
			if err := Export(context.Background(), people, Options{Path: path, Profile: p}); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			if !bytes.HasPrefix(b, []byte(tc.prefix)) {
				t.Errorf("file starts % x, want % x", b[:min(4, len(b))], tc.prefix)
			}
			got := readFile(t, p, path)
			want := [][]string{{"Name", "Title"}, {"Bob", "'=1+1"}, {"Zoë Ångström", "Ingénieure; \"Lead\""}}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("read back %q, want %q", got, want)
			}
		})
	}
	t.Run("windows-1252 cannot hold", func(t *testing.T) {
		p := &Profile{Encoding: EncodingWindows1252, Columns: []Column{{Header: "Name", Field: "name"}}}
		if err := p.check(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "x.csv")
		err := Export(context.Background(), []*mapping.Contact{{ID: "k", Name: "株式会社"}}, Options{Path: path, Profile: p})
		if err == nil || !strings.Contains(err.Error(), "株式会社") || !strings.Contains(err.Error(), `"Name"`) {
			t.Errorf("err = %v; want one naming the person and column", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Error("a file was written")
		}
	})
}

// failAfter fails every write once n bytes went through.
type failAfter struct {
	w io.Writer
	n int
}

func (f *failAfter) Write(b []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	if len(b) > f.n {
		n, _ := f.w.Write(b[:f.n])
		f.n = 0
		return n, errors.New("disk full")
	}
	f.n -= len(b)
	return f.w.Write(b)
}

// TestInterruptedWrite: a write failing in the middle of the last part
// leaves every previous file exactly as it was, and no temp file behind.
func TestInterruptedWrite(t *testing.T) {
	for _, name := range []string{"generic", "vcard"} {
		t.Run(name, func(t *testing.T) {
			p := mustProfile(t, name)
			if p.Format == FormatCSV {
				p.RowLimit = 40 // three parts; the last one fails
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "contacts.out")
			ctx := context.Background()
			if err := Export(ctx, many(100), Options{Path: path, Profile: p}); err != nil {
				t.Fatal(err)
			}
			before := snapshotDir(t, dir)
			tg, err := New(Options{Path: path, Profile: p})
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			tg.wrap = func(w io.Writer) io.Writer {
				calls++
				if calls < len(before) { // the last part fails
					return w
				}
				return &failAfter{w: w, n: 100}
			}
			for _, c := range many(110) {
				if _, err := tg.Put(ctx, c, nil, state.Ref{}); err != nil {
					t.Fatal(err)
				}
			}
			if err := tg.Close(ctx); err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("Close = %v, want the write error", err)
			}
			if after := snapshotDir(t, dir); !mapsEqual(before, after) {
				t.Errorf("files changed by a failed write: before %v, after %v", keys(before), keys(after))
			}
		})
	}
}

func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// syncRun plans people against the snapshot's target "crm" and syncs the
// plan into a file target built by mk, recording confirmed writes.
func syncRun(t *testing.T, snap *state.Snapshot, people []*mapping.Contact, mk func(base []*mapping.Contact) *Target) state.Plan {
	t.Helper()
	ctx := context.Background()
	base, err := snap.Sent("crm")
	if err != nil {
		t.Fatal(err)
	}
	tg := mk(base)
	plan, err := state.Diff(snap, "crm", "csv", &mapping.Graph{People: people})
	if err != nil {
		t.Fatal(err)
	}
	err = connectors.Sync(ctx, tg, plan, connectors.SyncOptions{Workers: 2}, func(r state.Result) error {
		if r.Err == nil {
			snap.Apply("crm", "csv", r)
		}
		return r.Err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return plan
}

// changed returns the first 20 people with #3 renamed, #4 gone and a new one.
func changed() (before, after []*mapping.Contact) {
	before = many(20)
	after = append([]*mapping.Contact(nil), before...)
	renamed := *after[3]
	renamed.Company = "New Employer"
	after[3] = &renamed
	after = slices.Delete(after, 4, 5)
	return before, append(after, &mapping.Contact{ID: "newcomer", Name: "New Comer", Sources: []string{"connection"},
		EmailStatus: mapping.EmailHidden})
}

// Changes mode writes each run's changes to a file of its own, and nothing
// when nothing changed: a file the CRM user has not imported yet survives.
func TestChangesMode(t *testing.T) {
	p := mustProfile(t, "hubspot")
	dir := t.TempDir()
	path := filepath.Join(dir, "hubspot.csv")
	night := time.Date(2026, 12, 1, 3, 30, 0, 0, time.UTC)
	mk := func([]*mapping.Contact) *Target {
		tg, err := New(Options{Path: path, Profile: p, Mode: ModeChanges, SourceLabel: label, Now: func() time.Time { return night }})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	files := func() []string {
		ents, _ := os.ReadDir(dir)
		var out []string
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return out
	}
	snap := state.New()
	before, after := changed()
	syncRun(t, snap, before, mk)
	first := DatedPath(path, night)
	if rows := readParts(t, p, first, 1); len(rows) != 20 {
		t.Errorf("first run: %d rows, want all 20 (all new)", len(rows))
	}
	if got := files(); !slices.Equal(got, []string{"hubspot-20261201T033000Z.csv"}) {
		t.Errorf("first run wrote %q, want one dated file and no removed list", got)
	}

	// The next run lands in the same second: it moves on, never replacing the first file.
	plan := syncRun(t, snap, after, mk)
	if plan.Count(state.OpCreate) != 1 || plan.Count(state.OpUpdate) != 1 || plan.Count(state.OpRemove) != 1 {
		t.Fatalf("plan %d/%d/%d, want one create, update and remove", plan.Count(state.OpCreate),
			plan.Count(state.OpUpdate), plan.Count(state.OpRemove))
	}
	if rows := readParts(t, p, first, 1); len(rows) != 20 {
		t.Errorf("the second run changed the first run's file: %d rows", len(rows))
	}
	second := DatedPath(path, night.Add(time.Second))
	rows := readParts(t, p, second, 1)
	if got, want := column(t, p, rows, "Last Name"), []string{"Person 3", ""}; !slices.Equal(got, want) {
		t.Errorf("changes file lists %q, want %q", got, want)
	}
	if got := column(t, p, rows, "Company Name"); got[0] != "New Employer" {
		t.Errorf("changed company = %q", got[0])
	}
	removed := readParts(t, p, RemovedPath(second), 1)
	if got := column(t, p, removed, "LinkedIn URL"); !slices.Equal(got, []string{"https://www.linkedin.com/in/gen-4"}) {
		t.Errorf("removed file lists %q, want gen-4", got)
	}
	if it := snap.Targets["crm"].Items["gen00000004"]; it != nil {
		t.Error("the removed person is still in the state: Remove must return a zero Ref")
	}

	had := files()
	syncRun(t, snap, after, mk) // nothing changed
	if got := files(); !slices.Equal(got, had) {
		t.Errorf("a run without changes wrote files: %q, had %q", got, had)
	}
}

func TestFullModeHoldsEverybody(t *testing.T) {
	p := mustProfile(t, "generic")
	path := filepath.Join(t.TempDir(), "contacts.csv")
	mk := func(base []*mapping.Contact) *Target {
		tg, err := New(Options{Path: path, Profile: p, Base: base})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	snap := state.New()
	before, after := changed()
	syncRun(t, snap, before, mk)
	syncRun(t, snap, after, mk)
	idsOf := func() []string {
		ids := column(t, p, readParts(t, p, path, 1), "id")
		slices.Sort(ids)
		return ids
	}
	var want []string
	for _, c := range after {
		want = append(want, c.ID)
	}
	slices.Sort(want)
	if got := idsOf(); !slices.Equal(got, want) {
		t.Errorf("file holds %v, want %v", got, want)
	}
	if got := column(t, p, readParts(t, p, path, 1), "company"); !slices.Contains(got, "New Employer") {
		t.Error("the update is missing")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if plan := syncRun(t, snap, after, mk); len(plan.Changes) != 0 {
		t.Fatalf("re-run planned %d changes", len(plan.Changes))
	}
	if got := idsOf(); !slices.Equal(got, want) {
		t.Errorf("after deleting the file and an empty plan, it holds %v, want %v", got, want)
	}
}

func TestSortedDeterministic(t *testing.T) {
	people := []*mapping.Contact{{ID: "2", Name: "bob"}, {ID: "1", Name: "Bob"}, {ID: "3", Name: "alice"}, {ID: "0", Name: "Bob"}}
	m := map[string]*mapping.Contact{}
	for _, c := range people {
		m[c.ID] = c
	}
	var got []string
	for _, c := range sorted(m) {
		got = append(got, c.ID)
	}
	if want := []string{"3", "0", "1", "2"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestNewErrors(t *testing.T) {
	p := mustProfile(t, "generic")
	for _, opt := range []Options{{Profile: p}, {Path: "x.csv"}, {Path: "x.csv", Profile: p, Mode: "append"}} {
		if _, err := New(opt); err == nil {
			t.Errorf("New(%+v) succeeded", opt)
		}
	}
	tg, _ := New(Options{Path: filepath.Join(t.TempDir(), "x.csv"), Profile: p})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tg.Close(ctx); err == nil {
		t.Error("Close with a cancelled context succeeded")
	}
}

func BenchmarkExport30k(b *testing.B) {
	people := many(30000)
	for _, name := range []string{"generic", "google", "vcard"} {
		p, err := LoadProfile(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "contacts.csv")
			for b.Loop() {
				if err := Export(context.Background(), people, Options{Path: path, Profile: p}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
