package connectors

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// ErrOlderExport is Run's refusal of an export older than one the history
// already holds: synced, it would turn every target back in time.
var ErrOlderExport = errors.New("the export is older than the newest one linkport has seen")

// exportDate is the day an export is dated by, YYYY-MM-DD.
func exportDate(g *mapping.Graph) string { return g.ExportedAt.Format(time.DateOnly) }

// remember observes the earlier archives (oldest first) and g into the
// state's history, then fills g from it: last-known emails and phones,
// previous positions. It returns the job changes first seen now. It
// refuses, before changing anything, a g older than an export the history
// (or an earlier archive) holds. Everything happens in memory; the
// history is written with the state, by Save; a dry run against an empty
// history of one archive, which could learn nothing, skips it all.
func remember(snap *state.Snapshot, g *mapping.Graph, earlier []*mapping.Graph, now time.Time, dryRun bool, log *slog.Logger) ([]mapping.JobChange, error) {
	h, err := snap.History()
	if err != nil {
		return nil, &StateError{err}
	}
	date := exportDate(g)
	if g.ExportedAt.IsZero() {
		date = now.Format(time.DateOnly)
		log.Debug("the export has no date: its observations are dated by this run", "date", date)
	}
	earlier = slices.Clone(earlier)
	sort.SliceStable(earlier, func(i, j int) bool { return earlier[i].ExportedAt.Before(earlier[j].ExportedAt) })
	for _, e := range earlier {
		switch {
		case e.ExportedAt.IsZero():
			return nil, &StateError{fmt.Errorf("an earlier archive has no date: it cannot be placed in the history")}
		case exportDate(e) > date:
			return nil, &StateError{fmt.Errorf("%w: the export synced is dated %s, an earlier archive %s: sync the newest", ErrOlderExport, date, exportDate(e))}
		}
	}
	if newest := h.Newest(); newest > date {
		return nil, &StateError{fmt.Errorf("%w: this export is dated %s, the history already holds one of %s: pass the newest archive too (earlier ones only fill in the history)",
			ErrOlderExport, date, newest)}
	}

	if dryRun && h.Len() == 0 && len(earlier) == 0 {
		// A first diff of one archive: everyone's first observation is no
		// job change and fills nothing, and a dry run saves none of it.
		return nil, nil
	}
	before := map[string][]state.Span{} // positions before this run, of the people whose positions it changed
	observe := func(g *mapping.Graph, date string) {
		obs := h.Observe(g, date)
		for id, ps := range obs.Positions {
			if _, ok := before[id]; !ok {
				before[id] = ps
			}
		}
	}
	for _, e := range earlier {
		observe(e, exportDate(e))
	}
	observe(g, date)

	byID := make(map[string]*mapping.Contact, len(g.People))
	for _, p := range g.People {
		byID[p.ID] = p
		if h.Plain(p.ID) {
			continue // nothing ever changed: no earlier value or position (most people, most nights)
		}
		if t := h.Person(p.ID); t != nil {
			fill(h, t, p)
		}
	}
	var changes []mapping.JobChange
	for id, old := range before {
		t := h.Person(id)
		name := t.Current(state.FieldName)
		if p := byID[id]; p != nil {
			name = p.Name
		}
		known := map[mapping.JobChange]bool{}
		for _, c := range state.JobChanges(id, name, old) {
			known[c] = true
		}
		for _, c := range state.JobChanges(id, name, t.Positions()) {
			if !known[c] {
				changes = append(changes, c)
			}
		}
	}
	sort.Slice(changes, func(i, j int) bool {
		a, b := changes[i], changes[j]
		if a.On != b.On {
			return a.On < b.On
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	return changes, nil
}

// fill gives p what the history knows and the latest export lacks: the
// emails and phones it no longer carries (a person who changed them has
// them now, and keeps the new ones), and the earlier positions.
func fill(h *state.History, t *state.Timeline, p *mapping.Contact) {
	if len(p.Emails) == 0 {
		if v, seen := h.LastKnown(t, state.FieldEmails); v != "" {
			p.Emails, p.Fill().EmailLastSeen = strings.Split(v, "\n"), seen
		}
	}
	if len(p.Phones) == 0 {
		if v, seen := h.LastKnown(t, state.FieldPhones); v != "" {
			for _, n := range strings.Split(v, "\n") {
				ph := mapping.Phone{Raw: n}
				if isE164(n) {
					ph.E164 = n
				}
				p.Phones = append(p.Phones, ph)
			}
			p.Fill().PhoneLastSeen = seen
		}
	}
	if prev := state.Previous(t.Positions()); len(prev) > 0 || p.Extra != nil {
		p.Fill().Previous = prev
	}
}

func isE164(s string) bool {
	if len(s) < 3 || s[0] != '+' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ClearLastKnown is a target's on_missing: clear: the contact without the
// emails and phones kept from earlier exports, as the latest export has
// it. It returns a copy (c itself when nothing was kept) and never changes c.
func ClearLastKnown(c *mapping.Contact) *mapping.Contact {
	if c.Extras().EmailLastSeen == "" && c.Extras().PhoneLastSeen == "" {
		return c
	}
	cp := *c
	cp.Own()
	if cp.EmailLastSeen != "" {
		cp.Emails, cp.EmailLastSeen = nil, ""
	}
	if cp.PhoneLastSeen != "" {
		cp.Phones, cp.PhoneLastSeen = nil, ""
	}
	return &cp
}

// shaped is g as a target with Shape sees it: the same graph with every
// person replaced by shape's copy.
func shaped(g *mapping.Graph, shape func(*mapping.Contact) *mapping.Contact) *mapping.Graph {
	if shape == nil {
		return g
	}
	cp := *g
	cp.People = make([]*mapping.Contact, len(g.People))
	for i, p := range g.People {
		cp.People[i] = shape(p)
	}
	return &cp
}
