package linkedin

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/linkport/linkport/mapping"
)

// fileKind says which LinkedIn file a CSV is.
type fileKind int

const (
	kindUnknown                 fileKind = iota // a lone CSV with another name: the header decides
	kindConnections                             // Connections.csv
	kindContacts                                // Contacts.csv, 2018 "Imported Contacts.csv"
	kindMessages                                // messages.csv, 2018 "Messages.csv"
	kindInvitations                             // Invitations.csv
	kindNotes                                   // Notes.csv (2026)
	kindEndorsementsReceived                    // Endorsement_Received_Info.csv
	kindEndorsementsGiven                       // Endorsement_Given_Info.csv
	kindRecommendationsReceived                 // Recommendations_Received.csv
	kindRecommendationsGiven                    // Recommendations_Given.csv
	kindFollows                                 // Company Follows.csv
)

// isPeople reports whether the kind yields records (people) rather than enrichment.
func (k fileKind) isPeople() bool { return k <= kindContacts }

// Canonical columns. Headers are matched by name (see headerColumns), never by position.
const (
	colFirst = iota
	colLast
	colURL
	colEmail
	colCompany
	colTitle
	colConnectedOn
	colSource
	colFullName
	colPhones
	colAddresses
	colSites
	colProfiles
	numCols
)

// headerColumns maps a normalised header name (lower case, no spaces,
// underscores or dashes) of every era to its canonical column: 2018 and
// 2021+ Connections, 2018 "Imported Contacts" and 2019+ camelCase Contacts.
var headerColumns = map[string]int{
	"firstname":    colFirst,
	"lastname":     colLast,
	"url":          colURL,
	"emailaddress": colEmail,
	"emails":       colEmail,
	"company":      colCompany,
	"companies":    colCompany,
	"position":     colTitle,
	"title":        colTitle,
	"connectedon":  colConnectedOn,
	"source":       colSource,
	"fullname":     colFullName,
	"phonenumbers": colPhones,
	"addresses":    colAddresses,
	"sites":        colSites,
	"profiles":     colProfiles,
}

// dateLayouts are the "Connected On" shapes seen in real exports, most common first:
// 2020+, 2018, Excel re-saves, the API's ISO dates.
var dateLayouts = []string{
	"2 Jan 2006",
	"1/2/06, 3:04 PM",
	"2-Jan-06",
	"2006-01-02",
	"2-Jan-2006",
	"1/2/2006",
	"1/2/06",
	"1/2/2006 15:04",
	"1/2/06 15:04",
	"2006-01-02 15:04:05",
	time.RFC3339,
	"02.01.2006", // Excel re-saves in European locales: day first, dotted ("16.09.2021")
	"2.1.06",
	"02.01.2006 15:04",
}

const (
	maxPreambleRows  = 10 // records scanned for the header row
	maxDateWarnings  = 20 // per file; the rest are summed up in one warning
	ctxCheckInterval = 4096
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// parseFile streams one LinkedIn CSV from r into exp. name is what records
// and errors cite. Problems that keep a row are warnings; the rest are
// *InputError naming the file and, where there is one, the line.
func parseFile(ctx context.Context, exp *mapping.Export, name string, r io.Reader, kind fileKind, lim *limits) error {
	lr, err := newLineReader(&meter{ctx: ctx, r: r, lim: lim, people: kind.isPeople()}, name)
	if err != nil {
		return err
	}
	cr := newRowReader(lr, sniffDelimiter(lr.peek(), kind))
	read := func() ([]string, error) {
		row, err := cr.Read()
		lr.mark(cr.InputOffset())
		if lr.err != nil && lr.err != io.EOF {
			return nil, lr.err
		}
		if err != nil && err != io.EOF {
			return nil, csvError(name, err)
		}
		return row, err
	}

	header, kind, err := findHeader(read, name, kind)
	var ie *InputError
	if errors.Is(err, ErrNoHeader) && !kind.isPeople() && errors.As(err, &ie) {
		// Enrichment is optional: a file LinkedIn reshaped must not stop a sync.
		exp.Warnings = append(exp.Warnings, mapping.Warning{File: name, Msg: "ignored: " + ie.Err.Error()})
		return nil
	}
	if err != nil {
		return err
	}
	s := newSheet(exp, name, kind, header)
	s.limit(lim)
	cr.want = s.wanted(len(header))
	for n := 0; ; n++ {
		if n%ctxCheckInterval == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
		}
		row, err := read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		s.row(row, cr.Line())
		if err := s.err(); err != nil {
			return err
		}
	}
	s.done()
	exp.Warnings = append(exp.Warnings, lr.warnings()...)
	return nil
}

