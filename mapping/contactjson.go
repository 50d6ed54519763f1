package mapping

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends c as json.Marshal encodes it, byte for byte, without
// reflection: fingerprints and the sent store hash and keep these bytes
// for every person of every run, and encoding/json spent most of that
// time finding the fields. TestAppendJSON holds it to json.Marshal for
// every field of Contact, so a field added there and not here fails.
func (c *Contact) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = AppendJSONString(b, c.ID)
	b = append(b, `,"name":`...)
	b = AppendJSONString(b, c.Name)
	b = appendField(b, "first_name", c.FirstName)
	b = appendField(b, "last_name", c.LastName)
	b = appendField(b, "profile_url", c.ProfileURL)
	b = appendList(b, "emails", c.Emails)
	b = append(b, `,"email_status":`...)
	b = AppendJSONString(b, string(c.EmailStatus))
	if len(c.Phones) > 0 {
		b = append(b, `,"phones":[`...)
		for i, p := range c.Phones {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"raw":`...)
			b = AppendJSONString(b, p.Raw)
			b = appendField(b, "e164", p.E164)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendField(b, "company", c.Company)
	b = appendField(b, "title", c.Title)
	w := c.Where()
	b = appendList(b, "addresses", w.Addresses)
	if len(w.PostalAddresses) > 0 {
		b = append(b, `,"postal_addresses":[`...)
		for i, a := range w.PostalAddresses {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONObject(b, [][2]string{{"street", a.Street}, {"city", a.City}, {"region", a.Region},
				{"postal_code", a.PostalCode}, {"country", a.Country}})
		}
		b = append(b, ']')
	}
	b = appendList(b, "sites", w.Sites)
	b = appendField(b, "connected_on", c.ConnectedOn)
	b = append(b, `,"sources":`...)
	if c.Sources == nil {
		b = append(b, "null"...)
	} else {
		b = AppendJSONStrings(b, c.Sources)
	}
	if x := c.Extra; x != nil { // every field of Extra is omitempty
		b = appendField(b, "last_contacted", x.LastContacted)
		if x.MessageCount != 0 {
			b = append(b, `,"message_count":`...)
			b = strconv.AppendInt(b, int64(x.MessageCount), 10)
		}
		b = appendField(b, "last_message_from", x.LastMessageFrom)
		b = appendField(b, "invited_by", x.InvitedBy)
		b = appendField(b, "invited_on", x.InvitedOn)
		b = appendField(b, "invitation_text", x.InvitationText)
		b = appendList(b, "notes", x.Notes)
		b = appendList(b, "endorsed_you", x.EndorsedYou)
		b = appendList(b, "you_endorsed", x.YouEndorsed)
		b = appendField(b, "recommended_you", x.RecommendedYou)
		b = appendField(b, "you_recommended", x.YouRecommended)
		if len(x.Previous) > 0 {
			b = append(b, `,"previous":[`...)
			for i, p := range x.Previous {
				if i > 0 {
					b = append(b, ',')
				}
				b = AppendJSONObject(b, [][2]string{{"title", p.Title}, {"company", p.Company}, {"until", p.Until}})
			}
			b = append(b, ']')
		}
		b = appendField(b, "email_last_seen", x.EmailLastSeen)
		b = appendField(b, "phone_last_seen", x.PhoneLastSeen)
	}
	return append(b, '}')
}

// appendField appends `,"name":"v"` unless v is empty (omitempty).
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return AppendJSONString(b, v)
}

// appendList appends `,"name":[…]` unless vs is empty (omitempty).
func appendList(b []byte, name string, vs []string) []byte {
	if len(vs) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return AppendJSONStrings(b, vs)
}

// AppendJSONStrings appends vs as json.Marshal encodes a non-nil []string.
func AppendJSONStrings(b []byte, vs []string) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, v)
	}
	return append(b, ']')
}

// AppendJSONObject appends an object of string fields (name, value) that
// are all omitempty, as json.Marshal encodes such a struct.
func AppendJSONObject(b []byte, fields [][2]string) []byte {
	b = append(b, '{')
	first := true
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, f[0]...)
		b = append(b, '"', ':')
		b = AppendJSONString(b, f[1])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s quoted as encoding/json does with HTML
// escaping on (json.Marshal's default): <, > and & as \u003c…, control
// characters as \b \f \n \r \t or \u00XX, invalid UTF-8 as \ufffd, U+2028
// and U+2029 as \u2028 and \u2029. It is exported for the other encoders
// that must give json.Marshal's bytes without its reflection: the state
// file's and the journal's.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
