// Package mapping is linkport's domain: source records and the rest of the
// archive, the canonical contact graph, identity keys, normalisation, and the
// field catalogue every representation of a contact reads. It holds no codec
// and does no I/O: the vCard form is mapping/card's, archive enrichment
// mapping/enrich's.
package mapping

import (
	"fmt"
	"time"
)

// Kind says which LinkedIn file a record came from.
type Kind string

// Record kinds.
const (
	KindConnection Kind = "connection" // a row of Connections.csv
	KindContact    Kind = "contact"    // a row of Contacts.csv (an imported address book)
)

// Record is one source row, already decoded but not yet normalised.
// File and Line point at the row so every later message can cite it.
type Record struct {
	Kind Kind
	File string
	Line int

	FirstName  string
	LastName   string
	FullName   string
	ProfileURL string
	Emails     []string
	Company    string
	Title      string
	// Reach is what only a Contacts.csv row carries: phones, addresses and
	// sites. It is nil for a Connections.csv row, so that the row takes 224
	// bytes, not 320: half the records of a first run are still held while
	// their people are made. Read it through Reaches.
	*Reach
	// ConnectedOn is the connection date (zero when unknown or unparseable).
	ConnectedOn time.Time
	// Origin is the Contacts "Source" column (GOOGLE_CONTACTS, MOBILE_CONTACTS, …).
	Origin string
	// Hidden marks a Connections row whose every field but the date is empty:
	// a member who hid or closed their profile. Counted, never synced.
	Hidden bool
}

// Reach is the part of a Record that only Contacts.csv rows have (see
// Record.Reach).
type Reach struct {
	Phones    []string
	Addresses []string
	// PostalAddresses are the parts of Addresses, in the same order, when
	// the reader parsed them (Contacts.csv labels City:, State:, …); a
	// reader that knows only free text leaves it empty (and omitted from
	// JSON, so records of such readers marshal as before).
	PostalAddresses []Address `json:",omitempty"`
	Sites           []string
}

// Reaches returns what r.Reach holds, or nothing when it is nil.
func (r *Record) Reaches() Reach {
	if r.Reach == nil {
		return Reach{}
	}
	return *r.Reach
}

// Warning is a problem in the input that did not stop the run.
type Warning struct {
	File string
	Line int // 0 for a whole-file warning
	Msg  string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Msg)
}

// Export is everything a source produced: its records and the warnings met on the way.
type Export struct {
	// Records are the people rows, one allocation each, so that Reconcile
	// can let go of each once its person is built (Options.Release).
	Records  []*Record
	Warnings []Warning
	// ExportedAt is when LinkedIn made the export (the date in an archive's
	// name, else its newest file's mtime; an API snapshot's fetch time): the
	// date the history files its values under. Zero when unknown.
	ExportedAt time.Time

	// The rest of the archive, which enriches the people Records yield
	// (see package enrich). Empty when the source has no such files.
	Messages        Messages // folded as read: see Messages
	Invitations     []Invitation
	Notes           []Note
	Endorsements    []Endorsement
	Recommendations []Recommendation
	Follows         []Follow
}
