package csvfile

import (
	"fmt"
	"io"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/mapping"
)

// writeVCards writes one vCard 3.0 per person, from the same mapping as the
// CardDAV target, so Monica, Apple Contacts, Google and Outlook all read it.
func writeVCards(w io.Writer, people []*mapping.Contact) error {
	enc := vcard.NewEncoder(w)
	for _, c := range people {
		if err := enc.Encode(mapping.VCard(c, "3.0")); err != nil {
			return fmt.Errorf("encode vCard of %s (%s): %w", c.Name, c.ID, err)
		}
	}
	return nil
}
