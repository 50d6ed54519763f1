package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/state/atomicfile"
)

// Exit codes.
const (
	exitOK    = 0
	exitRun   = 1 // the run or a target failed
	exitUsage = 2 // usage, configuration or input error
)

// globalFlags are the flags every command shares.
type globalFlags struct {
	config, stateFile     string
	sources, targets      []string
	format, output        string
	verbose, quiet, force bool
	// all lists every change in a text or Markdown report.
	all bool
	// formatSet: --format was given, so -q still prints that report.
	formatSet bool
}

// app carries what one invocation needs; there are no package globals.
type app struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	tty            *terminal // stderr when it is a terminal: the progress display and the log share it
	g              globalFlags
	// sourceLabel names the export in CRM source columns ("LinkedIn export 2026-11-20").
	sourceLabel string
	// keeper is the source read by graph when it keeps a base (see baseKeeper).
	keeper baseKeeper
}

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// inputError is an export or state file linkport cannot read: exit code 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// run is the whole CLI, callable from tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "linkport:", err)
	var ce configError
	var ue usageError
	var ie inputError
	if errors.As(err, &ce) || errors.As(err, &ue) || errors.As(err, &ie) || isCobraUsage(err) {
		return exitUsage
	}
	return exitRun
}

// isCobraUsage recognises cobra's own flag and argument errors.
func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "linkport",
		Short:         "Keep your LinkedIn network in places you own",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			switch {
			case a.g.verbose:
				level = slog.LevelDebug
			case a.g.quiet:
				level = slog.LevelWarn
			}
			a.log = a.newLogger(level)
			a.g.formatSet = cmd.Flags().Changed("format")
			return nil
		},
	}
	root.SetVersionTemplate("linkport {{.Version}}\n")
	f := root.PersistentFlags()
	f.StringVarP(&a.g.config, "config", "c", "", "config file (default $LINKPORT_CONFIG, else $XDG_CONFIG_HOME/linkport/config.yaml or ~/.config/linkport/config.yaml; linkport init writes one)")
	f.StringArrayVar(&a.g.sources, "source", nil, "LinkedIn export: a zip, an unzipped folder, a Connections.csv or a glob (repeatable; overrides source.path)")
	f.StringVar(&a.g.stateFile, "state", "", "state file (overrides state)")
	f.StringArrayVar(&a.g.targets, "target", nil, "only this target (repeatable)")
	f.StringVar(&a.g.format, "format", "text", "output format: text, json, markdown or html (graph: text, json, dot, graphml or html)")
	f.StringVar(&a.g.output, "output", "", "write the report to this file instead of standard output (- is standard output)")
	f.BoolVarP(&a.g.verbose, "verbose", "v", false, "log more")
	f.BoolVarP(&a.g.quiet, "quiet", "q", false, "print no report after a run that succeeded (unless --format or --output asks for one); log only warnings and errors; no progress bar")

	pipeline := func(dryRun bool) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			if err := a.reportFormat(); err != nil {
				return err
			}
			return a.runPipeline(cmd.Context(), dryRun)
		}
	}
	diff := &cobra.Command{
		Use:   "diff",
		Short: "Show what a sync would change, writing nothing",
		Args:  cobra.NoArgs,
		RunE:  pipeline(true),
	}
	sync := &cobra.Command{
		Use:   "sync",
		Short: "Push the changes since the last sync to every target",
		Args:  cobra.NoArgs,
		RunE:  pipeline(false),
	}
	for _, c := range []*cobra.Command{diff, sync} {
		c.Flags().BoolVar(&a.g.force, "force", false, "go ahead even when the removal or rename guard (max_delete, max_rename) objects")
		c.Flags().BoolVar(&a.g.all, "all", false, fmt.Sprintf("list every change (text and markdown list the first %d of each kind by name)", report.SummaryLimit))
	}
	graph := &cobra.Command{
		Use:   "graph",
		Short: "Summarise the contact graph an export yields",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.runGraph(cmd.Context()) },
	}
	root.AddCommand(diff, sync, graph, a.versionCmd(), a.initCmd(), a.exportCmd(), a.demoCmd(), a.webhookCmd(), a.outboxCmd(), a.fetchCmd(), a.adoptCmd(),
		a.historyCmd(), a.changesCmd(), a.reconnectCmd(), a.forgetCmd(), a.unforgetCmd())
	root.AddCommand(a.manCmd(root))
	addExamples(root) // after every AddCommand
	a.registerCompletions(root)
	return root
}

// reportFormat checks --format for diff and sync before anything is read.
func (a *app) reportFormat() error {
	switch a.g.format {
	case "text", "json", "markdown", "html":
		return nil
	}
	return usageError{fmt.Errorf("--format %q: want text, json, markdown or html", a.g.format)}
}

// writeReport sends rendered output to --output (atomically) or stdout.
func (a *app) writeReport(render func(io.Writer) error) error {
	if a.g.output == "" || a.g.output == "-" {
		return render(a.stdout)
	}
	var b strings.Builder
	if err := render(&b); err != nil {
		return err
	}
	write := atomicfile.Write
	if fi, err := os.Stat(a.g.output); err == nil && !fi.Mode().IsRegular() {
		write = os.WriteFile // /dev/stdout, a pipe: never rename over a device
	}
	if err := write(a.g.output, []byte(b.String()), 0o600); err != nil { // reports name people: private like the state
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// isTerminal reports whether w (a reader or a writer) is a terminal; a
// character device such as /dev/null is not.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
