package connectors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Status is what became of one planned change.
type Status string

// Statuses of a change. Only StatusDone reached the target.
const (
	StatusPlanned Status = "planned"  // a dry run: nothing was attempted
	StatusDone    Status = "done"     // confirmed by the target (and journaled)
	StatusFailed  Status = "failed"   // attempted and refused; retried next run
	StatusHeld    Status = "held"     // can never be written as it is; reported every run
	StatusNotDone Status = "not_done" // never attempted; Reason says why
	StatusMatched Status = "matched"  // a create not made: the person is already on the target (Err is a *Match)
)

// Match is a target's answer to a create for a person it already holds in
// a record the user made (a card in their address book): nothing was
// written; the change is reported every run until the user decides.
type Match struct {
	// Href and Name are the user's card and the name on it.
	Href, Name string
	// Certain: a shared email, phone or profile URL; else names only.
	Certain bool
	// By says what matched.
	By string
}

func (m *Match) Error() string {
	s := "possible"
	if m.Certain {
		s = "certain"
	}
	return fmt.Sprintf("already in the address book as %q (%s, %s): %s; not created", m.Name, m.Href, s, m.By)
}

// RemoteChange is a card linkport wrote that was edited or deleted on the
// target since the last run.
type RemoteChange struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Href    string `json:"href"`
	Deleted bool   `json:"deleted,omitempty"` // else edited
}

// Observer is a Target that looks at its side before the writes (Run calls
// Observe once, after Open) and keeps what it learns in the target's state
// in s: the CardDAV target's change markers and matches.
type Observer interface {
	Observe(ctx context.Context, s *state.Snapshot, p state.Plan) ([]RemoteChange, error)
	// Foresee says, after Observe and without writing, what a Put of the
	// create c would do: a *Match error, an Adopted outcome, or a plain create.
	Foresee(c *mapping.Contact) (Outcome, error)
}

// Reasons a planned change was not attempted.
const (
	ReasonInterrupted    = "interrupted"
	ReasonGuard          = "held back by the guard (max_delete, max_rename)"
	ReasonRemovalsWait   = "removals wait until every create and update succeeds"
	ReasonTargetStopped  = "the target stopped: "
	ReasonTargetNotReady = "the target did not start: "
)

// ChangeOutcome is one planned change and what became of it.
type ChangeOutcome struct {
	// Change points into the plan's Changes, which nothing changes once
	// made: a first run's outcome holds one for every person, and a copy
	// of each was 88 bytes more (3.5 MB at LinkedIn's cap, copied through
	// the collector's write barrier).
	*state.Change
	Status Status
	// Outcome is the target's answer to a done write (in a dry run, what a
	// create would become), nil when there is none: a plan's outcome holds
	// one ChangeOutcome a person, and most have no answer to keep.
	Outcome *Outcome
	// Err is why a write failed or is held.
	Err error
	// Reason is why a change was not attempted.
	Reason string
}

// TargetOutcome is what one target's part of a run did, change by change
// in plan order: the only source of the figures a report prints.
type TargetOutcome struct {
	Name, Type string
	Unchanged  int
	Changes    []ChangeOutcome
	// witness is what the target said it left (Witnessing), for the memo.
	witness string
	// RemoteChanged are the target's own edits and deletions seen this run.
	RemoteChanged []RemoteChange
	// Err is why the target did not start or did not finish, if so.
	Err error
}

// Count returns how many changes of op ended with status s.
func (t *TargetOutcome) Count(op state.Op, s Status) int {
	n := 0
	for _, c := range t.Changes {
		if c.Op == op && c.Status == s {
			n++
		}
	}
	return n
}

// SyncOptions tune Sync.
type SyncOptions struct {
	// Workers is how many writes run at once (at least 1).
	Workers int
	// Progress, if set, is called after each write with the counts so far.
	Progress func(done, total int)
}

// Sync applies plan p to t: creates and updates first, then removals, and
// removals only when every upsert succeeded or was held (rclone's
// --delete-after rule). done is called once per attempted change, one call
// at a time, with the result; a result with a nil Err is a confirmed write,
// to be journaled before Sync goes on, and an error from done stops
// everything. A Fatal error stops the target. Cancelling ctx stops Sync
// between writes: a write already sent is let finish, so that the outcome
// says what reached the target. Sync does not call t.Close.
func Sync(ctx context.Context, t Target, p state.Plan, opt SyncOptions, done func(state.Result) error) error {
	out := TargetOutcome{Name: p.Target, Type: p.Type, Unchanged: p.Unchanged}
	err := apply(ctx, t, p, opt, done, &out)
	var errs []error
	for _, c := range out.Changes {
		if c.Err != nil && c.Status != StatusMatched {
			errs = append(errs, c.Err)
		}
	}
	return errors.Join(append([]error{err}, errs...)...)
}

