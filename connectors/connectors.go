// Package connectors holds what every source and target shares: the Source
// and Target interfaces and Sync, the engine that applies a plan to a target.
package connectors

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Source yields an export's records (a LinkedIn archive or the API).
type Source interface {
	Read(ctx context.Context) (*mapping.Export, error)
}

// Outcome is what a target reports about one confirmed write.
type Outcome struct {
	// Ref is the target's handle for the contact; zero after a remove means
	// the contact is gone from the target, non-zero that it was kept or marked.
	Ref state.Ref
	// Conflicts names owned fields the user changed on the target and linkport kept.
	Conflicts []string
	// RemoteDeleted: the user had deleted the contact on the target; linkport
	// did not recreate it.
	RemoteDeleted bool
}

// Target is one destination of contacts. Implementations must be safe for
// concurrent Put and Remove calls.
type Target interface {
	// Put creates or updates one contact. base is what this target last
	// received (nil for a create); prev is the handle from the state.
	Put(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (Outcome, error)
	// Remove handles a contact gone from LinkedIn, as the target's policy says
	// (mark, delete or keep). c is the contact as last sent.
	Remove(ctx context.Context, c *mapping.Contact, prev state.Ref) (Outcome, error)
	// Close flushes what the target buffers (the CSV target writes its file here).
	Close(ctx context.Context) error
}

// Preparer is a Target that wants the whole plan before the first write,
// e.g. to fetch the remote cards it will merge into in a few batched requests.
type Preparer interface {
	Prepare(ctx context.Context, p state.Plan) error
}

// SyncOptions tune Sync.
type SyncOptions struct {
	// Workers is how many writes run at once (at least 1).
	Workers int
	// Progress, if set, is called after each write with the counts so far.
	Progress func(done, total int)
}

// Sync applies plan p to t: creates and updates first, then removals, and
// removals only when every upsert succeeded (rclone's --delete-after rule).
// done is called once per change, one call at a time, with the result; a
// result with a nil Err is a confirmed write, to be journaled before Sync
// goes on. An error from done stops the run. Sync does not call t.Close.
func Sync(ctx context.Context, t Target, p state.Plan, opt SyncOptions, done func(state.Result) error) error {
	if pr, ok := t.(Preparer); ok {
		if err := pr.Prepare(ctx, p); err != nil {
			return fmt.Errorf("prepare %s: %w", p.Target, err)
		}
	}
	var upserts, removes []state.Change
	for _, c := range p.Changes {
		if c.Op == state.OpRemove {
			removes = append(removes, c)
		} else {
			upserts = append(upserts, c)
		}
	}
	e := &engine{t: t, done: done, progress: opt.Progress, total: len(p.Changes)}
	e.run(ctx, upserts, max(opt.Workers, 1))
	if len(e.errs) > 0 && len(removes) > 0 {
		e.errs = append(e.errs, fmt.Errorf("skip %d removals: %d writes failed", len(removes), len(e.errs)))
	} else if e.fatal == nil {
		e.run(ctx, removes, max(opt.Workers, 1))
	}
	if e.fatal != nil {
		return e.fatal
	}
	return errors.Join(e.errs...)
}

type engine struct {
	t        Target
	done     func(state.Result) error
	progress func(done, total int)
	total    int

	mu    sync.Mutex
	n     int
	errs  []error
	fatal error
}

func (e *engine) run(parent context.Context, changes []state.Change, workers int) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	work := make(chan state.Change)
	var wg sync.WaitGroup
	for range min(workers, max(len(changes), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				e.finish(c, e.apply(ctx, c), cancel)
			}
		}()
	}
	for _, c := range changes {
		if ctx.Err() != nil {
			break
		}
		select {
		case work <- c:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if err := parent.Err(); err != nil && len(changes) > 0 {
		e.errs = append(e.errs, err)
	}
}

func (e *engine) apply(ctx context.Context, c state.Change) state.Result {
	r := state.Result{Op: c.Op, ID: c.Contact.ID}
	var out Outcome
	var err error
	if c.Op == state.OpRemove {
		out, err = e.t.Remove(ctx, c.Contact, c.Prev)
	} else {
		out, err = e.t.Put(ctx, c.Contact, c.Base, c.Prev)
		r.Sent = c.Contact
	}
	if err != nil {
		r.Err = fmt.Errorf("%s %s (%s): %w", c.Op, c.Contact.Name, c.Contact.ID, err)
	}
	r.Ref, r.Conflicts, r.RemoteDeleted = out.Ref, out.Conflicts, out.RemoteDeleted
	return r
}

func (e *engine) finish(c state.Change, r state.Result, cancel func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fatal != nil {
		return
	}
	if r.Err != nil {
		e.errs = append(e.errs, r.Err)
	}
	if err := e.done(r); err != nil {
		e.fatal = err
		cancel()
		return
	}
	e.n++
	if e.progress != nil {
		e.progress(e.n, e.total)
	}
}
