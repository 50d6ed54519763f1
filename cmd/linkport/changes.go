package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
)

// changesCmd is the digest: what the history saw happen since a date.
// Like history it only reads the state.
func (a *app) changesCmd() *cobra.Command {
	var since string
	cmd := &cobra.Command{
		Use:   "changes [--since 30d|YYYY-MM-DD]",
		Short: "List what happened in the network since a date: job changes, new connections, removals, hidden emails",
		Long: "List the job changes, new connections, connections again, removals and emails\n" +
			"no longer in the export that the history saw on or after --since (a number of\n" +
			"days or weeks back, 30d or 2w, or a date), for a weekly digest by mail or chat.\n" +
			"Dates are the exports' dates: what LinkedIn showed in each archive read.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.reportFormat(); err != nil {
				return err
			}
			from, err := parseSince(since, time.Now())
			if err != nil {
				return usageError{err}
			}
			h, err := a.readHistory()
			if err != nil {
				return err
			}
			c := report.NewChanges(h, from)
			return a.writeReport(func(w io.Writer) error { return c.Write(w, a.g.format) })
		},
	}
	cmd.Flags().StringVar(&since, "since", "7d", "how far back: 30d, 2w or a date (YYYY-MM-DD)")
	return cmd
}

// parseSince reads --since: "30d", "2w" (counted back from now) or a date.
func parseSince(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Format(time.DateOnly), nil
	}
	days := 0
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, _ = strconv.Atoi(n)
	} else if n, ok := strings.CutSuffix(s, "w"); ok {
		w, _ := strconv.Atoi(n)
		days = 7 * w
	}
	if days <= 0 {
		return "", fmt.Errorf("--since %q: want a number of days or weeks (30d, 2w) or a date (YYYY-MM-DD)", s)
	}
	return now.AddDate(0, 0, -days).Format(time.DateOnly), nil
}
