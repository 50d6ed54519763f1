package state

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/linkport/linkport/mapping"
)

// Report is what a run tells the user: the graph's counts and, per target,
// what the plan does (diff) or did (sync).
type Report struct {
	// DryRun: the plan was computed and nothing was written.
	DryRun bool `json:"dry_run"`
	// Stopped says why a sync wrote nothing after planning (the removal guard).
	Stopped  string          `json:"stopped,omitempty"`
	Graph    mapping.Stats   `json:"graph"`
	Merges   []mapping.Merge `json:"merges,omitempty"`
	Warnings []string        `json:"warnings,omitempty"`
	Targets  []TargetReport  `json:"targets"`
}

// TargetReport is one target's part of a Report.
type TargetReport struct {
	Name          string         `json:"name"`
	Type          string         `json:"type"`
	Create        int            `json:"create"`
	Update        int            `json:"update"`
	Remove        int            `json:"remove"`
	Unchanged     int            `json:"unchanged"`
	Conflicts     int            `json:"conflicts"`
	RemoteDeleted int            `json:"remote_deleted"`
	Failed        int            `json:"failed"`
	Changes       []ChangeReport `json:"changes"`
	// Error is why the target did not run or did not finish, if it did not.
	Error string `json:"error,omitempty"`

	index map[string]int // change ID → position in Changes, for Record
}

// ChangeReport is one planned or applied change.
type ChangeReport struct {
	Op            Op                        `json:"op"`
	ID            string                    `json:"id"`
	Name          string                    `json:"name"`
	Fields        map[string]mapping.Change `json:"fields,omitempty"`
	Conflicts     []string                  `json:"conflicts,omitempty"`
	RemoteDeleted bool                      `json:"remote_deleted,omitempty"`
	Error         string                    `json:"error,omitempty"`
}

// NewReport starts a report for graph g.
func NewReport(g *mapping.Graph, dryRun bool) *Report {
	r := &Report{DryRun: dryRun, Graph: g.Stats, Merges: g.Merges, Targets: []TargetReport{}}
	for _, w := range g.Warnings {
		r.Warnings = append(r.Warnings, w.String())
	}
	return r
}

// AddPlan adds a target's plan and returns its part, for Record to fill in.
func (r *Report) AddPlan(p Plan) *TargetReport {
	tr := TargetReport{Name: p.Target, Type: p.Type, Unchanged: p.Unchanged, Changes: []ChangeReport{},
		Create: p.Count(OpCreate), Update: p.Count(OpUpdate), Remove: p.Count(OpRemove),
		index: make(map[string]int, len(p.Changes))}
	for _, c := range p.Changes {
		tr.index[c.Contact.ID] = len(tr.Changes)
		cr := ChangeReport{Op: c.Op, ID: c.Contact.ID, Name: c.Contact.Name}
		if c.Op == OpUpdate {
			cr.Fields = c.Fields
		}
		tr.Changes = append(tr.Changes, cr)
	}
	r.Targets = append(r.Targets, tr)
	return &r.Targets[len(r.Targets)-1]
}

// Record notes what happened to one change of the plan.
func (tr *TargetReport) Record(res Result) {
	i, ok := tr.index[res.ID]
	if !ok || tr.Changes[i].Op != res.Op {
		return
	}
	c := &tr.Changes[i]
	c.Conflicts, c.RemoteDeleted = res.Conflicts, res.RemoteDeleted
	if len(res.Conflicts) > 0 {
		tr.Conflicts++
	}
	switch {
	case res.Err != nil:
		c.Error = res.Err.Error()
		tr.Failed++
		*tr.count(res.Op)-- // the counts say what happened, not what was planned
	case res.RemoteDeleted:
		tr.RemoteDeleted++
		*tr.count(res.Op)-- // nothing was written: the user's deletion stands
	}
}

func (tr *TargetReport) count(op Op) *int {
	switch op {
	case OpCreate:
		return &tr.Create
	case OpUpdate:
		return &tr.Update
	}
	return &tr.Remove
}

// Write renders the report as "text", "json" or "markdown".
func (r *Report) Write(w io.Writer, format string) error {
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

var opMark = map[Op]string{OpCreate: "+", OpUpdate: "~", OpRemove: "-"}

func (r *Report) write(w io.Writer, st style) error {
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
		if t.Conflicts+t.RemoteDeleted+t.Failed > 0 {
			line(fmt.Sprintf("  %d conflicts, %d deleted on the target by you (left deleted), %d failed",
				t.Conflicts, t.RemoteDeleted, t.Failed))
		}
		if t.Error != "" {
			line(st.detail("error: " + t.Error))
		}
		for _, c := range t.Changes {
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
			if c.Error != "" {
				line(st.detail("error: " + c.Error))
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
