package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/linkport/linkport/connectors"
)

// TypeForgotten is the event of `linkport forget`: the person asked to be
// (or was) forgotten. Its data carries the contact's id and nothing else:
//
//	{"id": "evt_…", "schema": 1, "type": "contact.forgotten",
//	 "timestamp": "2026-12-01T10:00:00Z", "data": {"id": "9c1e…"}}
//
// A receiver should delete everything it holds under that id. linkport
// sends nothing more about the person: every event about them still in
// the outbox (pending, dead or delivered) is dropped first.
const TypeForgotten = "contact.forgotten"

var _ connectors.Forgetter = (*Target)(nil)

// forgottenEvent is the whole of a contact.forgotten.
type forgottenEvent struct {
	ID        string `json:"id"`
	Schema    int    `json:"schema"`
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      struct {
		ID string `json:"id"`
	} `json:"data"`
}

// Forget drops every event about the people from the outbox, of every
// webhook target it holds (the person must be gone from the file, not only
// from this target's queue), queues one contact.forgotten per person,
// rewrites the outbox so that no byte of the dropped events is left in it,
// and delivers what is pending. Like Put it succeeds once the events are
// durably queued; a disabled target keeps them until it is enabled again.
func (t *Target) Forget(ctx context.Context, people []connectors.Forgotten) error {
	ob, err := t.open()
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, p := range people {
		ids[p.ID] = true
	}
	if err := ob.forget(ids); err != nil {
		return err
	}
	now := t.opt.Now().UTC().Truncate(1e9)
	for _, p := range people {
		sum := sha256.Sum256([]byte(t.opt.Name + "\x00" + p.ID + "\x00" + TypeForgotten))
		ev := forgottenEvent{ID: "evt_" + hex.EncodeToString(sum[:16]), Schema: Schema, Type: TypeForgotten,
			Timestamp: now.Format("2006-01-02T15:04:05Z07:00")}
		ev.Data.ID = p.ID
		body, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		if _, err := ob.add(t.opt.Name, outboxEvent{ID: ev.ID, Contact: p.ID, Type: TypeForgotten, Added: now, Body: body}); err != nil {
			return fmt.Errorf("queue %s: %w", ev.ID, err)
		}
	}
	if err := ob.rewrite(); err != nil {
		return err
	}
	if t.disabled() == nil {
		t.flush(ctx, true)
	}
	return nil
}

// forget drops every event, whatever its status, about the contacts ids.
func (o *outbox) forget(ids map[string]bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, name := range o.names() {
		var drop []string
		for id, e := range o.targets[name].byID {
			if ids[e.ev.Contact] && e.ev.Type != TypeForgotten {
				drop = append(drop, id)
			}
		}
		if len(drop) > 0 {
			if err := o.record(outboxRecord{Op: opDrop, Target: name, IDs: drop}, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// rewrite compacts the file now, under its lock: an append-only log still
// holds what was dropped until it is rewritten.
func (o *outbox) rewrite() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.lock(os.O_RDWR)
	if err != nil {
		return err
	}
	defer unlock(f)
	return o.compact(nil)
}
