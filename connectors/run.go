package connectors

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Spec is one target of a run: its name and type, and how to open it once
// the state is locked. Everything that can be checked without the target's
// server (URLs, secrets, profiles, paths) is checked before Run, so that a
// mistake in the configuration writes nothing at all.
type Spec struct {
	Name, Type string
	// Open builds the target. sent returns what the target holds from
	// earlier runs, as the sent store keeps it: most of those contacts are
	// the run's own people (held), shared and never to be changed. Only a
	// target that rewrites everything (a full CSV file) asks for it.
	Open func(ctx context.Context, sent func() ([]*mapping.Contact, error)) (Target, error)
	// Shape, if set, is what this target is given of each person (a
	// contact with the fields it excludes, or the last-known values it
	// clears, removed); it returns a copy and never changes its argument.
	Shape func(*mapping.Contact) *mapping.Contact
	// Look, if set, opens the target for a dry run to look at its side
	// without writing (an Observer: CardDAV matches the creates to the
	// user's cards); Open is then never called.
	Look func(ctx context.Context) (Target, error)
	// Witness, if set, says what the target's own side is now, as a string
	// that changes whenever it does (the hashes of a file target's files):
	// a run that changed nothing can then be remembered (Memo) with what
	// the target said it left (Witnessing), and recalled while Witness
	// still says the same. was is what the remembered run's target said it
	// left, so that Witness can skip a look that could only say the same
	// (a file's times vouch for it). A target whose empty plan still has
	// work to do (an outbox to drain, a book that may change on the
	// server) has none.
	Witness func(ctx context.Context, was string) (string, error)
}

// RunOptions say what Run does.
type RunOptions struct {
	// StatePath is the state file; its lock, journal and sent store live beside it.
	StatePath string
	Targets   []Spec
	// Earlier are the graphs of archives older than the one synced, oldest
	// first: observed into the history before it, never synced themselves.
	Earlier []*mapping.Graph
	// DryRun stops the run after the plan: no lock, no target opened, nothing written.
	DryRun bool
	// Limit is max_delete and RenameLimit max_rename (a zero Limit allows
	// none); Force lets a run go past them.
	Limit       state.Limit
	RenameLimit state.Limit
	Force       bool
	// Progress, if set, is called after each write of a target.
	Progress func(target string, done, total int)
	Log      *slog.Logger
	// Cursors are saved in the state (state.Snapshot.SetCursor) when the
	// sync succeeds: never on a dry run, a guard stop or a failed write.
	Cursors map[string]string
	// Memo, if set, remembers a sync that changed nothing (see Recall).
	Memo *Memo
}

// RunOutcome is what a run did, target by target.
type RunOutcome struct {
	DryRun bool
	// Guard is the objection of the removal or rename guard; a sync it stopped wrote nothing.
	Guard   error
	Targets []TargetOutcome
	// JobChanges are the job changes first seen in this run's archives.
	JobChanges []mapping.JobChange
	// Forgotten is how many people of the export were skipped because a
	// tombstone names them (linkport forget).
	Forgotten int
}

// StateError is a state file Run cannot read (corrupt, or newer than this
// linkport), or an export older than what its history holds
// (ErrOlderExport): the user's to look at. Nothing was written.
type StateError struct{ Err error }

func (e *StateError) Error() string { return e.Err.Error() }
func (e *StateError) Unwrap() error { return e.Err }

