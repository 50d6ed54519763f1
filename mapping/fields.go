package mapping

import (
	"slices"
	"strconv"
	"strings"
)

// FieldSpec describes one canonical field of a contact. The catalogue of
// them is the single list every representation reads (Fields and
// DiffFields, the properties the card package owns, the columns a CSV
// profile may name), so a new field is added in one place.
type FieldSpec struct {
	// Name is the canonical name: a diff's key, a CSV profile's field.
	Name string
	// List marks a field with several values (emails, phones, …).
	List bool
	// Flat marks a field of Contact.Fields. The ID identifies rather than
	// describes, and derived forms (phones_e164) would repeat a change.
	Flat bool
	// Doc says in one line what the value is, for help texts and errors.
	Doc string
	// Card lists the vCard properties that carry the field and that
	// linkport therefore owns on a card; a conflict on one of them is
	// reported under Name. The NOTE block, CATEGORIES and UID, which no
	// single field owns, are the card package's own.
	Card []CardProp

	value  func(*Contact) string   // single-valued fields
	values func(*Contact) []string // list fields
}

// CardProp is a vCard property that carries a field.
type CardProp struct {
	Name string
	// Set marks a property that may hold values linkport did not write (a
	// phone the user added); linkport owns only the values it wrote.
	Set bool
}

// Value is the field of c as one text: a list's values joined with "; ",
// a count of zero as "".
func (f FieldSpec) Value(c *Contact) string {
	if f.List {
		return strings.Join(f.values(c), "; ")
	}
	return f.value(c)
}

// Values is the field of c as a list: a single value is a list of one,
// or none when empty, so callers that pick or join values need no case.
func (f FieldSpec) Values(c *Contact) []string {
	if f.List {
		return f.values(c)
	}
	if v := f.value(c); v != "" {
		return []string{v}
	}
	return nil
}

// catalogue is the field list, in the order of Contact.Fields. It is never
// modified; Catalogue hands out copies.
var catalogue = []FieldSpec{
	single("id", false, "linkport's stable ID of the person", func(c *Contact) string { return c.ID },
		CardProp{Name: "X-LINKPORT-ID"}),
	single("name", true, "the full name", func(c *Contact) string { return c.Name },
		CardProp{Name: "FN"}, CardProp{Name: "N"}),
	single("first_name", true, "the given name", func(c *Contact) string { return c.FirstName }),
	single("last_name", true, "the family name", func(c *Contact) string { return c.LastName }),
	single("profile_url", true, "the LinkedIn profile URL", func(c *Contact) string { return c.ProfileURL },
		CardProp{Name: "URL", Set: true}, CardProp{Name: "SOCIALPROFILE", Set: true}, CardProp{Name: "X-SOCIALPROFILE", Set: true},
		CardProp{Name: "X-SOCIAL-PROFILE", Set: true}),
	list("emails", true, "email addresses, normalised", func(c *Contact) []string { return c.Emails },
		CardProp{Name: "EMAIL", Set: true}),
	single("email_status", true, "present, hidden (by the member's privacy setting) or none",
		func(c *Contact) string { return string(c.EmailStatus) }, CardProp{Name: "X-LINKPORT-EMAIL-STATUS"}),
	list("phones", true, "each phone number as given", func(c *Contact) []string { return phones(c, false, true) },
		CardProp{Name: "TEL", Set: true}),
	list("phones_e164", false, "each phone number in E.164 form, empty when unknown",
		func(c *Contact) []string { return phones(c, true, false) }),
	list("phones_intl", false, "each phone number in E.164 form, else as given",
		func(c *Contact) []string { return phones(c, true, true) }),
	single("company", true, "the current employer", func(c *Contact) string { return c.Company },
		CardProp{Name: "ORG"}),
	single("title", true, "the current position", func(c *Contact) string { return c.Title },
		CardProp{Name: "TITLE"}),
	list("addresses", true, "postal addresses as free text", func(c *Contact) []string { return c.Where().Addresses },
		CardProp{Name: "ADR", Set: true}),
	// sites are written as URL too, but URL conflicts are reported as profile_url.
	list("sites", true, "web sites other than the profile", func(c *Contact) []string { return c.Where().Sites }),
	single("connected_on", true, "the connection date, YYYY-MM-DD", func(c *Contact) string { return c.ConnectedOn }),
	list("sources", true, `where the person came from: "connection", "contact:GOOGLE_CONTACTS", …`,
		func(c *Contact) []string { return c.Sources }),
	single("last_contacted", true, "the date of the newest message with them", func(c *Contact) string { return c.Extras().LastContacted },
		CardProp{Name: "X-LINKPORT-LAST-CONTACTED"}),
	single("message_count", true, "messages in conversations with them", func(c *Contact) string { return count(c.Extras().MessageCount) }),
	single("last_message_from", true, "who wrote the newest message: me, them or other",
		func(c *Contact) string { return c.Extras().LastMessageFrom }),
	single("invited_by", true, "who sent the invitation: me or them", func(c *Contact) string { return c.Extras().InvitedBy }),
	single("invited_on", true, "the invitation date", func(c *Contact) string { return c.Extras().InvitedOn }),
	single("invitation_text", true, "the invitation's own words", func(c *Contact) string { return c.Extras().InvitationText }),
	list("notes", true, "the user's private LinkedIn notes on them", func(c *Contact) []string { return c.Extras().Notes }),
	list("endorsed_you", true, "skills they endorsed the user for", func(c *Contact) []string { return c.Extras().EndorsedYou }),
	list("you_endorsed", true, "skills the user endorsed them for", func(c *Contact) []string { return c.Extras().YouEndorsed }),
	single("recommended_you", true, `when they recommended the user, or "yes"`, func(c *Contact) string { return c.Extras().RecommendedYou }),
	single("you_recommended", true, `when the user recommended them, or "yes"`, func(c *Contact) string { return c.Extras().YouRecommended }),
	list("previous_positions", true, `earlier positions, newest first: "Title at Company, until YYYY-MM-DD"`,
		func(c *Contact) []string { return previous(c) }),
	single("previous_company", false, "the company of the position before the current one",
		func(c *Contact) string { return first(c.Extras().Previous).Company }),
	single("previous_title", false, "the title of the position before the current one",
		func(c *Contact) string { return first(c.Extras().Previous).Title }),
	single("job_changed_on", false, "when the current position was first seen, if it replaced another",
		func(c *Contact) string { return first(c.Extras().Previous).Until }),
	single("email_last_seen", true, "when the emails, kept from an earlier export, were last in one",
		func(c *Contact) string { return c.Extras().EmailLastSeen }),
	single("phone_last_seen", true, "when the phones, kept from an earlier export, were last in one",
		func(c *Contact) string { return c.Extras().PhoneLastSeen }),
}

