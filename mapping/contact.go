package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
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
	Sites       []string    `json:"sites,omitempty"`
	ConnectedOn string      `json:"connected_on,omitempty"` // YYYY-MM-DD
	// Sources lists where the person came from: "connection", "contact:GOOGLE_CONTACTS", ….
	Sources []string `json:"sources"`

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

// fieldNames fixes the order of Fields.
var fieldNames = []string{"name", "first_name", "last_name", "profile_url", "emails",
	"email_status", "phones", "company", "title", "addresses", "sites", "connected_on", "sources"}

// Fields flattens the contact into named text values, lists joined with "; ".
// Reports, field-level diffs and the generic CSV profile all read this one view.
func (c *Contact) Fields() []Field {
	phones := make([]string, len(c.Phones))
	for i, p := range c.Phones {
		phones[i] = p.Raw
	}
	values := []string{c.Name, c.FirstName, c.LastName, c.ProfileURL, strings.Join(c.Emails, "; "),
		string(c.EmailStatus), strings.Join(phones, "; "), c.Company, c.Title,
		strings.Join(c.Addresses, "; "), strings.Join(c.Sites, "; "), c.ConnectedOn,
		strings.Join(c.Sources, "; ")}
	fs := make([]Field, len(fieldNames))
	for i, n := range fieldNames {
		fs[i] = Field{n, values[i]}
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