// Run is one run over the graph g: lock the state, load it, identify the
// people (of the earlier archives too, after g, so IDs match across
// archives), observe the earlier archives and g into the history and fill
// g from it (last-known emails and phones, previous positions), diff each
// target (as its Shape sees g), apply the guard, then apply each plan,
// journaling every confirmed write before the next, and save the history
// with the state. A dry run does all of it but the writes, in memory. The
// graph is built before Run, so no lock is held while an export is read.
// The outcome is returned whenever a plan was made, also with an error: it
// says what reached each target, write by write.
func Run(ctx context.Context, g *mapping.Graph, opt RunOptions) (*RunOutcome, error) {
	log := orDiscard(opt.Log)
	snap, in, unlock, err := openState(opt.StatePath, !opt.DryRun, log)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if in != nil {
		return nil, &StateError{ErrForgetPending}
	}
	// Forgotten people leave the graphs before anyone is identified, so
	// that none of their keys reaches the identities or the history again.
	forgotten := snap.SkipForgotten(g)
	for _, e := range opt.Earlier {
		snap.SkipForgotten(e)
	}
	// The history is read while the people are identified: on two cores
	// that hides most of its cost. The two touch different parts of snap.
	histErr := make(chan error, 1)
	go func() {
		_, err := snap.History()
		histErr <- err
	}()
	earlier := slices.Clone(opt.Earlier)
	sort.SliceStable(earlier, func(i, j int) bool { return earlier[i].ExportedAt.Before(earlier[j].ExportedAt) })
	// The export first, so that its people have the IDs a sync of it
	// alone would give them; the earlier archives then match them, also
	// by name where an old archive has no profile URLs.
	minted := snap.Identify(g)
	if len(earlier) > 0 {
		minted = maps.Clone(minted) // on a first run it is snap's own map
	}
	for i := len(earlier) - 1; i >= 0; i-- {
		maps.Copy(minted, snap.IdentifyEarlier(earlier[i], g))
	}
	if err := <-histErr; err != nil {
		return nil, &StateError{err}
	}
	jobChanges, err := remember(snap, g, earlier, time.Now(), opt.DryRun, log)
	if err != nil {
		return nil, err
	}

	out := &RunOutcome{DryRun: opt.DryRun, JobChanges: jobChanges, Forgotten: forgotten}
	plans := make([]state.Plan, len(opt.Targets))
	guard := make([]error, len(opt.Targets))
	graphs := make([]*mapping.Graph, len(opt.Targets)) // g as each target is given it
	for i, sp := range opt.Targets {
		tg := shaped(g, sp.Shape)
		graphs[i] = tg
		if plans[i], err = state.Diff(snap, sp.Name, sp.Type, tg); err != nil {
			return nil, &StateError{err}
		}
		if !opt.Force {
			guard[i] = errors.Join(plans[i].CheckRemovals(opt.Limit, len(tg.People)), plans[i].CheckRenames(opt.RenameLimit))
		}
	}
	if out.Guard = errors.Join(guard...); opt.DryRun || out.Guard != nil {
		for i, p := range plans {
			t := unapplied(p, opt.DryRun)
			t.Err = guard[i]
			if sp := opt.Targets[i]; opt.DryRun && sp.Look != nil {
				foresee(ctx, sp, snap, p, &t)
			}
			out.Targets = append(out.Targets, t)
		}
		return out, out.Guard
	}

	// A run with nothing to write and no new identity opens no journal: a
	// no-op sync leaves every file as it was (Save, too, writes only what
	// changed).
	r := &runner{snap: snap, statePath: opt.StatePath, log: log, progress: opt.Progress}
	defer r.close()
	if len(minted) > 0 || slices.ContainsFunc(plans, func(p state.Plan) bool { return len(p.Changes) > 0 }) {
		if err := r.openJournal(); err != nil {
			return nil, err
		}
		if err := r.journal.AppendIdentities(minted); err != nil {
			return nil, err
		}
	}
	var errs []error
	for i, sp := range opt.Targets {
		t := r.target(ctx, sp, plans[i], graphs[i])
		out.Targets = append(out.Targets, t)
		if err := t.err(); err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", sp.Name, err))
		}
	}
	if r.broken != nil {
		errs = append(errs, r.broken)
	}
	if len(errs) == 0 {
		for name, v := range opt.Cursors {
			snap.SetCursor(name, v)
		}
	}
	if err := snap.Save(opt.StatePath); err != nil {
		errs = append(errs, err) // the journal keeps every confirmed write for the next run
	} else if len(errs) == 0 {
		r.stamp(opt, out, len(minted))
	}
	return out, errors.Join(errs...)
}

