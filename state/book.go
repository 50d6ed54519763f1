package state

import (
	"fmt"
	"slices"
)

// Book is what a CardDAV target keeps of its address book between runs:
// the markers that let a nightly run ask the server one question, the
// user's own cards that people not yet on the target match, and the
// user's decisions on them (linkport adopt).
type Book struct {
	// CTag is the book's getctag and SyncToken its RFC 6578 sync-token, as
	// the last run saw them before its writes.
	CTag      string `json:"ctag,omitempty"`
	SyncToken string `json:"sync_token,omitempty"`
	// Matches are the user's cards that people not created yet match, by
	// contact ID: reported every run until linked or decided.
	Matches map[string]BookMatch `json:"matches,omitempty"`
	// Decisions are the user's answers to Matches, by contact ID.
	Decisions map[string]Decision `json:"decisions,omitempty"`
}

// BookMatch is a card of the user's that a person matches.
type BookMatch struct {
	Href string `json:"href"`
	// Card is the card's name (FN); Person the person's name in LinkedIn.
	Card   string `json:"card,omitempty"`
	Person string `json:"person,omitempty"`
	// Certain: a shared email, phone or profile URL; else a name (and
	// organisation) only, which linkport never links on its own.
	Certain bool `json:"certain,omitempty"`
	// By says what matched ("email ada@example.org", "name and organisation").
	By string `json:"by"`
}

// Strength is "certain" or "possible".
func (m BookMatch) Strength() string {
	if m.Certain {
		return "certain"
	}
	return "possible"
}

// Decision is the user's answer to a match: accept links the person to
// that card, reject makes linkport create the person's own card.
type Decision struct {
	Href   string `json:"href"`
	Accept bool   `json:"accept"`
}

// Decide records the user's answer for the person id, who must have a
// match; accepting links to the card matched.
func (b *Book) Decide(id string, accept bool) error {
	m, ok := b.Matches[id]
	if !ok {
		return fmt.Errorf("decide %s: no card in the address book is waiting for a decision on this person (see the report of the last sync)", id)
	}
	if b.Decisions == nil {
		b.Decisions = map[string]Decision{}
	}
	b.Decisions[id] = Decision{Href: m.Href, Accept: accept}
	return nil
}

// Pending lists the IDs of the matches waiting for a decision, sorted.
func (b *Book) Pending() []string {
	var out []string
	for id := range b.Matches {
		if _, ok := b.Decisions[id]; !ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Forget drops the match and decision of a person now on the target.
func (b *Book) Forget(id string) {
	delete(b.Matches, id)
	delete(b.Decisions, id)
}
