package card

import (
	"slices"
	"strings"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/mapping"
)

// noteBlock finds linkport's block in a NOTE value: its bounds, or ok false.
// A NOTE written before blocks existed ("Connected on LinkedIn on … synced by
// linkport.") is all linkport's, so it counts as one block.
func noteBlock(v string) (start, end int, ok bool) {
	if i := strings.Index(v, NoteBlockStart); i >= 0 {
		if j := strings.Index(v[i:], NoteBlockEnd); j >= 0 {
			return i, i + j + len(NoteBlockEnd), true
		}
		return i, len(v), true // the user cut the end line: the rest is ours
	}
	if strings.HasSuffix(strings.TrimSpace(v), "synced by linkport.") &&
		(strings.HasPrefix(v, "Connected on LinkedIn on ") || strings.HasPrefix(v, "Source: LinkedIn export (")) {
		return 0, len(v), true
	}
	return 0, 0, false
}

// mergeNote merges linkport's NOTE block as mergeOne merges a property,
// leaving whatever surrounds the block, and every other NOTE, as it is.
func mergeNote(m vcard.Card, base, ours []*vcard.Field, overwrite bool) bool {
	blockOf := func(fs []*vcard.Field) string {
		for _, f := range fs {
			if s, e, ok := noteBlock(f.Value); ok {
				return f.Value[s:e]
			}
		}
		return ""
	}
	b, o := blockOf(base), blockOf(ours)
	idx, r, legacy := -1, "", false
	for i, f := range m[vcard.FieldNote] {
		if s, e, ok := noteBlock(f.Value); ok {
			idx, r = i, f.Value[s:e]
			legacy = !strings.Contains(r, NoteBlockStart)
			break
		}
	}
	switch {
	case legacy:
		r = b // a NOTE from before blocks is linkport's own: upgrade it, no conflict
	case valueKey(o) == valueKey(b), valueKey(r) == valueKey(o):
		return false // nothing new from LinkedIn, or both sides agree
	case valueKey(r) != valueKey(b) && !overwrite:
		return true
	}
	conflict := valueKey(r) != valueKey(b)
	if idx < 0 {
		if len(ours) > 0 {
			m[vcard.FieldNote] = append(m[vcard.FieldNote], copyField(ours[0]))
		}
		return conflict
	}
	f := copyField(m[vcard.FieldNote][idx])
	s, e, _ := noteBlock(f.Value)
	before, after := f.Value[:s], f.Value[e:]
	if o == "" {
		before, after = strings.TrimRight(before, "\n"), strings.TrimLeft(after, "\n")
	}
	f.Value = before + o + after
	notes := slices.Clone(m[vcard.FieldNote])
	if strings.TrimSpace(f.Value) == "" {
		notes = slices.Delete(notes, idx, idx+1)
	} else {
		notes[idx] = f
	}
	if len(notes) == 0 {
		delete(m, vcard.FieldNote)
	} else {
		m[vcard.FieldNote] = notes
	}
	return conflict
}

// ownedProp is a property linkport writes and merges, and the contact field
// a conflict on it is reported as.
type ownedProp struct {
	prop  string
	set   bool // a set of values, of which linkport owns the ones it wrote
	field string
}

// owned lists the properties linkport writes and merges: those the field
// catalogue names (mapping.FieldSpec.Card), and the card's own UID, NOTE
// block (merged by mergeNote) and CATEGORIES. Everything else on a card is
// the user's. It is computed once and never modified.
var owned = ownedProps(mapping.Catalogue())

func ownedProps(fields []mapping.FieldSpec) []ownedProp {
	out := []ownedProp{{vcard.FieldUID, false, "uid"}}
	for _, f := range fields {
		for _, p := range f.Card {
			out = append(out, ownedProp{p.Name, p.Set, f.Name})
		}
	}
	return append(out, ownedProp{vcard.FieldNote, true, "note"}, ownedProp{vcard.FieldCategories, true, "categories"})
}