// openState locks the state at path (unless !lock: a dry run), loads it
// and reads a forget's unfinished intent, if any: how Run and Forget
// begin. On success unlock releases the lock; a state that cannot be read
// is a StateError.
func openState(path string, lock bool, log *slog.Logger) (snap *state.Snapshot, in *state.Intent, unlock func() error, err error) {
	unlock = func() error { return nil }
	if lock {
		var stale string
		if unlock, stale, err = state.Lock(path); err != nil {
			return nil, nil, nil, err
		}
		if stale != "" {
			log.Warn(stale)
		}
	}
	if snap, err = state.Load(path); err == nil {
		in, err = state.ReadIntent(path)
	}
	if err != nil {
		unlock()
		return nil, nil, nil, &StateError{err}
	}
	return snap, in, unlock, nil
}

// orDiscard is log, or a logger that drops everything.
func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}

// unapplied is a plan's outcome when nothing was attempted: planned (a
// dry run) or held back by the guard.
func unapplied(p state.Plan, dryRun bool) TargetOutcome {
	t := TargetOutcome{Name: p.Target, Type: p.Type, Unchanged: p.Unchanged, Changes: make([]ChangeOutcome, 0, len(p.Changes))}
	for i := range p.Changes {
		co := ChangeOutcome{Change: &p.Changes[i], Status: StatusPlanned}
		if !dryRun {
			co.Status, co.Reason = StatusNotDone, ReasonGuard
		}
		t.Changes = append(t.Changes, co)
	}
	return t
}

// foresee lets a dry run's target look at its side: what changed there,
// and what each planned create would become. A target that cannot be
// read leaves the plan as it is, with the reason in t.Err.
func foresee(ctx context.Context, sp Spec, snap *state.Snapshot, p state.Plan, t *TargetOutcome) {
	tg, err := sp.Look(ctx)
	if err != nil {
		t.Err = errors.Join(t.Err, fmt.Errorf("look at the target: %w", err))
		return
	}
	defer tg.Close(context.WithoutCancel(ctx))
	o, ok := tg.(Observer)
	if !ok {
		return
	}
	if t.RemoteChanged, err = o.Observe(ctx, snap, p); err != nil {
		t.Err = errors.Join(t.Err, fmt.Errorf("look at the target: %w", err))
		return
	}
	for i := range t.Changes {
		c := &t.Changes[i]
		if c.Op != state.OpCreate {
			continue
		}
		out, err := o.Foresee(c.Contact)
		if errors.As(err, new(*Match)) {
			c.Status, c.Err = StatusMatched, err
		}
		c.Outcome = &out
	}
}

// runner carries what every target of a run shares.
type runner struct {
	snap      *state.Snapshot
	statePath string
	journal   *state.Journal // opened before the first write, if any
	log       *slog.Logger
	progress  func(target string, done, total int)
	// broken is a confirmation that could not be journaled: the run stops.
	broken error
}

func (r *runner) openJournal() error {
	if r.journal != nil {
		return nil
	}
	j, err := state.OpenJournal(r.statePath)
	if err != nil {
		return err
	}
	r.journal = j
	return nil
}

func (r *runner) close() {
	if r.journal != nil {
		r.journal.Close()
	}
}

