// Package card translates a contact into a vCard and merges the properties
// linkport owns into a card found on a server, so that what a user added on
// their phone survives every sync. It is the one place, with the CardDAV
// target, that knows go-vcard.
package card

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/mapping"
)

// vCard categories linkport writes, as the values of one CATEGORIES
// property (comma-separated, see Encode): Monica and khard read only the
// first CATEGORIES of a card.
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
	// FieldRFCSocialProfile is RFC 9554's SOCIALPROFILE, which Monica 4.x
	// and newer clients read.
	FieldRFCSocialProfile = "SOCIALPROFILE"
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

// UID is the contact's vCard UID: "urn:uuid:" and the RFC 4122 version 5
// UUID of "urn:linkport:contact:<id>", so it is as stable as the ID. It is
// computed with crypto/sha1 rather than a UUID library: 15 lines, no dependency.
func UID(id string) string {
	h := sha1.New()
	h.Write(namespaceURL[:])
	h.Write([]byte("urn:linkport:contact:" + id))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// New renders c as a vCard of the given version ("3.0" or "4.0", anything
// else is 3.0). The card holds only what linkport owns (see Merge), no
// REV or PRODID, so the same contact always encodes to the same bytes.
func New(c *mapping.Contact, version string) vcard.Card {
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
	add(vcard.FieldUID, UID(c.ID))
	add(FieldLinkportID, text(c.ID))
	add(FieldLinkportEmailStatus, text(string(c.EmailStatus)))
	add(FieldLinkportLastContacted, text(c.Extras().LastContacted))

	family, given := text(c.LastName), text(c.FirstName)
	name := text(c.Name)
	if name == "" {
		name = strings.TrimSpace(given + " " + family)
	}
	if family == "" && given == "" && isName(c) {
		if i := strings.LastIndexByte(name, ' '); i > 0 {
			given, family = name[:i], name[i+1:]
		} else {
			family = name
		}
	}
	add(vcard.FieldFormattedName, name)
	card.Add(vcard.FieldName, &vcard.Field{Value: strings.Join([]string{family, given, "", "", ""}, ";")})
	add(vcard.FieldOrganization, text(c.Company))
	add(vcard.FieldTitle, text(c.Title))

	for _, e := range c.Emails {
		if v4 {
			add(vcard.FieldEmail, text(e))
		} else {
			add(vcard.FieldEmail, text(e), vcard.ParamType, "INTERNET")
		}
	}
	for _, p := range c.Phones {
		switch {
		case v4 && p.E164 != "":
			add(vcard.FieldTelephone, "tel:"+p.E164, vcard.ParamValue, "uri")
		case v4:
			add(vcard.FieldTelephone, text(p.Raw), vcard.ParamValue, "text")
		case p.E164 != "":
			add(vcard.FieldTelephone, p.E164)
		default:
			add(vcard.FieldTelephone, text(p.Raw))
		}
	}
	for _, v := range addresses(c) {
		card.Add(vcard.FieldAddress, &vcard.Field{Value: v})
	}
	if c.ProfileURL != "" {
		u := text(c.ProfileURL)
		add(vcard.FieldURL, u)
		add(FieldRFCSocialProfile, u, vcard.ParamType, "linkedin")
		add(FieldSocialProfile, u, vcard.ParamType, "linkedin")
		monica := []string{vcard.ParamType, "LinkedIn"}
		if slug := profileSlug(c.ProfileURL); slug != "" {
			monica = append(monica, "X-USER", slug)
		}
		add(FieldMonicaSocialProfile, u, monica...)
	}
	for _, s := range c.Where().Sites {
		if s = text(s); s != "" && s != text(c.ProfileURL) {
			add(vcard.FieldURL, s)
		}
	}
	add(vcard.FieldNote, note(c))
	cats := []string{CategoryLinkedIn}
	if c.EmailStatus == mapping.EmailHidden {
		cats = append(cats, CategoryNoEmail)
	}
	setCategories(card, cats)
	return card
}

// text is s cleaned for a vCard value (mapping.CleanText) with its
// semicolons escaped, so "O;Brien" stays one name in N, ORG and ADR and in
// every reader. The escape stays in the value as go-vcard decodes it, so a
// card read back from a server compares equal to the one New built.
func text(s string) string {
	return strings.ReplaceAll(mapping.CleanText(s), ";", `\;`)
}

// isName reports whether c.Name is a name, not the email or phone number
// mapping shows for a person without one: N is built from names only.
func isName(c *mapping.Contact) bool {
	if c.Name == "" || c.Name == "(no name)" || slices.Contains(c.Emails, c.Name) {
		return false
	}
	return !slices.ContainsFunc(c.Phones, func(p mapping.Phone) bool { return p.Raw == c.Name })
}

// addresses are c's ADR values: in their parts (street, city, region,
// postal code, country) where the source gave them, else each free-text
// address in the street part, as the export holds nothing better.
func addresses(c *mapping.Contact) []string {
	var out []string
	w := c.Where()
	if len(w.PostalAddresses) > 0 {
		for _, a := range w.PostalAddresses {
			if a.IsZero() {
				continue
			}
			parts := []string{"", "", adrPart(a.Street), adrPart(a.City), adrPart(a.Region), adrPart(a.PostalCode), adrPart(a.Country)}
			out = append(out, strings.Join(parts, ";"))
		}
		return out
	}
	for _, a := range w.Addresses {
		if a = adrPart(a); a != "" {
			out = append(out, ";;"+a+";;;;")
		}
	}
	return out
}

// adrPart is one ADR component: lines joined with ", " (a newline has no
// place in a component), cleaned and escaped.
func adrPart(s string) string {
	return text(strings.ReplaceAll(s, "\n", ", "))
}

// profileSlug is the slug of a LinkedIn profile URL, for a parameter value,
// or "" when there is none or it holds a character other than a letter,
// digit, "-", "_" or ".": go-vcard neither quotes parameter values nor
// escapes ":" and ";" in them, so such a slug would break the line.
func profileSlug(profileURL string) string {
	_, slug := mapping.NormalizeProfileURL(profileURL)
	for _, r := range slug {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' {
			return ""
		}
	}
	return slug
}

