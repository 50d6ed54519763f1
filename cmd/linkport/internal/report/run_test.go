package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

func person(name, slug, company string) *mapping.Contact {
	return &mapping.Contact{Name: name, ProfileURL: "https://www.linkedin.com/in/" + slug, Company: company,
		Keys: mapping.KeysOf("url:" + slug), Sources: []string{"connection"}, EmailStatus: mapping.EmailHidden}
}

// plan is a target's plan against a state that holds Ana, Bo and Cy: Bo
// changed jobs, Cy is gone, Di is new.
func plan(t *testing.T) (*mapping.Graph, state.Plan) {
	t.Helper()
	a, b, c := person("Ana Lima", "ana", "Acme"), person("Bo Chen", "bo", "Initech"), person("Cy Gone", "cy", "Acme")
	s := state.New()
	g := &mapping.Graph{People: []*mapping.Contact{a, b, c}}
	s.Identify(g)
	for _, p := range g.People {
		s.Apply("book", "carddav", state.Result{Op: state.OpCreate, ID: p.ID, Sent: p, Ref: state.Ref{Href: p.ID + ".vcf"}})
	}
	b2 := *b
	b2.Company, b2.Title = "Globex", "CTO"
	g2 := &mapping.Graph{People: []*mapping.Contact{a, &b2, person("Di New", "di", "")},
		Stats:    mapping.Stats{People: 3, Connections: 3, Contacts: 1, Merged: 1, EmailMissing: 2, HiddenMembers: 1, Organizations: 2},
		Warnings: []mapping.Warning{{File: "Connections.csv", Line: 9, Msg: `unparseable date "31 Foo 2024"`}},
		Merges:   []mapping.Merge{{Into: "Ana Lima", Record: "Contacts.csv:2", By: "name"}}}
	s.Identify(g2)
	p, err := state.Diff(s, "book", "carddav", g2)
	if err != nil {
		t.Fatal(err)
	}
	return g2, p
}

// outcome is what a sync of p did: the update went through with a
// conflict, the create was interrupted, the removal failed.
func outcome(p state.Plan, dryRun bool) *connectors.RunOutcome {
	t := connectors.TargetOutcome{Name: p.Target, Type: p.Type, Unchanged: p.Unchanged}
	for i, c := range p.Changes {
		co := connectors.ChangeOutcome{Change: &p.Changes[i], Status: connectors.StatusPlanned}
		if !dryRun {
			switch c.Op {
			case state.OpUpdate:
				co.Status, co.Outcome = connectors.StatusDone, &connectors.Outcome{Conflicts: []string{"title"}}
			case state.OpCreate:
				co.Status, co.Reason = connectors.StatusNotDone, connectors.ReasonInterrupted
			case state.OpRemove:
				co.Status, co.Err = connectors.StatusFailed, errors.New("412 Precondition Failed")
			}
		}
		t.Changes = append(t.Changes, co)
	}
	if !dryRun {
		t.Err = errors.New("interrupted: context canceled")
	}
	var jobs []mapping.JobChange
	for _, c := range p.Changes {
		if c.Contact.Name == "Bo Chen" {
			jobs = append(jobs, mapping.JobChange{ID: c.Contact.ID, Name: c.Contact.Name, From: mapping.Position{Company: "Initech"},
				To: mapping.Position{Title: "CTO", Company: "Globex"}, On: "2026-03-01"})
		}
	}
	return &connectors.RunOutcome{DryRun: dryRun, Targets: []connectors.TargetOutcome{t}, JobChanges: jobs}
}

func TestRunGolden(t *testing.T) {
	g, p := plan(t)
	for _, tc := range []struct {
		name   string
		dryRun bool
		format string
	}{
		{"diff.txt", true, "text"},
		{"diff.md", true, "markdown"},
		{"diff.json", true, "json"},
		{"diff.html", true, "html"},
		{"sync.txt", false, "text"},
		{"sync.md", false, "markdown"},
		{"sync.html", false, "html"},
		{"sync.json", false, "json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := NewRun(g, outcome(p, tc.dryRun)).Write(&buf, tc.format, Options{}); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, buf.Bytes())
		})
	}
	if err := NewRun(g, outcome(p, true)).Write(&bytes.Buffer{}, "yaml", Options{}); err == nil {
		t.Error("unknown format accepted")
	}
}

// After a sync the counts are confirmed writes: what failed, was held or
// never attempted is counted apart, and a card the user deleted is not an update.
func TestRunCountsWhatHappened(t *testing.T) {
	_, p := plan(t)
	o := outcome(p, false)
	r := NewRun(&mapping.Graph{}, o)
	if got := r.Targets[0]; got.Create != 0 || got.Update != 1 || got.Remove != 0 || got.Failed != 1 || got.NotDone != 1 || got.Conflicts != 1 {
		t.Errorf("counts = %+v, want 0 created, 1 updated, 0 removed, 1 failed, 1 not done, 1 conflict", got)
	}
	for i := range o.Targets[0].Changes {
		c := &o.Targets[0].Changes[i]
		c.Status, c.Err, c.Outcome = connectors.StatusDone, nil, &connectors.Outcome{RemoteDeleted: c.Op == state.OpUpdate}
		if c.Op == state.OpRemove {
			c.Status, c.Err = connectors.StatusHeld, errors.New("a foreign card")
		}
	}
	got := NewRun(&mapping.Graph{}, o).Targets[0]
	if got.Update != 0 || got.RemoteDeleted != 1 || got.Create != 1 || got.Held != 1 || got.Remove != 0 {
		t.Errorf("counts = %+v, want a deleted card not counted as updated, the held removal apart", got)
	}
	o.Guard = errors.New("too many removals")
	var buf bytes.Buffer
	if err := NewRun(&mapping.Graph{}, o).Write(&buf, "text", Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "linkport sync stopped before any write: "+StoppedByGuard) {
		t.Errorf("stopped report starts %q", buf.String()[:60])
	}
}

func TestRunMarkdownEscapesNames(t *testing.T) {
	evil := person("[click me](https://evil.example) <img src=x>", "evil", "")
	g := &mapping.Graph{People: []*mapping.Contact{evil}}
	s := state.New()
	s.Identify(g)
	p, err := state.Diff(s, "book", "carddav", g)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := NewRun(g, outcome(p, true)).Write(&buf, "markdown", Options{}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, `\[click me\](https`) || strings.Contains(out, "<img") {
		t.Errorf("markdown report renders a stranger's name as markup:\n%s", out)
	}
}