// Merge merges contact c into the card found on the server. base is the
// contact as linkport last sent it (nil when unknown, e.g. after a create
// whose response was lost: then c's values are simply applied).
//
// linkport owns only the properties New writes. A single-valued one (FN, N,
// ORG, TITLE, the X-LINKPORT ones) is linkport's whole; of a multi-valued one
// (EMAIL, TEL, ADR, URL, SOCIALPROFILE, X-SOCIALPROFILE, X-SOCIAL-PROFILE, and
// each category of CATEGORIES) linkport owns the values it wrote in base, so a phone number the user added is theirs and is
// never touched. Of NOTE linkport owns only its delimited block: the user's
// text around it, and any other NOTE, is theirs. For each owned property: unchanged in LinkedIn since
// base → the remote stays as it is; changed in LinkedIn and untouched on the
// server → the change is applied; changed on both sides → the user's version
// is kept (or, with overwrite, replaced) and the field is listed in
// conflicts. UID is never rewritten (servers refuse a changed UID). Every
// property linkport does not own keeps its fields as decoded.
func Merge(remote vcard.Card, base, c *mapping.Contact, version string, overwrite bool) (merged vcard.Card, conflicts []string) {
	ours := New(c, version)
	if base == nil {
		merged, _ = MergeCards(remote, vcard.Card{}, ours, true)
		return merged, nil
	}
	return MergeCards(remote, New(base, version), ours, overwrite)
}

// MergeCards is Merge on cards: base is the card linkport last wrote,
// ours the one it would write now. The remote card is not modified.
func MergeCards(remote, base, ours vcard.Card, overwrite bool) (merged vcard.Card, conflicts []string) {
	merged = make(vcard.Card, len(remote))
	for k, fs := range remote {
		merged[k] = slices.Clone(fs)
	}
	for _, o := range owned {
		var conflict bool
		if o.prop == vcard.FieldNote {
			conflict = mergeNote(merged, base[o.prop], ours[o.prop], overwrite)
		} else if o.prop == vcard.FieldCategories {
			conflict = mergeCategories(merged, base, ours, overwrite)
		} else if o.set {
			conflict = mergeSet(merged, o.prop, base[o.prop], ours[o.prop], overwrite)
		} else {
			conflict = mergeOne(merged, o.prop, base[o.prop], ours[o.prop], overwrite)
		}
		if conflict && !slices.Contains(conflicts, o.field) {
			conflicts = append(conflicts, o.field)
		}
	}
	upgradeSocialProfile(merged, ours)
	slices.Sort(conflicts)
	return merged, conflicts
}

// mergeCategories merges the categories linkport owns (those in base) as
// mergeSet merges values, whatever number of CATEGORIES properties each
// card spreads them over, and writes the result as one property: a card
// written by an earlier version (one CATEGORIES per value) is rewritten
// into the single form when it is next merged, and categories the user
// added, on any line, are kept. "LinkedIn: removed" is linkport's own
// mark, whatever base says: it goes as soon as the person is back in the
// export.
func mergeCategories(m vcard.Card, base, ours vcard.Card, overwrite bool) bool {
	explode := func(c vcard.Card) []*vcard.Field {
		var out []*vcard.Field
		for _, v := range Categories(c) {
			out = append(out, &vcard.Field{Value: v})
		}
		return out
	}
	tmp := vcard.Card{vcard.FieldCategories: explode(m)}
	conflict := mergeSet(tmp, vcard.FieldCategories, explode(base), explode(ours), overwrite)
	var cats []string
	for _, f := range tmp[vcard.FieldCategories] {
		if f.Value != CategoryRemoved || slices.Contains(Categories(ours), CategoryRemoved) {
			cats = append(cats, f.Value)
		}
	}
	setCategories(m, cats)
	return conflict
}