// target opens one target and applies its plan, made from the graph g.
func (r *runner) target(ctx context.Context, sp Spec, p state.Plan, g *mapping.Graph) TargetOutcome {
	out := TargetOutcome{Name: sp.Name, Type: sp.Type, Unchanged: p.Unchanged}
	skip := func(reason string) TargetOutcome {
		for i := range p.Changes {
			out.Changes = append(out.Changes, ChangeOutcome{Change: &p.Changes[i], Status: StatusNotDone, Reason: reason})
		}
		return out
	}
	switch {
	case r.broken != nil:
		return skip("the run stopped: " + r.broken.Error())
	case ctx.Err() != nil:
		out.Err = fmt.Errorf("%s: %w", ReasonInterrupted, ctx.Err())
		return skip(ReasonInterrupted)
	}
	sent := func() ([]*mapping.Contact, error) { return held(r.snap, sp.Name, p, g) }
	t, err := sp.Open(ctx, sent)
	if err != nil {
		out.Err = err
		return skip(ReasonTargetNotReady + err.Error())
	}
	if o, ok := t.(Observer); ok {
		if out.RemoteChanged, err = o.Observe(ctx, r.snap, p); err != nil {
			t.Close(context.WithoutCancel(ctx))
			out.Err = err
			return skip(ReasonTargetNotReady + err.Error())
		}
	}
	workers := 1
	if c, ok := t.(Concurrent); ok {
		workers = c.Workers()
	}
	cc, ok := t.(ClosingConfirms)
	deferred := ok && cc.ConfirmsOnClose()

	confirm := func(rs ...state.Result) error {
		err := r.openJournal() // opened already unless the plan was empty
		if err == nil {
			err = r.journal.Append(p.Target, p.Type, rs...)
		}
		if err != nil {
			r.broken = fmt.Errorf("record confirmed writes: %w", err)
			return r.broken
		}
		for _, res := range rs {
			r.snap.Apply(p.Target, p.Type, res)
		}
		return nil
	}
	var pending []state.Result
	var progress func(done, total int)
	if r.progress != nil {
		progress = func(done, total int) { r.progress(sp.Name, done, total) }
	}
	err = apply(ctx, t, p, SyncOptions{Workers: workers, Progress: progress}, func(res state.Result) error {
		switch {
		case errors.As(res.Err, new(*Match)):
			return nil // reported, not a failure
		case IsHeld(res.Err):
			r.log.Warn("write held", "target", p.Target, "err", res.Err)
			return nil
		case res.Err != nil:
			r.log.Warn("write failed", "target", p.Target, "err", res.Err)
			return nil
		case deferred:
			pending = append(pending, res)
			return nil
		}
		return confirm(res)
	}, &out)
	if errors.Is(err, ctx.Err()) && ctx.Err() != nil {
		err = fmt.Errorf("%s: %w", ReasonInterrupted, err)
	}
	if cerr := t.Close(context.WithoutCancel(ctx)); cerr != nil {
		cerr = fmt.Errorf("close: %w", cerr)
		err = errors.Join(err, cerr)
		if deferred { // nothing of it landed
			for i := range out.Changes {
				if c := &out.Changes[i]; c.Status == StatusDone {
					c.Status, c.Err, c.Outcome = StatusFailed, cerr, nil
				}
			}
			pending = nil
		}
	}
	if len(pending) > 0 {
		err = errors.Join(err, confirm(pending...))
	}
	if w, ok := t.(Witnessing); ok && err == nil {
		out.witness = w.Witness()
	}
	out.Err = err
	return out
}

// held is what the target holds before its plan p from g is applied:
// the sent store's copy of each live item (Snapshot.Sent), without
// decoding one. A person of g whom p leaves be is that copy: Diff found
// their fingerprint, a hash of their JSON and the copy's key, unchanged.
// An update's or removal's copy is its change's Base, which Diff read.
// Should any live item be left over (Diff leaves none), the store is read
// as before. On a night with a new export, decoding every copy was a
// tenth of the sync.
func held(snap *state.Snapshot, target string, p state.Plan, g *mapping.Graph) ([]*mapping.Contact, error) {
	t := snap.Targets[target]
	if t == nil {
		return nil, nil
	}
	live := 0
	for _, it := range t.Items {
		if !it.Removed && !it.RemoteDeleted {
			live++
		}
	}
	bases := make(map[string]*mapping.Contact, len(p.Changes))
	for _, c := range p.Changes {
		if c.Op == state.OpUpdate && c.Base != nil {
			bases[c.Contact.ID] = c.Base
		}
	}
	out := make([]*mapping.Contact, 0, live)
	for _, c := range g.People {
		if it := t.Items[c.ID]; it != nil && !it.Removed && !it.RemoteDeleted {
			out = append(out, cmp.Or(bases[c.ID], c))
		}
	}
	for _, c := range p.Changes {
		if c.Op == state.OpRemove && c.Base != nil {
			out = append(out, c.Base)
		}
	}
	if len(out) != live {
		return snap.Sent(target)
	}
	return out, nil
}

// err is the target's error for the run's exit status: why it stopped,
// or how many writes failed.
func (t *TargetOutcome) err() error {
	failed := 0
	for _, c := range t.Changes {
		if c.Status == StatusFailed {
			failed++
		}
	}
	switch {
	case t.Err != nil:
		return t.Err
	case failed > 0:
		return fmt.Errorf("%d writes failed", failed)
	}
	return nil
}