// sheet turns the data rows of one file into records or enrichment rows. The
// CSV reader and the API (whose rows are keyed by the same column names)
// both feed it, so both read a row the same way.
type sheet interface {
	row(row []string, line int)
	done()
	// limit holds the sheet to a Read's memory budgets (the API's rows
	// are already in memory and have none).
	limit(lim *limits)
	// err is the error that ends the file, e.g. too many people.
	err() error
	// wanted says which of a header's n columns row reads; it reads no
	// more of the others than whether they are blank.
	wanted(n int) []bool
}

// wantedOf marks the columns named in cols (-1: absent).
func wantedOf(cols []int, n int) []bool {
	w := make([]bool, n)
	for _, c := range cols {
		if c >= 0 && c < n {
			w[c] = true
		}
	}
	return w
}

func (p *rowParser) wanted(n int) []bool      { return wantedOf(p.cols[:], n) }
func (p *activityParser) wanted(n int) []bool { return wantedOf(p.cols[:], n) }

// newSheet returns the parser for a file of kind whose header is header.
func newSheet(exp *mapping.Export, name string, kind fileKind, header []string) sheet {
	if kind.isPeople() {
		return newRowParser(exp, name, kind, header)
	}
	return newActivityParser(exp, name, kind, header)
}

// csvError turns a reader error into an *InputError citing the row.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{File: name, Line: pe.StartLine, Err: fmt.Errorf("broken CSV row (expected RFC 4180 quoting): %w", err)}
	}
	return &InputError{File: name, Err: fmt.Errorf("read CSV: %w", err)}
}

// sniffDelimiter picks ',', ';' or TAB from the header line: LinkedIn writes
// commas, its UTF-16 files tabs, and Excel in many locales semicolons.
func sniffDelimiter(text []byte, kind fileKind) rune {
	for i := 0; i < 64 && len(text) > 0; i++ {
		line, rest, _ := bytes.Cut(text, []byte{'\n'})
		text = rest
		head := strings.ToLower(strings.TrimLeft(string(line), "\ufeff\" \t"))
		if kind.isPeople() && !strings.HasPrefix(head, "first") && !strings.HasPrefix(head, "source") {
			continue // past the Notes: preamble
		}
		best, n := ',', bytes.Count(line, []byte{','})
		for _, d := range []rune{';', '\t'} {
			if c := bytes.Count(line, []byte(string(d))); c > n {
				best, n = d, c
			}
		}
		return best
	}
	return ','
}

// findHeader reads records until the header row, so a preamble of any length
// (LinkedIn's "Notes:" lines, Excel's "Notes:,," cells) is passed over.
func findHeader(read func() ([]string, error), name string, kind fileKind) ([]string, fileKind, error) {
	for i := 0; i < maxPreambleRows; i++ {
		row, err := read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, kind, err
		}
		if !kind.isPeople() {
			if isActivityHeader(row, kind) {
				return slices.Clone(row), kind, nil
			}
			continue
		}
		if k, ok := headerKind(row, kind); ok {
			return slices.Clone(row), k, nil
		}
	}
	return nil, kind, &InputError{File: name, Err: fmt.Errorf("%w; expected a row starting %s", ErrNoHeader, expectedHeader(kind))}
}

func expectedHeader(kind fileKind) string {
	switch kind {
	case kindConnections:
		return `"First Name,Last Name"`
	case kindContacts:
		return `"Source,FirstName,LastName" or "First Name,Last Name"`
	case kindUnknown:
	default:
		return activityHeaders[kind].example
	}
	return `"First Name,Last Name" (Connections.csv) or "Source,FirstName,LastName" (Contacts.csv)`
}

// headerKind reports whether row is a header for kind; for kindUnknown it
// tells Connections from Contacts by the columns only Contacts has.
func headerKind(row []string, kind fileKind) (fileKind, bool) {
	if len(row) < 2 {
		return kind, false
	}
	a, b := normHeader(row[0]), normHeader(row[1])
	names := a == "firstname" && b == "lastname"
	contacts := a == "source" && b == "firstname"
	switch kind {
	case kindConnections:
		return kind, names
	case kindContacts:
		return kind, names || contacts
	}
	if contacts {
		return kindContacts, true
	}
	if !names {
		return kind, false
	}
	for _, h := range row {
		switch normHeader(h) {
		case "companies", "emails", "phonenumbers":
			return kindContacts, true
		}
	}
	return kindConnections, true
}

// normHeader folds the header spellings of every era ("First Name",
// "FirstName", "Connected on", a BOM-prefixed first cell) into one key.
func normHeader(s string) string {
	s = strings.ToLower(strings.Trim(s, "\ufeff\" \t"))
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s)
}

// newRowParser maps header's columns by name.
func newRowParser(exp *mapping.Export, name string, kind fileKind, header []string) *rowParser {
	p := &rowParser{exp: exp, name: name, kind: kind}
	for c := range p.cols {
		p.cols[c] = -1
	}
	for i, h := range header {
		if c, ok := headerColumns[normHeader(h)]; ok && p.cols[c] < 0 {
			p.cols[c] = i
		}
	}
	return p
}

