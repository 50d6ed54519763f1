package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// The adoption figures: a match is neither a create nor a failure, a
// linked card is counted once as adopted, remote changes are named.
func TestAdoptFigures(t *testing.T) {
	create := func(name string) *state.Change {
		return &state.Change{Op: state.OpCreate, Contact: &mapping.Contact{ID: "id-" + name, Name: name}}
	}
	match := func(certain bool) error {
		return fmt.Errorf("create x: %w", &connectors.Match{Href: "/b/ada.vcf", Name: "Ada L.", Certain: certain, By: "email ada@example.org"})
	}
	out := &connectors.RunOutcome{Targets: []connectors.TargetOutcome{{Name: "phone", Type: "carddav",
		Changes: []connectors.ChangeOutcome{
			{Change: create("Ada"), Status: connectors.StatusMatched, Err: match(true)},
			{Change: create("Bea"), Status: connectors.StatusMatched, Err: match(false)},
			{Change: create("Cy"), Status: connectors.StatusDone, Outcome: &connectors.Outcome{Adopted: true, Ref: state.Ref{Href: "/b/cy.vcf", Adopted: "UID FN"}}},
			{Change: create("Di"), Status: connectors.StatusDone, Outcome: &connectors.Outcome{Ref: state.Ref{Href: "/b/di.vcf"}}},
		},
		RemoteChanged: []connectors.RemoteChange{{ID: "id-Eve", Name: "Eve", Href: "/b/eve.vcf", Deleted: true}}}}}
	r := NewRun(&mapping.Graph{}, out)
	var js bytes.Buffer
	if err := r.Write(&js, "json", Options{}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Targets []struct {
			Create          int
			Adopted         int `json:"adopted"`
			MatchedCertain  int `json:"matched_certain"`
			MatchedPossible int `json:"matched_possible"`
			Failed, Held    int
			RemoteChanged   []connectors.RemoteChange `json:"remote_changed"`
		}
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	tr := got.Targets[0]
	if tr.Create != 1 || tr.Adopted != 1 || tr.MatchedCertain != 1 || tr.MatchedPossible != 1 || tr.Failed+tr.Held != 0 ||
		len(tr.RemoteChanged) != 1 || tr.RemoteChanged[0].Name != "Eve" || !tr.RemoteChanged[0].Deleted {
		t.Errorf("figures = %+v", tr)
	}
	var txt bytes.Buffer
	if err := r.Write(&txt, "text", Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"already in your book: 1 certain, 1 possible", "1 linked to your cards",
		"= in book Ada (id-Ada)", `already in the address book as "Ada L." (/b/ada.vcf, certain)`, "linkport adopt --accept id-Ada",
		"changed on the target since the last run: Eve (deleted)"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, txt.String())
		}
	}
}
