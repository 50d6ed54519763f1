package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// BenchmarkReport is the report of a first sync of 40,000 people (every
// change a create) in each format: the summary sorts them all by name
// before it lists ten, the page lists all of them.
func BenchmarkReport(b *testing.B) {
	t := connectors.TargetOutcome{Name: "phone", Type: "carddav"}
	for i := range 40000 {
		c := &mapping.Contact{ID: fmt.Sprintf("%016x", i), Name: fmt.Sprintf("Émile %05d Zieliński", (i*7919)%40000)}
		t.Changes = append(t.Changes, connectors.ChangeOutcome{Change: &state.Change{Op: state.OpCreate, Contact: c}, Status: connectors.StatusDone})
	}
	r := NewRun(&mapping.Graph{}, &connectors.RunOutcome{Targets: []connectors.TargetOutcome{t}})
	for _, format := range []string{"text", "markdown", "json", "html"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				if err := r.Write(io.Discard, format, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
