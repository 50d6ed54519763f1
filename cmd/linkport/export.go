package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/csvfile"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// exportCmd is the one-off CRM import file: no config needed.
func (a *app) exportCmd() *cobra.Command {
	var profile string
	var list, changes bool
	cmd := &cobra.Command{
		Use:   "export --profile NAME [--source PATH] [--output FILE]",
		Short: "Write a CRM import file (CSV per CRM profile, or a .vcf bundle)",
		Long: "Write every person of the export to a file that the chosen CRM imports without\n" +
			"column mapping. With --state FILE --changes, only what changed since the last\n" +
			"export of that profile, in a new file named after --output and the time\n" +
			"(the removed people in its -removed companion); nothing when nothing changed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if list {
				for _, p := range csvfile.Profiles() {
					fmt.Fprintln(a.stdout, p)
				}
				return nil
			}
			if profile == "" {
				return usageError{fmt.Errorf("export: --profile is required (see --list-profiles)")}
			}
			if changes && a.g.stateFile == "" {
				return usageError{fmt.Errorf("export: --changes needs --state FILE, which remembers the last export")}
			}
			p, err := csvfile.LoadProfile(expandPath(profile))
			if err != nil {
				return usageError{fmt.Errorf("export: %w", err)}
			}
			out := a.g.output
			if out == "-" {
				return usageError{errors.New("export: --output - is not supported: name a file (CRM files may be split, and are written atomically)")}
			}
			if out == "" {
				ext := ".csv"
				if p.Format == csvfile.FormatVCard {
					ext = ".vcf"
				}
				out = strings.TrimSuffix(filepath.Base(profile), ".yaml") + ext
			}
			a.g.output = "" // --output names the export file here, not the report
			cfg, g, _, err := a.load(cmd.Context())
			if err != nil {
				return err
			}
			if changes {
				typ := "csv"
				if p.Format == csvfile.FormatVCard {
					typ = "vcf"
				}
				open, err := a.csvOpener(out, p, csvfile.ModeChanges)
				if err != nil {
					return usageError{fmt.Errorf("export --output %s: %w", out, err)}
				}
				spec := connectors.Spec{Name: "export:" + p.Name, Type: typ, Open: open, Shape: connectors.DefaultShape()}
				return a.run(cmd.Context(), g, connectors.RunOptions{StatePath: cfg.State, Targets: []connectors.Spec{spec}, Limit: cfg.limit, RenameLimit: cfg.renames})
			}
			snap := state.New()
			if a.g.stateFile != "" {
				if snap, err = state.Load(cfg.State); err != nil {
					return inputError{err}
				}
			}
			snap.Identify(g)                   // read-only: the IDs match what targets received
			shape := connectors.DefaultShape() // what a file target is sent: no invitation text
			people := make([]*mapping.Contact, len(g.People))
			for i, c := range g.People {
				people[i] = shape(c)
			}
			if err := csvfile.Export(cmd.Context(), people, csvfile.Options{Path: out, Profile: p, SourceLabel: a.sourceLabel}); err != nil {
				return err
			}
			parts := 1
			if p.RowLimit > 0 {
				parts = max(1, (len(g.People)+p.RowLimit-1)/p.RowLimit)
			}
			_, err = fmt.Fprintf(a.stdout, "wrote %d people to %s (profile %s)\n", len(g.People),
				strings.Join(csvfile.PartPaths(out, parts), ", "), p.Name)
			return err
		},
	}
	cmd.Flags().StringVar(&profile, "profile", "", "CRM profile: a built-in name or a YAML file")
	cmd.Flags().BoolVar(&list, "list-profiles", false, "list the built-in profiles")
	cmd.Flags().BoolVar(&changes, "changes", false, "only what changed since the last export of this profile (needs --state)")
	return cmd
}
