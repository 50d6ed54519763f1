package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// load reads the configuration and the export and builds the graph.
func (a *app) load(ctx context.Context) (*Config, *mapping.Graph, *enrich.Ego, error) {
	cfg, err := loadConfig(&a.g)
	if err != nil {
		return nil, nil, nil, err
	}
	g, ego, err := a.graph(ctx, cfg)
	return cfg, g, ego, err
}

// graph reads the configured source, reconciles it into the graph and
// enriches the people with the rest of the archive.
func (a *app) graph(ctx context.Context, cfg *Config) (*mapping.Graph, *enrich.Ego, error) {
	src, label, err := a.source(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	a.progress().phase("reading the export", -1)
	exp, err := a.readExport(ctx, src)
	if err != nil {
		a.progress().end()
		return nil, nil, err
	}
	a.sourceLabel = label
	g := mapping.Reconcile(exp, cfg.reconcileOptions())
	ego := enrich.Enrich(g, exp)
	a.progress().end()
	for _, w := range g.Warnings { // the report lists them all; a whole-file one (a file decoded as Windows-1252) is said on stderr too
		if w.Line == 0 {
			a.log.Warn("input", "warning", w.String())
		} else {
			a.log.Debug("input", "warning", w.String())
		}
	}
	a.log.Debug("graph", "people", g.Stats.People, "source", label)
	return g, ego, nil
}

// runPipeline is diff (dryRun) and sync. Every configuration mistake is
// found before the engine locks the state; the export is read before it
// too, so a source that hangs holds no lock.
func (a *app) runPipeline(ctx context.Context, dryRun bool) error {
	cfg, err := loadConfig(&a.g)
	if err != nil {
		return err
	}
	names := cfg.targetNames(a.g.targets)
	switch {
	case len(names) > 0:
	case cfg.file == "" && !dryRun:
		return configError{fmt.Errorf("no config file, so no targets to sync to (looked for %s)%s", cfg.tried(), initHint)}
	case !dryRun:
		return configError{fmt.Errorf("config %s: no targets to sync to: add one under targets:", cfg.where())}
	case cfg.file == "":
		a.log.Warn("no config file, so no targets: the report shows the graph only; `linkport init` writes a starter config", "looked for", cfg.tried())
	}
	if !dryRun {
		if err := checkWritable(cfg.State); err != nil {
			return configError{fmt.Errorf("state %s: %w", cfg.State, err)}
		}
	}
	specs, err := a.specs(ctx, cfg, names)
	if err != nil {
		return err
	}
	g, _, err := a.graph(ctx, cfg)
	if err != nil {
		return err
	}
	err = a.run(ctx, g, connectors.RunOptions{StatePath: cfg.State, Targets: specs, DryRun: dryRun,
		Limit: cfg.limit, RenameLimit: cfg.renames, Force: a.g.force})
	var ie inputError
	if !dryRun && !errors.As(err, &ie) { // the run went ahead: its state is where others can look
		a.warnIfShared(filepath.Dir(cfg.State))
	}
	return err
}

// warnIfShared warns when others may read the state directory: the state
// holds the user's whole network.
func (a *app) warnIfShared(dir string) {
	fi, err := os.Stat(dir)
	if err != nil || runtime.GOOS == "windows" || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	a.log.Warn("the state directory can be read by other users; it holds your whole network: chmod 700 it",
		"dir", dir, "mode", fmt.Sprintf("%04o", fi.Mode().Perm()))
}

// run hands the graph to the engine and prints the report of what it did,
// also when it failed part way: the report says what reached each target.
func (a *app) run(ctx context.Context, g *mapping.Graph, opt connectors.RunOptions) error {
	opt.Log = a.log
	if bar := a.progress(); bar != nil {
		bar.phase("planning", -1)
		opt.Progress = func(target string, done, total int) { bar.pushed("pushing to "+target, done, total) }
	}
	out, err := connectors.Run(ctx, g, opt)
	a.progress().end()
	var se *connectors.StateError
	if errors.As(err, &se) {
		return inputError{err}
	}
	if out == nil {
		return err
	}
	rep := report.NewRun(g, out)
	if werr := a.writeReport(func(w io.Writer) error { return rep.Write(w, a.g.format) }); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// progress is the terminal's progress display, or nil: not on a terminal,
// or -q.
func (a *app) progress() *terminal {
	if a.g.quiet {
		return nil
	}
	return a.tty
}

// runGraph prints the graph summary.
func (a *app) runGraph(ctx context.Context) error {
	_, g, ego, err := a.load(ctx)
	if err != nil {
		return err
	}
	return a.writeReport(func(w io.Writer) error { return writeGraph(w, g, ego, a.g.format) })
}
