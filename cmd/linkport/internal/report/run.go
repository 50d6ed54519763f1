// Package report renders everything linkport's user reads: the report of
// a run (diff or sync), and the contact graph with its ego network as text,
// JSON, DOT and GraphML. It only renders: every figure of a run comes from
// the outcome the engine returned.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Run is the report of one diff or sync: the graph's counts and, per
// target, what the plan does (diff) or what reached the target (sync).
type Run struct {
	// DryRun: a diff; the counts are planned, nothing was written.
	DryRun bool `json:"dry_run"`
	// Stopped says why a sync wrote nothing after planning (a guard).
	Stopped  string          `json:"stopped,omitempty"`
	Graph    mapping.Stats   `json:"graph"`
	Merges   []mapping.Merge `json:"merges,omitempty"`
	Warnings []string        `json:"warnings,omitempty"`
	Targets  []Target        `json:"targets"`
}

// Target is one target's part of a Run. After a sync, Create, Update and
// Remove count confirmed writes only; the rest of the plan is Failed, Held
// or NotDone, each change saying why.
type Target struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Create        int      `json:"create"`
	Update        int      `json:"update"`
	Remove        int      `json:"remove"`
	Unchanged     int      `json:"unchanged"`
	Conflicts     int      `json:"conflicts"`
	RemoteDeleted int      `json:"remote_deleted"`
	Failed        int      `json:"failed"`
	Held          int      `json:"held"`
	NotDone       int      `json:"not_done"`
	Changes       []Change `json:"changes"`
	// Error is why the target did not start or did not finish, if so.
	Error string `json:"error,omitempty"`

	// Adopted creates were linked to a card of the user's; Matched ones
	// were not made, a card of the user's matching (adopt: suggest).
	Adopted         int                       `json:"adopted,omitempty"`
	MatchedCertain  int                       `json:"matched_certain,omitempty"`
	MatchedPossible int                       `json:"matched_possible,omitempty"`
	RemoteChanged   []connectors.RemoteChange `json:"remote_changed,omitempty"`
}

// Change is one planned change and what became of it.
type Change struct {
	Op            state.Op                  `json:"op"`
	ID            string                    `json:"id"`
	Name          string                    `json:"name"`
	Status        connectors.Status         `json:"status"`
	Fields        map[string]mapping.Change `json:"fields,omitempty"`
	Conflicts     []string                  `json:"conflicts,omitempty"`
	RemoteDeleted bool                      `json:"remote_deleted,omitempty"`
	// Error is why a write failed or is held.
	Error string `json:"error,omitempty"`
	// Reason is why a change was not attempted.
	Reason string `json:"reason,omitempty"`
}

// StoppedByGuard is Run.Stopped for a sync the removal or rename guard stopped.
const StoppedByGuard = "a guard (max_delete or max_rename) objected; nothing was written"

// NewRun builds the report of a run over graph g from its outcome.
func NewRun(g *mapping.Graph, o *connectors.RunOutcome) *Run {
	r := &Run{DryRun: o.DryRun, Graph: g.Stats, Merges: g.Merges, Targets: []Target{}}
	if o.Guard != nil && !o.DryRun {
		r.Stopped = StoppedByGuard
	}
	for _, w := range g.Warnings {
		r.Warnings = append(r.Warnings, w.String())
	}
	for i := range o.Targets {
		r.Targets = append(r.Targets, newTarget(&o.Targets[i]))
	}
	return r
}

func newTarget(o *connectors.TargetOutcome) Target {
	t := Target{Name: o.Name, Type: o.Type, Unchanged: o.Unchanged, Changes: make([]Change, 0, len(o.Changes)), RemoteChanged: o.RemoteChanged}
	if o.Err != nil {
		t.Error = o.Err.Error()
	}
	for _, c := range o.Changes {
		ch := Change{Op: c.Op, ID: c.Contact.ID, Name: c.Contact.Name, Status: c.Status, Reason: c.Reason,
			Conflicts: c.Outcome.Conflicts, RemoteDeleted: c.Outcome.RemoteDeleted}
		if c.Op == state.OpUpdate {
			ch.Fields = c.Fields
		}
		if c.Err != nil {
			ch.Error = c.Err.Error()
		}
		var m *connectors.Match
		if errors.As(c.Err, &m) {
			ch.Error = m.Error()
		}
		switch {
		case c.Status == connectors.StatusMatched && m != nil && m.Certain:
			t.MatchedCertain++
		case c.Status == connectors.StatusMatched:
			t.MatchedPossible++
		case c.Op == state.OpCreate && c.Outcome.Adopted && (c.Status == connectors.StatusDone || c.Status == connectors.StatusPlanned):
			t.Adopted++
		case c.Status == connectors.StatusFailed:
			t.Failed++
		case c.Status == connectors.StatusHeld:
			t.Held++
		case c.Status == connectors.StatusNotDone:
			t.NotDone++
		case ch.RemoteDeleted:
			t.RemoteDeleted++ // nothing was written: the user's deletion stands
		default: // done, or planned in a dry run
			*t.count(c.Op)++
		}
		if len(ch.Conflicts) > 0 {
			t.Conflicts++
		}
		t.Changes = append(t.Changes, ch)
	}
	return t
}

