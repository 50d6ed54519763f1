package webhook_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"sync/atomic"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/webhook"
)

// TestForgetDropsTheOutbox: with a person's events waiting (the receiver
// down), Forget drops every one of them from the outbox file, keeps the
// others' and delivers, once the receiver is back, the others' events and
// a contact.forgotten that carries the id alone.
func TestForgetDropsTheOutbox(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	r := newReceiver(t, func(int, []string) act {
		if down.Load() {
			return act{status: http.StatusServiceUnavailable}
		}
		return act{}
	})
	e := newEnv(t)
	opt := r.options()
	opt.MaxAttempts = 1
	ps := people(3)
	gone := ps[1]
	e.sync(e.target(opt), ps, true)
	if n := len(e.waiting("pending")); n != 3 {
		t.Fatalf("%d events wait, want 3", n)
	}
	down.Store(false)
	tg := e.target(opt)
	if err := tg.Forget(context.Background(), []connectors.Forgotten{{ID: gone.ID, Sent: gone}}); err != nil {
		t.Fatal(err)
	}
	if err := tg.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(e.outboxFile())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(gone.Name)) || bytes.Contains(b, []byte(gone.ProfileURL)) {
		t.Errorf("the outbox still holds %s:\n%s", gone.Name, b)
	}
	var forgotten int
	seen := map[string]bool{}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.events {
		seen[ev.Data.ID] = true
		if ev.Data.ID == gone.ID && ev.Type != webhook.TypeForgotten {
			t.Errorf("the receiver got a %s of the forgotten person", ev.Type)
		}
		if ev.Type == webhook.TypeForgotten {
			forgotten++
			if raw := r.eventIDs[ev.ID]; !bytes.Contains(raw, []byte(`"data":{"id":"`+gone.ID+`"}`)) {
				t.Errorf("contact.forgotten carries more than the id: %s", raw)
			}
		}
	}
	if forgotten != 1 || !seen[ps[0].ID] || !seen[ps[2].ID] {
		t.Errorf("the receiver got %d contact.forgotten and events of %v; want 1 and the two others", forgotten, seen)
	}
	if n := len(e.waiting("pending")); n != 0 {
		t.Errorf("%d events still wait", n)
	}
}
