package connectors

import (
	"slices"
	"testing"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// TestHeldIsTheSentStore: when a target's plan is empty, held gives the
// contacts the sent store keeps for it (by fingerprint, hence by JSON),
// leaving out the ones the user deleted and the ones marked removed.
func TestHeldIsTheSentStore(t *testing.T) {
	person := func(name, url string) *mapping.Contact {
		return &mapping.Contact{Name: name, ProfileURL: "https://www.linkedin.com/in/" + url, Company: "Acme",
			Emails: []string{url + "@example.com"}, Keys: []string{"url:" + url}}
	}
	g := &mapping.Graph{People: []*mapping.Contact{person("Ada Quill", "ada"), person("Bo Lind", "bo"), person("Cy Vance", "cy")}}
	gone := &mapping.Graph{People: []*mapping.Contact{person("Dee Rowe", "dee")}}
	snap := state.New()
	snap.Identify(g)
	snap.Identify(gone)
	for _, c := range append(slices.Clone(g.People), gone.People...) {
		snap.Apply("file", "csv", state.Result{Op: state.OpCreate, ID: c.ID, Sent: c, Ref: state.Ref{Href: "out.csv"}})
	}
	// Cy deleted on the target by the user; Dee gone from LinkedIn, marked.
	snap.Apply("file", "csv", state.Result{Op: state.OpUpdate, ID: g.People[2].ID, Sent: g.People[2], RemoteDeleted: true})
	snap.Apply("file", "csv", state.Result{Op: state.OpRemove, ID: gone.People[0].ID, Ref: state.Ref{Href: "out.csv"}})

	p, err := state.Diff(snap, "file", "csv", g)
	if err != nil || len(p.Changes) != 0 {
		t.Fatalf("plan: %v, %d changes", err, len(p.Changes))
	}
	want, err := snap.Sent("file")
	if err != nil {
		t.Fatal(err)
	}
	fps := func(cs []*mapping.Contact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, mapping.Fingerprint(c))
		}
		slices.Sort(out)
		return out
	}
	if got := held(snap, "file", g); !slices.Equal(fps(got), fps(want)) || len(got) != 2 {
		t.Errorf("held %d contacts %v, the sent store %d %v", len(got), fps(got), len(want), fps(want))
	}
	if got := held(snap, "none", g); got != nil {
		t.Errorf("a target never synced holds %v", got)
	}
}
