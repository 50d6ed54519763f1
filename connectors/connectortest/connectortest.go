// Package connectortest is the conformance suite every Target passes, plus
// an in-memory Target for engine and CLI tests.
package connectortest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Harness is one fresh target under test, a way to look at what its
// destination holds, and what the suite may expect of it. A target joins
// the suite by saying how to build a Harness; the suite does the rest, as
// rclone's fstests and restic's backend tests do for their backends.
type Harness struct {
	Target connectors.Target
	// Contents returns the display name of every contact the destination
	// holds, by contact ID. It is called after Target.Close (a file target
	// writes only then) and must fail the test when the destination holds
	// one contact twice: a map alone would hide the duplicate.
	Contents func(t *testing.T) map[string]string
	// RemoteRefs says a Ref names one version of a copy that someone else
	// may change (a CardDAV href and ETag). A Put with an out-of-date Ref
	// must then find the current version and keep a change made there
	// since (reporting the field as a conflict), and a Put whose copy was
	// deleted must not bring it back. Without RemoteRefs the target owns
	// its destination outright and the last Put wins.
	RemoteRefs bool
	// Edit renames contact id at the destination behind the target's back,
	// as the user's phone would; required with RemoteRefs. It lets the
	// suite make a Ref stale after Prepare read the copy.
	Edit func(t *testing.T, id, name string)
}

// Run drives a Target through every case of the contract: creates,
// updates, removes, replays of the same write (a re-run after a crash),
// removes of what is not there, out-of-date Refs, concurrent writes,
// Close twice, Prepare before the writes and a cancelled context.
// newHarness must return an empty destination each time.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Create", func(t *testing.T) {
		h := newHarness(t)
		want := map[string]string{}
		for i := range 3 {
			c := Person(i)
			put(t, h, c, nil, state.Ref{})
			want[c.ID] = c.Name
		}
		closeAndCompare(t, h, want)
	})
	t.Run("Update", func(t *testing.T) {
		h := newHarness(t)
		c := Person(1)
		out := put(t, h, c, nil, state.Ref{})
		changed := renamed(c, "Renamed Person")
		changed.Company = "New Employer"
		put(t, h, changed, c, out.Ref)
		closeAndCompare(t, h, map[string]string{c.ID: "Renamed Person"})
	})
	t.Run("Remove", func(t *testing.T) {
		h := newHarness(t)
		a, b := Person(1), Person(2)
		outA := put(t, h, a, nil, state.Ref{})
		put(t, h, b, nil, state.Ref{})
		out := remove(t, h, a, outA.Ref)
		want := map[string]string{b.ID: b.Name}
		keptOrMarked(want, a, out)
		closeAndCompare(t, h, want)
	})
	t.Run("PutTwice", func(t *testing.T) { runPutTwice(t, newHarness) })
	t.Run("RemoveAbsent", func(t *testing.T) { runRemoveAbsent(t, newHarness) })
	t.Run("StaleRef", func(t *testing.T) { runStaleRef(t, newHarness) })
	t.Run("Concurrent", func(t *testing.T) { runConcurrent(t, newHarness(t)) })
	t.Run("CloseTwice", func(t *testing.T) {
		h := newHarness(t)
		c := Person(3)
		put(t, h, c, nil, state.Ref{})
		closeAndCompare(t, h, map[string]string{c.ID: c.Name})
		if err := h.Target.Close(context.Background()); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if got, want := h.Contents(t), map[string]string{c.ID: c.Name}; !maps.Equal(got, want) {
			t.Errorf("after the second Close the destination holds %v, want %v", got, want)
		}
	})
	t.Run("PrepareThenPut", func(t *testing.T) { runPrepareThenPut(t, newHarness(t)) })
	t.Run("CancelledContext", func(t *testing.T) {
		h := newHarness(t)
		cctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := h.Target.Put(cctx, Person(1), nil, state.Ref{}); err == nil {
			t.Error("Put with a cancelled context succeeded; want an error")
		}
		_ = h.Target.Close(context.Background())
	})
}

