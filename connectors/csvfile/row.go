package csvfile

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/linkport/linkport/mapping"
)

// Header returns the profile's header row.
func (p *Profile) Header() []string {
	h := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		h[i] = Neutralize(c.Header)
	}
	return h
}

// Row lays c out as one row of the profile, every cell neutralised against
// formula injection. source is the provenance written to source_label.
func (p *Profile) Row(c *mapping.Contact, source string) []string {
	row := make([]string, len(p.Columns))
	for i := range p.Columns {
		row[i] = Neutralize(p.Columns[i].cell(p, c, source))
	}
	return row
}

func (col *Column) cell(p *Profile, c *mapping.Contact, source string) string {
	var v string
	if col.Field != "" {
		if fieldKinds[col.Field] {
			v = col.list(listField(p, c, col.Field))
		} else {
			v = singleField(c, col.Field, source)
			if col.Layout != "" && v != "" {
				if t, err := time.Parse(time.DateOnly, v); err == nil {
					v = t.Format(col.Layout)
				}
			}
		}
	}
	if col.Value != "" && (col.Field == "" || v != "") {
		v = col.Value
	}
	if v == "" && col.Fallback != "" {
		v = singleField(c, col.Fallback, source)
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

func singleField(c *mapping.Contact, field, source string) string {
	switch field {
	case "id":
		return c.ID
	case "name":
		return c.Name
	case "first_name":
		return c.FirstName
	case "last_name":
		return c.LastName
	case "profile_url":
		return c.ProfileURL
	case "email_status":
		return string(c.EmailStatus)
	case "company":
		return c.Company
	case "title":
		return c.Title
	case "connected_on":
		return c.ConnectedOn
	case "source_label":
		return source
	case "note":
		return strings.Join(append([]string{source}, mapping.EnrichmentLines(c)...), "\n")
	case "description":
		lines := append([]string{source}, mapping.EnrichmentLines(c)...)
		if c.ProfileURL != "" {
			lines = append([]string{c.ProfileURL}, lines...)
		}
		return strings.Join(lines, "\n")
	case "last_contacted":
		return c.LastContacted
	case "message_count":
		if c.MessageCount == 0 {
			return ""
		}
		return strconv.Itoa(c.MessageCount)
	case "last_message_from":
		return c.LastMessageFrom
	case "invited_by":
		return c.InvitedBy
	case "invited_on":
		return c.InvitedOn
	case "invitation_text":
		return c.InvitationText
	case "recommended_you":
		return c.RecommendedYou
	case "you_recommended":
		return c.YouRecommended
	}
	return ""
}

func listField(p *Profile, c *mapping.Contact, field string) []string {
	switch field {
	case "emails":
		return c.Emails
	case "phones", "phones_e164", "phones_intl":
		out := make([]string, 0, len(c.Phones))
		for _, ph := range c.Phones {
			switch {
			case field == "phones":
				out = append(out, ph.Raw)
			case ph.E164 != "":
				out = append(out, ph.E164)
			case field == "phones_intl":
				out = append(out, ph.Raw)
			default:
				out = append(out, "")
			}
		}
		return out
	case "addresses":
		return c.Addresses
	case "sites":
		return c.Sites
	case "sources":
		return c.Sources
	case "notes":
		return c.Notes
	case "endorsed_you":
		return c.EndorsedYou
	case "you_endorsed":
		return c.YouEndorsed
	case "tags":
		tags := append([]string(nil), p.Tags...)
		if len(c.Emails) == 0 {
			tags = append(tags, p.NoEmailTag)
		}
		return tags
	}
	return nil
}

// Neutralize defuses a cell a spreadsheet would run as a formula (OWASP's
// CSV injection advice): a value starting with =, +, -, @, tab or CR, or
// their full-width forms, gets a leading apostrophe. Two shapes stay as
// they are, because a CRM would store the apostrophe and they cannot call a
// function, reference a cell or reach DDE: a lone "+" or "-", and a phone
// number ("+44 20 7946 0958", "-1" …: a sign followed only by digits,
// spaces and ( ) . / -).
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if isNumberLike(s[1:]) {
			return s
		}
		return "'" + s
	}
	for _, r := range "＝＋－＠" {
		if strings.HasPrefix(s, string(r)) {
			return "'" + s
		}
	}
	return s
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