// upgradeSocialProfile adds the SOCIALPROFILE linkport now writes to a card
// written before it did: one that lacks SOCIALPROFILE altogether but holds
// the same profile as Apple's X-SOCIALPROFILE. (A user who deletes only
// SOCIALPROFILE and keeps X-SOCIALPROFILE sees it come back.)
func upgradeSocialProfile(m, ours vcard.Card) {
	want := ours[FieldRFCSocialProfile]
	if len(want) == 0 || len(m[FieldRFCSocialProfile]) > 0 {
		return
	}
	apple := fieldKeys(m[FieldSocialProfile])
	for _, f := range want {
		if slices.Contains(apple, valueKey(f.Value)) {
			m[FieldRFCSocialProfile] = append(m[FieldRFCSocialProfile], copyField(f))
		}
	}
}

// mergeOne merges a single-valued property; it reports a conflict.
func mergeOne(m vcard.Card, prop string, base, ours []*vcard.Field, overwrite bool) bool {
	b, o, r := first(base), first(ours), first(m[prop])
	switch {
	case prop == vcard.FieldUID && r != "":
		return false // a changed UID is a no-uid-conflict on every server
	case valueKey(o) == valueKey(b), valueKey(r) == valueKey(o):
		return false // nothing new from LinkedIn, or both sides agree
	case valueKey(r) != valueKey(b) && !overwrite:
		return true
	}
	if len(ours) == 0 {
		delete(m, prop)
	} else {
		m[prop] = copyFields(ours)
	}
	return valueKey(r) != valueKey(b)
}

// mergeSet merges the values linkport owns in a multi-valued property: those
// in base. Values the user added are left where they are.
func mergeSet(m vcard.Card, prop string, base, ours []*vcard.Field, overwrite bool) bool {
	remote := m[prop]
	bk, ok, rk := fieldKeys(base), fieldKeys(ours), fieldKeys(remote)
	if slices.Equal(sortedCopy(bk), sortedCopy(ok)) {
		return false
	}
	touched := false // the user removed or edited a value linkport wrote
	for _, k := range bk {
		if !slices.Contains(rk, k) {
			touched = true
		}
	}
	converged := true // the remote already holds exactly our change
	for _, k := range ok {
		if !slices.Contains(rk, k) {
			converged = false
		}
	}
	for _, k := range bk {
		if !slices.Contains(ok, k) && slices.Contains(rk, k) {
			converged = false
		}
	}
	if converged {
		return false
	}
	if touched && !overwrite {
		return true
	}
	var out []*vcard.Field
	for _, f := range remote {
		if k := valueKey(f.Value); slices.Contains(bk, k) && !slices.Contains(ok, k) {
			continue // LinkedIn dropped it
		}
		out = append(out, f)
	}
	have := fieldKeys(out)
	for _, f := range ours {
		if !slices.Contains(have, valueKey(f.Value)) {
			out = append(out, copyField(f))
		}
	}
	if len(out) == 0 {
		delete(m, prop)
	} else {
		m[prop] = out
	}
	return touched
}

// key is the comparison form of a value: servers re-serialise cards, so
// case and surrounding space do not count.
func valueKey(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

func first(fs []*vcard.Field) string {
	if len(fs) == 0 {
		return ""
	}
	return fs[0].Value
}

func fieldKeys(fs []*vcard.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = valueKey(f.Value)
	}
	return out
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func copyFields(fs []*vcard.Field) []*vcard.Field {
	out := make([]*vcard.Field, len(fs))
	for i, f := range fs {
		out[i] = copyField(f)
	}
	return out
}

func copyField(f *vcard.Field) *vcard.Field {
	c := &vcard.Field{Value: f.Value, Group: f.Group}
	if f.Params != nil {
		c.Params = make(vcard.Params, len(f.Params))
		for k, v := range f.Params {
			c.Params[k] = slices.Clone(v)
		}
	}
	return c
}
