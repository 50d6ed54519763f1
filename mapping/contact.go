package mapping

import (
	"crypto/sha256"
	"encoding/hex"
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
	// Whereabouts are the person's addresses and web sites; nil for the
	// many with none (almost every connection), who carry 8 bytes for them
	// instead of 72. Read them through Where: read directly, a nil one's
	// fields panic. It sits where its fields did, so the JSON is as it was.
	*Whereabouts
	ConnectedOn string `json:"connected_on,omitempty"` // YYYY-MM-DD
	// Sources lists where the person came from: "connection", "contact:GOOGLE_CONTACTS", ….
	Sources []string `json:"sources"`

	// Extra is what the rest of the archive and the history of earlier
	// exports tell about the person; nil for the many people with none (so
	// their JSON and fingerprint do not change, and they carry 8 bytes for
	// it instead of 264). Its fields are read through Extras and written
	// through Fill: read directly, a nil Extra's fields panic.
	*Extra

	// Keys are the identity keys, strongest first ("url:…", "email:…", "name:…").
	Keys Keys `json:"-"`
}

// Whereabouts are where a person lives or works, and their places on the
// web other than their profile (see Contact.Whereabouts).
type Whereabouts struct {
	Addresses []string `json:"addresses,omitempty"`
	// PostalAddresses are Addresses in parts, where a source gave the parts.
	PostalAddresses []Address `json:"postal_addresses,omitempty"`
	Sites           []string  `json:"sites,omitempty"`
}

// Where returns what c.Whereabouts holds, or nothing when it is nil.
func (c *Contact) Where() Whereabouts {
	if c.Whereabouts == nil {
		return Whereabouts{}
	}
	return *c.Whereabouts
}

// Extra is the part of a Contact most people lack (see Contact.Extra).
type Extra struct {
	// Enrichment from the rest of the archive (see package enrich).
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

	// From the state's history of earlier exports (see state's history).
	//
	// Previous lists earlier positions, newest first; Previous[0].Until is
	// when the current position was first seen.
	Previous []Position `json:"previous,omitempty"`
	// EmailLastSeen and PhoneLastSeen (YYYY-MM-DD) mark emails or phones
	// kept from an earlier export that the latest one no longer carries.
	EmailLastSeen string `json:"email_last_seen,omitempty"`
	PhoneLastSeen string `json:"phone_last_seen,omitempty"`
}

// Extras returns what c.Extra holds, or nothing when it is nil.
func (c *Contact) Extras() Extra {
	if c.Extra == nil {
		return Extra{}
	}
	return *c.Extra
}

// Fill returns c.Extra to write to, made on first use. A copy of a
// Contact shares its Extra: give the copy one of its own (Own) before
// filling it.
func (c *Contact) Fill() *Extra {
	if c.Extra == nil {
		c.Extra = new(Extra)
	}
	return c.Extra
}

// Own gives c an Extra and Whereabouts of its own, copies of the ones it
// shares (if any), so that writing to them leaves the contact c was copied
// from as it was.
func (c *Contact) Own() {
	if c.Extra != nil {
		e := *c.Extra
		c.Extra = &e
	}
	if c.Whereabouts != nil {
		w := *c.Whereabouts
		c.Whereabouts = &w
	}
}

// Position is one job: a title at a company.
type Position struct {
	Title   string `json:"title,omitempty"`
	Company string `json:"company,omitempty"`
	// Until is the export date (YYYY-MM-DD) on which the next position was
	// first seen.
	Until string `json:"until,omitempty"`
}

// String reads "Title at Company", or whichever of the two is known.
func (p Position) String() string {
	switch {
	case p.Title != "" && p.Company != "":
		return p.Title + " at " + p.Company
	case p.Title != "":
		return p.Title
	}
	return p.Company
}

// JobChange is a person's move from one position to another (a new
// company, or a new title within one), dated by the export in which the
// new position was first seen.
type JobChange struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	From Position `json:"from"`
	To   Position `json:"to"`
	On   string   `json:"on"` // YYYY-MM-DD
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
// It hashes the contact's JSON (AppendJSON: json.Marshal's bytes), which
// states and targets written by earlier linkports hold the hash of.
func Fingerprint(c *Contact) string {
	var buf [1024]byte
	sum := sha256.Sum256(c.AppendJSON(buf[:0]))
	return hex.EncodeToString(sum[:16])
}
