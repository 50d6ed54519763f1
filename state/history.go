package state

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state/atomicfile"
)

// HistoryField is one tracked field of a person's history.
type HistoryField int

// The tracked fields, in the order the history file lists them.
const (
	FieldName HistoryField = iota
	FieldCompany
	FieldTitle
	FieldEmails // the addresses, sorted, joined by "\n"
	FieldPhones // E.164 where known, else as given; sorted, joined by "\n"
	FieldProfileURL
	FieldConnectedOn
	// FieldConnection is "1" while the person is a first-degree connection,
	// "" from the export that no longer lists them (removed on); a later "1"
	// is a reconnection. Only exports with a Connections file count.
	FieldConnection
	numFields
)

// fieldNames are the field codes of the history file and of reports.
var fieldNames = [numFields]string{"name", "company", "title", "emails", "phones", "profile_url", "connected_on", "connection"}

func (f HistoryField) String() string { return fieldNames[f] }

// Entry is one observed value, the export date (YYYY-MM-DD) it was first
// seen on, and the last; it holds until the next entry.
type Entry struct {
	Date, Value string
	Last        string
}

// Timeline is one person's history: per field, the changes in date order.
type Timeline struct {
	ID     string
	fields [numFields][]Entry
	seen   uint64 // the Observe that last listed them as a connection
}

// Field returns the entries of field f, oldest first. They are the
// history's own: callers must not change them.
func (t *Timeline) Field(f HistoryField) []Entry { return t.fields[f] }

// plain reports whether every field has at most one entry.
// (see History.Plain).
func (t *Timeline) plain() bool {
	return len(t.fields[FieldCompany]) <= 1 && len(t.fields[FieldTitle]) <= 1 &&
		!lost(t.fields[FieldEmails]) && !lost(t.fields[FieldPhones])
}

// lost reports whether the newest entry is empty and an earlier one is not.
func lost(es []Entry) bool {
	if len(es) < 2 || es[len(es)-1].Value != "" {
		return false
	}
	for _, e := range es {
		if e.Value != "" {
			return true
		}
	}
	return false
}

// rawLine is a person as read from the file, not decoded yet: a nightly
// run compares the export with sum and leaves most people so.
type rawLine struct {
	text  string // the line after "p\t"
	sum   uint64 // of the current values
	plain bool   // no field has more than one entry
	seen  uint64 // as Timeline.seen
}

// current is the newest value of every field.
func (t *Timeline) current() (v [numFields]string) {
	for f, es := range t.fields {
		if len(es) > 0 {
			v[f] = es[len(es)-1].Value
		}
	}
	return v
}

// sumValues hashes one value per field, for the comparison that lets a
// nightly run skip decoding a person whose values did not change.
func sumValues(v *[numFields]string, buf []byte) (uint64, []byte) {
	buf = buf[:0]
	for _, s := range v {
		buf = append(buf, s...)
		buf = append(buf, 0xff) // not in UTF-8: values cannot run into each other
	}
	return crc64.Checksum(buf, crcTable), buf
}

var crcTable = crc64.MakeTable(crc64.ECMA)

// ExportInfo is one export the history has observed.
type ExportInfo struct {
	Date string // YYYY-MM-DD
	// Connections says the export had a Connections file: only such
	// exports say who is no longer a connection.
	Connections bool
}

// History is the network over time, kept in <state>.history beside the
// state file: for every person, per tracked field, only the changes, as
// (export date, value) pairs. It is the memory that lets a value a newer
// export no longer carries (an email now hidden) stay known, and that
// makes a job change visible.
//
// Observing an export is idempotent: observing the same export twice, or
// an older one after a newer one, changes nothing that is already known,
// so a run killed after the history was written but before the state was
// finds the history as the rerun would write it.
type History struct {
	path    string
	exports []ExportInfo         // by date
	people  map[string]*Timeline // decoded
	lines   map[string]int32     // people read from the file, not decoded yet: their index in raw
	raw     []rawLine
	dirty   bool
	gen     uint64 // counts Observe calls, for Timeline.seen
}

// NewHistory returns an empty history, not tied to a file.
func NewHistory() *History {
	return &History{people: map[string]*Timeline{}, lines: map[string]int32{}}
}

func historyPath(statePath string) string { return statePath + ".history" }

