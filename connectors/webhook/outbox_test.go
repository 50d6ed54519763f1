package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func testEvent(id, contact, name string) outboxEvent {
	body, _ := json.Marshal(map[string]string{"id": id, "name": name})
	return outboxEvent{ID: id, Contact: contact, Type: "contact.created",
		Added: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Body: body}
}

func ids(evs []outboxEvent) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func mustOpen(t *testing.T, statePath string) *outbox {
	t.Helper()
	o, err := openOutbox(statePath)
	if err != nil {
		t.Fatalf("openOutbox: %v", err)
	}
	t.Cleanup(func() { o.close() })
	return o
}

func mustAdd(t *testing.T, o *outbox, target string, ev outboxEvent) outboxEvent {
	t.Helper()
	got, err := o.add(target, ev)
	if err != nil {
		t.Fatalf("Add %s: %v", ev.ID, err)
	}
	return got
}

// TestOutboxLifecycle drives every operation and checks each survives a
// reopen (which replays and compacts the log).
func TestOutboxLifecycle(t *testing.T) {
	type check struct {
		pending, dead []string
		disabled      string
	}
	tests := []struct {
		name string
		do   func(t *testing.T, o *outbox)
		want check
	}{
		{"add keeps order", func(t *testing.T, o *outbox) {
			for _, id := range []string{"a", "b", "c"} {
				mustAdd(t, o, "hook", testEvent(id, "p"+id, id))
			}
		}, check{pending: []string{"a", "b", "c"}}},
		{"done leaves the queue", func(t *testing.T, o *outbox) {
			mustAdd(t, o, "hook", testEvent("a", "p", "A"))
			mustAdd(t, o, "hook", testEvent("b", "p", "B"))
			if err := o.done("hook", "a"); err != nil {
				t.Fatal(err)
			}
		}, check{pending: []string{"b"}}},
		{"dead letters are kept", func(t *testing.T, o *outbox) {
			mustAdd(t, o, "hook", testEvent("a", "p", "A"))
			mustAdd(t, o, "hook", testEvent("b", "q", "B"))
			if err := o.dead("hook", "HTTP 400: bad", "a"); err != nil {
				t.Fatal(err)
			}
		}, check{pending: []string{"b"}, dead: []string{"a"}}},
		{"revive queues after pending", func(t *testing.T, o *outbox) {
			mustAdd(t, o, "hook", testEvent("a", "p", "A"))
			mustAdd(t, o, "hook", testEvent("b", "q", "B"))
			if err := o.dead("hook", "HTTP 400", "a"); err != nil {
				t.Fatal(err)
			}
			if n, err := o.revive("hook"); err != nil || n != 1 {
				t.Fatalf("Revive = %d, %v; want 1", n, err)
			}
		}, check{pending: []string{"b", "a"}}},
		{"drop some", func(t *testing.T, o *outbox) {
			mustAdd(t, o, "hook", testEvent("a", "p", "A"))
			mustAdd(t, o, "hook", testEvent("b", "q", "B"))
			if n, err := o.drop("hook", "a", "nope"); err != nil || n != 1 {
				t.Fatalf("Drop = %d, %v; want 1", n, err)
			}
		}, check{pending: []string{"b"}}},
		{"drop all", func(t *testing.T, o *outbox) {
			mustAdd(t, o, "hook", testEvent("a", "p", "A"))
			mustAdd(t, o, "hook", testEvent("b", "q", "B"))
			o.dead("hook", "HTTP 400", "b")
			if n, err := o.drop("hook"); err != nil || n != 2 {
				t.Fatalf("Drop = %d, %v; want 2", n, err)
			}
		}, check{}},
		{"disable", func(t *testing.T, o *outbox) {
			if err := o.disable("hook", "410 Gone"); err != nil {
				t.Fatal(err)
			}
		}, check{disabled: "410 Gone"}},
		{"enable", func(t *testing.T, o *outbox) {
			o.disable("hook", "410 Gone")
			if err := o.enable("hook"); err != nil {
				t.Fatal(err)
			}
		}, check{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			o := mustOpen(t, path)
			// another target's events must not interfere
			mustAdd(t, o, "other", testEvent("a", "p", "other"))
			tt.do(t, o)
			for round, o := range []*outbox{o, mustOpen(t, path)} {
				got := check{pending: ids(o.pending("hook")), dead: ids(o.deadLetters("hook"))}
				got.disabled, _ = o.disabled("hook")
				if tt.want.pending == nil {
					tt.want.pending = []string{}
				}
				if tt.want.dead == nil {
					tt.want.dead = []string{}
				}
				if !slices.Equal(got.pending, tt.want.pending) || !slices.Equal(got.dead, tt.want.dead) || got.disabled != tt.want.disabled {
					t.Errorf("round %d: pending %v dead %v disabled %q; want %v %v %q", round,
						got.pending, got.dead, got.disabled, tt.want.pending, tt.want.dead, tt.want.disabled)
				}
				if n := ids(o.pending("other")); !slices.Equal(n, []string{"a"}) {
					t.Errorf("round %d: other target pending %v, want [a]", round, n)
				}
			}
		})
	}
}