// note is the NOTE block linkport owns: when and from where the person
// came, what the rest of the archive says (last contact, invitation, the
// user's LinkedIn notes, endorsements, recommendations) and what earlier
// exports add (HistoryLines). Never a message body.
func note(c *mapping.Contact) string {
	var lines []string
	if c.ConnectedOn != "" {
		lines = append(lines, "Connected on LinkedIn on "+text(c.ConnectedOn)+".")
	}
	for _, l := range append(mapping.EnrichmentLines(c), HistoryLines(c)...) {
		lines = append(lines, strings.ReplaceAll(l, ";", `\;`)) // already cleaned
	}
	if len(c.Sources) > 0 {
		srcs := make([]string, len(c.Sources))
		for i, s := range c.Sources {
			srcs[i] = text(s)
		}
		lines = append(lines, "Source: LinkedIn export ("+strings.Join(srcs, ", ")+"), synced by linkport.")
	}
	if len(lines) == 0 {
		return ""
	}
	return NoteBlockStart + "\n" + strings.Join(lines, "\n") + "\n" + NoteBlockEnd
}

// HistoryLines says in words, one line each, what the state's history of
// earlier exports adds to c: each earlier position, newest first, with the
// month it ended ("Previously: Engineer at Acme, until 2026-03."), and
// whether the emails or phones are last-known values kept from an earlier
// export ("Email last seen in the 2019-05-01 export."). A contact without
// history has none. Values are cleaned (mapping.CleanText), not escaped:
// the NOTE block and the CRM note columns share them.
func HistoryLines(c *mapping.Contact) []string {
	var lines []string
	for _, p := range c.Extras().Previous {
		pos := mapping.Position{Title: mapping.CleanText(p.Title), Company: mapping.CleanText(p.Company)}.String()
		if pos == "" {
			continue
		}
		if until := month(mapping.CleanText(p.Until)); until != "" {
			pos += ", until " + until
		}
		lines = append(lines, "Previously: "+pos+".")
	}
	if d := mapping.CleanText(c.Extras().EmailLastSeen); d != "" && len(c.Emails) > 0 {
		lines = append(lines, "Email last seen in the "+d+" export.")
	}
	if d := mapping.CleanText(c.Extras().PhoneLastSeen); d != "" && len(c.Phones) > 0 {
		lines = append(lines, "Phone last seen in the "+d+" export.")
	}
	return lines
}

// month is a YYYY-MM-DD date to the month ("2026-03"): when a position
// ended is known only to the export that no longer showed it, so a day
// would claim a precision the history does not have. Anything else is
// kept as it is.
func month(date string) string {
	if _, err := time.Parse(time.DateOnly, date); err == nil {
		return date[:7]
	}
	return date
}

// WriteAll writes one card of the given version per person, in order, with
// Encode: a .vcf bundle that address books and CRMs import, from the same mapping as
// the CardDAV target.
func WriteAll(w io.Writer, people []*mapping.Contact, version string) error {
	for _, c := range people {
		if err := Encode(w, New(c, version)); err != nil {
			return fmt.Errorf("encode vCard of %s (%s): %w", c.Name, c.ID, err)
		}
	}
	return nil
}

// ReadAll decodes every card of a .vcf bundle, so a bundle WriteAll wrote
// (or an address book's export) can be read back without go-vcard.
func ReadAll(r io.Reader) ([]vcard.Card, error) {
	var out []vcard.Card
	dec := vcard.NewDecoder(r)
	for {
		c, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("decode vCard %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
}

// Categories are the card's categories, however many CATEGORIES properties
// hold them: one comma-separated property as linkport writes it now, or one
// per value as earlier versions did.
func Categories(c vcard.Card) []string {
	var out []string
	for _, f := range c[vcard.FieldCategories] {
		for _, v := range splitEscaped(f.Value, ',') {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// AddCategory adds cat to the card's one CATEGORIES property (creating it),
// unless the card has it already.
func AddCategory(c vcard.Card, cat string) {
	cats := Categories(c)
	if !slices.Contains(cats, cat) {
		setCategories(c, append(cats, cat))
	}
}

// setCategories replaces the card's CATEGORIES with one property holding
// cats (none: no property), a comma inside a category escaped. The
// parameters and group of the first existing CATEGORIES are kept.
func setCategories(c vcard.Card, cats []string) {
	if len(cats) == 0 {
		delete(c, vcard.FieldCategories)
		return
	}
	f := &vcard.Field{}
	if old := c[vcard.FieldCategories]; len(old) > 0 {
		f = copyField(old[0])
	}
	esc := make([]string, len(cats))
	for i, v := range cats {
		esc[i] = strings.ReplaceAll(v, ",", `\,`)
	}
	f.Value = strings.Join(esc, ",")
	c[vcard.FieldCategories] = []*vcard.Field{f}
}

// splitEscaped splits a value at each sep ("," of a list, ";" of a
// structured value) that is not escaped, and unescapes the escaped ones.
func splitEscaped(v string, sep byte) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v) && v[i+1] == sep:
			b.WriteByte(sep)
			i++
		case v[i] == sep:
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(v[i])
		}
	}
	return append(out, b.String())
}
