package connectors_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

func people(n int) *mapping.Graph {
	g := &mapping.Graph{}
	for i := range n {
		p := connectortest.Person(i)
		p.ID, p.Keys = "", mapping.KeysOf(fmt.Sprintf("url:person-%d", i)) // Run identifies them
		g.People = append(g.People, p)
	}
	g.Stats.People = n
	return g
}

func spec(t connectors.Target) connectors.Spec {
	return connectors.Spec{Name: "m", Type: "memory",
		Open: func(context.Context, func() ([]*mapping.Contact, error)) (connectors.Target, error) { return t, nil }}
}

func count(o connectors.TargetOutcome, s connectors.Status) int {
	return o.Count(state.OpCreate, s) + o.Count(state.OpUpdate, s) + o.Count(state.OpRemove, s)
}

func items(t *testing.T, path string) int {
	t.Helper()
	s, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Targets["m"] == nil {
		return 0
	}
	return len(s.Targets["m"].Items)
}

func TestRunTwiceThenNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	m := connectortest.NewMemory()
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{spec(m)}, Limit: state.DefaultLimit}
	out, err := connectors.Run(context.Background(), people(10), opt)
	if err != nil || count(out.Targets[0], connectors.StatusDone) != 10 || len(m.Names()) != 10 {
		t.Fatalf("first run: %v, %+v, target holds %d", err, out, len(m.Names()))
	}
	out, err = connectors.Run(context.Background(), people(10), opt)
	if err != nil || len(out.Targets[0].Changes) != 0 || out.Targets[0].Unchanged != 10 {
		t.Fatalf("second run: %v, %d changes, %d unchanged; want nothing to do", err, len(out.Targets[0].Changes), out.Targets[0].Unchanged)
	}
}

// A dry run plans without a lock, a journal or a state file.
func TestRunDryRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	m := connectortest.NewMemory()
	out, err := connectors.Run(context.Background(), people(3), connectors.RunOptions{StatePath: filepath.Join(dir, "state.json"),
		Targets: []connectors.Spec{spec(m)}, DryRun: true, Limit: state.DefaultLimit})
	if err != nil || count(out.Targets[0], connectors.StatusPlanned) != 3 || m.Writes != 0 {
		t.Fatalf("dry run: %v, %+v, %d writes", err, out, m.Writes)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a dry run left %d files in the state directory", len(ents))
	}
}

// Interrupted after the fifth write, the outcome, the state and the
// target agree: five done, the rest not done, and the next run sends only the rest.
func TestRunInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := connectortest.NewMemory()
	var n atomic.Int32
	m.FailOn = func(state.Op, *mapping.Contact) error {
		if n.Add(1) == 5 {
			cancel() // the fifth write has begun: it finishes, no sixth starts
		}
		return nil
	}
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{spec(m)}, Limit: state.DefaultLimit}
	out, err := connectors.Run(ctx, people(20), opt)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Run = %v, want interrupted", err)
	}
	o := out.Targets[0]
	if done, notDone := count(o, connectors.StatusDone), count(o, connectors.StatusNotDone); done != 5 || notDone != 15 || len(m.Names()) != 5 {
		t.Fatalf("outcome: %d done, %d not done, %d on the target; want 5, 15, 5", done, notDone, len(m.Names()))
	}
	for _, c := range o.Changes {
		if c.Status == connectors.StatusNotDone && c.Reason != connectors.ReasonInterrupted {
			t.Errorf("not done because %q", c.Reason)
		}
	}
	if got := items(t, path); got != 5 {
		t.Errorf("the state holds %d items, want the 5 done", got)
	}
	m.FailOn = nil
	out, err = connectors.Run(context.Background(), people(20), opt)
	if err != nil || count(out.Targets[0], connectors.StatusDone) != 15 || m.Writes != 20 {
		t.Errorf("re-run: %v, %d done, %d writes in all; want the 15 left, 20 writes", err, count(out.Targets[0], connectors.StatusDone), m.Writes)
	}
}

// closingTarget is a Memory whose writes land at Close, which can fail.
type closingTarget struct {
	*connectortest.Memory
	err error
}

func (c closingTarget) ConfirmsOnClose() bool       { return true }
func (c closingTarget) Close(context.Context) error { return c.err }

func TestRunTargetErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		target     connectors.Target
		openErr    error
		wantStatus connectors.Status
		wantReason string
		wantErr    string
	}{
		{name: "open fails", openErr: errors.New("dial tcp: connection refused"),
			wantStatus: connectors.StatusNotDone, wantReason: connectors.ReasonTargetNotReady, wantErr: "connection refused"},
		{name: "a file that cannot be written fails every write", target: closingTarget{connectortest.NewMemory(), errors.New("no space left")},
			wantStatus: connectors.StatusFailed, wantErr: "no space left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			sp := connectors.Spec{Name: "m", Type: "memory", Open: func(context.Context, func() ([]*mapping.Contact, error)) (connectors.Target, error) {
				return tc.target, tc.openErr
			}}
			out, err := connectors.Run(context.Background(), people(4), connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{sp}, Limit: state.DefaultLimit})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run = %v, want %q", err, tc.wantErr)
			}
			for _, c := range out.Targets[0].Changes {
				if c.Status != tc.wantStatus || !strings.HasPrefix(c.Reason, tc.wantReason) {
					t.Errorf("change %s: %s %q, want %s %q", c.Contact.Name, c.Status, c.Reason, tc.wantStatus, tc.wantReason)
				}
			}
			if got := items(t, path); got != 0 {
				t.Errorf("the state holds %d items of a target that received nothing", got)
			}
		})
	}
}