// TestOutboxSameIDSameBody: a known id always keeps its first body and its
// status: a delivered event added again (the run died before the state
// save, so the plan repeats it) is not queued again.
func TestOutboxSameIDSameBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	o := mustOpen(t, path)
	first := testEvent("evt_1", "p", `<Zoë & "Co">`)
	mustAdd(t, o, "hook", first)
	if got := mustAdd(t, o, "hook", testEvent("evt_1", "p", "later")); !bytes.Equal(got.Body, first.Body) {
		t.Errorf("re-adding a pending id returned body %s, want the first %s", got.Body, first.Body)
	}
	if err := o.done("hook", "evt_1"); err != nil {
		t.Fatal(err)
	}
	if p := o.pending("hook"); len(p) != 0 {
		t.Fatalf("pending after Done: %v", ids(p))
	}
	o.close()

	o = mustOpen(t, path)
	got := mustAdd(t, o, "hook", testEvent("evt_1", "p", "re-planned"))
	if got.Status != statusDelivered || !bytes.Equal(got.Body, first.Body) {
		t.Errorf("re-adding a delivered id: status %s body %s; want delivered with %s", got.Status, got.Body, first.Body)
	}
	o.close()
	o = mustOpen(t, path)
	if p := o.next("hook", 10); len(p) != 0 {
		t.Fatalf("after reopen next = %v, want nothing to send", ids(p))
	}
}

func TestOutboxSettle(t *testing.T) {
	o := mustOpen(t, filepath.Join(t.TempDir(), "state.json"))
	for _, id := range []string{"a", "b", "c"} {
		mustAdd(t, o, "hook", testEvent(id, id, id))
	}
	if err := o.done("hook", "a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := o.settle("hook", func(id string) bool { return id == "b" }); err != nil {
		t.Fatal(err)
	}
	// a is forgotten: adding it again is a new event with the new body
	if got := mustAdd(t, o, "hook", testEvent("a", "a", "new")); !strings.Contains(string(got.Body), "new") {
		t.Errorf("settled id a came back with body %s", got.Body)
	}
	// b was kept: it stays delivered, with its old body
	if got := mustAdd(t, o, "hook", testEvent("b", "b", "new")); strings.Contains(string(got.Body), "new") || got.Status != statusDelivered {
		t.Errorf("kept id b came back %s with body %s; want delivered with its old body", got.Status, got.Body)
	}
	if got := ids(o.pending("hook")); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("pending %v, want [c a]", got)
	}
}

