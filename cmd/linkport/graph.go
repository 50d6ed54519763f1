package main

import (
	"errors"
	"io"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// writeGraph prints the graph; an unknown format is the user's mistake,
// exit 2.
func writeGraph(w io.Writer, g *mapping.Graph, ego *enrich.Ego, format string) error {
	err := report.WriteGraph(w, g, ego, format)
	if errors.Is(err, report.ErrGraphFormat) {
		return usageError{err}
	}
	return err
}