// previous lists c's earlier positions as text, newest first.
func previous(c *Contact) []string {
	out := make([]string, 0, len(c.Extras().Previous))
	for _, p := range c.Extras().Previous {
		out = append(out, p.String()+", until "+p.Until)
	}
	return out
}

// first is the newest earlier position, or none.
func first(ps []Position) Position {
	if len(ps) == 0 {
		return Position{}
	}
	return ps[0]
}

func single(name string, flat bool, doc string, value func(*Contact) string, card ...CardProp) FieldSpec {
	return FieldSpec{Name: name, Flat: flat, Doc: doc, Card: card, value: value}
}

func list(name string, flat bool, doc string, values func(*Contact) []string, card ...CardProp) FieldSpec {
	return FieldSpec{Name: name, List: true, Flat: flat, Doc: doc, Card: card, values: values}
}

// phones lists c's numbers: the E.164 form when e164 and known, else the
// number as given when raw, else "" (so the nth value stays the nth phone).
func phones(c *Contact, e164, raw bool) []string {
	out := make([]string, 0, len(c.Phones))
	for _, p := range c.Phones {
		switch {
		case e164 && p.E164 != "":
			out = append(out, p.E164)
		case raw:
			out = append(out, p.Raw)
		default:
			out = append(out, "")
		}
	}
	return out
}

// count is n as text, or "" for none, so a person without messages has an empty field.
func count(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Catalogue returns every canonical field, in the order of Contact.Fields.
// The slice is a copy: callers may keep or reorder it.
func Catalogue() []FieldSpec {
	out := slices.Clone(catalogue)
	for i := range out {
		out[i].Card = slices.Clone(out[i].Card)
	}
	return out
}

// LookupField returns the canonical field with this name.
func LookupField(name string) (FieldSpec, bool) {
	for _, f := range catalogue {
		if f.Name == name {
			return f, true
		}
	}
	return FieldSpec{}, false
}
