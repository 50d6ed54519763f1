package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/linkport/linkport/state/atomicfile"
)

// OutboxStatus is where an outbox event stands.
type OutboxStatus string

// Outbox statuses.
const (
	// OutboxPending: not yet acknowledged by the receiver; delivered in order.
	OutboxPending OutboxStatus = "pending"
	// OutboxDead: the receiver refused it for good (a 4xx); kept until retried or dropped.
	OutboxDead OutboxStatus = "dead"
	// OutboxDelivered: acknowledged (2xx). Kept, body and all, until settled, so
	// that a run which died before saving the state redelivers the very same
	// bytes under the same id.
	OutboxDelivered OutboxStatus = "delivered"
)

// OutboxEvent is one event a push target (the webhook) owes its receiver.
type OutboxEvent struct {
	// ID is the event's idempotency key (the webhook-id); unique per target.
	ID string `json:"id"`
	// Contact is the contact ID; events of one contact go out in order.
	Contact string `json:"contact"`
	Type    string `json:"type"`
	// Added is when the event first entered the outbox.
	Added time.Time `json:"added"`
	// Body is the event exactly as sent, every time: compact JSON, kept
	// byte for byte.
	Body   json.RawMessage `json:"body"`
	Status OutboxStatus    `json:"status"`
	// Failures counts delivery rounds that gave up on this event.
	Failures int `json:"failures,omitempty"`
	// LastError is why the last round failed, or why the event is dead.
	LastError string `json:"last_error,omitempty"`
}

// Outbox is the durable queue of events owed to push targets, kept in
// <state>.outbox beside the state file. An event is fsynced into it before
// the first delivery attempt and is pending until the receiver acknowledges
// it. The file is an append-only log of changes, compacted when opened.
// An Outbox is safe for concurrent use; one process at a time may open it
// (the state lock guards that).
type Outbox struct {
	path string

	mu      sync.Mutex
	f       *os.File
	seq     int
	targets map[string]*outboxTarget
}

type outboxTarget struct {
	byID     map[string]*outboxEntry
	queue    []queued // pending entries in order; stale ones are skipped lazily
	disabled string
}

type outboxEntry struct {
	ev  OutboxEvent
	seq int
}

type queued struct {
	e   *outboxEntry
	seq int
}

func (q queued) live() bool { return q.e.ev.Status == OutboxPending && q.e.seq == q.seq }

// outboxRecord is one line of the outbox file.
type outboxRecord struct {
	Op     string       `json:"op"`
	Target string       `json:"target"`
	Event  *OutboxEvent `json:"event,omitempty"`
	IDs    []string     `json:"ids,omitempty"`
	Reason string       `json:"reason,omitempty"`
}

// Outbox log operations.
const (
	opAdd     = "add"
	opDone    = "done"
	opFail    = "fail"
	opDead    = "dead"
	opRevive  = "revive"
	opDrop    = "drop"
	opSettle  = "settle"
	opDisable = "disable"
	opEnable  = "enable"
)

// OutboxPath is where the outbox of the state file at statePath lives.
func OutboxPath(statePath string) string { return statePath + ".outbox" }

