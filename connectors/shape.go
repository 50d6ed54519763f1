package connectors

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/linkport/linkport/mapping"
)

// A target's choice of fields (its fields: key) names canonical fields of
// mapping.Catalogue. Three kinds of name are not choosable:
//
//   - the mandatory fields, which every target gets: id and name identify
//     the record (a card needs FN, a CRM row a name); email_status and
//     sources are promised in every webhook event (schema 1) and drive the
//     "no email" labels, and say nothing about the person that the record
//     itself does not;
//   - the derived forms (phones_e164, phones_intl of phones;
//     previous_company, previous_title, job_changed_on of
//     previous_positions), which go with the field they are a form of;
//   - nothing else: every other field may be included or excluded.
//
// The off-by-default fields (invitation_text: other people's words) reach
// a target only when its include names them.
var (
	mandatoryFields = []string{"id", "name", "email_status", "sources"}
	offByDefault    = []string{"invitation_text"}
	derivedFields   = map[string]string{
		"phones_e164": "phones", "phones_intl": "phones",
		"previous_company": "previous_positions", "previous_title": "previous_positions", "job_changed_on": "previous_positions",
	}
)

// clearers empty one field of a copy of a contact and report whether it
// held anything. A field's dependants go with it: email_last_seen dates the
// emails, phone_last_seen the phones, and postal_addresses are the
// addresses in parts. Setting a slice to nil never touches the original's
// backing array; the copy's Extra and Whereabouts are its own (DropFields
// copies them), and a nil one holds nothing to clear.
var clearers = map[string]func(c *mapping.Contact) bool{
	"first_name":  func(c *mapping.Contact) bool { return clearString(&c.FirstName) },
	"last_name":   func(c *mapping.Contact) bool { return clearString(&c.LastName) },
	"profile_url": func(c *mapping.Contact) bool { return clearString(&c.ProfileURL) },
	"emails": func(c *mapping.Contact) bool {
		return either(clearSlice(&c.Emails), c.Extra != nil && clearString(&c.EmailLastSeen))
	},
	"phones": func(c *mapping.Contact) bool {
		return either(clearSlice(&c.Phones), c.Extra != nil && clearString(&c.PhoneLastSeen))
	},
	"company": func(c *mapping.Contact) bool { return clearString(&c.Company) },
	"title":   func(c *mapping.Contact) bool { return clearString(&c.Title) },
	"addresses": func(c *mapping.Contact) bool {
		return c.Whereabouts != nil && either(clearSlice(&c.Addresses), clearSlice(&c.PostalAddresses))
	},
	"sites":          func(c *mapping.Contact) bool { return c.Whereabouts != nil && clearSlice(&c.Sites) },
	"connected_on":   func(c *mapping.Contact) bool { return clearString(&c.ConnectedOn) },
	"last_contacted": func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.LastContacted) },
	"message_count": func(c *mapping.Contact) bool {
		n := c.Extras().MessageCount
		if n != 0 {
			c.MessageCount = 0
		}
		return n != 0
	},
	"last_message_from": func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.LastMessageFrom) },
	"invited_by":        func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.InvitedBy) },
	"invited_on":        func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.InvitedOn) },
	"invitation_text":   func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.InvitationText) },
	"notes":             func(c *mapping.Contact) bool { return c.Extra != nil && clearSlice(&c.Notes) },
	"endorsed_you":      func(c *mapping.Contact) bool { return c.Extra != nil && clearSlice(&c.EndorsedYou) },
	"you_endorsed":      func(c *mapping.Contact) bool { return c.Extra != nil && clearSlice(&c.YouEndorsed) },
	"recommended_you":   func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.RecommendedYou) },
	"you_recommended":   func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.YouRecommended) },
	"previous_positions": func(c *mapping.Contact) bool {
		return c.Extra != nil && clearSlice(&c.Previous)
	},
	"email_last_seen": func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.EmailLastSeen) },
	"phone_last_seen": func(c *mapping.Contact) bool { return c.Extra != nil && clearString(&c.PhoneLastSeen) },
}

// either is a || b with both evaluated: each clearer clears, then reports.
func either(a, b bool) bool { return a || b }

func clearString(s *string) bool { had := *s != ""; *s = ""; return had }

func clearSlice[T any](s *[]T) bool { had := len(*s) > 0; *s = nil; return had }

// ChoosableFields are the field names a target's fields: may name, in
// catalogue order.
func ChoosableFields() []string {
	var out []string
	for _, f := range mapping.Catalogue() {
		if _, ok := clearers[f.Name]; ok {
			out = append(out, f.Name)
		}
	}
	return out
}

// MandatoryFields are the fields every target gets, whatever its choice.
func MandatoryFields() []string { return slices.Clone(mandatoryFields) }

// OffByDefault are the fields a target gets only when its include names them.
func OffByDefault() []string { return slices.Clone(offByDefault) }

