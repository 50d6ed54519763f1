package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// load reads the configuration and the newest export and builds its graph:
// the commands that show or export the network (graph, export) read only
// the newest of several archives; diff and sync read them all.
func (a *app) load(ctx context.Context) (*Config, *mapping.Graph, *enrich.Ego, error) {
	cfg, err := loadConfig(&a.g)
	if err != nil {
		return nil, nil, nil, err
	}
	g, ego, _, err := a.graphs(ctx, cfg, false)
	return cfg, g, ego, err
}

// graphs reads the configured exports (all false: only the newest) and
// builds their graphs (graphsOf).
func (a *app) graphs(ctx context.Context, cfg *Config, all bool) (g *mapping.Graph, ego *enrich.Ego, earlier []*mapping.Graph, err error) {
	ins, err := a.inputs(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	if !all {
		ins = ins[len(ins)-1:]
	}
	return a.graphsOf(ctx, cfg, ins)
}

// graphsOf reads the exports ins (a.inputs: oldest first) and builds each
// one's graph: reconciled and enriched with the rest of its archive, its
// export dropped before the next is read, so memory holds one export at a
// time. The newest is g, the one synced; the others are earlier, oldest
// first, for the history. Every archive's warnings name it, and g carries
// them all, so the report lists them.
func (a *app) graphsOf(ctx context.Context, cfg *Config, ins []input) (g *mapping.Graph, ego *enrich.Ego, earlier []*mapping.Graph, err error) {
	var warnings []mapping.Warning
	for i, in := range ins {
		a.progress().phase("reading the export", -1)
		exp, err := a.readExport(ctx, in.src)
		if err != nil {
			a.progress().end()
			return nil, nil, nil, err
		}
		if in.name != "" && !exp.ExportedAt.Equal(in.at) { // its place in the order would be a guess
			a.progress().end()
			return nil, nil, nil, inputError{fmt.Errorf("read export %s: it changed while it was read (dated %s, then %s); try again",
				in.name, in.at.Format(time.RFC3339), exp.ExportedAt.Format(time.RFC3339))}
		}
		opt := cfg.reconcileOptions()
		opt.Release = true // nothing reads the records again: let them go as their people are made
		g = mapping.Reconcile(exp, opt)
		ego = enrich.Enrich(g, exp)
		a.progress().end()
		nameArchive(g.Warnings, in.name)
		for _, w := range g.Warnings { // the report lists them all; a whole-file one (a file decoded as Windows-1252) is said on stderr too
			if w.Line == 0 {
				a.log.Warn("input", "warning", w.String())
			} else {
				a.log.Debug("input", "warning", w.String())
			}
		}
		if i == len(ins)-1 {
			a.sourceLabel = sourceLabel(exp, in.name == "")
			a.keeper, _ = in.src.(baseKeeper)
			g.Warnings = append(warnings, g.Warnings...)
			break
		}
		warnings = append(warnings, g.Warnings...)
		earlier = append(earlier, g)
		a.log.Debug("earlier export", "people", g.Stats.People, "source", in.name, "exported", g.ExportedAt)
	}
	a.log.Debug("graph", "people", g.Stats.People, "source", a.sourceLabel, "file", ins[len(ins)-1].name, "earlier", len(earlier))
	// The exports' rows are garbage now, and so is what reconciling them
	// held; the collector's last goal was set while they were live, twice
	// what they and the graph so far took. Collecting here sets it from
	// the graphs alone, before the plan and the report are made, and the
	// pages freed go back to the system: they are scattered between the
	// people, and the plan's and the outcome's arrays, made next, could not
	// use them but would grow the heap beside them. A first diff's peak RSS
	// at 40,000 people is 60 MB with this and 67 without (medians of 20
	// runs; the worst 63 and 71), at 150,000 158 and 191 MB, for the same
	// CPU: the collection stands in for one the run would have made anyway.
	debug.FreeOSMemory()
	return g, ego, earlier, nil
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
	ins, err := a.inputs(ctx, cfg)
	if err != nil {
		return err
	}
	opt := connectors.RunOptions{StatePath: cfg.State, Targets: specs, DryRun: dryRun,
		Limit: cfg.limit, RenameLimit: cfg.renames, Force: a.g.force, Log: a.log}
	// The nights the export stays the same, the run is recalled: nothing
	// is read or planned again (connectors.Memo says when that holds).
	var digests []memoInput
	opt.Memo, digests = a.memo(ctx, cfg, names, ins, dryRun)
	if kept, ok := connectors.Recall(ctx, opt); ok {
		err := a.recalled(kept, dryRun)
		if !dryRun {
			a.warnIfShared(filepath.Dir(cfg.State))
		}
		return err
	}
	g, _, earlier, err := a.graphsOf(ctx, cfg, ins)
	if err != nil {
		return err
	}
	opt.Earlier = earlier
	keepRun(ctx, opt.Memo, ins, digests, g)
	if k := a.keeper; k != nil && !dryRun {
		if err := k.SaveBase(); err != nil {
			return fmt.Errorf("save the changelog base: %w", err)
		}
		name, v := k.Cursor()
		opt.Cursors = map[string]string{name: v}
	}
	err = a.run(ctx, g, opt)
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
	if err == nil && a.g.quiet && !a.g.formatSet && (a.g.output == "" || a.g.output == "-") {
		return nil // -q: a run that went well prints nothing
	}
	rep := report.NewRun(g, out)
	if werr := a.writeReport(func(w io.Writer) error { return rep.Write(w, a.g.format, report.Options{All: a.g.all}) }); werr != nil {
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