func (t *Target) count(op state.Op) *int {
	switch op {
	case state.OpCreate:
		return &t.Create
	case state.OpUpdate:
		return &t.Update
	}
	return &t.Remove
}

// Write renders the report as "text", "json" or "markdown".
func (r *Run) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(r)
	case "text", "":
		return r.write(w, textStyle)
	case "markdown":
		return r.write(w, markdownStyle)
	}
	return fmt.Errorf("render report: unknown format %q (want text, json or markdown)", format)
}

type style struct {
	heading func(string) string
	item    func(string) string
	detail  func(string) string
}

var (
	textStyle = style{
		heading: func(s string) string { return s },
		item:    func(s string) string { return s },
		detail:  func(s string) string { return "    " + s },
	}
	markdownStyle = style{
		heading: func(s string) string { return "\n## " + mdEscape(s) + "\n" },
		item:    func(s string) string { return "- `" + s[:1] + "` " + mdEscape(s[2:]) },
		detail:  func(s string) string { return "  - " + mdEscape(s) },
	}
)

// mdEscaper neutralises Markdown and HTML in names and values, which
// strangers type: a report must not render a link or an image from them.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`, "!", `\!`)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

var opMark = map[state.Op]string{state.OpCreate: "+", state.OpUpdate: "~", state.OpRemove: "-"}

func (r *Run) write(w io.Writer, st style) error {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	g := r.Graph
	title := "linkport sync"
	switch {
	case r.Stopped != "":
		title = "linkport sync stopped before any write: " + r.Stopped
	case r.DryRun:
		title = "linkport diff (dry run: nothing was written)"
	}
	line(st.heading(title))
	line(fmt.Sprintf("graph: %d people from %d connections and %d contacts (%d merged); %d without email; %d hidden members skipped; %d organisations",
		g.People, g.Connections, g.Contacts, g.Merged, g.EmailMissing, g.HiddenMembers, g.Organizations))
	for _, m := range r.Merges {
		if m.By == "name" {
			line(st.detail(fmt.Sprintf("merged by name: %s into %s", m.Record, m.Into)))
		}
	}
	if len(r.Warnings) > 0 {
		line(st.heading(fmt.Sprintf("warnings (%d)", len(r.Warnings))))
		for _, wn := range r.Warnings {
			line(st.detail(wn))
		}
	}
	verb := map[bool][3]string{true: {"to create", "to update", "to remove"}, false: {"created", "updated", "removed"}}[r.DryRun]
	for _, t := range r.Targets {
		line(st.heading(fmt.Sprintf("target %s (%s): %d %s, %d %s, %d %s, %d unchanged",
			t.Name, t.Type, t.Create, verb[0], t.Update, verb[1], t.Remove, verb[2], t.Unchanged)))
		if t.Conflicts+t.RemoteDeleted+t.Failed+t.Held+t.NotDone > 0 {
			line(fmt.Sprintf("  %d conflicts, %d deleted on the target by you (left deleted), %d failed, %d held, %d not done",
				t.Conflicts, t.RemoteDeleted, t.Failed, t.Held, t.NotDone))
		}
		if t.MatchedCertain+t.MatchedPossible+t.Adopted > 0 {
			line(fmt.Sprintf("  already in your book: %d certain, %d possible (not created: linkport adopt); %d %s your cards",
				t.MatchedCertain, t.MatchedPossible, t.Adopted, map[bool]string{true: "to link to", false: "linked to"}[r.DryRun]))
		}
		for _, rc := range t.RemoteChanged {
			line(st.detail(fmt.Sprintf("changed on the target since the last run: %s (%s)", rc.Name, map[bool]string{true: "deleted", false: "edited"}[rc.Deleted])))
		}
		if t.Error != "" {
			line(st.detail("error: " + t.Error))
		}
		for _, c := range t.Changes {
			if c.Status == connectors.StatusMatched {
				line(st.item(fmt.Sprintf("= %-6s %s (%s)", "in book", c.Name, c.ID)))
				line(st.detail(c.Error + " (linkport adopt --accept " + c.ID + " links it)"))
				continue
			}
			line(st.item(fmt.Sprintf("%s %-6s %s (%s)", opMark[c.Op], c.Op, c.Name, c.ID)))
			for _, f := range sortedKeys(c.Fields) {
				ch := c.Fields[f]
				line(st.detail(fmt.Sprintf("%s: %q → %q", f, ch.Old, ch.New)))
			}
			if len(c.Conflicts) > 0 {
				line(st.detail("conflict, kept your edit on the target: " + strings.Join(c.Conflicts, ", ")))
			}
			if c.RemoteDeleted {
				line(st.detail("you deleted it on the target: left deleted"))
			}
			switch c.Status {
			case connectors.StatusFailed:
				line(st.detail("failed: " + c.Error))
			case connectors.StatusHeld:
				line(st.detail("held: " + c.Error))
			case connectors.StatusNotDone:
				line(st.detail("not done: " + c.Reason))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedKeys(m map[string]mapping.Change) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
