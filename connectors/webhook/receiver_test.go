package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// act is what the receiver does with one request.
type act struct {
	status  int           // default 200
	delay   time.Duration // before answering (cut short when linkport hangs up)
	reset   bool          // hijack the connection and close it instead of answering (not processed)
	process bool          // record the events even though the answer is not a 2xx
	header  http.Header
}

// receiver is a Standard Webhooks consumer on 127.0.0.1: it verifies every
// signature independently of the package, holds linkport to "the same id
// always carries the same body", and misbehaves as the test script says.
type receiver struct {
	t      testing.TB
	secret string
	srv    *httptest.Server
	script func(n int, ids []string) act

	mu       sync.Mutex
	requests int
	bodies   map[string][]byte   // by webhook-id
	stamps   map[string][]string // webhook-timestamp of each attempt, by webhook-id
	events   []webhook.Event     // processed, in arrival order
	eventIDs map[string][]byte   // event id → event bytes
}

func newReceiver(t testing.TB, script func(n int, ids []string) act) *receiver {
	t.Helper()
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, secret: secret, script: script, bodies: map[string][]byte{}, stamps: map[string][]string{}, eventIDs: map[string][]byte{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// decode splits a body into its events, with each event's exact bytes.
func decode(body []byte) ([]webhook.Event, []json.RawMessage, error) {
	var batch struct {
		Events []json.RawMessage `json:"events"`
	}
	raws := []json.RawMessage{body}
	if err := json.Unmarshal(body, &batch); err != nil {
		return nil, nil, err
	}
	if batch.Events != nil {
		raws = batch.Events
	}
	evs := make([]webhook.Event, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &evs[i]); err != nil {
			return nil, nil, err
		}
	}
	return evs, raws, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	if err := verify(r.secret, req.Header, body); err != nil {
		r.t.Errorf("receiver: bad signature: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	evs, raws, err := decode(body)
	if err != nil {
		r.t.Errorf("receiver: body is not an event: %v", err)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	id := req.Header.Get("webhook-id")
	ids := make([]string, len(evs))
	r.mu.Lock()
	r.requests++
	n := r.requests
	if old, ok := r.bodies[id]; ok && !bytes.Equal(old, body) {
		r.t.Errorf("receiver: webhook-id %s came with a different body:\n%s\nthen\n%s", id, old, body)
	}
	r.bodies[id] = body
	r.stamps[id] = append(r.stamps[id], req.Header.Get("webhook-timestamp"))
	for i, ev := range evs {
		ids[i] = ev.ID
		if old, ok := r.eventIDs[ev.ID]; ok && !bytes.Equal(old, raws[i]) {
			r.t.Errorf("receiver: event %s came with different bytes", ev.ID)
		}
		r.eventIDs[ev.ID] = raws[i]
	}
	r.mu.Unlock()

	a := act{status: http.StatusOK}
	if r.script != nil {
		a = r.script(n, ids)
		if a.status == 0 {
			a.status = http.StatusOK
		}
	}
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-req.Context().Done():
			return
		}
	}
	if a.process || (!a.reset && a.status >= 200 && a.status < 300) { // a reset is no answer, unless scripted to process
		r.mu.Lock()
		r.events = append(r.events, evs...)
		r.mu.Unlock()
	}
	if a.reset {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	maps.Copy(w.Header(), a.header)
	w.WriteHeader(a.status)
	io.WriteString(w, "receiver says "+strconv.Itoa(a.status))
}

// contents is the receiver's latest view: each contact's last event, the
// removed ones absent.
func (r *receiver) contents() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, ev := range r.events {
		if ev.Type == webhook.TypeRemoved {
			delete(out, ev.Data.ID)
		} else {
			out[ev.Data.ID] = ev.Data.Name
		}
	}
	return out
}

// processed returns the ids of processed events, in arrival order.
func (r *receiver) processed() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, ev := range r.events {
		ids = append(ids, ev.ID)
	}
	return ids
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// options are fast defaults for tests: short waits, few attempts. The
// timeout is long: a loopback answer on a loaded machine must not time out
// and turn into a retry the test did not script; tests of timeouts set
// their own.
func (r *receiver) options() webhook.Options {
	return webhook.Options{Name: "hook", URL: r.srv.URL + "/hooks/linkport", Secret: webhook.Secret(r.secret),
		Timeout: 30 * time.Second, MaxAttempts: 4, RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond}
}

// env is one state directory: its snapshot, and the outbox beside it that
// every target opens for itself, as the CLI keeps them.
type env struct {
	t         testing.TB
	statePath string
	snap      *state.Snapshot
	log       *bytes.Buffer
}

func newEnv(t testing.TB) *env {
	return &env{t: t, statePath: filepath.Join(t.TempDir(), "state.json"), snap: state.New(), log: &bytes.Buffer{}}
}

// target is a new target, as a new run (or process) builds it: it reads
// the outbox back from its file.
func (e *env) target(opt webhook.Options) *webhook.Target {
	e.t.Helper()
	opt.StatePath = e.statePath
	logger := slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tg, err := webhook.New(opt, logger)
	if err != nil {
		e.t.Fatal(err)
	}
	return tg
}

// retry is `linkport outbox retry`.
func (e *env) retry(opt webhook.Options, ids ...string) (webhook.Summary, error) {
	opt.StatePath = e.statePath
	return webhook.Retry(context.Background(), opt, nil, ids...)
}

// waiting lists the outbox's events of the "hook" target with the status.
func (e *env) waiting(status string) []webhook.Waiting {
	e.t.Helper()
	all, err := webhook.List(e.statePath)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []webhook.Waiting
	for _, w := range all {
		if w.Target == "hook" && w.Status == status {
			out = append(out, w)
		}
	}
	return out
}

func (e *env) outboxFile() string { return e.statePath + ".outbox" }

// sync is one run as the CLI does it: diff, sync (applying confirmed
// results to the snapshot when save is set), close.
func (e *env) sync(tg *webhook.Target, people []*mapping.Contact, save bool) (state.Plan, error) {
	e.t.Helper()
	ctx := context.Background()
	p, err := state.Diff(e.snap, "hook", "webhook", &mapping.Graph{People: people})
	if err != nil {
		e.t.Fatal(err)
	}
	next := e.snap
	if !save {
		b, _ := json.Marshal(e.snap)
		next = state.New()
		json.Unmarshal(b, next)
	}
	err = connectors.Sync(ctx, tg, p, connectors.SyncOptions{Workers: 3}, func(r state.Result) error {
		if r.Err == nil {
			next.Apply("hook", "webhook", r)
		}
		return nil
	})
	return p, errors.Join(err, tg.Close(ctx))
}

func ids(evs []webhook.Waiting) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

// sortedUnique returns the distinct ids.
func sortedUnique(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}
