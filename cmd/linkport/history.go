package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// historyCmd prints a person's timeline, or the network's, from the
// history beside the state. It reads, never writes, and takes no lock: a
// sync replaces the files atomically, so a reader sees the old or the new.
func (a *app) historyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "history [PERSON]",
		Short: "Show a person's timeline (name, profile URL, email or ID), or the network's",
		Long: "Show what linkport has seen of a person over the exports it read: names,\n" +
			"positions and job changes, emails and phones, when they stopped being or\n" +
			"became a connection again. Without PERSON: the network's timeline, with the\n" +
			"connections gained and lost and the job changes per month, and the\n" +
			"organisations people moved to and from.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.reportFormat(); err != nil {
				return err
			}
			h, err := a.readHistory()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				n := report.NewNetwork(h)
				return a.writeReport(func(w io.Writer) error { return n.Write(w, a.g.format) })
			}
			ids := findPeople(h, args[0])
			switch len(ids) {
			case 0:
				return usageError{fmt.Errorf("history: nobody in the history matches %q (try a full name, a profile URL, an email or an ID)", args[0])}
			case 1:
			default:
				var list []string
				for _, id := range ids {
					list = append(list, fmt.Sprintf("  %s  %s", id, h.Person(id).Current(state.FieldName)))
				}
				return usageError{fmt.Errorf("history: %d people match %q; name one by ID:\n%s", len(ids), args[0], strings.Join(list, "\n"))}
			}
			p := report.NewPerson(h.Person(ids[0]))
			return a.writeReport(func(w io.Writer) error { return p.Write(w, a.g.format) })
		},
	}
}

// readHistory reads the configured state's history.
func (a *app) readHistory() (*state.History, error) {
	cfg, err := loadConfig(&a.g)
	if err != nil {
		return nil, err
	}
	snap, err := state.Load(cfg.State)
	if err != nil {
		return nil, inputError{err}
	}
	h, err := snap.History()
	if err != nil {
		return nil, inputError{err}
	}
	return h, nil
}

// findPeople returns the IDs of the people q names: an ID, else anyone
// who ever had q as profile URL or email, else as name (letter case
// aside). Old values count: a person is found by the address they hid.
func findPeople(h *state.History, q string) []string {
	q = strings.TrimSpace(q)
	if h.Person(q) != nil {
		return []string{q}
	}
	url, _ := mapping.NormalizeProfileURL(q)
	email := mapping.NormalizeEmail(q)
	name := mapping.NameKey(q)
	var byKey, byName []string
	for _, id := range h.IDs() {
		t := h.Person(id)
		if hasValue(t, state.FieldProfileURL, func(v string) bool { u, _ := mapping.NormalizeProfileURL(v); return url != "" && u == url }) ||
			hasValue(t, state.FieldEmails, func(v string) bool { return email != "" && v == email }) {
			byKey = append(byKey, id)
		} else if hasValue(t, state.FieldName, func(v string) bool { return name != "" && mapping.NameKey(v) == name }) {
			byName = append(byName, id)
		}
	}
	if len(byKey) > 0 {
		return byKey
	}
	return byName
}

// hasValue reports whether field f ever held a value (one line of a list) that match accepts.
func hasValue(t *state.Timeline, f state.HistoryField, match func(string) bool) bool {
	for _, e := range t.Field(f) {
		for _, v := range strings.Split(e.Value, "\n") {
			if v != "" && match(v) {
				return true
			}
		}
	}
	return false
}
