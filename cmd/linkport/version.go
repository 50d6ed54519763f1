package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/state"
)

// versionString says which linkport this is, from what the Go toolchain
// stamps into every binary: the module version (`go install …@v1.2.3`), or
// the commit and whether the tree had uncommitted changes (`go build` in a
// checkout). No -ldflags are needed.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Sprintf("(unknown) (state format %d)", state.Version)
	}
	return buildVersion(bi)
}

func buildVersion(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var parts []string
	if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) { // a pseudo-version already names the commit
		c := "commit " + rev[:min(12, len(rev))]
		if when != "" {
			c += " of " + when
		}
		parts = append(parts, c)
	}
	if modified {
		parts = append(parts, "with uncommitted changes")
	}
	parts = append(parts, "built with "+bi.GoVersion, fmt.Sprintf("state format %d", state.Version))
	return v + " (" + strings.Join(parts, ", ") + ")"
}

// versionCmd is `linkport version`, the same line as `linkport --version`.
func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print linkport's version",
		Example: "  linkport version\n  linkport --version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.stdout, "linkport %s\n", versionString())
			return err
		},
	}
}
