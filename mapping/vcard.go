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
	// FieldSocialProfile is Apple Contacts' social profile property.
	FieldSocialProfile = "X-SOCIALPROFILE"
	// FieldMonicaSocialProfile is the only social profile property current
	// Monica (CardDAV) imports: with TYPE=LinkedIn it reads the handle from
	// the X-USER parameter, else the value.
	FieldMonicaSocialProfile = "X-SOCIAL-PROFILE"
	// FieldLinkportLastContacted is the date (YYYY-MM-DD) of the newest message with the person.
	FieldLinkportLastContacted = "X-LINKPORT-LAST-CONTACTED"
)

// The NOTE linkport writes is a block between these lines. Text the user
// writes before or after it, in the same NOTE, is theirs and survives every
// merge; only the block is replaced.
const (
	NoteBlockStart = "--- linkport ---"
	NoteBlockEnd   = "--- end linkport ---"
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
	add(FieldLinkportLastContacted, clean(c.LastContacted))

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
		monica := []string{vcard.ParamType, "LinkedIn"}
		if slug := profileSlug(c.ProfileURL); slug != "" {
			monica = append(monica, "X-USER", slug)
		}
		add(FieldMonicaSocialProfile, clean(c.ProfileURL), monica...)
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

// profileSlug is the slug of a LinkedIn profile URL, for a parameter value,
// or "" when there is none or it holds a character other than a letter,
// digit, "-", "_" or ".": go-vcard neither quotes parameter values nor
// escapes ":" and ";" in them, so such a slug would break the line.
func profileSlug(profileURL string) string {
	_, slug := NormalizeProfileURL(profileURL)
	for _, r := range slug {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' {
			return ""
		}
	}
	return slug
}

// note is the NOTE block linkport owns: when and from where the person
// came, and what the rest of the archive says (last contact, invitation,
// the user's LinkedIn notes, endorsements, recommendations). Never a
// message body.
func note(c *Contact) string {
	var lines []string
	if c.ConnectedOn != "" {
		lines = append(lines, "Connected on LinkedIn on "+clean(c.ConnectedOn)+".")
	}
	lines = append(lines, EnrichmentLines(c)...)
	if len(c.Sources) > 0 {
		srcs := make([]string, len(c.Sources))
		for i, s := range c.Sources {
			srcs[i] = clean(s)
		}
		lines = append(lines, "Source: LinkedIn export ("+strings.Join(srcs, ", ")+"), synced by linkport.")
	}
	if len(lines) == 0 {
		return ""
	}
	return NoteBlockStart + "\n" + strings.Join(lines, "\n") + "\n" + NoteBlockEnd
}

// EnrichmentLines says in words, one line each, what Enrich added to c:
// last contact, invitation, the user's notes, endorsements,
// recommendations. Every value is cleaned for a vCard or CSV cell. The
// vCard NOTE block and the CRM note columns share it.
func EnrichmentLines(c *Contact) []string {
	var lines []string
	line := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = clean(s)
			}
		}
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	if c.LastContacted != "" {
		from := map[string]string{"me": "you", "them": "them", "other": "someone else"}[c.LastMessageFrom]
		if from == "" {
			from = "unknown"
		}
		line("Last contacted on %s (%d messages, the last from %s).", c.LastContacted, c.MessageCount, from)
	}
	switch c.InvitedBy {
	case "me":
		line("You invited them on %s.", c.InvitedOn)
	case "them":
		line("They invited you on %s.", c.InvitedOn)
	}
	if c.InvitationText != "" {
		line("Invitation: “%s”", c.InvitationText)
	}
	for _, n := range c.Notes {
		line("Note: %s", n)
	}
	if len(c.EndorsedYou) > 0 {
		line("Endorsed you for: %s.", strings.Join(c.EndorsedYou, ", "))
	}
	if len(c.YouEndorsed) > 0 {
		line("You endorsed them for: %s.", strings.Join(c.YouEndorsed, ", "))
	}
	if c.RecommendedYou != "" {
		line("Recommended you (%s).", c.RecommendedYou)
	}
	if c.YouRecommended != "" {
		line("You recommended them (%s).", c.YouRecommended)
	}
	return lines
}

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
	{FieldLinkportLastContacted, false, "last_contacted"},
	{vcard.FieldFormattedName, false, "name"},
	{vcard.FieldName, false, "name"},
	{vcard.FieldOrganization, false, "company"},
	{vcard.FieldTitle, false, "title"},
	{vcard.FieldEmail, true, "emails"},
	{vcard.FieldTelephone, true, "phones"},
	{vcard.FieldAddress, true, "addresses"},
	{vcard.FieldURL, true, "profile_url"},
	{FieldSocialProfile, true, "profile_url"},
	{FieldMonicaSocialProfile, true, "profile_url"},
	{vcard.FieldNote, true, "note"}, // merged by mergeNote
	{vcard.FieldCategories, true, "categories"},
}

// MergeVCard merges contact c into the card found on the server. base is the
// contact as linkport last sent it (nil when unknown, e.g. after a create
// whose response was lost: then c's values are simply applied).
//
// linkport owns only the properties VCard writes. A single-valued one (FN, N,
// ORG, TITLE, the X-LINKPORT ones) is linkport's whole; of a multi-valued one
// (EMAIL, TEL, ADR, URL, X-SOCIALPROFILE, X-SOCIAL-PROFILE, CATEGORIES) linkport owns the
// values it wrote in base, so a phone number the user added is theirs and is
// never touched. Of NOTE linkport owns only its delimited block: the user's
// text around it, and any other NOTE, is theirs. For each owned property: unchanged in LinkedIn since
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
		if o.prop == vcard.FieldNote {
			conflict = mergeNote(merged, base[o.prop], ours[o.prop], overwrite)
		} else if o.multi {
			conflict = mergeSet(merged, o.prop, base[o.prop], ours[o.prop], overwrite)
		} else {
			conflict = mergeOne(merged, o.prop, base[o.prop], ours[o.prop], overwrite)
		}
		if conflict && !slices.Contains(conflicts, o.field) {
			conflicts = append(conflicts, o.field)
		}
	}
	// "LinkedIn: removed" is linkport's own mark, whatever base says: it
	// goes as soon as the person is back in the export.
	if !slices.ContainsFunc(ours[vcard.FieldCategories], isRemovedMark) {
		merged[vcard.FieldCategories] = slices.DeleteFunc(merged[vcard.FieldCategories], isRemovedMark)
		if len(merged[vcard.FieldCategories]) == 0 {
			delete(merged, vcard.FieldCategories)
		}
	}
	slices.Sort(conflicts)
	return merged, conflicts
}

func isRemovedMark(f *vcard.Field) bool { return f.Value == CategoryRemoved }

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
