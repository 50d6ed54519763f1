package webhook

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

// outboxStatus is where an outbox event stands.
type outboxStatus string

// Where an outbox event stands.
const (
	// statusPending: not yet acknowledged by the receiver; delivered in order.
	statusPending outboxStatus = "pending"
	// statusDead: the receiver refused it for good (a 4xx); kept until retried or dropped.
	statusDead outboxStatus = "dead"
	// statusDelivered: acknowledged (2xx). Kept until settled, so that a run
	// which died before saving the state, and so plans the same change
	// again, knows the receiver has it and does not send it again.
	statusDelivered outboxStatus = "delivered"
)

// outboxEvent is one event a webhook target owes its receiver.
type outboxEvent struct {
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
	Status outboxStatus    `json:"status"`
	// Failures counts delivery rounds that gave up on this event.
	Failures int `json:"failures,omitempty"`
	// LastError is why the last round failed, or why the event is dead.
	LastError string `json:"last_error,omitempty"`
}

// outbox is the durable queue of events owed to webhook receivers, kept in
// <state>.outbox beside the state file (one file for every webhook target
// of a config, as linkport has always kept it). An event is fsynced into it
// before the first delivery attempt and is pending until the receiver
// acknowledges it. The file is an append-only log of changes, compacted
// when opened.
//
// An outbox is safe for concurrent use. Each webhook target opens its own,
// so several may share the file in one process: every append and every
// compaction holds an flock(2) on it, and an append that finds the file
// replaced by another opener's compaction reopens it, so no record lands in
// a file that is no longer there. Each opener writes only its own target's
// records; one process at a time may open the file (the state lock guards
// that).
type outbox struct {
	path string

	mu      sync.Mutex
	f       *os.File // opened by the first append; nil once closed
	closed  bool
	seq     int
	targets map[string]*outboxTarget
}

type outboxTarget struct {
	byID     map[string]*outboxEntry
	queue    []queued // pending entries in order; stale ones are skipped lazily
	disabled string
}

type outboxEntry struct {
	ev  outboxEvent
	seq int
}

type queued struct {
	e   *outboxEntry
	seq int
}

func (q queued) live() bool { return q.e.ev.Status == statusPending && q.e.seq == q.seq }

// outboxRecord is one line of the outbox file.
type outboxRecord struct {
	Op     string       `json:"op"`
	Target string       `json:"target"`
	Event  *outboxEvent `json:"event,omitempty"`
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

// ErrUnreadable marks an outbox file that cannot be read or is damaged:
// like a damaged state file it is the user's to mend, not a delivery
// failure, and the CLI exits 2 for it.
var ErrUnreadable = errors.New("outbox unreadable")

// unreadable wraps a read error so that it is ErrUnreadable too, its
// message unchanged.
type unreadable struct{ err error }

func (e unreadable) Error() string   { return e.err.Error() }
func (e unreadable) Unwrap() []error { return []error{e.err, ErrUnreadable} }

// outboxPath is where the outbox of the state file at statePath lives.
func outboxPath(statePath string) string { return statePath + ".outbox" }

// openOutbox opens (or creates) the outbox beside the state file at
// statePath, compacting its log. A torn last line (the process died while
// writing it, so that change never happened) is dropped; damage anywhere
// else is an error naming the line.
func openOutbox(statePath string) (*outbox, error) { return readOutbox(statePath, true) }

// readOutbox is openOutbox; without compact it only reads the log, for a
// look that must leave the file as it is (Witness).
func readOutbox(statePath string, compact bool) (*outbox, error) {
	o := &outbox{path: outboxPath(statePath), targets: map[string]*outboxTarget{}}
	f, err := o.lock(os.O_RDWR)
	if err != nil {
		return nil, err
	}
	defer unlock(f)
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, unreadable{fmt.Errorf("read outbox: %w", err)}
	}
	if len(b) > 0 {
		lines := bytes.Split(b, []byte("\n"))
		for i, line := range lines[:len(lines)-1] { // the last piece is "" or a torn tail
			var r outboxRecord
			if err := json.Unmarshal(line, &r); err != nil || r.Op == "" || r.Target == "" {
				return nil, unreadable{fmt.Errorf("read outbox %s:%d: expected a JSON change record with \"op\" and \"target\"", o.path, i+1)}
			}
			if err := o.apply(r); err != nil {
				return nil, unreadable{fmt.Errorf("read outbox %s:%d: %w", o.path, i+1, err)}
			}
		}
	}
	if !compact {
		return o, nil
	}
	if err := o.compact(b); err != nil {
		return nil, err
	}
	return o, nil
}

