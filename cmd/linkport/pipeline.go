package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
	"github.com/linkport/linkport/state"
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
	exp, err := a.readExport(ctx, src)
	if err != nil {
		return nil, nil, err
	}
	a.sourceLabel = label
	g := mapping.Reconcile(exp, mapping.Options{MergeByName: cfg.MergeByName})
	ego := enrich.Enrich(g, exp)
	for _, w := range g.Warnings { // the report lists them too
		a.log.Debug("input", "warning", w.String())
	}
	a.log.Debug("graph", "people", g.Stats.People, "source", label)
	return g, ego, nil
}

// runPipeline is diff (dryRun) and sync: read → reconcile → diff → [sync → save].
// diff is the same run stopped after the plan; it writes nothing, not even the state.
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
		unlock, err := a.lock(cfg)
		if err != nil {
			return err
		}
		defer unlock()
	}
	// The state loads on the other core while the export is read.
	type loaded struct {
		snap *state.Snapshot
		err  error
	}
	ch := make(chan loaded, 1)
	go func() {
		snap, err := state.Load(cfg.State)
		ch <- loaded{snap, err}
	}()
	g, _, err := a.graph(ctx, cfg)
	st := <-ch
	switch {
	case err != nil:
		return err
	case st.err != nil:
		return inputError{st.err}
	}
	return a.push(ctx, cfg, g, st.snap, names, dryRun)
}

// lock takes the state's lock and reports a run that was killed holding it.
func (a *app) lock(cfg *Config) (unlock func() error, err error) {
	unlock, stale, err := state.Lock(cfg.State)
	if stale != "" {
		a.log.Warn(stale)
	}
	return unlock, err
}

// push plans the named targets and, unless dryRun, applies the plans and
// saves the state. The caller holds the state's lock for a real run.
func (a *app) push(ctx context.Context, cfg *Config, g *mapping.Graph, snap *state.Snapshot, names []string, dryRun bool) error {
	snap.Identify(g)

	var plans []state.Plan
	guard := map[string]error{}
	for _, name := range names {
		typ := cfg.targets[name].Type
		p, err := state.Diff(snap, name, typ, g)
		if err != nil {
			return inputError{err}
		}
		if err := p.CheckRemovals(cfg.limit, len(g.People)); err != nil && !a.g.force {
			guard[name] = err
		}
		plans = append(plans, p)
	}
	if dryRun || len(guard) > 0 {
		// The guard stops a sync before any write: its report is a plan.
		rep := state.NewReport(g, true)
		var errs []error
		for _, p := range plans {
			tr := rep.AddPlan(p)
			if err := guard[p.Target]; err != nil {
				tr.Error, errs = err.Error(), append(errs, err)
			}
		}
		if len(guard) > 0 && !dryRun {
			rep.Stopped = "the removal guard (max_delete) objected; nothing was written"
		}
		if err := a.writeReport(func(w io.Writer) error { return rep.Write(w, a.g.format) }); err != nil {
			return err
		}
		return errors.Join(errs...)
	}

	rep := state.NewReport(g, false)

	j, err := state.OpenJournal(cfg.State)
	if err != nil {
		return err
	}
	defer j.Close()
	if cfg.hasWebhook(names) {
		if a.outbox, err = state.OpenOutbox(cfg.State); err != nil {
			return err
		}
		defer func() { a.outbox.Close(); a.outbox = nil }()
	}
	var failed []error
	for _, p := range plans {
		if err := a.syncTarget(ctx, cfg, snap, j, p, rep.AddPlan(p)); err != nil {
			failed = append(failed, fmt.Errorf("target %s: %w", p.Target, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err := snap.Save(cfg.State); err != nil {
		return err
	}
	if err := a.writeReport(func(w io.Writer) error { return rep.Write(w, a.g.format) }); err != nil {
		return err
	}
	return errors.Join(failed...)
}

// syncTarget applies one plan and records every confirmed write in the
// journal and the snapshot, one at a time, as it happens.
func (a *app) syncTarget(ctx context.Context, cfg *Config, snap *state.Snapshot, j *state.Journal, p state.Plan, tr *state.TargetReport) error {
	t, workers, err := a.newTarget(ctx, cfg, p.Target, snap)
	if err != nil {
		tr.Error = err.Error()
		return err
	}
	// A file target's writes land only when Close succeeds (the file is
	// written whole), so its results are journaled after Close, not before.
	deferred := cfg.targets[p.Target].csv != nil
	var pending []state.Result
	confirm := func(rs ...state.Result) error {
		if err := j.Append(p.Target, p.Type, rs...); err != nil {
			return err
		}
		for _, r := range rs {
			snap.Apply(p.Target, p.Type, r)
		}
		return nil
	}
	progress := a.progress(p.Target)
	err = connectors.Sync(ctx, t, p, connectors.SyncOptions{Workers: workers, Progress: progress}, func(r state.Result) error {
		tr.Record(r)
		switch {
		case r.Err != nil:
			a.log.Warn("write failed", "target", p.Target, "err", r.Err)
			return nil
		case deferred:
			pending = append(pending, r)
			return nil
		}
		return confirm(r)
	})
	if progress != nil {
		fmt.Fprintln(a.stderr)
	}
	if cerr := t.Close(ctx); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close: %w", cerr))
	} else if len(pending) > 0 {
		if jerr := confirm(pending...); jerr != nil {
			return jerr
		}
	}
	if err != nil {
		tr.Error = summarize(err, tr.Failed)
	}
	return err
}

// summarize keeps the target's error line short when many writes failed;
// each failed change carries its own error in the report.
func summarize(err error, failed int) string {
	if failed > 3 {
		return fmt.Sprintf("%d writes failed (see each change)", failed)
	}
	return err.Error()
}

// progress returns a progress callback drawing on a terminal, or nil.
func (a *app) progress(target string) func(done, total int) {
	if a.g.quiet || !isTerminal(a.stderr) {
		return nil
	}
	last := time.Time{}
	return func(done, total int) {
		if done != total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		const width = 30
		filled := width * done / max(total, 1)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < filled {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(a.stderr, "\r%s [%s] %d/%d", target, bar, done, total)
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