// History returns the state's history, reading <state>.history on first
// use; a missing file is an empty history (a state from before version 2
// has none: the next run's archives seed it). It may run while Identify
// does, which touches other parts of the snapshot.
func (s *Snapshot) History() (*History, error) {
	if s.history != nil {
		return s.history, nil
	}
	h, err := loadHistory(s.path)
	if err != nil {
		return nil, err
	}
	s.history = h
	return h, nil
}

// Exports lists the observed exports, oldest first.
func (h *History) Exports() []ExportInfo { return h.exports }

// Newest is the date of the newest observed export, "" for none.
func (h *History) Newest() string {
	if len(h.exports) == 0 {
		return ""
	}
	return h.exports[len(h.exports)-1].Date
}

// Len is how many people the history knows.
func (h *History) Len() int { return len(h.people) + len(h.lines) }

// Person returns the timeline of the person with ID id, nil if unknown.
func (h *History) Person(id string) *Timeline {
	if t := h.people[id]; t != nil {
		return t
	}
	i, ok := h.lines[id]
	if !ok {
		return nil
	}
	r := &h.raw[i]
	t := &Timeline{ID: id, seen: r.seen}
	if err := t.decode(r.text, h.exports); err != nil {
		// The file passed its checksum: only a bug of linkport's gets here.
		panic(fmt.Sprintf("state: history of %s: %v", id, err))
	}
	delete(h.lines, id)
	h.people[id] = t
	return t
}

// Plain reports whether the history has nothing to fill in for the person
// with ID id, given their newest values: one company and one title at
// most, and no email or phone that the newest entry lacks (true for
// someone unknown). It decodes nobody: most people, most nights.
func (h *History) Plain(id string) bool {
	if i, ok := h.lines[id]; ok {
		return h.raw[i].plain
	}
	if t := h.people[id]; t != nil {
		return t.plain()
	}
	return true
}