// lock opens the file now at o.path (creating it, mode 0600) and holds an
// exclusive flock on it. When another opener replaced the file while this
// one waited, it tries again on the new one.
func (o *outbox) lock(flag int) (*os.File, error) {
	for {
		f, err := os.OpenFile(o.path, flag|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open outbox: %w", err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock outbox %s: %w", o.path, err)
		}
		if stillNamed(f, o.path) {
			return f, nil
		}
		unlock(f)
	}
}

// stillNamed reports whether path still names the file f has open.
func stillNamed(f *os.File, path string) bool {
	held, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	return err == nil && os.SameFile(held, now)
}

// unlock releases lock's flock and closes the file.
func unlock(f *os.File) {
	unlockFile(f) // closing releases it too
	f.Close()
}

// compact rewrites the log as one add record per kept event, unless it
// reads so already (was, as read): a run with nothing to deliver leaves the
// file as it was.
func (o *outbox) compact(was []byte) error {
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
		for _, e := range t.sorted(func(outboxStatus) bool { return true }) {
			if err := enc.Encode(outboxRecord{Op: opAdd, Target: name, Event: &e}); err != nil {
				return fmt.Errorf("encode outbox: %w", err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("encode outbox: %w", err)
	}
	if was != nil && bytes.Equal(buf.Bytes(), was) {
		return nil
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

func (o *outbox) names() []string {
	names := make([]string, 0, len(o.targets))
	for n := range o.targets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (o *outbox) target(name string) *outboxTarget {
	t := o.targets[name]
	if t == nil {
		t = &outboxTarget{byID: map[string]*outboxEntry{}}
		o.targets[name] = t
	}
	return t
}

// apply performs one logged change in memory; replay and live calls share it.
func (o *outbox) apply(r outboxRecord) error {
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
		if e.ev.Status == statusPending {
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
				e.ev.Status = statusDelivered
			case opFail:
				e.ev.Failures++
				e.ev.LastError = r.Reason
			case opDead:
				e.ev.Status, e.ev.LastError = statusDead, r.Reason
			case opRevive:
				o.seq++
				e.ev.Status, e.seq = statusPending, o.seq
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

// record appends r to the file (fsynced when sync is set), then applies
// it, so memory never runs ahead of the disk.
func (o *outbox) record(r outboxRecord, sync bool) error {
	var b bytes.Buffer
	if err := newRecordEncoder(&b).Encode(r); err != nil {
		return fmt.Errorf("encode outbox record: %w", err)
	}
	if err := o.append(b.Bytes(), sync); err != nil {
		return err
	}
	return o.apply(r)
}

// append writes one record under the file's flock. The file stays open
// between appends; when another opener has compacted (replaced) it since,
// the new file is opened instead.
func (o *outbox) append(b []byte, sync bool) error {
	if o.closed {
		return fmt.Errorf("write outbox %s: %w", o.path, fs.ErrClosed)
	}
	if o.f != nil {
		if err := lockFile(o.f); err != nil {
			return fmt.Errorf("lock outbox %s: %w", o.path, err)
		}
		if !stillNamed(o.f, o.path) {
			unlock(o.f)
			o.f = nil
		}
	}
	if o.f == nil {
		f, err := o.lock(os.O_WRONLY | os.O_APPEND)
		if err != nil {
			return err
		}
		o.f = f
	}
	defer unlockFile(o.f)
	if _, err := o.f.Write(b); err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	if sync {
		if err := o.f.Sync(); err != nil {
			return fmt.Errorf("sync outbox: %w", err)
		}
	}
	return nil
}

// add durably enqueues ev for target unless an event with its ID is known,
// which stays as it is: a pending one goes out once, a dead one waits for
// the user, and a delivered one is not sent again. The same change is
// planned again after a run died before saving the state; the ids are
// deterministic, so an event the receiver already has (or that this run's
// flush of the outbox just delivered) is not delivered a second time. It
// returns the event as the outbox now holds it. The file is fsynced before
// add returns.
func (o *outbox) add(target string, ev outboxEvent) (outboxEvent, error) {
	var compact bytes.Buffer
	if ev.ID == "" || json.Compact(&compact, ev.Body) != nil || !bytes.Equal(compact.Bytes(), ev.Body) {
		return outboxEvent{}, fmt.Errorf("add outbox event %q: expected an id and a compact JSON body", ev.ID)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t != nil {
		if e := t.byID[ev.ID]; e != nil {
			return e.ev, nil
		}
	}
	ev.Status = statusPending
	if err := o.record(outboxRecord{Op: opAdd, Target: target, Event: &ev}, true); err != nil {
		return outboxEvent{}, err
	}
	return ev, nil
}

// next returns up to n pending events of target, oldest first.
func (o *outbox) next(target string, n int) []outboxEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.targets[target]
	if t == nil {
		return nil
	}
	for len(t.queue) > 0 && !t.queue[0].live() {
		t.queue = t.queue[1:]
	}
	var out []outboxEvent
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

// done records that the receiver acknowledged the events. It does not
// fsync: losing it to a power cut only means a redelivery.
func (o *outbox) done(target string, ids ...string) error {
	return o.change(opDone, target, ids, "", false)
}

// fail records a delivery round that gave up; the events stay pending.
func (o *outbox) fail(target, reason string, ids ...string) error {
	return o.change(opFail, target, ids, reason, false)
}

// dead makes the events dead letters: refused for good, kept for the user.
func (o *outbox) dead(target, reason string, ids ...string) error {
	return o.change(opDead, target, ids, reason, true)
}

// revive queues dead letters again, after everything pending; no ids means
// every dead letter of target. It returns how many were revived.
func (o *outbox) revive(target string, ids ...string) (int, error) {
	ids = o.pick(target, ids, func(s outboxStatus) bool { return s == statusDead })
	return len(ids), o.change(opRevive, target, ids, "", true)
}

// drop forgets pending and dead events for good; no ids means every one of
// target. It returns how many were dropped.
func (o *outbox) drop(target string, ids ...string) (int, error) {
	ids = o.pick(target, ids, func(s outboxStatus) bool { return s == statusPending || s == statusDead })
	return len(ids), o.change(opDrop, target, ids, "", true)
}

// settle forgets the delivered events of target that keep (nil: none)
// does not claim. Call it once the state file records what was sent: the
// same changes will not be planned again.
func (o *outbox) settle(target string, keep func(id string) bool) error {
	ids := o.pick(target, nil, func(s outboxStatus) bool { return s == statusDelivered })
	if keep != nil {
		ids = slices.DeleteFunc(ids, keep)
	}
	return o.change(opSettle, target, ids, "", false)
}

// pick returns the ids among want (all when empty) whose status matches.
func (o *outbox) pick(target string, want []string, match func(outboxStatus) bool) []string {
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

func (o *outbox) change(op, target string, ids []string, reason string, sync bool) error {
	if len(ids) == 0 {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.record(outboxRecord{Op: op, Target: target, IDs: ids, Reason: reason}, sync)
}

// pending returns target's pending events in delivery order.
func (o *outbox) pending(target string) []outboxEvent {
	return o.list(target, statusPending)
}

// deadLetters returns target's dead letters, oldest first.
func (o *outbox) deadLetters(target string) []outboxEvent {
	return o.list(target, statusDead)
}

func (o *outbox) list(target string, s outboxStatus) []outboxEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t != nil {
		return t.sorted(func(x outboxStatus) bool { return x == s })
	}
	return nil
}

func (t *outboxTarget) sorted(match func(outboxStatus) bool) []outboxEvent {
	var es []*outboxEntry
	for _, e := range t.byID {
		if match(e.ev.Status) {
			es = append(es, e)
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	out := make([]outboxEvent, len(es))
	for i, e := range es {
		out[i] = e.ev
	}
	return out
}

// targetNames lists the targets the outbox holds events or a disabled mark for.
func (o *outbox) targetNames() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.names()
}

// disable marks target as refusing deliveries (its receiver answered 410
// Gone) until enable; the reason is kept for the user.
func (o *outbox) disable(target, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.record(outboxRecord{Op: opDisable, Target: target, Reason: reason}, true)
}

// enable lifts disable.
func (o *outbox) enable(target string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t == nil || t.disabled == "" {
		return nil
	}
	return o.record(outboxRecord{Op: opEnable, Target: target}, true)
}

// disabled reports why target is disabled, if it is.
func (o *outbox) disabled(target string) (reason string, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := o.targets[target]; t != nil && t.disabled != "" {
		return t.disabled, true
	}
	return "", false
}

// close closes the outbox file; what the outbox holds stays readable, and
// any later change fails.
func (o *outbox) close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	if o.f == nil {
		return nil
	}
	err := o.f.Close()
	o.f = nil
	if err != nil {
		return fmt.Errorf("close outbox: %w", err)
	}
	return nil
}

// Waiting is one event, or a disabled mark, that the outbox holds for a
// webhook target: a line of `linkport outbox`.
type Waiting struct {
	Target string
	// ID, Type and Contact are empty for a disabled mark.
	ID, Type, Contact string
	// Status is "pending", "dead" or "disabled".
	Status string
	// Added is when the event was first queued (zero for a disabled mark).
	Added time.Time
	// Failures counts the delivery rounds that gave up on the event.
	Failures int
	// LastError is why the last round failed, why the event is dead, or
	// why the target is disabled.
	LastError string
}

// List returns what waits in the outbox beside the state file at
// statePath: for each target, by name, its disabled mark, its pending
// events in delivery order, then its dead letters. The caller holds the
// state lock.
func List(statePath string) ([]Waiting, error) {
	o, err := openOutbox(statePath)
	if err != nil {
		return nil, err
	}
	defer o.close()
	var out []Waiting
	for _, name := range o.targetNames() {
		if reason, off := o.disabled(name); off {
			out = append(out, Waiting{Target: name, Status: "disabled", LastError: reason})
		}
		for _, ev := range append(o.pending(name), o.deadLetters(name)...) {
			out = append(out, Waiting{Target: name, ID: ev.ID, Type: ev.Type, Contact: ev.Contact, Status: string(ev.Status),
				Added: ev.Added, Failures: ev.Failures, LastError: ev.LastError})
		}
	}
	return out, nil
}

// witnessClear is a webhook target's witness when its outbox holds
// nothing for it: no event to deliver or dead, no disabled mark.
const witnessClear = "outbox clear"

// Witness says whether the outbox beside the state file at statePath
// holds anything for target: "outbox clear" when it holds nothing (a run
// with an empty plan then has nothing to do there), else an error saying
// what waits. The caller holds the state lock; nothing is written.
func Witness(statePath, target string) (string, error) {
	if _, err := os.Lstat(outboxPath(statePath)); errors.Is(err, fs.ErrNotExist) {
		return witnessClear, nil
	}
	o, err := readOutbox(statePath, false)
	if err != nil {
		return "", err
	}
	defer o.close()
	return o.witness(target)
}

func (o *outbox) witness(target string) (string, error) {
	if _, off := o.disabled(target); off {
		return "", fmt.Errorf("webhook target %s is disabled", target)
	}
	if n := len(o.pending(target)) + len(o.deadLetters(target)); n > 0 {
		return "", fmt.Errorf("%d events of webhook target %s wait in the outbox", n, target)
	}
	return witnessClear, nil
}

// Drop forgets target's pending and dead events with the given ids (none
// given: all of them) for good, in the outbox beside the state file at
// statePath, and returns how many it dropped. The caller holds the state
// lock.
func Drop(statePath, target string, ids ...string) (int, error) {
	o, err := openOutbox(statePath)
	if err != nil {
		return 0, err
	}
	n, err := o.drop(target, ids...)
	return n, errors.Join(err, o.close())
}
