package csvfile

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
)

// Header returns the profile's header row.
func (p *Profile) Header() []string {
	h := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		h[i] = Neutralize(c.Header)
	}
	return h
}

// rower is a profile with each column's fields looked up once, for laying
// out many rows: looking them up by name for every cell was a fifth of
// writing 40,000 rows.
type rower struct {
	p    *Profile
	cols []rowerColumn
}

type rowerColumn struct {
	*Column
	field, fallback fieldRef
}

// fieldRef is a field looked up: the catalogue's spec when known there,
// else one of the profile's own fields (profileFields), by name.
type fieldRef struct {
	name  string // "": no field
	spec  mapping.FieldSpec
	inCat bool // spec is the catalogue's
	list  bool
}

func lookup(name string) fieldRef {
	r := fieldRef{name: name}
	if r.spec, r.inCat = mapping.LookupField(name); r.inCat {
		r.list = r.spec.List
	} else {
		r.list, _ = fieldKind(name)
	}
	return r
}

func (p *Profile) rower() *rower {
	r := &rower{p: p, cols: make([]rowerColumn, len(p.Columns))}
	for i := range p.Columns {
		r.cols[i] = resolve(&p.Columns[i])
	}
	return r
}

// resolve looks up col's fields.
func resolve(col *Column) rowerColumn {
	return rowerColumn{Column: col, field: lookup(col.Field), fallback: lookup(col.Fallback)}
}

// row lays c out as one row of the profile, every cell neutralised against
// formula injection. source is the provenance written to source_label.
func (r *rower) row(c *mapping.Contact, source string) []string {
	row := make([]string, len(r.cols))
	for i := range r.cols {
		row[i] = Neutralize(r.cols[i].cell(r.p, c, source))
	}
	return row
}

func (col *rowerColumn) cell(p *Profile, c *mapping.Contact, source string) string {
	var v string
	if col.field.name != "" {
		if col.field.list {
			v = col.list(listField(p, c, col.field))
		} else {
			v = singleField(c, col.field, source)
			if col.Layout != "" && v != "" {
				if t, err := time.Parse(time.DateOnly, v); err == nil {
					v = t.Format(col.Layout)
				}
			}
		}
	}
	if col.Value != "" && (col.field.name == "" || v != "") {
		v = col.Value
	}
	if v == "" && col.fallback.name != "" {
		v = singleField(c, col.fallback, source)
	}
	if v == "" {
		v = col.Default
	}
	return v
}

func (col *Column) list(values []string) string {
	switch {
	case col.Index > 0:
		if col.Index <= len(values) {
			return values[col.Index-1]
		}
		return ""
	case col.From > 0:
		if col.From > len(values) {
			return ""
		}
		values = values[col.From-1:]
	}
	if len(values) == 0 {
		return ""
	}
	if col.JSON {
		b, err := json.Marshal(values)
		if err != nil {
			panic("csvfile: marshal strings: " + err.Error()) // plain strings: cannot fail
		}
		return string(b)
	}
	sep := col.Join
	if sep == "" {
		sep = "; "
	}
	return strings.Join(values, sep)
}

// singleField is a single-valued field of c: the profile's own, else the
// catalogue's; "" for an unknown name (check refuses those).
func singleField(c *mapping.Contact, field fieldRef, source string) string {
	switch field.name {
	case "source_label":
		return source
	case "note":
		return strings.Join(noteLines(c, source), "\n")
	case "description":
		lines := noteLines(c, source)
		if c.ProfileURL != "" {
			lines = append([]string{c.ProfileURL}, lines...)
		}
		return strings.Join(lines, "\n")
	}
	if field.inCat && !field.spec.List {
		return field.spec.Value(c)
	}
	return ""
}

// noteLines are the lines of the note field: the provenance, what the rest
// of the archive says, then what earlier exports add (the card's NOTE
// block says the same, in the same words).
func noteLines(c *mapping.Contact, source string) []string {
	lines := append([]string{source}, mapping.EnrichmentLines(c)...)
	return append(lines, card.HistoryLines(c)...)
}

// listField is a list field of c: the profile's tags, else the catalogue's.
func listField(p *Profile, c *mapping.Contact, field fieldRef) []string {
	if field.name == "tags" {
		tags := append([]string(nil), p.Tags...)
		// A target whose fields leave out emails still has people with
		// one: email_status (always sent) says so, and the tag must not lie.
		if len(c.Emails) == 0 && c.EmailStatus != mapping.EmailPresent {
			tags = append(tags, p.NoEmailTag)
		}
		return tags
	}
	if field.inCat && field.spec.List {
		return field.spec.Values(c)
	}
	return nil
}

// Neutralize defuses a cell a spreadsheet would run as a formula (OWASP's
// CSV injection advice): a value whose first visible character is =, +, -,
// @, tab or CR, or their full-width forms, gets a leading apostrophe; so
// does each line of a multi-line cell that starts so, for importers that
// split cells on newlines. Invisible format characters (zero-width space,
// bidi controls, BOM) in front do not hide a formula. Two shapes stay as
// they are, because a CRM would store the apostrophe and they cannot call a
// function, reference a cell or reach DDE: a lone "+" or "-", and a phone
// number ("+44 20 7946 0958", "-1" …: a sign followed only by digits,
// spaces and ( ) . / -).
func Neutralize(s string) string {
	if !strings.Contains(s, "\n") {
		if risky(s) {
			return "'" + s
		}
		return s
	}
	lines := strings.Split(s, "\n")
	changed := false
	for i, l := range lines {
		if risky(l) {
			lines[i], changed = "'"+l, true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(lines, "\n")
}

// risky reports whether a spreadsheet would read s as a formula.
func risky(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '\t' || s[0] == '\r' {
		return true
	}
	v := strings.TrimLeftFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) })
	r, size := utf8.DecodeRuneInString(v)
	switch r {
	case '=', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return true
	case '+', '-':
		return !isNumberLike(v[size:])
	}
	return false
}

// isNumberLike reports whether s holds only digits and phone punctuation,
// with at least one digit; an empty s (a lone sign) also passes.
func isNumberLike(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '(' || r == ')' || r == '.' || r == '/' || r == '-':
		default:
			return false
		}
	}
	return digits > 0 || s == ""
}
