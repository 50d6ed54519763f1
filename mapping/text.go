package mapping

import (
	"fmt"
	"strings"
	"unicode"
)

// EnrichmentLines says in words, one line each, what enrich.Enrich added to c:
// last contact, invitation, the user's notes, endorsements,
// recommendations. Every value is cleaned for a vCard or CSV cell. The
// vCard NOTE block and the CRM note columns share it.
func EnrichmentLines(c *Contact) []string {
	x := c.Extras()
	var lines []string
	line := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = CleanText(s)
			}
		}
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	// A target's field choice may leave out any part of a line
	// (connectors.FieldChoice): a line says only what the contact holds.
	if x.LastContacted != "" {
		var about []string
		if x.MessageCount > 0 {
			about = append(about, fmt.Sprintf("%d messages", x.MessageCount))
		}
		if x.LastMessageFrom != "" {
			from := map[string]string{"me": "you", "them": "them", "other": "someone else"}[x.LastMessageFrom]
			if from == "" {
				from = "unknown"
			}
			about = append(about, "the last from "+from)
		}
		if len(about) > 0 {
			line("Last contacted on %s (%s).", x.LastContacted, strings.Join(about, ", "))
		} else {
			line("Last contacted on %s.", x.LastContacted)
		}
	}
	switch who := map[string]string{"me": "You invited them", "them": "They invited you"}[x.InvitedBy]; {
	case who != "" && x.InvitedOn != "":
		line("%s on %s.", who, x.InvitedOn)
	case who != "":
		line("%s.", who)
	}
	if x.InvitationText != "" {
		line("Invitation: “%s”", x.InvitationText)
	}
	for _, n := range x.Notes {
		line("Note: %s", n)
	}
	if len(x.EndorsedYou) > 0 {
		line("Endorsed you for: %s.", strings.Join(x.EndorsedYou, ", "))
	}
	if len(x.YouEndorsed) > 0 {
		line("You endorsed them for: %s.", strings.Join(x.YouEndorsed, ", "))
	}
	if x.RecommendedYou != "" {
		line("Recommended you (%s).", x.RecommendedYou)
	}
	if x.YouRecommended != "" {
		line("You recommended them (%s).", x.YouRecommended)
	}
	return lines
}

// CleanText makes s safe for any vCard value or CSV cell: valid UTF-8, no
// control characters and no bidi controls (see StripBidi). A ";" is kept:
// the card package escapes it.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case isBidiControl(r):
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// StripBidi removes the bidirectional embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069): invisible, they reorder what a name
// shows ("Trojan Source") in every card, CSV cell and terminal line it
// reaches. Readers strip them from every field on the way in.
func StripBidi(s string) string {
	// Every control above is encoded starting with 0xE2: one vectorised
	// byte search clears nearly every cell without decoding it.
	if strings.IndexByte(s, 0xE2) < 0 || !strings.ContainsAny(s, bidiControls) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

const bidiControls = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069"

func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}