// IDs lists every person the history knows, sorted.
func (h *History) IDs() []string {
	ids := make([]string, 0, h.Len())
	for id := range h.people {
		ids = append(ids, id)
	}
	for id := range h.lines {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Observation says what one Observe changed.
type Observation struct {
	// Changed says the history changed (it needs saving).
	Changed bool
	// Positions holds, for each person whose company or title timeline
	// changed, that timeline's positions as they were before: what tells a
	// job change first seen now from one already known.
	Positions map[string][]Span
}

// Observe records the identified graph g as the export dated date
// (YYYY-MM-DD): per person and field, the value is inserted in date order,
// skipped when the entry before already holds it, and moves the entry
// after back to date when that one holds it (first seen). An export with
// connections also marks every known person it does not list as a
// connection as not one at that date.
func (h *History) Observe(g *mapping.Graph, date string) Observation {
	obs := Observation{Positions: map[string][]Span{}}
	hasConnections := g.Stats.Connections > 0 || g.Stats.HiddenMembers > 0
	// An export at least as new as every other changes nobody whose
	// values are those it has: such people stay undecoded.
	fast := hasConnections && date >= h.Newest()
	i := sort.Search(len(h.exports), func(i int) bool { return h.exports[i].Date >= date })
	if i < len(h.exports) && h.exports[i].Date != date {
		h.decodeAll() // the lines name exports by index: an older one shifts them
	}
	switch {
	case i < len(h.exports) && h.exports[i].Date == date:
		if hasConnections && !h.exports[i].Connections {
			h.exports[i].Connections, obs.Changed = true, true
		}
	default:
		h.exports = slices.Insert(h.exports, i, ExportInfo{Date: date, Connections: hasConnections})
		obs.Changed = true
	}
	var vals [numFields]string
	var buf []byte
	h.gen++
	for _, p := range g.People {
		values(p, &vals)
		if !hasConnections {
			vals[FieldConnection] = ""
		}
		if i, ok := h.lines[p.ID]; ok && fast {
			var sum uint64
			if sum, buf = sumValues(&vals, buf); sum == h.raw[i].sum {
				h.raw[i].seen = h.gen
				continue
			}
		}
		t := h.Person(p.ID)
		if t == nil {
			t = &Timeline{ID: p.ID}
			h.people[p.ID] = t
		}
		for f := range numFields {
			if f == FieldConnection && !hasConnections {
				continue
			}
			e, changed := insert(t.fields[f], date, vals[f], h.exports)
			if !changed {
				continue
			}
			if _, seen := obs.Positions[p.ID]; !seen && (f == FieldCompany || f == FieldTitle) {
				obs.Positions[p.ID] = t.Positions() // nil for someone new: no position yet
			}
			t.fields[f], obs.Changed = e, true
		}
		if vals[FieldConnection] != "" {
			t.seen = h.gen
		}
	}
	if hasConnections {
		gone := func(t *Timeline) {
			if e, changed := insert(t.fields[FieldConnection], date, "", h.exports); changed {
				t.fields[FieldConnection], obs.Changed = e, true
			}
		}
		for _, t := range h.people {
			if t.seen != h.gen {
				gone(t)
			}
		}
		for id, i := range h.lines {
			if h.raw[i].seen != h.gen {
				gone(h.Person(id))
			}
		}
	}
	h.dirty = h.dirty || obs.Changed
	return obs
}

// values flattens what the history tracks of p.
func values(p *mapping.Contact, v *[numFields]string) {
	v[FieldName] = p.Name
	v[FieldCompany] = p.Company
	v[FieldTitle] = p.Title
	v[FieldEmails] = joinSorted(p.Emails)
	phones := make([]string, 0, 4) // on the stack for up to four
	for _, ph := range p.Phones {
		n := ph.E164
		if n == "" {
			n = ph.Raw
		}
		phones = append(phones, n)
	}
	v[FieldPhones] = joinSorted(phones)
	v[FieldProfileURL] = p.ProfileURL
	v[FieldConnectedOn] = p.ConnectedOn
	v[FieldConnection] = ""
	if p.IsConnection() {
		v[FieldConnection] = "1"
	}
}

// joinSorted joins the list, sorted, by "\n"; one value costs nothing.
func joinSorted(l []string) string {
	switch {
	case len(l) == 0:
		return ""
	case len(l) == 1:
		return l[0]
	case !slices.IsSorted(l):
		l = slices.Sorted(slices.Values(l))
	}
	return strings.Join(l, "\n")
}

// insert records that an export of date showed v: each entry is a value
// and the first and last exports that showed it (a value seen, then not,
// then again, is two entries). A date inside an entry of the same value
// changes nothing; one just after it extends it (Last); one before the
// entry after, of that entry's value, moves it back (first seen); one
// inside an entry of another value splits it. An entry already at date
// takes v (two exports of one day: the later observed wins). exports are
// the history's, date among them: a split entry ends at the export before
// date (the history keeps when values changed, not every sighting).
func insert(es []Entry, date, v string, exports []ExportInfo) ([]Entry, bool) {
	// i: the entry in force on date, -1 before the first.
	i := sort.Search(len(es), func(i int) bool { return es[i].Date > date }) - 1
	switch {
	case i >= 0 && es[i].Value == v:
		if es[i].Last >= date {
			return es, false
		}
		es = slices.Clone(es) // the old slice may be someone's "before"
		es[i].Last = date
		return es, true
	case i >= 0 && es[i].Date == date:
		es = slices.Clone(es)
		old := es[i]
		es[i] = Entry{Date: date, Value: v, Last: date}
		if old.Last > date { // seen later too: keep that sighting
			es = slices.Insert(es, i+1, Entry{Date: old.Last, Value: old.Value, Last: old.Last})
		}
		return merge(es), true
	}
	es = slices.Clone(es)
	if i >= 0 && es[i].Last >= date { // date falls inside another value's entry: split it
		old := es[i]
		es[i].Last = before(exports, date, old.Date)
		if old.Last == date { // another export of that day: the later observed wins
			return merge(slices.Insert(es, i+1, Entry{Date: date, Value: v, Last: date})), true
		}
		es = slices.Insert(es, i+1, Entry{Date: date, Value: v, Last: date}, Entry{Date: old.Last, Value: old.Value, Last: old.Last})
		return es, true
	}
	if i+1 < len(es) && es[i+1].Value == v {
		es[i+1].Date = date
		return es, true
	}
	return slices.Insert(es, i+1, Entry{Date: date, Value: v, Last: date}), true
}

// before is the newest export date before date, and not before floor.
func before(exports []ExportInfo, date, floor string) string {
	j := sort.Search(len(exports), func(j int) bool { return exports[j].Date >= date })
	if j == 0 {
		return floor
	}
	return max(exports[j-1].Date, floor)
}

// merge folds neighbouring entries of one value into one.
func merge(es []Entry) []Entry {
	out := es[:0]
	for _, e := range es {
		if n := len(out); n > 0 && out[n-1].Value == e.Value {
			out[n-1].Last = max(out[n-1].Last, e.Last)
			continue
		}
		out = append(out, e)
	}
	return out
}

// Span is a position held from Since until the next span's Since.
type Span struct {
	Since string
	mapping.Position
}

// Positions merges the company and title timelines into positions, oldest
// first, consecutive equal ones (letter case aside) folded.
func (t *Timeline) Positions() []Span {
	cs, ts := t.fields[FieldCompany], t.fields[FieldTitle]
	var out []Span
	var cur mapping.Position
	for i, j := 0, 0; i < len(cs) || j < len(ts); {
		var d string
		switch {
		case j >= len(ts) || (i < len(cs) && cs[i].Date <= ts[j].Date):
			d = cs[i].Date
		default:
			d = ts[j].Date
		}
		for i < len(cs) && cs[i].Date == d {
			cur.Company = cs[i].Value
			i++
		}
		for j < len(ts) && ts[j].Date == d {
			cur.Title = ts[j].Value
			j++
		}
		if n := len(out); n > 0 && samePosition(out[n-1].Position, cur) {
			continue
		}
		out = append(out, Span{Since: d, Position: cur})
	}
	return out
}

func samePosition(a, b mapping.Position) bool {
	return strings.EqualFold(a.Company, b.Company) && strings.EqualFold(a.Title, b.Title)
}

// JobChanges lists the job changes of positions ps: a move to another
// company (both named), or a new title within the same named company,
// dated by the export that first showed the new position. Positions
// without company and title are skipped.
func JobChanges(id, name string, ps []Span) []mapping.JobChange {
	var out []mapping.JobChange
	var prev *Span
	for i := range ps {
		p := &ps[i]
		if p.Company == "" && p.Title == "" {
			continue
		}
		if prev != nil {
			moved := prev.Company != "" && p.Company != "" && !strings.EqualFold(prev.Company, p.Company)
			promoted := prev.Company != "" && strings.EqualFold(prev.Company, p.Company) && !strings.EqualFold(prev.Title, p.Title)
			if moved || promoted {
				out = append(out, mapping.JobChange{ID: id, Name: name, From: prev.Position, To: p.Position, On: p.Since})
			}
		}
		prev = p
	}
	return out
}

// Previous lists the positions before the current (last) one, newest
// first, each until the date the next position was first seen; positions
// without company and title are left out.
func Previous(ps []Span) []mapping.Position {
	var out []mapping.Position
	for i := len(ps) - 2; i >= 0; i-- {
		if ps[i].Company == "" && ps[i].Title == "" {
			continue
		}
		p := ps[i].Position
		p.Until = ps[i+1].Since
		out = append(out, p)
	}
	return out
}

// LastKnown returns the newest non-empty value of field f and the date of
// the last export that showed it; "" when f never had a value.
func (h *History) LastKnown(t *Timeline, f HistoryField) (value, lastSeen string) {
	es := t.Field(f)
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Value != "" {
			return es[i].Value, es[i].Last
		}
	}
	return "", ""
}

// Value returns field f's value on date (the entry in force then), "" before the first.
func (t *Timeline) Value(f HistoryField, date string) string {
	es := t.Field(f)
	i := sort.Search(len(es), func(i int) bool { return es[i].Date > date })
	if i == 0 {
		return ""
	}
	return es[i-1].Value
}

// Current is field f's newest value.
func (t *Timeline) Current(f HistoryField) string {
	es := t.Field(f)
	if len(es) == 0 {
		return ""
	}
	return es[len(es)-1].Value
}

// The history file is plain text, one line per person:
//
//	linkport-history	1
//	e	<date YYYY-MM-DD>	<1 if it had connections, else 0>	(one line per export, in date order)
//	p	<id>	<sum>	<plain>	<field code><n>	<exports>	<value>	… (n pairs)	<field code><n>	…
//	end	<CRC-32 of every byte before this line, hex>
//
// A value is dated by the exports that first and last showed it, as their
// indexes in the e lines (0 for the first): "2", or "1-3" when they differ,
// so each date is written once. Field codes: n name, c company, t title,
// e emails, p phones, u profile URL, o connected on, k connection. Values
// escape backslash, tab and newline as \\, \t and \n; a profile URL
// writes https://www.linkedin.com/in/ as ~. sum (hex) hashes
// the person's current values and plain is 1 when no field has more than
// one entry: a nightly run compares an unchanged person with sum, and
// neither decodes nor rewrites their line. The checksum makes a damaged
// file an error when it is read, not when someone is looked up.
const historyHeader = "linkport-history\t1"

// profilePrefix starts every canonical profile URL; the file writes it "~".
const profilePrefix = "https://www.linkedin.com/in/"

var fieldCodes = [numFields]byte{'n', 'c', 't', 'e', 'p', 'u', 'o', 'k'}

var escaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`)

func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func loadHistory(statePath string) (*History, error) {
	h := NewHistory()
	if statePath == "" {
		return h, nil
	}
	h.path = historyPath(statePath)
	b, err := os.ReadFile(h.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return h, nil
	case err != nil:
		return nil, fmt.Errorf("read history: %w", err)
	}
	if err := h.decode(b); err != nil {
		return nil, fmt.Errorf("read %s: %w", h.path, err)
	}
	return h, nil
}

// decode reads the file's text; the people's lines are slices of it,
// decoded when first needed.
func (h *History) decode(b []byte) error {
	end := bytes.LastIndex(b, []byte("\nend\t"))
	if end < 0 {
		return errors.New("no end line: the file was cut short")
	}
	trailer := strings.TrimSuffix(string(b[end+len("\nend\t"):]), "\n")
	if sum, err := strconv.ParseUint(trailer, 16, 32); err != nil || uint32(sum) != crc32.ChecksumIEEE(b[:end+1]) {
		return errors.New("the checksum on its end line does not match: the file was damaged or edited")
	}
	// Every person's line is a slice of the file: b is never written to
	// again, so it serves as the text without a copy.
	line, body, _ := strings.Cut(unsafe.String(unsafe.SliceData(b), end+1), "\n")
	if line != historyHeader {
		return fmt.Errorf("line 1: expected %q (a newer linkport's history?)", historyHeader)
	}
	people := strings.Count(body, "\np\t") + 1
	h.lines, h.raw = make(map[string]int32, people), make([]rawLine, 0, people)
	for n := 2; body != ""; n++ {
		line, body, _ = strings.Cut(body, "\n")
		bad := func(what string) error { return fmt.Errorf("line %d: expected %s", n, what) }
		switch {
		case strings.HasPrefix(line, "e\t"):
			date, c, ok := strings.Cut(line[2:], "\t")
			if !ok || !isDate(date) || (c != "0" && c != "1") {
				return bad("e, a date (YYYY-MM-DD) and 0 or 1")
			}
			if k := len(h.exports); k > 0 && h.exports[k-1].Date >= date {
				return bad("exports in date order")
			}
			h.exports = append(h.exports, ExportInfo{Date: date, Connections: c == "1"})
		case strings.HasPrefix(line, "p\t"):
			id, rest, _ := strings.Cut(line[2:], "\t")
			hex, rest, _ := strings.Cut(rest, "\t")
			plain, _, _ := strings.Cut(rest, "\t")
			sum, err := strconv.ParseUint(hex, 16, 64)
			if id == "" || err != nil || (plain != "0" && plain != "1") {
				return bad("p, an ID, a hexadecimal sum, 0 or 1, and fields")
			}
			h.lines[id] = int32(len(h.raw))
			h.raw = append(h.raw, rawLine{text: line[2:], sum: sum, plain: plain == "1"})
		default:
			return bad("an e or p line")
		}
	}
	return nil
}

// decodeAll decodes every person still undecoded.
func (h *History) decodeAll() {
	for id := range h.lines {
		h.Person(id)
	}
}

// decode reads the rest of a p line into t.
func (t *Timeline) decode(line string, exports []ExportInfo) error {
	pos := 0 // where the next tab-separated part starts; -1 after the last
	next := func() (string, bool) {
		if pos < 0 {
			return "", false
		}
		i := strings.IndexByte(line[pos:], '\t')
		if i < 0 {
			f := line[pos:]
			pos = -1
			return f, true
		}
		f := line[pos : pos+i]
		pos += i + 1
		return f, true
	}
	// One backing array for all of the person's entries; every field's
	// slice is capped, so an insert copies instead of overwriting a neighbour.
	all := make([]Entry, 0, strings.Count(line, "\t")/2)
	next() // the ID, sum and plain flag, read with the file
	next()
	next()
	for pos >= 0 {
		tok, _ := next()
		f := -1
		if tok != "" {
			f = bytes.IndexByte(fieldCodes[:], tok[0])
		}
		k, err := strconv.Atoi(tok[min(1, len(tok)):])
		if f < 0 || err != nil || k < 1 {
			return fmt.Errorf("expected a field code (n, c, t, e, p, u, o, k) and a count, got %q", tok)
		}
		start := len(all)
		for range k {
			ix, ok1 := next()
			v, ok2 := next()
			if !ok1 || !ok2 {
				return fmt.Errorf("field %s: expected %d (export, value) pairs", HistoryField(f), k)
			}
			first, lastIx, ranged := strings.Cut(ix, "-") // "3", or "1-3": first and last seen
			if !ranged {
				lastIx = first
			}
			e, err1 := strconv.Atoi(first)
			last, err2 := strconv.Atoi(lastIx)
			if err1 != nil || err2 != nil || e < 0 || last < e || last >= len(exports) {
				return fmt.Errorf("field %s: %q is not the index of an export the history lists (or two, first-last)", HistoryField(f), ix)
			}
			if len(all) > start && all[len(all)-1].Last >= exports[e].Date {
				return fmt.Errorf("field %s: dates out of order at %s", HistoryField(f), exports[e].Date)
			}
			if f == int(FieldProfileURL) && strings.HasPrefix(v, "~") {
				v = profilePrefix + v[1:]
			}
			all = append(all, Entry{Date: exports[e].Date, Value: unescape(v), Last: exports[last].Date})
		}
		t.fields[f] = all[start:len(all):len(all)]
	}
	return nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// encode writes the history in its file format, people in ID order; an
// undecoded person's line is copied as it was read.
func (h *History) encode(w io.Writer) error {
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	bw.WriteString(historyHeader + "\n")
	index := make(map[string]string, len(h.exports))
	for i, e := range h.exports {
		c := "0"
		if e.Connections {
			c = "1"
		}
		bw.WriteString("e\t" + e.Date + "\t" + c + "\n")
		index[e.Date] = strconv.Itoa(i)
	}
	var buf []byte
	for _, id := range h.IDs() {
		if i, ok := h.lines[id]; ok {
			bw.WriteString("p\t" + h.raw[i].text + "\n")
			continue
		}
		t := h.people[id]
		cur := t.current()
		var sum uint64
		sum, buf = sumValues(&cur, buf)
		plain := "0"
		if t.plain() {
			plain = "1"
		}
		bw.WriteString("p\t" + id + "\t" + strconv.FormatUint(sum, 16) + "\t" + plain)
		for f, es := range t.fields {
			if len(es) == 0 {
				continue
			}
			bw.WriteString("\t")
			bw.WriteByte(fieldCodes[f])
			bw.WriteString(strconv.Itoa(len(es)))
			for _, e := range es {
				ix, ok := index[e.Date]
				last, ok2 := index[e.Last]
				if !ok || !ok2 {
					return fmt.Errorf("person %s: %s or %s is not the date of an export", id, e.Date, e.Last)
				}
				if last != ix {
					ix += "-" + last
				}
				bw.WriteString("\t" + ix + "\t")
				v := e.Value
				if f == int(FieldProfileURL) {
					if rest, ok := strings.CutPrefix(v, profilePrefix); ok {
						bw.WriteByte('~') // the canonical prefix, written once per value as one byte
						v = rest
					} else if strings.HasPrefix(v, "~") {
						bw.WriteByte('\\')
					}
				}
				escaper.WriteString(bw, v)
			}
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "end\t%08x\n", crc.Sum32())
	return err
}

// save writes the history to <statePath>.history atomically, when it
// changed or lives elsewhere.
func (h *History) save(statePath string) error {
	path := historyPath(statePath)
	if !h.dirty && h.path == path {
		return nil
	}
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	defer f.Close()
	if err := h.encode(f); err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	h.path, h.dirty = path, false
	return nil
}

// purge drops the people ids for good.
func (h *History) purge(ids map[string]bool) {
	for id := range ids {
		if _, ok := h.lines[id]; ok {
			delete(h.lines, id)
			h.dirty = true
		}
		if _, ok := h.people[id]; ok {
			delete(h.people, id)
			h.dirty = true
		}
	}
}

// Size is the history's encoded size in bytes, as it would be on disk.
func (h *History) Size() int {
	var b bytes.Buffer
	if err := h.encode(&b); err != nil {
		return -1
	}
	return b.Len()
}