func TestOutboxNext(t *testing.T) {
	o := mustOpen(t, filepath.Join(t.TempDir(), "state.json"))
	for i := range 6 {
		mustAdd(t, o, "hook", testEvent(fmt.Sprint(i), "p", "x"))
	}
	o.done("hook", "0", "2")
	o.dead("hook", "400", "3")
	tests := []struct {
		n    int
		want []string
	}{{1, []string{"1"}}, {2, []string{"1", "4"}}, {10, []string{"1", "4", "5"}}}
	for _, tt := range tests {
		if got := ids(o.next("hook", tt.n)); !slices.Equal(got, tt.want) {
			t.Errorf("Next(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	if got := o.next("nobody", 3); len(got) != 0 {
		t.Errorf("Next of an unknown target = %v", got)
	}
}

func TestOutboxFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string // pending ids
		err     string
	}{
		{"empty", "", []string{}, ""},
		{"torn tail", `{"op":"add","target":"hook","event":{"id":"a","contact":"p","type":"t","added":"2026-01-01T00:00:00Z","body":{},"status":"pending"}}` + "\n" + `{"op":"add","tar`, []string{"a"}, ""},
		{"damaged line", "{\"op\":\"add\"\nnot json\n", nil, "state.json.outbox:1: expected a JSON change record"},
		{"unknown op", `{"op":"frobnicate","target":"hook"}` + "\n", nil, `state.json.outbox:1: unknown outbox operation "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(outboxPath(path), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			o, err := openOutbox(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrUnreadable) {
					t.Fatalf("openOutbox error = %v, want ErrUnreadable containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer o.close()
			if got := ids(o.pending("hook")); !slices.Equal(got, tt.want) {
				t.Errorf("pending %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOutboxCompactsAndIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	o := mustOpen(t, path)
	for i := range 5 {
		mustAdd(t, o, "hook", testEvent(fmt.Sprint(i), "p", "x"))
	}
	o.done("hook", "0", "1")
	o.fail("hook", "HTTP 503", "2")
	o.drop("hook", "3")
	o.close()
	o = mustOpen(t, path)
	b, err := os.ReadFile(outboxPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n != 4 { // 0, 1 delivered; 2, 4 pending
		t.Errorf("compacted outbox has %d lines, want 4:\n%s", n, b)
	}
	p := o.pending("hook")
	if len(p) != 2 || p[0].Failures != 1 || p[0].LastError != "HTTP 503" {
		t.Errorf("pending after compaction = %+v, want 2 and 4 with one failure recorded on 2", p)
	}
	fi, err := os.Stat(outboxPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("outbox mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestOutboxRejectsNonCompactBody(t *testing.T) {
	o := mustOpen(t, filepath.Join(t.TempDir(), "state.json"))
	ev := testEvent("a", "p", "x")
	ev.Body = json.RawMessage(`{ "a": 1 }`)
	if _, err := o.add("hook", ev); err == nil {
		t.Error("Add accepted a body that would not survive the outbox byte for byte")
	}
}

// TestOutboxSharedByTargets: two webhook targets of one config open the
// same file in one process. The second open compacts (replaces) the file;
// the first target's later events must land in the new file, not in the
// replaced one, and concurrent appends of both must all survive.
func TestOutboxSharedByTargets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	a := mustOpen(t, path)
	mustAdd(t, a, "a", testEvent("a1", "p", "x"))
	b := mustOpen(t, path) // compacts: the file a opened is replaced
	mustAdd(t, a, "a", testEvent("a2", "p", "x"))
	mustAdd(t, b, "b", testEvent("b1", "p", "x"))

	var wg sync.WaitGroup
	for _, o := range []struct {
		ob     *outbox
		target string
	}{{a, "a"}, {b, "b"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if _, err := o.ob.add(o.target, testEvent(fmt.Sprintf("%s-%d", o.target, i), "p", "x")); err != nil {
					t.Error(err)
				}
				if i == 10 && o.target == "b" {
					if c, err := openOutbox(path); err != nil { // a third opener compacts meanwhile
						t.Error(err)
					} else {
						c.close()
					}
				}
			}
		}()
	}
	wg.Wait()
	a.close()
	b.close()

	got := mustOpen(t, path)
	if n := len(got.pending("a")); n != 22 {
		t.Errorf("target a has %d pending events after reopening, want 22: %v", n, ids(got.pending("a")))
	}
	if n := len(got.pending("b")); n != 21 {
		t.Errorf("target b has %d pending events after reopening, want 21", n)
	}
}