// runPutTwice replays one Put with the same arguments, as a run that died
// after the write but before the journal recorded it does: the replay
// changes nothing and answers as the first call did.
func runPutTwice(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Create", func(t *testing.T) {
		h := newHarness(t)
		c := Person(4)
		first := put(t, h, c, nil, state.Ref{})
		second := put(t, h, c, nil, state.Ref{})
		sameOutcome(t, first, second)
		closeAndCompare(t, h, map[string]string{c.ID: c.Name})
	})
	t.Run("Update", func(t *testing.T) {
		h := newHarness(t)
		c := Person(5)
		created := put(t, h, c, nil, state.Ref{})
		changed := renamed(c, "Renamed Twice")
		first := put(t, h, changed, c, created.Ref)
		second := put(t, h, changed, c, created.Ref)
		sameOutcome(t, first, second)
		closeAndCompare(t, h, map[string]string{c.ID: changed.Name})
	})
}

// runRemoveAbsent removes contacts the destination does not hold: one it
// never received, and one removed already (a replayed remove).
func runRemoveAbsent(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("NeverPut", func(t *testing.T) {
		h := newHarness(t)
		kept := Person(1)
		put(t, h, kept, nil, state.Ref{})
		remove(t, h, Person(6), state.Ref{})
		closeAndCompare(t, h, map[string]string{kept.ID: kept.Name})
	})
	t.Run("AlreadyRemoved", func(t *testing.T) {
		h := newHarness(t)
		c := Person(7)
		created := put(t, h, c, nil, state.Ref{})
		first := remove(t, h, c, created.Ref)
		if !first.Ref.IsZero() {
			// a marking target keeps the contact: a second remove marks again
			second := remove(t, h, c, first.Ref)
			sameOutcome(t, first, second)
		} else {
			remove(t, h, c, created.Ref)
		}
		want := map[string]string{}
		keptOrMarked(want, c, first)
		closeAndCompare(t, h, want)
	})
}

// runStaleRef writes with a Ref older than the destination's copy: the
// copy was changed (here through the target itself, as a phone would) or
// deleted since the Ref was handed out.
func runStaleRef(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Update", func(t *testing.T) {
		h := newHarness(t)
		c := Person(8)
		old := put(t, h, c, nil, state.Ref{})
		elsewhere := put(t, h, renamed(c, "Edited Elsewhere"), c, old.Ref)
		if h.RemoteRefs && elsewhere.Ref == old.Ref {
			t.Fatalf("an update kept Ref %+v; the target's Refs do not name versions", old.Ref)
		}
		local := renamed(c, "Renamed Locally")
		if !h.RemoteRefs {
			put(t, h, local, c, old.Ref)
			closeAndCompare(t, h, map[string]string{c.ID: local.Name})
			return
		}
		editSurvives(t, h, local, c, old.Ref, "Edited Elsewhere")
	})
	t.Run("Remove", func(t *testing.T) {
		h := newHarness(t)
		c := Person(9)
		old := put(t, h, c, nil, state.Ref{})
		edited := renamed(c, "Edited Elsewhere")
		put(t, h, edited, c, old.Ref)
		out := remove(t, h, edited, old.Ref)
		want := map[string]string{}
		keptOrMarked(want, edited, out)
		closeAndCompare(t, h, want)
	})
	t.Run("AfterPrepare", func(t *testing.T) {
		h := newHarness(t)
		if h.RemoteRefs && h.Edit == nil {
			t.Fatal("the harness has RemoteRefs but no Edit")
		}
		c := Person(14)
		old := put(t, h, c, nil, state.Ref{})
		local := renamed(c, "Renamed Locally")
		if pr, ok := h.Target.(connectors.Preparer); ok {
			plan := state.Plan{Target: "conformance", Changes: []state.Change{{Op: state.OpUpdate, Contact: local, Base: c, Prev: &old.Ref}}}
			if err := pr.Prepare(context.Background(), plan); err != nil {
				t.Fatalf("Prepare: %v", err)
			}
		}
		if !h.RemoteRefs { // the target owns the destination: the last write wins
			put(t, h, renamed(c, "Edited Elsewhere"), c, old.Ref)
			put(t, h, local, c, old.Ref)
			closeAndCompare(t, h, map[string]string{c.ID: local.Name})
			return
		}
		h.Edit(t, c.ID, "Edited Elsewhere") // after Prepare read the copy
		editSurvives(t, h, local, c, old.Ref, "Edited Elsewhere")
	})
	t.Run("Deleted", func(t *testing.T) {
		h := newHarness(t)
		c := Person(10)
		old := put(t, h, c, nil, state.Ref{})
		gone := remove(t, h, c, old.Ref)
		changed := renamed(c, "Changed After Delete")
		out := put(t, h, changed, c, old.Ref)
		switch {
		case !gone.Ref.IsZero(): // marked, not deleted: an ordinary update
			closeAndCompare(t, h, map[string]string{c.ID: changed.Name})
		case h.RemoteRefs:
			if !out.RemoteDeleted {
				t.Errorf("Put over a deleted copy returned %+v, want RemoteDeleted", out)
			}
			closeAndCompare(t, h, map[string]string{})
		default:
			closeAndCompare(t, h, map[string]string{c.ID: changed.Name})
		}
	})
}

