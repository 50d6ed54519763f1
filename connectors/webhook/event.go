package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Schema is the version of the event payload below. Adding a field keeps
// it; renaming, removing or retyping one bumps it.
const Schema = 1

// Event types.
const (
	TypeCreated = "contact.created"
	TypeUpdated = "contact.updated"
	TypeRemoved = "contact.removed"
	// TypeJobChanged follows the contact.updated of a job change (see
	// Data.From); a receiver that does not know it may ignore it.
	TypeJobChanged = "contact.job_changed"
)

// Event is one contact change as a receiver gets it (schema 1):
//
//	{
//	  "id": "evt_3f2a…",            // equals the webhook-id header when sent alone
//	  "schema": 1,
//	  "type": "contact.updated",    // contact.created | contact.updated | contact.removed | contact.job_changed | contact.forgotten (TypeForgotten: data holds the id only)
//	  "timestamp": "2026-03-01T06:00:00Z",  // when linkport detected the change
//	  "data": {
//	    "id": "9c1e…",              // the contact's stable ID
//	    "name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace",
//	    "profile_url": "https://www.linkedin.com/in/ada",
//	    "emails": ["ada@example.org"], "email_status": "present",  // present | hidden | none
//	    "phones": [{"raw": "+44 20 7946 0000", "e164": "+442079460000"}],
//	    "company": "Analytical Engines", "title": "Programmer",
//	    "connected_on": "2024-03-01",
//	    "sources": ["connection"],
//	    "previous": [{"title": "Analyst", "company": "Analytical Engines", "until": "2026-02-27"}],  // with a history
//	    "email_last_seen": "2019-05-01",  // emails kept from an earlier export
//	    "changes": {"title": {"old": "Analyst", "new": "Programmer"}}  // contact.updated only
//	  }
//	}
//
// data is the canonical contact (empty fields are left out, email_status
// and sources never are); for contact.removed it is the contact as last
// sent. changes lists, on contact.updated, each field whose text value
// changed (lists joined with "; "); it is {} when only a detail outside
// those fields changed. With batch_size above 1 a request carries
// {"events": [Event, …]}.
//
// A contact.updated that is a job change (see jobChange) is followed by a
// contact.job_changed event with its own id, whose data is the same
// contact plus the move:
//
//	"type": "contact.job_changed",
//	"data": {
//	  "id": "9c1e…", "name": "Ada Lovelace", …,            // the contact, as in contact.updated
//	  "from": {"title": "Analyst", "company": "Difference Engines"},
//	  "to": {"title": "Programmer", "company": "Analytical Engines"},
//	  "on": "2026-03-01"  // when the new position was first seen
//	}
//
// on is the date of the export in which the history first saw the new
// position (the contact's previous[0].until); without a history it is the
// date, in UTC, on which linkport detected the change.
type Event struct {
	ID        string    `json:"id"`
	Schema    int       `json:"schema"`
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Data      `json:"data"`
}

// Data is an event's contact, plus the field changes of an update or the
// move of a job change.
type Data struct {
	mapping.Contact
	Changes map[string]mapping.Change `json:"changes,omitzero"`
	// From, To and On are the job change of a contact.job_changed: the
	// position the receiver last had, the new one, and the date (YYYY-MM-DD)
	// the new one was first seen.
	From *mapping.Position `json:"from,omitempty"`
	To   *mapping.Position `json:"to,omitempty"`
	On   string            `json:"on,omitempty"`
}

// jobChange reports whether the update from base to c is a job change: a
// new company (both the old and the new one known), or a new title (both
// known) at the same company. Names are compared as text, ignoring case
// and surrounding space, so "ACME" for "Acme" is no change. A company
// learnt or lost, or a title at no company, is no job change: it says
// nothing about a move.
func jobChange(base, c *mapping.Contact) (from, to mapping.Position, ok bool) {
	if base == nil {
		return from, to, false
	}
	from = mapping.Position{Title: mapping.CleanText(base.Title), Company: mapping.CleanText(base.Company)}
	to = mapping.Position{Title: mapping.CleanText(c.Title), Company: mapping.CleanText(c.Company)}
	if from.Company == "" || to.Company == "" {
		return from, to, false
	}
	if !strings.EqualFold(from.Company, to.Company) {
		return from, to, true
	}
	return from, to, from.Title != "" && to.Title != "" && !strings.EqualFold(from.Title, to.Title)
}

// changeDate is when c's current position was first seen: the history's
// date, else the day (UTC) of now.
func changeDate(c *mapping.Contact, now time.Time) string {
	if len(c.Extras().Previous) > 0 && c.Extras().Previous[0].Until != "" {
		return c.Extras().Previous[0].Until
	}
	return now.UTC().Format(time.DateOnly)
}

// eventType names the event a write makes: a Put without a base creates.
func eventType(op state.Op, base *mapping.Contact) string {
	switch {
	case op == state.OpRemove:
		return TypeRemoved
	case base == nil:
		return TypeCreated
	default:
		return TypeUpdated
	}
}

// eventID is deterministic, so that a change planned again after a run
// died before saving its state is recognisably the same event. It chains
// on the contact's previous event (kept in the state as the Ref's ETag):
// a contact that changes back and forth still gets a new id each time.
func eventID(target, typ string, c *mapping.Contact, prev state.Ref) string {
	h := sha256.New()
	for _, part := range []string{target, c.ID, typ, prev.ETag, mapping.Fingerprint(c)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "evt_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// newEvent builds the outbox entry of one change, detected at now. A
// contact.job_changed (which the caller makes only for a jobChange) shares
// the inputs of its contact.updated, and so its determinism: its id is
// that of the same change under its own type.
func newEvent(target, typ string, c, base *mapping.Contact, prev state.Ref, now time.Time) (outboxEvent, error) {
	ev := Event{ID: eventID(target, typ, c, prev), Schema: Schema, Type: typ,
		Timestamp: now.UTC().Truncate(time.Second), Data: Data{Contact: *c}}
	switch typ {
	case TypeUpdated:
		ev.Data.Changes = mapping.DiffFields(base, c)
	case TypeJobChanged:
		from, to, _ := jobChange(base, c)
		ev.Data.From, ev.Data.To, ev.Data.On = &from, &to, changeDate(c, now)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "R&D", not "R\u0026D": receivers log these
	if err := enc.Encode(ev); err != nil {
		return outboxEvent{}, fmt.Errorf("encode event: %w", err)
	}
	body := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return outboxEvent{ID: ev.ID, Contact: c.ID, Type: typ, Added: ev.Timestamp, Body: body}, nil
}

// envelope is what one request carries: a lone event as is, or several as
// {"events": […]} under an id derived from theirs.
func envelope(evs []outboxEvent) (id string, body []byte) {
	if len(evs) == 1 {
		return evs[0].ID, evs[0].Body
	}
	var b bytes.Buffer
	ids := make([]string, len(evs))
	b.WriteString(`{"events":[`)
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e.Body)
		ids[i] = e.ID
	}
	b.WriteString(`]}`)
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return "batch_" + hex.EncodeToString(sum[:16]), b.Bytes()
}
