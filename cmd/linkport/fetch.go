package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/connectors/linkedin"
)

// fetchCmd saves an API snapshot as an export-shaped folder, so it can be
// archived, diffed and read back with --source DIR.
func (a *app) fetchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "fetch --output DIR",
		Short: "Save LinkedIn's Member Data Portability API snapshot as an export folder",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := expandPath(a.g.output)
			if dir == "" {
				return usageError{errors.New("fetch: --output DIR is required")}
			}
			a.g.output = "" // --output names the folder here, not a report
			cfg, err := loadConfig(&a.g)
			if err != nil {
				return err
			}
			if cfg.Source.API == nil {
				return configError{fmt.Errorf("fetch: no source.api in %s", cfg.where())}
			}
			api, err := a.apiSource(cmd.Context(), cfg.Source.API)
			if err != nil {
				return err
			}
			if err := linkedin.Fetch(cmd.Context(), api, dir); err != nil {
				return sourceError(err)
			}
			_, err = fmt.Fprintf(a.stdout, "saved the snapshot to %s; read it with --source %[1]s\n", dir)
			return err
		},
	}
}
