// Package report renders everything linkport's user reads: the report of
// a run (diff or sync) as a text or Markdown summary, complete JSON or one
// self-contained HTML page, and the contact graph with its ego network as
// text, JSON, DOT, GraphML or HTML. It only renders: every figure of a run
// comes from the outcome the engine returned.
package report

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"

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
	// JobChanges are the job changes first seen in this run's archives;
	// they come before the field-level changes in every format.
	JobChanges []mapping.JobChange `json:"job_changes,omitempty"`
	// Forgotten is how many people of the export a tombstone skipped (linkport forget).
	Forgotten int      `json:"forgotten,omitempty"`
	Targets   []Target `json:"targets"`

	// charts are drawn by the HTML report from the graph at hand.
	charts charts
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

	// from is the outcome NewRun made t of. Its changes become Changes
	// only for a report that lists them all (JSON, HTML, --all; see all):
	// a summary lists ten of each kind, and copying a first run's 40,000
	// was a tenth of its diff.
	from []connectors.ChangeOutcome
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
	r := &Run{DryRun: o.DryRun, Graph: g.Stats, Merges: g.Merges, JobChanges: o.JobChanges, Forgotten: o.Forgotten, Targets: []Target{},
		charts: newCharts(g)}
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
	t := Target{Name: o.Name, Type: o.Type, Unchanged: o.Unchanged, RemoteChanged: o.RemoteChanged, from: o.Changes}
	if o.Err != nil {
		t.Error = o.Err.Error()
	}
	for i := range o.Changes {
		c := &o.Changes[i]
		var answer connectors.Outcome
		if c.Outcome != nil {
			answer = *c.Outcome
		}
		var m *connectors.Match
		switch {
		case c.Status == connectors.StatusMatched && errors.As(c.Err, &m) && m.Certain:
			t.MatchedCertain++
		case c.Status == connectors.StatusMatched:
			t.MatchedPossible++
		case c.Op == state.OpCreate && answer.Adopted && (c.Status == connectors.StatusDone || c.Status == connectors.StatusPlanned):
			t.Adopted++
		case c.Status == connectors.StatusFailed:
			t.Failed++
		case c.Status == connectors.StatusHeld:
			t.Held++
		case c.Status == connectors.StatusNotDone:
			t.NotDone++
		case answer.RemoteDeleted:
			t.RemoteDeleted++ // nothing was written: the user's deletion stands
		default: // done, or planned in a dry run
			*t.count(c.Op)++
		}
		if len(answer.Conflicts) > 0 {
			t.Conflicts++
		}
	}
	return t
}

// newChange is what the report says of one change of an outcome.
func newChange(c *connectors.ChangeOutcome) Change {
	var answer connectors.Outcome
	if c.Outcome != nil {
		answer = *c.Outcome
	}
	ch := Change{Op: c.Op, ID: c.Contact.ID, Name: c.Contact.Name, Status: c.Status, Reason: c.Reason,
		Conflicts: answer.Conflicts, RemoteDeleted: answer.RemoteDeleted}
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
	return ch
}

// all returns every change of t, made from the outcome on first use.
func (t *Target) all() []Change {
	if t.Changes == nil {
		t.Changes = make([]Change, len(t.from)) // [] in JSON, never null
		for i := range t.from {
			t.Changes[i] = newChange(&t.from[i])
		}
	}
	return t.Changes
}

// changes says how many changes t has, and gives change i, without making
// them all: for a summary.
func (t *Target) changes() (n int, at func(i int) Change) {
	if t.Changes != nil || t.from == nil {
		return len(t.Changes), func(i int) Change { return t.Changes[i] }
	}
	return len(t.from), func(i int) Change { return newChange(&t.from[i]) }
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

// remembered is what Remember keeps of a report: the report and the
// charts its HTML page draws from the graph.
type remembered struct {
	Run    *Run   `json:"run"`
	Charts charts `json:"charts"`
}

// Remember encodes the report of a sync that changed nothing, so that a
// run recalled instead of made (connectors.Memo) prints it again, in any
// format, through Recalled.
func (r *Run) Remember() ([]byte, error) {
	r.listAll()
	b, err := json.Marshal(remembered{Run: r, Charts: r.charts})
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return b, nil
}

// listAll makes every target's Changes, for an encoding that holds them.
func (r *Run) listAll() {
	for i := range r.Targets {
		r.Targets[i].all()
	}
}

// Recalled is the report Remember kept, as the diff (dryRun) or the sync
// now recalled shows it.
func Recalled(b []byte, dryRun bool) (*Run, error) {
	var m remembered
	if err := json.Unmarshal(b, &m); err != nil || m.Run == nil {
		return nil, fmt.Errorf("decode the remembered report: %w", cmp.Or(err, errors.New("empty")))
	}
	m.Run.DryRun, m.Run.charts = dryRun, m.Charts
	return m.Run, nil
}
