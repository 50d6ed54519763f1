package connectors

import (
	"slices"
	"testing"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// TestHeldIsTheSentStore: held gives the contacts the sent store keeps
// for a target (by fingerprint, hence by JSON), leaving out the ones the
// user deleted and the ones marked removed, whatever the plan does to
// them, and decodes none: an unchanged person is the graph's contact, an
// update's or removal's copy the base the plan read.
func TestHeldIsTheSentStore(t *testing.T) {
	person := func(name, url string) *mapping.Contact {
		return &mapping.Contact{Name: name, ProfileURL: "https://www.linkedin.com/in/" + url, Company: "Acme",
			Emails: []string{url + "@example.com"}, Keys: mapping.KeysOf("url:" + url)}
	}
	ada, bo, cy, dee, eve, fay := person("Ada Quill", "ada"), person("Bo Lind", "bo"), person("Cy Vance", "cy"),
		person("Dee Rowe", "dee"), person("Eve Park", "eve"), person("Fay Moss", "fay")
	synced := &mapping.Graph{People: []*mapping.Contact{ada, bo, cy, dee, eve}}
	snap := state.New()
	snap.Identify(synced)
	for _, c := range synced.People {
		snap.Apply("file", "csv", state.Result{Op: state.OpCreate, ID: c.ID, Sent: c, Ref: state.Ref{Href: "out.csv"}})
	}
	// Cy deleted on the target by the user; Eve gone from LinkedIn, marked.
	snap.Apply("file", "csv", state.Result{Op: state.OpUpdate, ID: cy.ID, Sent: cy, RemoteDeleted: true})
	snap.Apply("file", "csv", state.Result{Op: state.OpRemove, ID: eve.ID, Ref: state.Ref{Href: "out.csv"}})

	fps := func(cs []*mapping.Contact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, mapping.Fingerprint(c))
		}
		slices.Sort(out)
		return out
	}
	want, err := snap.Sent("file")
	if err != nil {
		t.Fatal(err)
	}
	moved := *bo
	moved.Company = "Initech"
	for _, tc := range []struct {
		name   string
		people []*mapping.Contact
		ops    []state.Op
	}{
		{"an empty plan", []*mapping.Contact{ada, bo, cy, dee}, nil},
		{"an update, a removal and a create", []*mapping.Contact{ada, &moved, cy, fay}, []state.Op{state.OpUpdate, state.OpCreate, state.OpRemove}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &mapping.Graph{People: tc.people}
			snap.Identify(g)
			p, err := state.Diff(snap, "file", "csv", g)
			if err != nil {
				t.Fatal(err)
			}
			var ops []state.Op
			for _, c := range p.Changes {
				ops = append(ops, c.Op)
			}
			if !slices.Equal(ops, tc.ops) {
				t.Fatalf("plan %v, want %v", ops, tc.ops)
			}
			got, err := held(snap, "file", p, g)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fps(got), fps(want)) || len(got) != 3 {
				t.Errorf("held %d contacts %v, the sent store %d %v", len(got), fps(got), len(want), fps(want))
			}
			decoded := slices.DeleteFunc(slices.Clone(got), func(c *mapping.Contact) bool {
				return slices.Contains(g.People, c) || slices.ContainsFunc(p.Changes, func(ch state.Change) bool { return ch.Base == c })
			})
			if len(decoded) > 0 {
				t.Errorf("held decoded %d copies from the sent store", len(decoded))
			}
		})
	}
	if got, err := held(snap, "none", state.Plan{}, &mapping.Graph{People: []*mapping.Contact{ada}}); got != nil || err != nil {
		t.Errorf("a target never synced holds %v (%v)", got, err)
	}
}
