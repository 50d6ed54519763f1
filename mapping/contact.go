package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// EmailStatus says why a contact has or lacks an email address.
type EmailStatus string

// Email statuses.
const (
	EmailPresent EmailStatus = "present"
	// EmailHidden: a connection whose privacy setting keeps the address out of
	// the export (97–99 % of connections in recent exports).
	EmailHidden EmailStatus = "hidden"
	// EmailNone: an imported contact that simply has no address.
	EmailNone EmailStatus = "none"
)

// Phone keeps the number as given and, when it is unambiguous, its E.164 form.
type Phone struct {
	Raw  string `json:"raw"`
	E164 string `json:"e164,omitempty"`
}

// Address is a postal address in the parts vCard's ADR has, so address
// books file it by city and country instead of showing one long street.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"` // state, province, county
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// IsZero reports whether every part is empty.
func (a Address) IsZero() bool { return a == Address{} }

// Contact is one canonical person. Its JSON form is what the state keeps as
// "what this target last received" and what the webhook sends, so field
// names are part of linkport's compatibility promise.
type Contact struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	FirstName   string      `json:"first_name,omitempty"`
	LastName    string      `json:"last_name,omitempty"`
	ProfileURL  string      `json:"profile_url,omitempty"`
	Emails      []string    `json:"emails,omitempty"`
	EmailStatus EmailStatus `json:"email_status"`
	Phones      []Phone     `json:"phones,omitempty"`
	Company     string      `json:"company,omitempty"`
	Title       string      `json:"title,omitempty"`
	Addresses   []string    `json:"addresses,omitempty"`
	// PostalAddresses are Addresses in parts, where a source gave the parts.
	PostalAddresses []Address `json:"postal_addresses,omitempty"`
	Sites           []string  `json:"sites,omitempty"`
	ConnectedOn     string    `json:"connected_on,omitempty"` // YYYY-MM-DD
	// Sources lists where the person came from: "connection", "contact:GOOGLE_CONTACTS", ….
	Sources []string `json:"sources"`

	// Enrichment from the rest of the archive (see package enrich); empty for people
	// without such data, so their JSON and fingerprint do not change.
	LastContacted string `json:"last_contacted,omitempty"` // YYYY-MM-DD of the newest message with them
	MessageCount  int    `json:"message_count,omitempty"`  // messages in conversations with them, drafts excluded
	// LastMessageFrom says who wrote the newest message: "me", "them" or
	// "other" (someone else in a group conversation).
	LastMessageFrom string   `json:"last_message_from,omitempty"`
	InvitedBy       string   `json:"invited_by,omitempty"`      // who sent the invitation: "me" or "them"
	InvitedOn       string   `json:"invited_on,omitempty"`      // YYYY-MM-DD
	InvitationText  string   `json:"invitation_text,omitempty"` // the invitation's own words
	Notes           []string `json:"notes,omitempty"`           // the user's private LinkedIn notes on them
	EndorsedYou     []string `json:"endorsed_you,omitempty"`    // skills they endorsed the user for
	YouEndorsed     []string `json:"you_endorsed,omitempty"`    // skills the user endorsed them for
	RecommendedYou  string   `json:"recommended_you,omitempty"` // YYYY-MM-DD, or "yes" when undated
	YouRecommended  string   `json:"you_recommended,omitempty"` // YYYY-MM-DD, or "yes" when undated

	// Keys are the identity keys, strongest first ("url:…", "email:…", "name:…").
	Keys []string `json:"-"`
	// Origins cite every record folded into this person as file:line.
	Origins []string `json:"-"`
}

// IsConnection reports whether the person is a first-degree LinkedIn connection.
func (c *Contact) IsConnection() bool {
	for _, s := range c.Sources {
		if s == string(KindConnection) {
			return true
		}
	}
	return false
}

// Field is one named, flattened value of a contact.
type Field struct {
	Name, Value string
}

// Fields flattens the contact into named text values, lists joined with "; ",
// in catalogue order (see Catalogue; the ID and derived forms left out).
// Reports and field-level diffs read this one view.
func (c *Contact) Fields() []Field {
	fs := make([]Field, 0, len(catalogue))
	for _, f := range catalogue {
		if f.Flat {
			fs = append(fs, Field{f.Name, f.Value(c)})
		}
	}
	return fs
}

// Change is the old and new value of one field.
type Change struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// DiffFields returns the fields whose values differ between old and new.
// A nil old counts as a contact with every field empty.
func DiffFields(old, new *Contact) map[string]Change {
	var before []Field
	if old != nil {
		before = old.Fields()
	} else {
		before = (&Contact{}).Fields()
	}
	after := new.Fields()
	out := map[string]Change{}
	for i := range after {
		if before[i].Value != after[i].Value {
			out[after[i].Name] = Change{Old: before[i].Value, New: after[i].Value}
		}
	}
	return out
}

// Fingerprint is a content hash of everything a target receives about the
// contact; equal fingerprints mean there is nothing to send.
func Fingerprint(c *Contact) string {
	b, err := json.Marshal(c)
	if err != nil {
		panic("mapping: marshal contact: " + err.Error()) // plain data: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
