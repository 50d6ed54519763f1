package connectors

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/linkport/linkport/state"
)

// Memo lets a sync that changed nothing be remembered (a state.Stamp), so
// that the next diff or sync given the same Key, beside the same state and
// targets, is recalled instead of run: on the nights an export stays the
// same, nothing is read or planned again. A run is remembered only when it
// was steady (no change planned for any target, no new identity, no job
// change, nothing changed on a target's side, no error) and every target
// has a Witness and said what it left (Witnessing); a recall checks the
// key, the state's and history's hashes and the targets' witnesses.
// Anything the key leaves out could make the run that would follow
// differ, so the key is the caller's to make complete.
type Memo struct {
	// Key is everything the run depends on besides the state and the
	// targets' own sides: the code, the configuration, the inputs' bytes.
	Key string
	// Keep is what the caller keeps of a steady run, to report it again
	// when it is recalled; nil keeps nothing (and the run is not
	// remembered): the caller's way to refuse, when its inputs changed
	// while they were read.
	Keep func(*RunOutcome) (json.RawMessage, error)
}

// Recall returns what opt.Memo.Keep kept of the steady sync the state at
// opt.StatePath remembers, if it still stands: same key, same state and
// history, no unfinished run or forget, and each target's side as that
// sync left it (a diff checks only the targets it would look at). ok is
// false when the run has to be made. A sync holds the state's lock while
// it checks, as Run would, and a state it cannot lock is not recalled:
// Run then says why.
func Recall(ctx context.Context, opt RunOptions) (kept json.RawMessage, ok bool) {
	if opt.Memo == nil {
		return nil, false
	}
	log := orDiscard(opt.Log)
	if !opt.DryRun {
		unlock, stale, err := state.Lock(opt.StatePath)
		if err != nil {
			return nil, false
		}
		defer unlock()
		if stale != "" {
			log.Warn(stale) // as Run would: taking the lock clears the record
		}
	}
	st := state.ReadStamp(opt.StatePath)
	if st == nil || st.Key != opt.Memo.Key || len(st.Targets) != len(opt.Targets) {
		return nil, false
	}
	for _, sp := range opt.Targets {
		was, known := st.Targets[sp.Name]
		if !known || sp.Witness == nil {
			return nil, false
		}
		if opt.DryRun && sp.Look == nil {
			continue // a diff does not look at this target's side
		}
		now, err := sp.Witness(ctx, was)
		if err != nil || now != was {
			log.Debug("a target changed since the last sync: the run is made", "target", sp.Name)
			return nil, false
		}
	}
	return st.Kept, true
}

// stamp remembers the sync whose outcome is out, if it was steady, with
// what each target said it left (Witnessing). It runs under the state's
// lock, after the state was saved; a stamp that cannot be written only
// costs the next run its shortcut.
func (r *runner) stamp(opt RunOptions, out *RunOutcome, minted int) {
	if opt.Memo == nil || minted > 0 || len(out.JobChanges) > 0 {
		return
	}
	witnesses := make(map[string]string, len(opt.Targets))
	for i, sp := range opt.Targets {
		t := out.Targets[i]
		if sp.Witness == nil || t.witness == "" || len(t.Changes) > 0 || t.Err != nil || len(t.RemoteChanged) > 0 {
			return
		}
		witnesses[sp.Name] = t.witness
	}
	kept, err := opt.Memo.Keep(out)
	if err != nil || kept == nil {
		return
	}
	if err := state.WriteStamp(opt.StatePath, state.Stamp{Key: opt.Memo.Key, Targets: witnesses, Kept: kept}); err != nil {
		r.log.Warn("the next run will read the export again", slog.Any("err", err))
	}
}
