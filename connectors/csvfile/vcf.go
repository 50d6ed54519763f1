package csvfile

import (
	"io"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
)

// writeVCards writes one vCard 3.0 per person, from the same mapping as the
// CardDAV target, so Monica, Apple Contacts, Google and Outlook all read it.
func writeVCards(w io.Writer, people []*mapping.Contact) error {
	return card.WriteAll(w, people, "3.0")
}
