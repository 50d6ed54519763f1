// Package connectortest is the conformance suite every Target passes, plus
// an in-memory Target for engine and CLI tests.
package connectortest

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Harness is one fresh target under test and a way to look at what its
// destination holds.
type Harness struct {
	Target connectors.Target
	// Contents returns the display name of every contact the destination
	// holds, by contact ID. It is called after Target.Close.
	Contents func(t *testing.T) map[string]string
}

// Run drives a Target through creates, updates, removes and a cancelled
// context. newHarness must return an empty destination each time.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	t.Run("Create", func(t *testing.T) {
		h := newHarness(t)
		want := map[string]string{}
		for i := range 3 {
			c := Person(i)
			if _, err := h.Target.Put(ctx, c, nil, state.Ref{}); err != nil {
				t.Fatalf("Put %s: %v", c.ID, err)
			}
			want[c.ID] = c.Name
		}
		closeAndCompare(t, h, want)
	})
	t.Run("Update", func(t *testing.T) {
		h := newHarness(t)
		c := Person(1)
		out, err := h.Target.Put(ctx, c, nil, state.Ref{})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		changed := *c
		changed.Name, changed.Company = "Renamed Person", "New Employer"
		if _, err := h.Target.Put(ctx, &changed, c, out.Ref); err != nil {
			t.Fatalf("update: %v", err)
		}
		closeAndCompare(t, h, map[string]string{c.ID: "Renamed Person"})
	})
	t.Run("Remove", func(t *testing.T) {
		h := newHarness(t)
		a, b := Person(1), Person(2)
		outA, err := h.Target.Put(ctx, a, nil, state.Ref{})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if _, err := h.Target.Put(ctx, b, nil, state.Ref{}); err != nil {
			t.Fatalf("create: %v", err)
		}
		out, err := h.Target.Remove(ctx, a, outA.Ref)
		if err != nil {
			t.Fatalf("remove: %v", err)
		}
		want := map[string]string{b.ID: b.Name}
		if !out.Ref.IsZero() { // kept or marked, not deleted
			want[a.ID] = a.Name
		}
		closeAndCompare(t, h, want)
	})
	t.Run("CancelledContext", func(t *testing.T) {
		h := newHarness(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := h.Target.Put(cctx, Person(1), nil, state.Ref{}); err == nil {
			t.Error("Put with a cancelled context succeeded; want an error")
		}
		_ = h.Target.Close(ctx)
	})
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
	seq      int
	// FailOn, if set, is consulted before each write; a non-nil error fails it.
	FailOn func(op state.Op, c *mapping.Contact) error
	// Writes counts Put and Remove calls that succeeded.
	Writes int
}

// NewMemory returns an empty Memory target.
func NewMemory() *Memory { return &Memory{contacts: map[string]*mapping.Contact{}} }

// Put implements connectors.Target.
func (m *Memory) Put(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	if err := m.check(ctx, state.OpCreate, c); err != nil {
		return connectors.Outcome{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.contacts[c.ID] = c
	m.seq++
	m.Writes++
	return connectors.Outcome{Ref: state.Ref{Href: c.ID, ETag: fmt.Sprint(m.seq)}}, nil
}

// Remove implements connectors.Target by deleting.
func (m *Memory) Remove(ctx context.Context, c *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	if err := m.check(ctx, state.OpRemove, c); err != nil {
		return connectors.Outcome{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.contacts, c.ID)
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