// runConcurrent creates, updates and removes distinct contacts at once, as
// connectors.Sync does with several workers; run it under -race.
func runConcurrent(t *testing.T, h Harness) {
	const n = 4 // per kind: removed, updated, untouched, created
	refs := make([]state.Ref, 3*n)
	for i := range refs {
		refs[i] = put(t, h, Person(i), nil, state.Ref{}).Ref
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	removed := make([]connectors.Outcome, n)
	for i := range n {
		wg.Add(3)
		go func() {
			defer wg.Done()
			var err error
			if removed[i], err = h.Target.Remove(ctx, Person(i), refs[i]); err != nil {
				errs <- fmt.Errorf("remove %d: %w", i, err)
			}
		}()
		go func() {
			defer wg.Done()
			c := Person(n + i)
			if _, err := h.Target.Put(ctx, renamed(c, c.Name+" Updated"), c, refs[n+i]); err != nil {
				errs <- fmt.Errorf("update %d: %w", n+i, err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := h.Target.Put(ctx, Person(3*n+i), nil, state.Ref{}); err != nil {
				errs <- fmt.Errorf("create %d: %w", 3*n+i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := map[string]string{}
	for i := range n {
		keptOrMarked(want, Person(i), removed[i])
		c := Person(n + i)
		want[c.ID] = c.Name + " Updated"
		c = Person(2*n + i)
		want[c.ID] = c.Name
		c = Person(3*n + i)
		want[c.ID] = c.Name
	}
	closeAndCompare(t, h, want)
}

// runPrepareThenPut hands a Preparer the plan first, as connectors.Sync
// does, then applies it: an update, a create and a remove.
func runPrepareThenPut(t *testing.T, h Harness) {
	ctx := context.Background()
	upd, gone, add := Person(11), Person(12), Person(13)
	updRef := put(t, h, upd, nil, state.Ref{}).Ref
	goneRef := put(t, h, gone, nil, state.Ref{}).Ref
	changed := renamed(upd, "Prepared Update")
	plan := state.Plan{Target: "conformance", Changes: []state.Change{
		{Op: state.OpUpdate, Contact: changed, Base: upd, Prev: &updRef},
		{Op: state.OpCreate, Contact: add},
		{Op: state.OpRemove, Contact: gone, Prev: &goneRef},
	}}
	if pr, ok := h.Target.(connectors.Preparer); ok {
		if err := pr.Prepare(ctx, plan); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
	} else {
		t.Log("not a connectors.Preparer: the plan is applied without Prepare")
	}
	put(t, h, changed, upd, updRef)
	put(t, h, add, nil, state.Ref{})
	out := remove(t, h, gone, goneRef)
	want := map[string]string{upd.ID: changed.Name, add.ID: add.Name}
	keptOrMarked(want, gone, out)
	closeAndCompare(t, h, want)
}

// editSurvives puts c over base with the stale Ref old, after the
// destination's copy was renamed to edited: the target must find the
// current version, keep the edit and report the conflict.
func editSurvives(t *testing.T, h Harness, c, base *mapping.Contact, old state.Ref, edited string) {
	t.Helper()
	out := put(t, h, c, base, old)
	if out.Ref == old || out.Ref.IsZero() {
		t.Errorf("Put with a stale Ref returned %+v, want the current version's Ref", out.Ref)
	}
	if len(out.Conflicts) == 0 {
		t.Errorf("Put with a stale Ref over a name changed at the destination reported no conflict")
	}
	closeAndCompare(t, h, map[string]string{c.ID: edited})
}

func put(t *testing.T, h Harness, c, base *mapping.Contact, prev state.Ref) connectors.Outcome {
	t.Helper()
	out, err := h.Target.Put(context.Background(), c, base, prev)
	if err != nil {
		t.Fatalf("Put %s (base %v, prev %+v): %v", c.ID, base != nil, prev, err)
	}
	return out
}

func remove(t *testing.T, h Harness, c *mapping.Contact, prev state.Ref) connectors.Outcome {
	t.Helper()
	out, err := h.Target.Remove(context.Background(), c, prev)
	if err != nil {
		t.Fatalf("Remove %s (prev %+v): %v", c.ID, prev, err)
	}
	return out
}

// keptOrMarked adds c to want when the Remove outcome says the target kept
// or marked it rather than deleting it.
func keptOrMarked(want map[string]string, c *mapping.Contact, out connectors.Outcome) {
	if !out.Ref.IsZero() {
		want[c.ID] = c.Name
	}
}

func sameOutcome(t *testing.T, first, second connectors.Outcome) {
	t.Helper()
	if first.Ref != second.Ref || first.RemoteDeleted != second.RemoteDeleted || !slices.Equal(first.Conflicts, second.Conflicts) {
		t.Errorf("the same call twice answered %+v, then %+v", first, second)
	}
}

// renamed returns a copy of c with another display name.
func renamed(c *mapping.Contact, name string) *mapping.Contact {
	r := *c
	r.Name = name
	return &r
}

func closeAndCompare(t *testing.T, h Harness, want map[string]string) {
	t.Helper()
	if err := h.Target.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := h.Contents(t)
	if !maps.Equal(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
}

// Person returns a deterministic test contact; odd ones have no email, as
// most LinkedIn connections do.
func Person(i int) *mapping.Contact {
	c := &mapping.Contact{
		ID:          fmt.Sprintf("00000000000000%02x", i),
		Name:        fmt.Sprintf("Person Nummer %d", i),
		FirstName:   "Person",
		LastName:    fmt.Sprintf("Nummer %d", i),
		ProfileURL:  fmt.Sprintf("https://www.linkedin.com/in/person-%d", i),
		Company:     "Example GmbH",
		Title:       "Engineer",
		ConnectedOn: "2024-03-0" + fmt.Sprint(1+i%9),
		Sources:     []string{"connection"},
		EmailStatus: mapping.EmailHidden,
	}
	if i%2 == 0 {
		c.Emails = []string{fmt.Sprintf("person%d@example.org", i)}
		c.EmailStatus = mapping.EmailPresent
	}
	return c
}

// Memory is an in-memory Target that can be told to fail.
type Memory struct {
	mu       sync.Mutex
	contacts map[string]*mapping.Contact
	etags    map[string]string // version of each contact, for its Ref
	seq      int
	// FailOn, if set, is consulted before each write; a non-nil error fails it.
	FailOn func(op state.Op, c *mapping.Contact) error
	// Writes counts Put and Remove calls that succeeded.
	Writes int
}

// NewMemory returns an empty Memory target.
func NewMemory() *Memory {
	return &Memory{contacts: map[string]*mapping.Contact{}, etags: map[string]string{}}
}

// Put implements connectors.Target.
func (m *Memory) Put(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	if err := m.check(ctx, state.OpCreate, c); err != nil {
		return connectors.Outcome{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Writes++
	if old, ok := m.contacts[c.ID]; ok && mapping.Fingerprint(old) == mapping.Fingerprint(c) {
		return connectors.Outcome{Ref: state.Ref{Href: c.ID, ETag: m.etags[c.ID]}}, nil // nothing changed: same version
	}
	m.seq++
	m.contacts[c.ID] = c
	m.etags[c.ID] = fmt.Sprint(m.seq)
	return connectors.Outcome{Ref: state.Ref{Href: c.ID, ETag: m.etags[c.ID]}}, nil
}

// Remove implements connectors.Target by deleting.
func (m *Memory) Remove(ctx context.Context, c *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	if err := m.check(ctx, state.OpRemove, c); err != nil {
		return connectors.Outcome{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.contacts, c.ID)
	delete(m.etags, c.ID)
	m.Writes++
	return connectors.Outcome{}, nil
}

func (m *Memory) check(ctx context.Context, op state.Op, c *mapping.Contact) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.FailOn != nil {
		return m.FailOn(op, c)
	}
	return nil
}

// Close implements connectors.Target.
func (m *Memory) Close(context.Context) error { return nil }

// Names returns what the target holds: display names by ID.
func (m *Memory) Names() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for id, c := range m.contacts {
		out[id] = c.Name
	}
	return out
}
