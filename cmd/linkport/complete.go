package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/connectors/csvfile"
)

// formatsFor lists the --format values a command takes, for completion.
func formatsFor(cmd string) []string {
	if cmd == "graph" {
		return []string{"text\tthe summary", "json\tthe summary and the ego network", "dot\tGraphviz", "graphml\tGephi, yEd", "html\ta page with charts"}
	}
	return []string{"text\tfor reading", "json\tevery change, for programs", "markdown\tfor an issue or a wiki", "html\ta page to open in a browser"}
}

// registerCompletions completes flag values: --format by command, --target
// from the config file's targets, --profile from the built-in CRM profiles,
// --config as a YAML file. Every command added before it is covered.
func (a *app) registerCompletions(root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("format", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return formatsFor(cmd.Name()), cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.RegisterFlagCompletionFunc("target", a.completeTarget)
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.LocalNonPersistentFlags().Lookup("profile") != nil {
			_ = c.RegisterFlagCompletionFunc("profile", completeProfile)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeTarget lists the targets of the config file the command line
// names (or the default one), with their types.
func (a *app) completeTarget(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	g := a.g
	g.targets = nil // the ones already typed need not exist for the next to complete
	cfg, err := loadConfig(&g)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, name := range cfg.targetNames(nil) {
		out = append(out, name+"\t"+cfg.targets[name].Type)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeProfile lists the built-in CRM profiles; something that looks
// like a path completes as a YAML file (a profile of one's own).
func completeProfile(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if strings.ContainsAny(toComplete, `/\.~`) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return csvfile.Profiles(), cobra.ShellCompDirectiveNoFileComp
}