// The guard stops the whole sync before any write.
func TestRunGuard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	m := connectortest.NewMemory()
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{spec(m)}, Limit: state.Limit{Count: 1}}
	if _, err := connectors.Run(context.Background(), people(10), opt); err != nil {
		t.Fatal(err)
	}
	out, err := connectors.Run(context.Background(), people(5), opt)
	if !errors.Is(err, state.ErrTooManyRemovals) || out.Guard == nil || m.Writes != 10 {
		t.Fatalf("guarded run = %v, %d writes; want the guard's error and no write", err, m.Writes)
	}
	if c := out.Targets[0].Changes[0]; c.Status != connectors.StatusNotDone || c.Reason != connectors.ReasonGuard {
		t.Errorf("a guarded change is %s %q", c.Status, c.Reason)
	}
	opt.Force = true
	if out, err := connectors.Run(context.Background(), people(5), opt); err != nil || out.Targets[0].Count(state.OpRemove, connectors.StatusDone) != 5 {
		t.Errorf("forced run = %v", err)
	}
}

// dyingTarget is a Memory whose Close ends the run's goroutine as a kill
// would between the last write and the save: the journal is all that is left.
type dyingTarget struct{ *connectortest.Memory }

func (dyingTarget) Close(context.Context) error { runtime.Goexit(); return nil }

// A run killed after its writes but before its save keeps the IDs it
// minted: a person who next appears with a stronger key (a Contacts-only
// email, now a connection with a profile URL) is updated, not created twice.
func TestKilledBeforeSaveKeepsMintedIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	contact := &mapping.Contact{Name: "Ada Lovelace", Emails: []string{"ada@example.org"}, Keys: mapping.KeysOf("email:ada@example.org")}
	g := &mapping.Graph{People: []*mapping.Contact{contact}, Stats: mapping.Stats{People: 1}}
	m := connectortest.NewMemory()
	died := make(chan struct{})
	go func() {
		defer close(died)
		connectors.Run(context.Background(), g, connectors.RunOptions{StatePath: path, Limit: state.DefaultLimit,
			Targets: []connectors.Spec{spec(dyingTarget{m})}})
	}()
	<-died
	if len(m.Names()) != 1 {
		t.Fatalf("the killed run wrote %d contacts, want 1", len(m.Names()))
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the killed run saved its state; the test needs it to die before the save")
	}

	upgraded := &mapping.Contact{Name: "Ada Lovelace", ProfileURL: "https://www.linkedin.com/in/ada", Emails: []string{"ada@example.org"},
		Keys: mapping.KeysOf("url:ada", "email:ada@example.org")}
	g2 := &mapping.Graph{People: []*mapping.Contact{upgraded}, Stats: mapping.Stats{People: 1}}
	out, err := connectors.Run(context.Background(), g2, connectors.RunOptions{StatePath: path, Limit: state.DefaultLimit,
		Targets: []connectors.Spec{spec(m)}})
	if err != nil {
		t.Fatal(err)
	}
	o := out.Targets[0]
	if o.Count(state.OpCreate, connectors.StatusDone) != 0 || o.Count(state.OpUpdate, connectors.StatusDone) != 1 || len(m.Names()) != 1 {
		t.Errorf("after the kill: %d created, %d updated, %d on the target; want the one contact updated",
			o.Count(state.OpCreate, connectors.StatusDone), o.Count(state.OpUpdate, connectors.StatusDone), len(m.Names()))
	}
}

// hangingTarget's writes are answered only when their context ends, as a
// server that never answers.
type hangingTarget struct {
	*connectortest.Memory
	started chan struct{}
}

func (h hangingTarget) Put(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	h.started <- struct{}{}
	<-ctx.Done()
	return connectors.Outcome{}, ctx.Err()
}

// An interrupted run ends even when a write it began is never answered:
// the write's grace runs out, it is reported failed, and the rest not done.
func TestRunInterruptedEndsAHangingWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx, cancel := context.WithCancel(context.Background())
	h := hangingTarget{connectortest.NewMemory(), make(chan struct{}, 1)}
	done := make(chan *connectors.RunOutcome, 1)
	go func() {
		out, _ := connectors.Run(ctx, people(3), connectors.RunOptions{StatePath: path, Limit: state.DefaultLimit,
			Targets: []connectors.Spec{spec(h)}})
		done <- out
	}()
	<-h.started
	cancel()
	select {
	case out := <-done:
		o := out.Targets[0]
		if count(o, connectors.StatusFailed) != 1 || count(o, connectors.StatusNotDone) != 2 {
			t.Errorf("outcome %+v; want the hanging write failed, the other two not done", o.Changes)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("an interrupted run waits forever on a write that is never answered")
	}
}

// The rename guard holds back a plan renaming more than RenameLimit
// allows; a zero limit allows none.
func TestRunRenameGuard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	m := connectortest.NewMemory()
	opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{spec(m)}, Limit: state.DefaultLimit}
	if _, err := connectors.Run(context.Background(), people(10), opt); err != nil {
		t.Fatal(err)
	}
	g := people(10)
	g.People[0].Name += " (renamed)"
	if _, err := connectors.Run(context.Background(), g, opt); !errors.Is(err, state.ErrTooManyRenames) || m.Writes != 10 {
		t.Fatalf("a rename under max_rename 0 = %v after %d writes; want the guard and no write", err, m.Writes)
	}
	opt.RenameLimit = state.Limit{Count: 1}
	if out, err := connectors.Run(context.Background(), g, opt); err != nil || out.Targets[0].Count(state.OpUpdate, connectors.StatusDone) != 1 {
		t.Errorf("a rename under max_rename 1 = %v", err)
	}
}
