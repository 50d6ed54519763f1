package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/state"
)

// reconnectCmd lists the people the user wrote to often but not lately,
// from the export's messages.csv. It reads the state only for the IDs.
func (a *app) reconnectCmd() *cobra.Command {
	var months, minMessages int
	cmd := &cobra.Command{
		Use:   "reconnect [--months 12] [--min-messages 5]",
		Short: "List people you wrote with often but not for months, most messages first",
		Long: "List the people with at least --min-messages messages in the export's\n" +
			"messages.csv and none in the --months before the export's date (what the\n" +
			"messages can tell: a message sent after the export is not in it), the\n" +
			"strongest relationships first. Only counts and dates are read, never a message's text.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.reportFormat(); err != nil {
				return err
			}
			if months < 1 || minMessages < 1 {
				return usageError{fmt.Errorf("reconnect: --months and --min-messages must be at least 1")}
			}
			cfg, g, _, err := a.load(cmd.Context())
			if err != nil {
				return err
			}
			snap, err := state.Load(cfg.State)
			if err != nil {
				return inputError{err}
			}
			snap.Identify(g) // read-only: the IDs other commands show
			asOf := g.ExportedAt
			if asOf.IsZero() {
				asOf = time.Now()
			}
			before := asOf.AddDate(0, -months, 0).Format(time.DateOnly)
			r := report.NewReconnect(g, asOf.Format(time.DateOnly), before, months, minMessages)
			return a.writeReport(func(w io.Writer) error { return r.Write(w, a.g.format) })
		},
	}
	cmd.Flags().IntVar(&months, "months", 12, "no message for this many months")
	cmd.Flags().IntVar(&minMessages, "min-messages", 5, "at least this many messages")
	return cmd
}