// apply is Sync, filling out with every change's outcome. Its error is
// the one that stopped the target (Prepare, a Fatal write, done, ctx).
func apply(ctx context.Context, t Target, p state.Plan, opt SyncOptions, done func(state.Result) error, out *TargetOutcome) error {
	out.Changes = make([]ChangeOutcome, len(p.Changes))
	for i := range p.Changes {
		out.Changes[i] = ChangeOutcome{Change: &p.Changes[i], Status: StatusNotDone}
	}
	notDone := func(reason string) {
		for i := range out.Changes {
			if c := &out.Changes[i]; c.Status == StatusNotDone && c.Reason == "" {
				c.Reason = reason
			}
		}
	}
	if pr, ok := t.(Preparer); ok {
		// Prepare may be cut short: it reads, or delivers what an outbox
		// already holds, and nothing of the plan has been sent yet.
		if err := pr.Prepare(ctx, p); err != nil {
			err = fmt.Errorf("prepare %s: %w", p.Target, err)
			if ctx.Err() != nil {
				notDone(ReasonInterrupted)
			} else {
				notDone(ReasonTargetNotReady + err.Error())
			}
			return err
		}
	}
	var upserts, removes []int
	for i, c := range p.Changes {
		if c.Op == state.OpRemove {
			removes = append(removes, i)
		} else {
			upserts = append(upserts, i)
		}
	}
	e := &engine{t: t, done: done, progress: opt.Progress, total: len(p.Changes), out: out}
	e.run(ctx, upserts, max(opt.Workers, 1))
	if e.stop == nil && ctx.Err() == nil {
		if e.failed > 0 {
			for _, i := range removes {
				out.Changes[i].Reason = ReasonRemovalsWait
			}
		} else {
			e.run(ctx, removes, max(opt.Workers, 1))
		}
	}
	switch {
	case e.stop != nil:
		notDone(ReasonTargetStopped + e.stop.Error())
		return e.stop
	case ctx.Err() != nil:
		notDone(ReasonInterrupted)
		return ctx.Err()
	}
	return nil
}

type engine struct {
	t        Target
	done     func(state.Result) error
	progress func(done, total int)
	total    int
	out      *TargetOutcome

	mu     sync.Mutex
	n      int
	failed int   // ordinary failures: they hold back the removals
	stop   error // a Fatal write or a failed confirmation: nothing more is sent
}

// WriteGrace is how long a write already sent may take to be answered once
// the run is interrupted: long enough for a server to answer, so the
// outcome says what reached it; short enough that Ctrl-C is obeyed at once.
const WriteGrace = 500 * time.Millisecond

// run sends the changes at idx, workers at a time, until they are done,
// ctx is cancelled or the target stops. Writes get a context that ctx's
// cancellation reaches only after WriteGrace: an interrupted run stops
// between writes, and a write it began is answered and recorded.
func (e *engine) run(ctx context.Context, idx []int, workers int) {
	halt, cancel := context.WithCancel(ctx)
	defer cancel()
	wctx, wcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer wcancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(WriteGrace, wcancel) })()
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(idx), 1)) {
		wg.Go(func() {
			for i := range work {
				if halt.Err() != nil {
					continue // dispatched as the run stopped: left not done
				}
				r, out := e.apply(wctx, *e.out.Changes[i].Change)
				e.finish(i, r, out, cancel)
			}
		})
	}
	for _, i := range idx {
		if halt.Err() != nil {
			break
		}
		select {
		case work <- i:
		case <-halt.Done():
		}
	}
	close(work)
	wg.Wait()
}

func (e *engine) apply(ctx context.Context, c state.Change) (state.Result, Outcome) {
	r := state.Result{Op: c.Op, ID: c.Contact.ID}
	var out Outcome
	var err error
	if c.Op == state.OpRemove {
		out, err = e.t.Remove(ctx, c.Contact, c.Ref())
	} else {
		out, err = e.t.Put(ctx, c.Contact, c.Base, c.Ref())
		r.Sent = c.Contact
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted while being written (the next run looks whether it arrived): %w", err)
	}
	if err != nil {
		r.Err = fmt.Errorf("%s %s (%s): %w", c.Op, c.Contact.Name, c.Contact.ID, err)
	}
	r.Ref, r.Conflicts, r.RemoteDeleted = out.Ref, out.Conflicts, out.RemoteDeleted
	return r, out
}

func (e *engine) finish(i int, r state.Result, out Outcome, cancel func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := &e.out.Changes[i]
	var m *Match
	switch {
	case r.Err == nil:
		c.Status, c.Outcome = StatusDone, &out
	case errors.As(r.Err, &m):
		c.Status, c.Err = StatusMatched, r.Err
	case IsHeld(r.Err):
		c.Status, c.Err = StatusHeld, r.Err
	default:
		c.Status, c.Err = StatusFailed, r.Err
		e.failed++
		if IsFatal(r.Err) && e.stop == nil {
			e.stop = r.Err
			cancel()
		}
	}
	if err := e.done(r); err != nil && e.stop == nil {
		e.stop = err
		cancel()
	}
	e.n++
	if e.progress != nil {
		e.progress(e.n, e.total)
	}
}
