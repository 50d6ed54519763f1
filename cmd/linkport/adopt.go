package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/state"
)

// adoptCmd lists the cards of the user's own that people match in their
// CardDAV address books, and records the user's decisions on them: the
// next sync links an accepted person to the card and creates a card of
// linkport's own for a rejected one.
func (a *app) adoptCmd() *cobra.Command {
	var accept, reject bool
	cmd := &cobra.Command{
		Use:   "adopt [--accept ID... | --reject ID...]",
		Short: "List the people already in your address book; link them to your card (--accept) or give them their own (--reject)",
		Long: `With no flag, adopt lists the people whose card linkport did not create because a card
of yours in the address book matches them (found by the last sync), with the match's
strength and what matched. --accept ID... links each person to the card it matches at
the next sync (linkport adds what it owns and keeps everything you wrote); --reject
ID... makes the next sync create a card of linkport's own for them.`,
		RunE: func(cmd *cobra.Command, ids []string) error {
			switch {
			case accept && reject:
				return usageError{fmt.Errorf("adopt: give --accept or --reject, not both")}
			case (accept || reject) && len(ids) == 0:
				return usageError{fmt.Errorf("adopt: name the people to decide on by ID (linkport adopt lists them)")}
			case !accept && !reject && len(ids) > 0:
				return usageError{fmt.Errorf("adopt: IDs need --accept or --reject")}
			}
			return a.withLock(func(cfg *Config) error {
				snap, err := state.Load(cfg.State)
				if err != nil {
					return inputError{err}
				}
				books := a.books(cfg, snap)
				if len(ids) > 0 {
					if err := decide(books, ids, accept); err != nil {
						return err
					}
					if err := snap.Save(cfg.State); err != nil {
						return err
					}
				}
				return a.listMatches(books)
			})
		},
	}
	cmd.Flags().BoolVar(&accept, "accept", false, "link the people named by ID to the card of yours they match")
	cmd.Flags().BoolVar(&reject, "reject", false, "create a card of linkport's own for the people named by ID")
	return cmd
}

// namedBook is one CardDAV target's book state.
type namedBook struct {
	target string
	book   *state.Book
}

// books returns the book state of the selected CardDAV targets, by name.
func (a *app) books(cfg *Config, snap *state.Snapshot) []namedBook {
	var out []namedBook
	for _, name := range cfg.targetNames(a.g.targets) {
		if tc := cfg.targets[name]; tc == nil || tc.carddav == nil {
			continue
		}
		if t := snap.Targets[name]; t != nil && t.Book != nil {
			out = append(out, namedBook{name, t.Book})
		}
	}
	return out
}

// decide records the decision for each ID in the one book that has a
// match for it; an ID no book (or several) waits on is a usage error, and
// then nothing is recorded.
func decide(books []namedBook, ids []string, accept bool) error {
	type choice struct {
		book *state.Book
		id   string
	}
	var todo []choice
	for _, id := range ids {
		var in []namedBook
		for _, b := range books {
			if _, ok := b.book.Matches[id]; ok {
				in = append(in, b)
			}
		}
		switch len(in) {
		case 0:
			return usageError{fmt.Errorf("adopt %s: no card in an address book waits for a decision on this person (linkport adopt lists those that do)", id)}
		case 1:
			todo = append(todo, choice{in[0].book, id})
		default:
			return usageError{fmt.Errorf("adopt %s: the person is matched in several address books; choose one with --target", id)}
		}
	}
	for _, c := range todo {
		if err := c.book.Decide(c.id, accept); err != nil {
			return err
		}
	}
	return nil
}

// listMatches prints every match, decided or not.
func (a *app) listMatches(books []namedBook) error {
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TARGET\tID\tPERSON\tYOUR CARD\tMATCH\tBY\tDECISION")
	n := 0
	for _, b := range books {
		ids := make([]string, 0, len(b.book.Matches))
		for id := range b.book.Matches {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			m := b.book.Matches[id]
			decision := "waiting"
			if d, ok := b.book.Decisions[id]; ok && d.Accept {
				decision = "accepted: linked at the next sync"
			} else if ok {
				decision = "rejected: own card at the next sync"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s (%s)\t%s\t%s\t%s\n", b.target, id, tabless(m.Person), tabless(m.Card), m.Href,
				m.Strength(), tabless(m.By), decision)
			n++
		}
	}
	if n == 0 {
		_, err := fmt.Fprintln(a.stdout, "no person waits for a decision: every match was linked or decided (or no sync has looked yet)")
		return err
	}
	return w.Flush()
}

func tabless(s string) string { return strings.NewReplacer("\t", " ", "\n", " ").Replace(s) }