func (p *rowParser) done() {
	if p.lim == nil { // else the Read flushes every people file's rows at once
		p.exp.Records = append(p.exp.Records, p.recs...)
	}
	p.dates.done(p.exp, p.name)
}

func (p *rowParser) limit(lim *limits) { p.lim = lim }

func (p *rowParser) err() error { return p.fail }

// rowParser turns data rows into records.
type rowParser struct {
	exp   *mapping.Export // records and warnings go here
	name  string
	cols  [numCols]int
	kind  fileKind
	dates dateParser
	recs  []*mapping.Record // appended to exp.Records by done; unused with lim
	lim   *limits           // nil: no bound
	fail  error
}

// get returns a cell without surrounding space or bidi controls.
func (p *rowParser) get(row []string, col int) string {
	i := p.cols[col]
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(mapping.StripBidi(row[i]))
}

func (p *rowParser) row(row []string, line int) {
	date := p.cols[colConnectedOn]
	if p.kind == kindContacts {
		date = -1
	}
	empty, onlyDate := true, true
	for i, v := range row {
		if strings.TrimSpace(v) == "" {
			continue
		}
		empty = false
		if i != date {
			onlyDate = false
			break
		}
	}
	if empty {
		return // Excel pads files with blank rows
	}
	if p.lim != nil {
		if p.lim.peopleRows++; p.lim.peopleRows > maxPeopleRows {
			p.fail = &InputError{File: p.name, Line: line, Err: fmt.Errorf(
				"%w: more than %d rows in Connections.csv and Contacts.csv together; LinkedIn caps a network at 30,000 connections", ErrTooLarge, maxPeopleRows)}
			return
		}
	}
	rec := &mapping.Record{
		File:      p.name,
		Line:      line,
		FirstName: p.get(row, colFirst),
		LastName:  p.get(row, colLast),
		Company:   p.get(row, colCompany),
		Title:     p.get(row, colTitle),
		Emails:    splitList(p.get(row, colEmail)),
	}
	if p.kind == kindContacts {
		rec.Kind = mapping.KindContact
		rec.FullName = p.get(row, colFullName)
		rec.Origin = p.get(row, colSource)
		rec.Reach = &mapping.Reach{Phones: splitList(p.get(row, colPhones)), Sites: splitList(p.get(row, colSites))}
		if a := p.get(row, colAddresses); a != "" {
			rec.Addresses = []string{formatAddress(a)} // free text with commas of its own: never split
			if pa, ok := postalAddress(a); ok {
				rec.PostalAddresses = []mapping.Address{pa}
			}
		}
		for _, u := range splitList(p.get(row, colProfiles)) {
			if rec.ProfileURL == "" && strings.Contains(strings.ToLower(u), "linkedin.com/in/") {
				rec.ProfileURL = u
			} else {
				rec.Sites = append(rec.Sites, u)
			}
		}
	} else {
		rec.Kind = mapping.KindConnection
		rec.ProfileURL = p.get(row, colURL)
		rec.Hidden = onlyDate
		if s := p.get(row, colConnectedOn); s != "" {
			rec.ConnectedOn = p.date(s, line)
		}
	}
	if p.lim != nil {
		p.lim.records = append(p.lim.records, rec)
	} else {
		p.recs = append(p.recs, rec)
	}
}

// date parses a "Connected On" value; an unknown shape is a warning and a zero date.
func (p *rowParser) date(s string, line int) time.Time {
	return p.dates.parse(p.exp, p.name, line, s, dateLayouts,
		`Connected On (expected like "07 Jun 2024"); contact kept without a date`)
}

// dateParser parses one file's dates, trying the layout that worked last
// first (a file uses one), and warns about the first few it cannot parse.
type dateParser struct {
	layout int
	bad    int
}

// parse returns s as a time, or a zero time and a warning that says
// "unparseable date <s> in <what>".
func (d *dateParser) parse(exp *mapping.Export, name string, line int, s string, layouts []string, what string) time.Time {
	if t, err := time.Parse(layouts[d.layout], s); err == nil {
		return t
	}
	for i, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			d.layout = i
			return t
		}
	}
	d.bad++
	if d.bad <= maxDateWarnings {
		exp.Warnings = append(exp.Warnings, mapping.Warning{File: name, Line: line,
			Msg: fmt.Sprintf("unparseable date %q in %s", s, what)})
	}
	return time.Time{}
}

// done sums up the warnings parse left out.
func (d *dateParser) done(exp *mapping.Export, name string) {
	if d.bad > maxDateWarnings {
		exp.Warnings = append(exp.Warnings, mapping.Warning{File: name,
			Msg: fmt.Sprintf("%d more unparseable dates not listed", d.bad-maxDateWarnings)})
	}
}

// splitList splits a multi-valued Contacts cell; LinkedIn joins values with ", ".
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	if !strings.Contains(s, ",") {
		return []string{s}
	}
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