// FieldChoice is a target's fields: key. Include lists the fields it gets
// (with the mandatory ones); Exclude the fields it does not get of those
// sent by default. At most one of them is set; neither means the default.
type FieldChoice struct {
	Include, Exclude []string
}

// FieldError is a name a FieldChoice cannot take.
type FieldError struct {
	// Key is "include" or "exclude"; Field the name as written.
	Key, Field string
	// Reason says why, as a sentence's end.
	Reason string
	// Unknown marks a name that is no canonical field (a typo).
	Unknown bool
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("fields.%s: %q %s", e.Key, e.Field, e.Reason)
}

// Dropped returns the fields a target with this choice does not get, in
// catalogue order, or an error naming the first name it cannot take.
func (fc FieldChoice) Dropped() ([]string, error) {
	if fc.Include != nil && fc.Exclude != nil {
		return nil, errors.New("fields: include and exclude together: use one (include lists what is sent, exclude what is not)")
	}
	key, names := "exclude", fc.Exclude
	if fc.Include != nil {
		key, names = "include", fc.Include
	}
	named := map[string]bool{}
	for _, n := range names {
		switch _, known := mapping.LookupField(n); {
		case slices.Contains(mandatoryFields, n) && key == "exclude":
			return nil, &FieldError{Key: key, Field: n, Reason: "is sent to every target (" + strings.Join(mandatoryFields, ", ") + " always are)"}
		case slices.Contains(mandatoryFields, n):
		case derivedFields[n] != "":
			return nil, &FieldError{Key: key, Field: n, Reason: fmt.Sprintf("is a form of %q and goes with it: name %q", derivedFields[n], derivedFields[n])}
		case !known:
			return nil, &FieldError{Key: key, Field: n, Reason: "is not a field (fields: " + strings.Join(ChoosableFields(), ", ") + ")", Unknown: true}
		}
		named[n] = true
	}
	var out []string
	for _, n := range ChoosableFields() {
		drop := named[n]
		switch {
		case key == "include":
			drop = !named[n]
		case slices.Contains(offByDefault, n):
			drop = true
		}
		if drop {
			out = append(out, n)
		}
	}
	return out, nil
}

// Shape returns what a target with this choice is given of each person
// (a Spec.Shape): a copy without the dropped fields, or the contact itself
// when it has none of them; the argument is never changed. With neither
// Include nor Exclude it drops the off-by-default fields.
func (fc FieldChoice) Shape() (func(*mapping.Contact) *mapping.Contact, error) {
	dropped, err := fc.Dropped()
	if err != nil {
		return nil, err
	}
	return DropFields(dropped...), nil
}

// DropFields is the Shape without the named choosable fields (see
// ChoosableFields; other names panic: callers check them, as
// FieldChoice.Dropped does). With no names it is the identity.
func DropFields(names ...string) func(*mapping.Contact) *mapping.Contact {
	fns := make([]func(*mapping.Contact) bool, len(names))
	for i, n := range names {
		if fns[i] = clearers[n]; fns[i] == nil {
			panic("connectors: DropFields of a field that cannot be dropped: " + n)
		}
	}
	// Most contacts hold none of the fields (invitation text, by default):
	// their scratch copy goes back to the pool instead of to the collector.
	// The copy has an Extra and Whereabouts of its own, so clearing them
	// leaves c's alone.
	type copied struct {
		c mapping.Contact
		e mapping.Extra
		w mapping.Whereabouts
	}
	scratch := sync.Pool{New: func() any { return new(copied) }}
	return func(c *mapping.Contact) *mapping.Contact {
		sc := scratch.Get().(*copied)
		cp := &sc.c
		*cp = *c
		if c.Extra != nil {
			sc.e = *c.Extra
			cp.Extra = &sc.e
		}
		if c.Whereabouts != nil {
			sc.w = *c.Whereabouts
			cp.Whereabouts = &sc.w
		}
		changed := false
		for _, clear := range fns {
			if clear(cp) {
				changed = true
			}
		}
		if !changed {
			*sc = copied{} // hold no one's data while pooled
			scratch.Put(sc)
			return c
		}
		return cp
	}
}

// DefaultShape is the Shape of a target without a fields: key: every field
// but the off-by-default ones.
func DefaultShape() func(*mapping.Contact) *mapping.Contact {
	return DropFields(offByDefault...)
}

// ComposeShapes applies shapes in order, skipping nil ones: on_missing's
// ClearLastKnown first (it reads email_last_seen to know what to clear),
// then the field choice.
func ComposeShapes(shapes ...func(*mapping.Contact) *mapping.Contact) func(*mapping.Contact) *mapping.Contact {
	var fs []func(*mapping.Contact) *mapping.Contact
	for _, s := range shapes {
		if s != nil {
			fs = append(fs, s)
		}
	}
	switch len(fs) {
	case 0:
		return nil
	case 1:
		return fs[0]
	}
	return func(c *mapping.Contact) *mapping.Contact {
		for _, s := range fs {
			c = s(c)
		}
		return c
	}
}
