package connectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Forgetter is a Target that can remove people entirely, whatever its
// policy for a removal says: `linkport forget`.
type Forgetter interface {
	// Forget removes every trace of the people from the target. It must be
	// idempotent: a forget killed midway runs it again, maybe with Sent
	// nil and Ref zero for people the state no longer holds.
	Forget(ctx context.Context, people []Forgotten) error
}

// Forgotten is one person a Forgetter is to remove.
type Forgotten struct {
	ID string
	// Sent is the contact as this target last received it; nil when it
	// never did (or the copy is already purged).
	Sent *mapping.Contact
	// Ref is the target's handle for them, zero when none.
	Ref state.Ref
}

// Person is one person to forget: their ID and the identity keys known
// beside the state's (those of the current export), all tombstoned.
type Person struct {
	ID   string
	Keys []string
}

// ForgetOptions say what Forget does.
type ForgetOptions struct {
	StatePath string
	// Targets are every configured target; each must be a Forgetter.
	Targets []Spec
	Log     *slog.Logger
}

// ForgetOutcome is what a forget did.
type ForgetOutcome struct {
	// IDs are the people forgotten (with those of an interrupted forget it finished).
	IDs []string
	// Tombstones is how many tombstones (one per person) the state holds now.
	Tombstones int
	// Resumed: an interrupted forget was finished too.
	Resumed bool
}

// ErrForgetPending is Run's answer while a forget has not finished:
// syncing then could send the people again to a target not yet done.
var ErrForgetPending = errors.New("a forget did not finish (it was interrupted): run `linkport forget` to finish it; nothing was synced")

// Forget forgets people under the state lock, crash-safe: it first
// records an intent (their IDs and tombstones) beside the state, then
// has every target forget them, then purges them from the state, its sent
// store, journal and history, buries the tombstones, saves, and drops the
// intent. A forget killed at any point is finished by the next Forget,
// which calls it with or without people; Run refuses to sync until then.
// A target that fails leaves the state as it was (the people still known)
// and the intent in place, for a rerun.
func Forget(ctx context.Context, people []Person, opt ForgetOptions) (*ForgetOutcome, error) {
	log := orDiscard(opt.Log)
	snap, in, unlock, err := openState(opt.StatePath, true, log)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// The stamp's report may name the people: it goes first (the next
	// sync makes the run again, and may stamp it afresh).
	if err := state.RemoveStamp(opt.StatePath); err != nil {
		return nil, err
	}
	out := &ForgetOutcome{}
	if in == nil {
		in = &state.Intent{}
	} else {
		out.Resumed = true
		log.Info("finishing an interrupted forget", "people", len(in.IDs))
	}
	if len(people) > 0 {
		newKey := snap.ForgetKey == ""
		for _, p := range people {
			ks, err := snap.KeysOf(p.ID)
			if err != nil {
				return nil, &StateError{err}
			}
			ts, err := snap.Tombstone(append(ks, p.Keys...))
			if err != nil {
				return nil, &StateError{err}
			}
			in.IDs = append(in.IDs, p.ID)
			in.Tombstones = append(in.Tombstones, ts)
		}
		if newKey { // the intent's hashes are worth nothing without the key that made them
			if err := snap.Save(opt.StatePath); err != nil {
				return nil, err
			}
		}
		slices.Sort(in.IDs)
		in.IDs = slices.Compact(in.IDs)
		slices.Sort(in.Tombstones)
		in.Tombstones = slices.Compact(in.Tombstones)
		if err := state.WriteIntent(opt.StatePath, *in); err != nil {
			return nil, err
		}
	}
	out.IDs = in.IDs
	if len(in.IDs) == 0 {
		out.Tombstones = len(snap.Graves)
		return out, nil
	}
	var errs []error
	for _, sp := range opt.Targets {
		if err := forgetIn(ctx, snap, sp, in.IDs); err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", sp.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return out, err
	}
	if err := snap.Purge(in.IDs); err != nil {
		return out, &StateError{err}
	}
	snap.Bury(in.Tombstones)
	if err := snap.Save(opt.StatePath); err != nil {
		return out, err
	}
	out.Tombstones = len(snap.Graves)
	return out, state.RemoveIntent(opt.StatePath)
}

// forgetIn has one target forget the people ids.
func forgetIn(ctx context.Context, snap *state.Snapshot, sp Spec, ids []string) error {
	t, err := sp.Open(ctx, func() ([]*mapping.Contact, error) { return sentExcept(snap, sp.Name, ids) })
	if err != nil {
		return err
	}
	f, ok := t.(Forgetter)
	if !ok {
		t.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("forget: type %s cannot forget anyone", sp.Type)
	}
	people := make([]Forgotten, 0, len(ids))
	for _, id := range ids {
		p := Forgotten{ID: id}
		if st := snap.Targets[sp.Name]; st != nil {
			if it := st.Items[id]; it != nil {
				p.Ref = it.Ref
				p.Sent, _ = snap.Contact(it) // purged already by a forget killed after its save: the ID is enough
			}
		}
		people = append(people, p)
	}
	err = f.Forget(ctx, people)
	if cerr := t.Close(context.WithoutCancel(ctx)); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close: %w", cerr))
	}
	return err
}

// sentExcept is Snapshot.Sent without the people ids, whose copies a
// forget killed during its save may have purged already.
func sentExcept(snap *state.Snapshot, target string, ids []string) ([]*mapping.Contact, error) {
	t := snap.Targets[target]
	if t == nil {
		return nil, nil
	}
	var out []*mapping.Contact
	for id, it := range t.Items {
		if it.Removed || it.RemoteDeleted || slices.Contains(ids, id) {
			continue
		}
		c, err := snap.Contact(it)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