// OpenOutbox opens (or creates) the outbox beside the state file at
// statePath, compacting its log. A torn last line (the process died while
// writing it, so that change never happened) is dropped; damage anywhere
// else is an error naming the line.
func OpenOutbox(statePath string) (*Outbox, error) {
	o := &Outbox{path: OutboxPath(statePath), targets: map[string]*outboxTarget{}}
	b, err := os.ReadFile(o.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	if len(b) > 0 {
		lines := bytes.Split(b, []byte("\n"))
		for i, line := range lines[:len(lines)-1] { // the last piece is "" or a torn tail
			var r outboxRecord
			if err := json.Unmarshal(line, &r); err != nil || r.Op == "" || r.Target == "" {
				return nil, fmt.Errorf("read outbox %s:%d: expected a JSON change record with \"op\" and \"target\"", o.path, i+1)
			}
			if err := o.apply(r); err != nil {
				return nil, fmt.Errorf("read outbox %s:%d: %w", o.path, i+1, err)
			}
		}
	}
	if err := o.compact(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(o.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open outbox: %w", err)
	}
	o.f = f
	return o, nil
}

// compact rewrites the log as one add record per kept event.
func (o *Outbox) compact() error {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	enc := newRecordEncoder(w)
	for _, name := range o.names() {
		t := o.targets[name]
		if t.disabled != "" {
			if err := enc.Encode(outboxRecord{Op: opDisable, Target: name, Reason: t.disabled}); err != nil {
				return fmt.Errorf("encode outbox: %w", err)
			}
		}
		for _, e := range t.sorted(func(OutboxStatus) bool { return true }) {
			if err := enc.Encode(outboxRecord{Op: opAdd, Target: name, Event: &e}); err != nil {
				return fmt.Errorf("encode outbox: %w", err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("encode outbox: %w", err)
	}
	if err := atomicfile.Write(o.path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("compact outbox: %w", err)
	}
	return nil
}

// newRecordEncoder writes one record a line. Without HTML escaping, a
// compact body is written back exactly as it was read.
func newRecordEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

func (o *Outbox) names() []string {
	names := make([]string, 0, len(o.targets))
	for n := range o.targets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (o *Outbox) target(name string) *outboxTarget {
	t := o.targets[name]
	if t == nil {
		t = &outboxTarget{byID: map[string]*outboxEntry{}}
		o.targets[name] = t
	}
	return t
}

// apply performs one logged change in memory; replay and live calls share it.
func (o *Outbox) apply(r outboxRecord) error {
	t := o.target(r.Target)
	switch r.Op {
	case opAdd:
		if r.Event == nil || r.Event.ID == "" {
			return errors.New("add record without an event id")
		}
		e := t.byID[r.Event.ID]
		if e == nil {
			e = &outboxEntry{}
			t.byID[r.Event.ID] = e
		}
		e.ev = *r.Event
		o.seq++
		e.seq = o.seq
		if e.ev.Status == OutboxPending {
			t.queue = append(t.queue, queued{e, e.seq})
		}
	case opDone, opFail, opDead, opRevive:
		for _, id := range r.IDs {
			e := t.byID[id]
			if e == nil {
				continue // dropped meanwhile
			}
			switch r.Op {
			case opDone:
				e.ev.Status = OutboxDelivered
			case opFail:
				e.ev.Failures++
				e.ev.LastError = r.Reason
			case opDead:
				e.ev.Status, e.ev.LastError = OutboxDead, r.Reason
			case opRevive:
				o.seq++
				e.ev.Status, e.seq = OutboxPending, o.seq
				t.queue = append(t.queue, queued{e, e.seq})
			}
		}
	case opDrop, opSettle:
		for _, id := range r.IDs {
			if e := t.byID[id]; e != nil {
				e.ev.Status = "" // unqueues it
				delete(t.byID, id)
			}
		}
	case opDisable:
		t.disabled = r.Reason
	case opEnable:
		t.disabled = ""
	default:
		return fmt.Errorf("unknown outbox operation %q", r.Op)
	}
	if len(t.byID) == 0 && t.disabled == "" {
		delete(o.targets, r.Target)
	}
	return nil
}

// log appends r to the file (fsynced when sync is set), then applies it, so
// memory never runs ahead of the disk.
func (o *Outbox) log(r outboxRecord, sync bool) error {
	var b bytes.Buffer
	if err := newRecordEncoder(&b).Encode(r); err != nil {
		return fmt.Errorf("encode outbox record: %w", err)
	}
	if _, err := o.f.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	if sync {
		if err := o.f.Sync(); err != nil {
			return fmt.Errorf("sync outbox: %w", err)
		}
	}
	return o.apply(r)
}

// Add durably enqueues ev for target unless an event with its ID is known:
// a pending or dead one stays as it is, and a delivered one is queued again
// with its original body (the same change planned again after a run died
// before saving the state). It returns the event as the outbox now holds it.
// The file is fsynced before Add returns.
func (o *Outbox) Add(target string, ev OutboxEvent) (OutboxEvent, error) {
	var compact bytes.Buffer
	if ev.ID == "" || json.Compact(&compact, ev.Body) != nil || !bytes.Equal(compact.Bytes(), ev.Body) {
		return OutboxEvent{}, fmt.Errorf("add outbox event %q: expected an id and a compact JSON body", ev.ID)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t != nil {
		if e := t.byID[ev.ID]; e != nil {
			if e.ev.Status != OutboxDelivered {
				return e.ev, nil
			}
			ev = e.ev
		}
	}
	ev.Status = OutboxPending
	if err := o.log(outboxRecord{Op: opAdd, Target: target, Event: &ev}, true); err != nil {
		return OutboxEvent{}, err
	}
	return ev, nil
}

// Next returns up to n pending events of target, oldest first.
func (o *Outbox) Next(target string, n int) []OutboxEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.targets[target]
	if t == nil {
		return nil
	}
	for len(t.queue) > 0 && !t.queue[0].live() {
		t.queue = t.queue[1:]
	}
	var out []OutboxEvent
	for _, q := range t.queue {
		if len(out) == n {
			break
		}
		if q.live() {
			out = append(out, q.e.ev)
		}
	}
	return out
}

// Done records that the receiver acknowledged the events. It does not
// fsync: losing it to a power cut only means a redelivery.
func (o *Outbox) Done(target string, ids ...string) error {
	return o.change(opDone, target, ids, "", false)
}

// Fail records a delivery round that gave up; the events stay pending.
func (o *Outbox) Fail(target, reason string, ids ...string) error {
	return o.change(opFail, target, ids, reason, false)
}

// Dead makes the events dead letters: refused for good, kept for the user.
func (o *Outbox) Dead(target, reason string, ids ...string) error {
	return o.change(opDead, target, ids, reason, true)
}

// Revive queues dead letters again, after everything pending; no ids means
// every dead letter of target. It returns how many were revived.
func (o *Outbox) Revive(target string, ids ...string) (int, error) {
	ids = o.pick(target, ids, func(s OutboxStatus) bool { return s == OutboxDead })
	return len(ids), o.change(opRevive, target, ids, "", true)
}

// Drop forgets pending and dead events for good; no ids means every one of
// target. It returns how many were dropped.
func (o *Outbox) Drop(target string, ids ...string) (int, error) {
	ids = o.pick(target, ids, func(s OutboxStatus) bool { return s == OutboxPending || s == OutboxDead })
	return len(ids), o.change(opDrop, target, ids, "", true)
}

// Settle forgets the delivered events of target that keep (nil: none)
// does not claim. Call it once the state file records what was sent: the
// same changes will not be planned again.
func (o *Outbox) Settle(target string, keep func(id string) bool) error {
	ids := o.pick(target, nil, func(s OutboxStatus) bool { return s == OutboxDelivered })
	if keep != nil {
		ids = slices.DeleteFunc(ids, keep)
	}
	return o.change(opSettle, target, ids, "", false)
}

// pick returns the ids among want (all when empty) whose status matches.
func (o *Outbox) pick(target string, want []string, match func(OutboxStatus) bool) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.targets[target]
	if t == nil {
		return nil
	}
	var ids []string
	if len(want) == 0 {
		for _, e := range t.sorted(match) {
			ids = append(ids, e.ID)
		}
		return ids
	}
	for _, id := range want {
		if e := t.byID[id]; e != nil && match(e.ev.Status) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (o *Outbox) change(op, target string, ids []string, reason string, sync bool) error {
	if len(ids) == 0 {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.log(outboxRecord{Op: op, Target: target, IDs: ids, Reason: reason}, sync)
}

// Pending returns target's pending events in delivery order.
func (o *Outbox) Pending(target string) []OutboxEvent {
	return o.list(target, OutboxPending)
}

// DeadLetters returns target's dead letters, oldest first.
func (o *Outbox) DeadLetters(target string) []OutboxEvent {
	return o.list(target, OutboxDead)
}

func (o *Outbox) list(target string, s OutboxStatus) []OutboxEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t != nil {
		return t.sorted(func(x OutboxStatus) bool { return x == s })
	}
	return nil
}

func (t *outboxTarget) sorted(match func(OutboxStatus) bool) []OutboxEvent {
	var es []*outboxEntry
	for _, e := range t.byID {
		if match(e.ev.Status) {
			es = append(es, e)
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	out := make([]OutboxEvent, len(es))
	for i, e := range es {
		out[i] = e.ev
	}
	return out
}

// Targets lists the targets the outbox holds events or a disabled mark for.
func (o *Outbox) Targets() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.names()
}

// Disable marks target as refusing deliveries (its receiver answered 410
// Gone) until Enable; the reason is kept for the user.
func (o *Outbox) Disable(target, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.log(outboxRecord{Op: opDisable, Target: target, Reason: reason}, true)
}

// Enable lifts Disable.
func (o *Outbox) Enable(target string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t == nil || t.disabled == "" {
		return nil
	}
	return o.log(outboxRecord{Op: opEnable, Target: target}, true)
}

// Disabled reports why target is disabled, if it is.
func (o *Outbox) Disabled(target string) (reason string, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t != nil && t.disabled != "" {
		return t.disabled, true
	}
	return "", false
}

// Path returns the outbox file's path.
func (o *Outbox) Path() string { return o.path }

// Close closes the outbox file.
func (o *Outbox) Close() error {
	if err := o.f.Close(); err != nil {
		return fmt.Errorf("close outbox: %w", err)
	}
	return nil
}
