package carddav_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/connectors"
	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// A foreign card at the href linkport would create is held, night after
// night, and no longer holds back the removal of someone who left.
func TestForeignCardIsHeldAndRemovalsGoOn(t *testing.T) {
	s := inProcess(t)
	path := filepath.Join(t.TempDir(), "state.json")
	graph := func(idx ...int) *mapping.Graph {
		g := &mapping.Graph{}
		for _, i := range idx {
			p := connectortest.Person(i)
			p.ID = ""
			g.People = append(g.People, p)
		}
		g.Stats.People = len(g.People)
		return g
	}
	spec := connectors.Spec{Name: "dav", Type: "carddav", Open: func(ctx context.Context, _ func() ([]*mapping.Contact, error)) (connectors.Target, error) {
		tg, _ := open(t, s, func(o *cd.Options) { o.OnRemove = cd.RemoveDelete })
		return tg, nil
	}}
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{spec}, Limit: state.Limit{Count: 5}}
	run := func(g *mapping.Graph, dry bool) connectors.TargetOutcome {
		t.Helper()
		o := opt
		o.DryRun = dry
		out, err := connectors.Run(context.Background(), g, o)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		return out.Targets[0]
	}
	run(graph(1, 2, 3), false)

	// Person 4 is new; someone else's card already sits at its href.
	planned := run(graph(1, 2, 4), true)
	var newID string
	for _, c := range planned.Changes {
		if c.Op == state.OpCreate {
			newID = c.Contact.ID
		}
	}
	foreign := vcard.Card{}
	foreign.SetValue(vcard.FieldVersion, "3.0")
	foreign.SetValue(vcard.FieldUID, "someone-else")
	foreign.SetValue(vcard.FieldFormattedName, "Not Ours")
	if _, err := client(t, s).PutAddressObject(context.Background(), pathOf(s.bookURL)+newID+".vcf", foreign); err != nil {
		t.Fatal(err)
	}

	for night := range 2 {
		o := run(graph(1, 2, 4), false)
		if got := o.Count(state.OpCreate, connectors.StatusHeld); got != 1 {
			t.Errorf("night %d: %d creates held, want the one onto the foreign card", night, got)
		}
		if night == 0 && o.Count(state.OpRemove, connectors.StatusDone) != 1 {
			t.Errorf("night %d: the removal of person 3 was not done: %+v", night, o.Changes)
		}
	}
	got := cards(t, s)
	if len(got) != 3 || got["someone-else"].Card.Value(vcard.FieldFormattedName) != "Not Ours" {
		t.Errorf("the book holds %d cards (want persons 1, 2 and the untouched foreign card): %v", len(got), got)
	}
}
