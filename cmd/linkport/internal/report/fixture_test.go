package report

import (
	"fmt"
	"strings"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// bigCounts is the 2,781-change diff of the issue: what a nightly diff of
// a large network can plan.
var bigCounts = map[string]int{KindCreate: 1200, KindUpdate: 1029, KindRemove: 552}

// hostile are names a stranger can give themselves: markup, quotes,
// ampersands, bidi overrides and a javascript: URL.
var hostile = []string{
	`<script>alert("x")</script>`,
	`Ana "Bo" O'Neil & Co`,
	"\u202eevil\u202c Mallory",
	`</bdi></td><img src=x onerror=alert(1)>`,
	"javascript:alert(1)",
}

// bigRun is a diff (or, with dryRun false, a sync) with bigCounts' changes
// over a graph whose people were connected over ten years and work at 40
// organisations. Removes are plain ASCII names "Removed 0001" … so a test
// knows their order in any collation.
func bigRun(dryRun bool) (*mapping.Graph, *connectors.RunOutcome) {
	g := &mapping.Graph{Stats: mapping.Stats{People: 30000, Connections: 29000, Contacts: 1500, Merged: 500, EmailMissing: 28000, Organizations: 40}}
	orgs := map[string]*mapping.Organization{}
	person := func(i int, name string) *mapping.Contact {
		org := fmt.Sprintf("Org %02d", i%40)
		if i%40 == 7 {
			org = hostile[i%len(hostile)] // an organisation is typed by strangers too
		}
		c := &mapping.Contact{ID: fmt.Sprintf("%016x", 0xabc000+i), Name: name, Company: org,
			ProfileURL:  fmt.Sprintf("https://www.linkedin.com/in/person-%d", i),
			ConnectedOn: fmt.Sprintf("%04d-%02d-%02d", 2015+i%10, 1+i%12, 1+i%28)}
		g.People = append(g.People, c)
		o := orgs[org]
		if o == nil {
			o = &mapping.Organization{Name: org}
			orgs[org] = o
			g.Organizations = append(g.Organizations, o)
		}
		o.Members = append(o.Members, c)
		return c
	}
	t := connectors.TargetOutcome{Name: "phone", Type: "carddav", Unchanged: 27000}
	status := connectors.StatusPlanned
	if !dryRun {
		status = connectors.StatusDone
	}
	i := 0
	for n := range bigCounts[KindCreate] {
		name := fmt.Sprintf("Created %04d", n+1)
		if n < len(hostile) {
			name = hostile[n]
		}
		t.Changes = append(t.Changes, connectors.ChangeOutcome{Change: &state.Change{Op: state.OpCreate, Contact: person(i, name)}, Status: status})
		i++
	}
	for n := range bigCounts[KindUpdate] {
		c := person(i, fmt.Sprintf("Updated %04d", n+1))
		f := map[string]mapping.Change{"title": {Old: "Engineer", New: "Senior Engineer"}}
		if n%3 == 0 {
			f["company"] = mapping.Change{Old: "Initech", New: c.Company}
			f["profile_url"] = mapping.Change{Old: "", New: c.ProfileURL}
		}
		if n%100 == 0 {
			f["notes"] = mapping.Change{Old: "", New: strings.Repeat("A long private note. ", 40)}
		}
		t.Changes = append(t.Changes, connectors.ChangeOutcome{Change: &state.Change{Op: state.OpUpdate, Contact: c, Fields: f}, Status: status})
		i++
	}
	for n := range bigCounts[KindRemove] {
		t.Changes = append(t.Changes, connectors.ChangeOutcome{Change: &state.Change{Op: state.OpRemove, Contact: person(i, fmt.Sprintf("Removed %04d", n+1))}, Status: status})
		i++
	}
	var jobs []mapping.JobChange
	for n := range 25 {
		c := g.People[bigCounts[KindCreate]+n*3]
		jobs = append(jobs, mapping.JobChange{ID: c.ID, Name: c.Name, From: mapping.Position{Title: "Engineer", Company: "Initech"},
			To: mapping.Position{Title: "CTO", Company: c.Company}, On: "2026-03-01"})
	}
	for n := range 14 {
		g.Warnings = append(g.Warnings, mapping.Warning{File: "Connections.csv", Line: 100 + n, Msg: `unparseable date "31 Foo 2024"`})
	}
	g.Merges = []mapping.Merge{{Into: "Updated 0001", Record: "Contacts.csv:2", By: "name"}, {Into: "Updated 0002", Record: "Contacts.csv:3", By: "email"}}
	return g, &connectors.RunOutcome{DryRun: dryRun, Targets: []connectors.TargetOutcome{t}, JobChanges: jobs}
}
