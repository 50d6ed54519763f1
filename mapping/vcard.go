package mapping

import (
	"crypto/sha1"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/emersion/go-vcard"
)

// vCard categories linkport writes; each is its own CATEGORIES property
// because go-vcard joins several values with an escaped comma that other
// clients read as one category.
const (
	CategoryLinkedIn = "LinkedIn"
	CategoryNoEmail  = "LinkedIn: no email"
	CategoryRemoved  = "LinkedIn: removed"
)

// linkport's own vCard properties: RFC 6352 §6.3.2.2 obliges servers to keep
// X- properties, so they survive any client.
const (
	FieldLinkportID          = "X-LINKPORT-ID"
	FieldLinkportEmailStatus = "X-LINKPORT-EMAIL-STATUS"
	// FieldSocialProfile is the property Apple Contacts and Monica read.
	FieldSocialProfile = "X-SOCIALPROFILE"
)

// namespaceURL is RFC 4122's URL namespace; UIDs are v5 names in it.
var namespaceURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// VCardUID is the contact's vCard UID: "urn:uuid:" and the RFC 4122 version 5
// UUID of "urn:linkport:contact:<id>", so it is as stable as the ID. It is
// computed with crypto/sha1 rather than a UUID library: 15 lines, no dependency.
func VCardUID(id string) string {
	h := sha1.New()
	h.Write(namespaceURL[:])
	h.Write([]byte("urn:linkport:contact:" + id))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// VCard renders c as a vCard of the given version ("3.0" or "4.0", anything
// else is 3.0). The card holds only what linkport owns (see MergeVCard), no
// REV or PRODID, so the same contact always encodes to the same bytes.
func VCard(c *Contact, version string) vcard.Card {
	v4 := version == "4.0"
	card := vcard.Card{}
	add := func(k, v string, params ...string) {
		if v == "" {
			return
		}
		f := &vcard.Field{Value: v}
		for i := 0; i+1 < len(params); i += 2 {
			if f.Params == nil {
				f.Params = vcard.Params{}
			}
			f.Params.Add(params[i], params[i+1])
		}
		card.Add(k, f)
	}
	if v4 {
		card.SetValue(vcard.FieldVersion, "4.0")
	} else {
		card.SetValue(vcard.FieldVersion, "3.0")
	}
	add(vcard.FieldUID, VCardUID(c.ID))
	add(FieldLinkportID, clean(c.ID))
	add(FieldLinkportEmailStatus, clean(string(c.EmailStatus)))

	family, given := clean(c.LastName), clean(c.FirstName)
	name := clean(c.Name)
	if name == "" {
		name = strings.TrimSpace(given + " " + family)
	}
	if family == "" && given == "" {
		if i := strings.LastIndexByte(name, ' '); i > 0 {
			given, family = name[:i], name[i+1:]
		} else {
			family = name
		}
	}
	add(vcard.FieldFormattedName, name)
	card.Add(vcard.FieldName, &vcard.Field{Value: strings.Join([]string{family, given, "", "", ""}, ";")})
	add(vcard.FieldOrganization, clean(c.Company))
	add(vcard.FieldTitle, clean(c.Title))

	for _, e := range c.Emails {
		if v4 {
			add(vcard.FieldEmail, clean(e))
		} else {
			add(vcard.FieldEmail, clean(e), vcard.ParamType, "INTERNET")
		}
	}
	for _, p := range c.Phones {
		switch {
		case v4 && p.E164 != "":
			add(vcard.FieldTelephone, "tel:"+p.E164, vcard.ParamValue, "uri")
		case v4:
			add(vcard.FieldTelephone, clean(p.Raw), vcard.ParamValue, "text")
		case p.E164 != "":
			add(vcard.FieldTelephone, p.E164)
		default:
			add(vcard.FieldTelephone, clean(p.Raw))
		}
	}
	for _, a := range c.Addresses {
		// Free text from the export: it all goes into the street component.
		if a = clean(strings.ReplaceAll(a, "\n", ", ")); a != "" {
			card.Add(vcard.FieldAddress, &vcard.Field{Value: ";;" + a + ";;;;"})
		}
	}
	if c.ProfileURL != "" {
		add(vcard.FieldURL, clean(c.ProfileURL))
		add(FieldSocialProfile, clean(c.ProfileURL), vcard.ParamType, "linkedin")
	}
	for _, s := range c.Sites {
		if s = clean(s); s != "" && s != c.ProfileURL {
			add(vcard.FieldURL, s)
		}
	}
	add(vcard.FieldNote, note(c))
	add(vcard.FieldCategories, CategoryLinkedIn)
	if c.EmailStatus == EmailHidden {
		add(vcard.FieldCategories, CategoryNoEmail)
	}
	return card
}

// note is the NOTE linkport owns: when and from where the person came.
func note(c *Contact) string {
	var parts []string
	if c.ConnectedOn != "" {
		parts = append(parts, "Connected on LinkedIn on "+clean(c.ConnectedOn)+".")
	}
	if len(c.Sources) > 0 {
		srcs := make([]string, len(c.Sources))
		for i, s := range c.Sources {
			srcs[i] = clean(s)
		}
		parts = append(parts, "Source: LinkedIn export ("+strings.Join(srcs, ", ")+"), synced by linkport.")
	}
	return strings.Join(parts, " ")
}

// clean makes s safe for any vCard value: valid UTF-8, no control
// characters, and no ";" (go-vcard does not escape it, so in N, ADR and ORG
// it would split a component; elsewhere readers disagree on it).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ';':
			return ','
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// owned lists the properties linkport writes and merges, by how they merge,
// and the contact field a conflict on them is reported as. Everything else on
// a card is the user's.
var owned = []struct {
	prop  string
	multi bool // a set of values, of which linkport owns the ones it wrote
	field string
}{
	{vcard.FieldUID, false, "uid"},
	{FieldLinkportID, false, "id"},
	{FieldLinkportEmailStatus, false, "email_status"},
	{vcard.FieldFormattedName, false, "name"},
	{vcard.FieldName, false, "name"},
	{vcard.FieldOrganization, false, "company"},
	{vcard.FieldTitle, false, "title"},
	{vcard.FieldEmail, true, "emails"},
	{vcard.FieldTelephone, true, "phones"},
	{vcard.FieldAddress, true, "addresses"},
	{vcard.FieldURL, true, "profile_url"},
	{FieldSocialProfile, true, "profile_url"},
	{vcard.FieldNote, true, "note"},
	{vcard.FieldCategories, true, "categories"},
}

// MergeVCard merges contact c into the card found on the server. base is the
// contact as linkport last sent it (nil when unknown, e.g. after a create
// whose response was lost: then c's values are simply applied).
//
// linkport owns only the properties VCard writes. A single-valued one (FN, N,
// ORG, TITLE, the X-LINKPORT ones) is linkport's whole; of a multi-valued one
// (EMAIL, TEL, ADR, URL, X-SOCIALPROFILE, NOTE, CATEGORIES) linkport owns the
// values it wrote in base, so a phone number or note the user added is theirs
// and is never touched. For each owned property: unchanged in LinkedIn since
// base → the remote stays as it is; changed in LinkedIn and untouched on the
// server → the change is applied; changed on both sides → the user's version
// is kept (or, with overwrite, replaced) and the field is listed in
// conflicts. UID is never rewritten (servers refuse a changed UID). Every
// property linkport does not own keeps its fields as decoded.
func MergeVCard(remote vcard.Card, base, c *Contact, version string, overwrite bool) (merged vcard.Card, conflicts []string) {
	ours := VCard(c, version)
	if base == nil {
		merged, _ = MergeCards(remote, vcard.Card{}, ours, true)
		return merged, nil
	}
	return MergeCards(remote, VCard(base, version), ours, overwrite)
}

// MergeCards is MergeVCard on cards: base is the card linkport last wrote,
// ours the one it would write now. The remote card is not modified.
func MergeCards(remote, base, ours vcard.Card, overwrite bool) (merged vcard.Card, conflicts []string) {
	merged = make(vcard.Card, len(remote))
	for k, fs := range remote {
		merged[k] = slices.Clone(fs)
	}
	for _, o := range owned {
		var conflict bool
		if o.multi {
			conflict = mergeSet(merged, o.prop, base[o.prop], ours[o.prop], overwrite)
		} else {
			conflict = mergeOne(merged, o.prop, base[o.prop], ours[o.prop], overwrite)
		}
		if conflict && !slices.Contains(conflicts, o.field) {
			conflicts = append(conflicts, o.field)
		}
	}
	slices.Sort(conflicts)
	return merged, conflicts
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
