package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manCmd writes one man page per command, generated from the commands
// themselves (so they never drift from --help). Hidden: it is for packagers.
func (a *app) manCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write the man pages (linkport.1, linkport-sync.1, …) into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			root.DisableAutoGenTag = true // no date line: the same pages for the same version
			hdr := &doc.GenManHeader{Title: "LINKPORT", Section: "1", Source: "linkport " + versionString(), Manual: "linkport manual"}
			if err := doc.GenManTree(root, hdr, args[0]); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			fmt.Fprintf(a.stdout, "man pages written to %s\n", args[0])
			return nil
		},
	}
}
