package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func outboxEvent(id, contact, name string) OutboxEvent {
	body, _ := json.Marshal(map[string]string{"id": id, "name": name})
	return OutboxEvent{ID: id, Contact: contact, Type: "contact.created",
		Added: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Body: body}
}

func ids(evs []OutboxEvent) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func openOutbox(t *testing.T, statePath string) *Outbox {
	t.Helper()
	o, err := OpenOutbox(statePath)
	if err != nil {
		t.Fatalf("OpenOutbox: %v", err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func mustAdd(t *testing.T, o *Outbox, target string, ev OutboxEvent) OutboxEvent {
	t.Helper()
	got, err := o.Add(target, ev)
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
		do   func(t *testing.T, o *Outbox)
		want check
	}{
		{"add keeps order", func(t *testing.T, o *Outbox) {
			for _, id := range []string{"a", "b", "c"} {
				mustAdd(t, o, "hook", outboxEvent(id, "p"+id, id))
			}
		}, check{pending: []string{"a", "b", "c"}}},
		{"done leaves the queue", func(t *testing.T, o *Outbox) {
			mustAdd(t, o, "hook", outboxEvent("a", "p", "A"))
			mustAdd(t, o, "hook", outboxEvent("b", "p", "B"))
			if err := o.Done("hook", "a"); err != nil {
				t.Fatal(err)
			}
		}, check{pending: []string{"b"}}},
		{"dead letters are kept", func(t *testing.T, o *Outbox) {
			mustAdd(t, o, "hook", outboxEvent("a", "p", "A"))
			mustAdd(t, o, "hook", outboxEvent("b", "q", "B"))
			if err := o.Dead("hook", "HTTP 400: bad", "a"); err != nil {
				t.Fatal(err)
			}
		}, check{pending: []string{"b"}, dead: []string{"a"}}},
		{"revive queues after pending", func(t *testing.T, o *Outbox) {
			mustAdd(t, o, "hook", outboxEvent("a", "p", "A"))
			mustAdd(t, o, "hook", outboxEvent("b", "q", "B"))
			if err := o.Dead("hook", "HTTP 400", "a"); err != nil {
				t.Fatal(err)
			}
			if n, err := o.Revive("hook"); err != nil || n != 1 {
				t.Fatalf("Revive = %d, %v; want 1", n, err)
			}
		}, check{pending: []string{"b", "a"}}},
		{"drop some", func(t *testing.T, o *Outbox) {
			mustAdd(t, o, "hook", outboxEvent("a", "p", "A"))
			mustAdd(t, o, "hook", outboxEvent("b", "q", "B"))
			if n, err := o.Drop("hook", "a", "nope"); err != nil || n != 1 {
				t.Fatalf("Drop = %d, %v; want 1", n, err)
			}
		}, check{pending: []string{"b"}}},
		{"drop all", func(t *testing.T, o *Outbox) {
			mustAdd(t, o, "hook", outboxEvent("a", "p", "A"))
			mustAdd(t, o, "hook", outboxEvent("b", "q", "B"))
			o.Dead("hook", "HTTP 400", "b")
			if n, err := o.Drop("hook"); err != nil || n != 2 {
				t.Fatalf("Drop = %d, %v; want 2", n, err)
			}
		}, check{}},
		{"disable", func(t *testing.T, o *Outbox) {
			if err := o.Disable("hook", "410 Gone"); err != nil {
				t.Fatal(err)
			}
		}, check{disabled: "410 Gone"}},
		{"enable", func(t *testing.T, o *Outbox) {
			o.Disable("hook", "410 Gone")
			if err := o.Enable("hook"); err != nil {
				t.Fatal(err)
			}
		}, check{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			o := openOutbox(t, path)
			// another target's events must not interfere
			mustAdd(t, o, "other", outboxEvent("a", "p", "other"))
			tt.do(t, o)
			for round, o := range []*Outbox{o, openOutbox(t, path)} {
				got := check{pending: ids(o.Pending("hook")), dead: ids(o.DeadLetters("hook"))}
				got.disabled, _ = o.Disabled("hook")
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
				if n := ids(o.Pending("other")); !slices.Equal(n, []string{"a"}) {
					t.Errorf("round %d: other target pending %v, want [a]", round, n)
				}
			}
		})
	}
}

// TestOutboxSameIDSameBody: a known id always keeps its first body, and a
// delivered event added again (the run died before the state save) is
// queued again with that body.
func TestOutboxSameIDSameBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	o := openOutbox(t, path)
	first := outboxEvent("evt_1", "p", `<Zoë & "Co">`)
	mustAdd(t, o, "hook", first)
	if got := mustAdd(t, o, "hook", outboxEvent("evt_1", "p", "later")); !bytes.Equal(got.Body, first.Body) {
		t.Errorf("re-adding a pending id returned body %s, want the first %s", got.Body, first.Body)
	}
	if err := o.Done("hook", "evt_1"); err != nil {
		t.Fatal(err)
	}
	if p := o.Pending("hook"); len(p) != 0 {
		t.Fatalf("pending after Done: %v", ids(p))
	}
	o.Close()

	o = openOutbox(t, path)
	got := mustAdd(t, o, "hook", outboxEvent("evt_1", "p", "re-planned"))
	if got.Status != OutboxPending || !bytes.Equal(got.Body, first.Body) {
		t.Errorf("re-adding a delivered id: status %s body %s; want pending with %s", got.Status, got.Body, first.Body)
	}
	o.Close()
	o = openOutbox(t, path)
	p := o.Next("hook", 10)
	if len(p) != 1 || !bytes.Equal(p[0].Body, first.Body) {
		t.Fatalf("after reopen Next = %v, want evt_1 with the first body", p)
	}
}

func TestOutboxSettle(t *testing.T) {
	o := openOutbox(t, filepath.Join(t.TempDir(), "state.json"))
	for _, id := range []string{"a", "b", "c"} {
		mustAdd(t, o, "hook", outboxEvent(id, id, id))
	}
	if err := o.Done("hook", "a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := o.Settle("hook", func(id string) bool { return id == "b" }); err != nil {
		t.Fatal(err)
	}
	// a is forgotten: adding it again is a new event with the new body
	if got := mustAdd(t, o, "hook", outboxEvent("a", "a", "new")); !strings.Contains(string(got.Body), "new") {
		t.Errorf("settled id a came back with body %s", got.Body)
	}
	// b was kept: its old body comes back
	if got := mustAdd(t, o, "hook", outboxEvent("b", "b", "new")); strings.Contains(string(got.Body), "new") {
		t.Errorf("kept id b lost its delivered body: %s", got.Body)
	}
	if got := ids(o.Pending("hook")); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Errorf("pending %v, want [c a b]", got)
	}
}

