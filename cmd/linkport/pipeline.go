package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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

// graphs reads the configured exports oldest first and builds each one's
// graph: reconciled and enriched with the rest of its archive, its export
// dropped before the next is read, so memory holds one export at a time.
// The newest is g, the one synced; the others are earlier, oldest first,
// for the history (all false reads only the newest). Every archive's
// warnings name it, and g carries them all, so the report lists them.
func (a *app) graphs(ctx context.Context, cfg *Config, all bool) (g *mapping.Graph, ego *enrich.Ego, earlier []*mapping.Graph, err error) {
	ins, err := a.inputs(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	if !all {
		ins = ins[len(ins)-1:]
	}
	var warnings []mapping.Warning
	for i, in := range ins {
		exp, err := a.readExport(ctx, in.src)
		if err != nil {
			return nil, nil, nil, err
		}
		if in.name != "" && !exp.ExportedAt.Equal(in.at) { // its place in the order would be a guess
			return nil, nil, nil, inputError{fmt.Errorf("read export %s: it changed while it was read (dated %s, then %s); try again",
				in.name, in.at.Format(time.RFC3339), exp.ExportedAt.Format(time.RFC3339))}
		}
		g = mapping.Reconcile(exp, cfg.reconcileOptions())
		ego = enrich.Enrich(g, exp)
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
	if !dryRun && len(names) == 0 {
		return configError{fmt.Errorf("config %s: no targets to sync to", cfg.where())}
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
	g, _, earlier, err := a.graphs(ctx, cfg, true)
	if err != nil {
		return err
	}
	opt := connectors.RunOptions{StatePath: cfg.State, Targets: specs, Earlier: earlier, DryRun: dryRun,
		Limit: cfg.limit, RenameLimit: cfg.renames, Force: a.g.force}
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
	bar := a.progress()
	if bar != nil {
		opt.Progress = bar.draw
	}
	out, err := connectors.Run(ctx, g, opt)
	if bar != nil {
		bar.end()
	}
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

// progressBar draws a sync's progress on a terminal.
type progressBar struct {
	a      *app
	last   time.Time
	drawn  bool
	target string
}

// progress returns a bar drawing on a terminal, or nil.
func (a *app) progress() *progressBar {
	if a.g.quiet || !isTerminal(a.stderr) {
		return nil
	}
	return &progressBar{a: a}
}

func (b *progressBar) draw(target string, done, total int) {
	if target != b.target && b.drawn {
		fmt.Fprintln(b.a.stderr)
	}
	b.target = target
	if done != total && time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last, b.drawn = time.Now(), true
	const width = 30
	filled := width * done / max(total, 1)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(b.a.stderr, "\r%s [%s] %d/%d", target, bar, done, total)
}

func (b *progressBar) end() {
	if b.drawn {
		fmt.Fprintln(b.a.stderr)
	}
}

// runGraph prints the graph summary.
func (a *app) runGraph(ctx context.Context) error {
	_, g, ego, err := a.load(ctx)
	if err != nil {
		return err
	}
	return a.writeReport(func(w io.Writer) error { return writeGraph(w, g, ego, a.g.format) })
}
