package state

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

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

// Entry is one observed value and the export date (YYYY-MM-DD) it was
// first seen on; it holds until the next entry.
type Entry struct {
	Date, Value string
}

// Timeline is one person's history: per field, the changes in date order.
type Timeline struct {
	ID     string
	fields [numFields][]Entry
}

// Field returns the entries of field f, oldest first. They are the
// history's own: callers must not change them.
func (t *Timeline) Field(f HistoryField) []Entry { return t.fields[f] }

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
	exports []ExportInfo // by date
	people  map[string]*Timeline
	dirty   bool
}

// NewHistory returns an empty history, not tied to a file.
func NewHistory() *History { return &History{people: map[string]*Timeline{}} }

func historyPath(statePath string) string { return statePath + ".history" }

// History returns the state's history, reading <state>.history on first
// use; a missing file is an empty history (a state from before version 2
// has none: the next run's archives seed it).
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

// SetHistory replaces the state's history (a caller that built one in memory).
func (s *Snapshot) SetHistory(h *History) { s.history = h }

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
func (h *History) Len() int { return len(h.people) }

// Person returns the timeline of the person with ID id, nil if unknown.
func (h *History) Person(id string) *Timeline { return h.people[id] }

// IDs lists every person the history knows, sorted.
func (h *History) IDs() []string {
	ids := make([]string, 0, len(h.people))
	for id := range h.people {
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
	i := sort.Search(len(h.exports), func(i int) bool { return h.exports[i].Date >= date })
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
	present := make(map[string]bool, len(g.People))
	for _, p := range g.People {
		t := h.people[p.ID]
		if t == nil {
			t = &Timeline{ID: p.ID}
			h.people[p.ID] = t
		}
		values(p, &vals)
		if !hasConnections {
			vals[FieldConnection] = ""
		}
		for f := range numFields {
			if f == FieldConnection && !hasConnections {
				continue
			}
			e, changed := insert(t.fields[f], date, vals[f])
			if !changed {
				continue
			}
			if _, seen := obs.Positions[p.ID]; !seen && (f == FieldCompany || f == FieldTitle) {
				obs.Positions[p.ID] = t.Positions() // nil for someone new: no position yet
			}
			t.fields[f], obs.Changed = e, true
		}
		if vals[FieldConnection] != "" {
			present[p.ID] = true
		}
	}
	if hasConnections {
		for id, t := range h.people {
			if present[id] {
				continue
			}
			if e, changed := insert(t.fields[FieldConnection], date, ""); changed {
				t.fields[FieldConnection], obs.Changed = e, true
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
	emails := slices.Clone(p.Emails)
	sort.Strings(emails)
	v[FieldEmails] = strings.Join(emails, "\n")
	phones := make([]string, len(p.Phones))
	for i, ph := range p.Phones {
		phones[i] = ph.E164
		if phones[i] == "" {
			phones[i] = ph.Raw
		}
	}
	sort.Strings(phones)
	v[FieldPhones] = strings.Join(phones, "\n")
	v[FieldProfileURL] = p.ProfileURL
	v[FieldConnectedOn] = p.ConnectedOn
	v[FieldConnection] = ""
	if p.IsConnection() {
		v[FieldConnection] = "1"
	}
}

// insert puts (date, v) into es in date order, keeping only changes: it
// is a no-op when the entry before date holds v, and moves the entry after
// back to date when that one holds v. An entry already at date takes v
// (two exports of one day: the later observed wins).
func insert(es []Entry, date, v string) ([]Entry, bool) {
	i := sort.Search(len(es), func(i int) bool { return es[i].Date >= date })
	if i < len(es) && es[i].Date == date {
		if es[i].Value == v {
			return es, false
		}
		es = slices.Clone(es) // the old slice may be someone's "before"
		es[i].Value = v
		if i+1 < len(es) && es[i+1].Value == v {
			es = slices.Delete(es, i+1, i+2)
		}
		if i > 0 && es[i-1].Value == v {
			es = slices.Delete(es, i, i+1)
		}
		return es, true
	}
	if i > 0 && es[i-1].Value == v {
		return es, false
	}
	es = slices.Clone(es)
	if i < len(es) && es[i].Value == v {
		es[i].Date = date
		return es, true
	}
	return slices.Insert(es, i, Entry{date, v}), true
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
// the last export that showed it; "" when f never had a value. The last
// date is the newest observed export before the value changed (a person
// absent from that export makes it approximate: the history keeps changes,
// not every sighting).
func (h *History) LastKnown(t *Timeline, f HistoryField) (value, lastSeen string) {
	es := t.fields[f]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Value == "" {
			continue
		}
		if i == len(es)-1 {
			return es[i].Value, h.Newest()
		}
		next := es[i+1].Date
		j := sort.Search(len(h.exports), func(j int) bool { return h.exports[j].Date >= next })
		if j == 0 {
			return es[i].Value, es[i].Date
		}
		return es[i].Value, max(h.exports[j-1].Date, es[i].Date)
	}
	return "", ""
}

// Value returns field f's value on date (the entry in force then), "" before the first.
func (t *Timeline) Value(f HistoryField, date string) string {
	es := t.fields[f]
	i := sort.Search(len(es), func(i int) bool { return es[i].Date > date })
	if i == 0 {
		return ""
	}
	return es[i-1].Value
}

// Current is field f's newest value.
func (t *Timeline) Current(f HistoryField) string {
	es := t.fields[f]
	if len(es) == 0 {
		return ""
	}
	return es[len(es)-1].Value
}

// The history file: gzip-compressed text, so that repeated dates and IDs
// cost almost nothing (a 30,000-person network over five exports stays a
// few MB). Its lines:
//
//	linkport-history	1
//	e	<date>	<1 if it had connections, else 0>
//	f	<id>	<field>	<date>	<value>	<date>	<value>…
//
// Values escape backslash, tab and newline as \\, \t and \n.
const historyHeader = "linkport-history\t1"

var escaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`)

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
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
	f, err := os.Open(h.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return h, nil
	case err != nil:
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer f.Close()
	if err := h.decode(f); err != nil {
		return nil, fmt.Errorf("read %s: %w", h.path, err)
	}
	return h, nil
}

func (h *History) decode(r io.Reader) error {
	zr, err := gzip.NewReader(bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return fmt.Errorf("expected a gzip-compressed linkport history: %w", err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			if line != historyHeader {
				return fmt.Errorf("line 1: expected %q (a newer linkport's history?)", historyHeader)
			}
			continue
		}
		parts := strings.Split(line, "\t")
		switch {
		case parts[0] == "e" && len(parts) == 3 && isDate(parts[1]):
			if k := len(h.exports); k > 0 && h.exports[k-1].Date >= parts[1] {
				return fmt.Errorf("line %d: export %s out of date order", n, parts[1])
			}
			h.exports = append(h.exports, ExportInfo{Date: parts[1], Connections: parts[2] == "1"})
		case parts[0] == "f" && len(parts) >= 5 && len(parts)%2 == 1:
			f := slices.Index(fieldNames[:], parts[2])
			if f < 0 {
				return fmt.Errorf("line %d: unknown field %q", n, parts[2])
			}
			t := h.people[parts[1]]
			if t == nil {
				t = &Timeline{ID: parts[1]}
				h.people[parts[1]] = t
			}
			es := make([]Entry, 0, (len(parts)-3)/2)
			for i := 3; i < len(parts); i += 2 {
				if !isDate(parts[i]) || (len(es) > 0 && es[len(es)-1].Date >= parts[i]) {
					return fmt.Errorf("line %d: expected dates (YYYY-MM-DD) in order, got %q", n, parts[i])
				}
				es = append(es, Entry{parts[i], unescape(parts[i+1])})
			}
			t.fields[f] = es
		default:
			return fmt.Errorf("line %d: expected an e or f line", n)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	if n == 0 {
		return errors.New("empty file")
	}
	return nil
}

func isDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-'
}

// encode writes the history in its file format, people in ID order.
func (h *History) encode(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed) // most of the size goes at the fastest level
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(zw, 1<<16)
	bw.WriteString(historyHeader + "\n")
	for _, e := range h.exports {
		c := "0"
		if e.Connections {
			c = "1"
		}
		bw.WriteString("e\t" + e.Date + "\t" + c + "\n")
	}
	for _, id := range h.IDs() {
		t := h.people[id]
		for f, es := range t.fields {
			if len(es) == 0 {
				continue
			}
			bw.WriteString("f\t" + id + "\t" + fieldNames[f])
			for _, e := range es {
				bw.WriteString("\t" + e.Date + "\t")
				escaper.WriteString(bw, e.Value)
			}
			bw.WriteByte('\n')
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
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

// Size is the history's encoded size in bytes, as it would be on disk.
func (h *History) Size() int {
	var b bytes.Buffer
	if err := h.encode(&b); err != nil {
		return -1
	}
	return b.Len()
}
