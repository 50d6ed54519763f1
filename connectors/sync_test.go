package connectors_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

func plan(creates, removes int) state.Plan {
	p := state.Plan{Target: "m", Type: "memory"}
	for i := range creates {
		p.Changes = append(p.Changes, state.Change{Op: state.OpCreate, Contact: connectortest.Person(i)})
	}
	for i := range removes {
		p.Changes = append(p.Changes, state.Change{Op: state.OpRemove, Contact: connectortest.Person(100 + i)})
	}
	return p
}

func failID(id string, op state.Op, err error) func(state.Op, *mapping.Contact) error {
	return func(o state.Op, c *mapping.Contact) error {
		if c.ID == id && o == op {
			return err
		}
		return nil
	}
}

func TestSync(t *testing.T) {
	boom := errors.New("boom")
	p3 := connectortest.Person(3).ID
	for _, tc := range []struct {
		name        string
		creates     int
		removes     int
		workers     int
		failOn      func(state.Op, *mapping.Contact) error
		wantOK      int // results without error
		wantRemoves int // removals attempted
		wantErr     string
	}{
		{name: "all succeed", creates: 20, removes: 2, workers: 4, wantOK: 22, wantRemoves: 2},
		{name: "one worker", creates: 5, removes: 1, workers: 0, wantOK: 6, wantRemoves: 1},
		{name: "a failed upsert holds back the removals", creates: 5, removes: 2, workers: 2,
			failOn: failID(p3, state.OpCreate, boom), wantOK: 4, wantRemoves: 0, wantErr: "boom"},
		{name: "a held upsert does not hold back the removals", creates: 5, removes: 2, workers: 2,
			failOn: failID(p3, state.OpCreate, connectors.Held(boom)), wantOK: 6, wantRemoves: 2, wantErr: "boom"},
		{name: "a failed removal is reported", creates: 2, removes: 2, workers: 2,
			failOn: failID(connectortest.Person(100).ID, state.OpRemove, boom), wantOK: 3, wantRemoves: 2, wantErr: "boom"},
		{name: "a fatal error stops the target at once", creates: 20, removes: 2, workers: 1,
			failOn: failID(p3, state.OpCreate, connectors.Fatal(errors.New("401 Unauthorized"))), wantOK: 3, wantRemoves: 0, wantErr: "401"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := connectortest.NewMemory()
			m.FailOn = tc.failOn
			var ok, removes, results, progress atomic.Int32
			err := connectors.Sync(context.Background(), m, plan(tc.creates, tc.removes),
				connectors.SyncOptions{Workers: tc.workers, Progress: func(done, total int) { progress.Store(int32(done)) }},
				func(r state.Result) error {
					results.Add(1)
					if r.Op == state.OpRemove {
						removes.Add(1)
					}
					if r.Err == nil {
						ok.Add(1)
					}
					return nil
				})
			if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Sync error = %v, want %q", err, tc.wantErr)
			}
			if int(ok.Load()) != tc.wantOK || int(removes.Load()) != tc.wantRemoves {
				t.Errorf("confirmed %d (want %d), removals tried %d (want %d)", ok.Load(), tc.wantOK, removes.Load(), tc.wantRemoves)
			}
			if got, want := progress.Load(), results.Load(); got != want {
				t.Errorf("progress ended at %d, want %d (one per attempted write)", got, want)
			}
		})
	}
}

// An error from done (the journal could not be written) stops the run:
// nothing more is written once a confirmation cannot be recorded.
func TestSyncStopsWhenDoneFails(t *testing.T) {
	m := connectortest.NewMemory()
	var calls atomic.Int32
	err := connectors.Sync(context.Background(), m, plan(50, 0), connectors.SyncOptions{Workers: 1},
		func(state.Result) error {
			if calls.Add(1) == 3 {
				return errors.New("disk full")
			}
			return nil
		})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Sync = %v, want the done error", err)
	}
	if m.Writes != 3 {
		t.Errorf("%d writes; want 3: none after the journal failed at the third", m.Writes)
	}
}

func TestSyncCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := connectortest.NewMemory()
	err := connectors.Sync(ctx, m, plan(5, 0), connectors.SyncOptions{}, func(state.Result) error { return nil })
	if !errors.Is(err, context.Canceled) || m.Writes != 0 {
		t.Errorf("Sync with a cancelled context = %v after %d writes", err, m.Writes)
	}
}