func TestOutboxNext(t *testing.T) {
	o := openOutbox(t, filepath.Join(t.TempDir(), "state.json"))
	for i := range 6 {
		mustAdd(t, o, "hook", outboxEvent(fmt.Sprint(i), "p", "x"))
	}
	o.Done("hook", "0", "2")
	o.Dead("hook", "400", "3")
	tests := []struct {
		n    int
		want []string
	}{{1, []string{"1"}}, {2, []string{"1", "4"}}, {10, []string{"1", "4", "5"}}}
	for _, tt := range tests {
		if got := ids(o.Next("hook", tt.n)); !slices.Equal(got, tt.want) {
			t.Errorf("Next(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	if got := o.Next("nobody", 3); len(got) != 0 {
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
			if err := os.WriteFile(OutboxPath(path), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			o, err := OpenOutbox(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("OpenOutbox error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if got := ids(o.Pending("hook")); !slices.Equal(got, tt.want) {
				t.Errorf("pending %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOutboxCompactsAndIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	o := openOutbox(t, path)
	for i := range 5 {
		mustAdd(t, o, "hook", outboxEvent(fmt.Sprint(i), "p", "x"))
	}
	o.Done("hook", "0", "1")
	o.Fail("hook", "HTTP 503", "2")
	o.Drop("hook", "3")
	o.Close()
	o = openOutbox(t, path)
	b, err := os.ReadFile(OutboxPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n != 4 { // 0, 1 delivered; 2, 4 pending
		t.Errorf("compacted outbox has %d lines, want 4:\n%s", n, b)
	}
	p := o.Pending("hook")
	if len(p) != 2 || p[0].Failures != 1 || p[0].LastError != "HTTP 503" {
		t.Errorf("pending after compaction = %+v, want 2 and 4 with one failure recorded on 2", p)
	}
	fi, err := os.Stat(OutboxPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("outbox mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestOutboxRejectsNonCompactBody(t *testing.T) {
	o := openOutbox(t, filepath.Join(t.TempDir(), "state.json"))
	ev := outboxEvent("a", "p", "x")
	ev.Body = json.RawMessage(`{ "a": 1 }`)
	if _, err := o.Add("hook", ev); err == nil {
		t.Error("Add accepted a body that would not survive the outbox byte for byte")
	}
}
