package webhook_test

import (
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

func people(n int) []*mapping.Contact {
	ps := make([]*mapping.Contact, n)
	for i := range ps {
		ps[i] = connectortest.Person(i)
	}
	return ps
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, func(t *testing.T) connectortest.Harness {
		r := newReceiver(t, nil)
		e := newEnv(t)
		return connectortest.Harness{
			Target:   e.target(r.options()),
			Contents: func(*testing.T) map[string]string { return r.contents() },
		}
	})
}

// TestSyncFlakyReceiver drives whole runs through a receiver that fails,
// resets connections, throttles and processes-then-fails (a duplicate on
// purpose): every contact arrives, ids keep their bodies, and a re-run
// with no changes sends nothing.
func TestSyncFlakyReceiver(t *testing.T) {
	r := newReceiver(t, func(n int, _ []string) act {
		switch n % 6 {
		case 1:
			return act{status: http.StatusInternalServerError}
		case 2:
			return act{reset: true}
		case 3:
			return act{process: true, status: http.StatusBadGateway} // processed, but linkport cannot know
		case 4:
			return act{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"3600"}}} // capped
		}
		return act{}
	})
	e := newEnv(t)
	ps := people(12)
	opt := r.options()
	opt.MaxAttempts = 6 // the script fails up to 4 times in a row

	p, err := e.sync(e.target(opt), ps, true)
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	if p.Count(state.OpCreate) != 12 {
		t.Fatalf("first plan creates %d, want 12", p.Count(state.OpCreate))
	}
	want := map[string]string{}
	for _, c := range ps {
		want[c.ID] = c.Name
	}
	if got := r.contents(); !maps.Equal(got, want) {
		t.Errorf("receiver holds %v, want %v", got, want)
	}
	if got := r.processed(); len(sortedUnique(got)) != 12 || len(got) <= 12 {
		t.Errorf("processed %d events (%d distinct); want 12 distinct and some duplicates from the 502-after-processing", len(got), len(sortedUnique(got)))
	}
	if n := len(e.waiting("pending")); n != 0 {
		t.Errorf("%d events still pending after a successful run", n)
	}

	before := r.count()
	p, err = e.sync(e.target(opt), ps, true)
	if err != nil || len(p.Changes) != 0 || r.count() != before {
		t.Fatalf("re-run without changes: plan %d changes, %d requests, err %v; want nothing sent", len(p.Changes), r.count()-before, err)
	}

	// one contact changes, one leaves LinkedIn
	moved := *ps[3]
	moved.Title = "CTO"
	ps[3] = &moved
	gone := ps[5]
	ps = slices.Delete(ps, 5, 6)
	if _, err := e.sync(e.target(opt), ps, true); err != nil {
		t.Fatalf("third run: %v", err)
	}
	delete(want, gone.ID)
	if got := r.contents(); !maps.Equal(got, want) {
		t.Errorf("after update and removal the receiver holds %v, want %v", got, want)
	}
	var sawUpdate bool
	r.mu.Lock()
	for _, ev := range r.events {
		if ev.Type == webhook.TypeUpdated && ev.Data.ID == moved.ID {
			sawUpdate = true
			if ch := ev.Data.Changes["title"]; ch.Old != "Engineer" || ch.New != "CTO" || len(ev.Data.Changes) != 1 {
				t.Errorf("update changes = %v, want only title Engineer → CTO", ev.Data.Changes)
			}
		}
	}
	r.mu.Unlock()
	if !sawUpdate {
		t.Error("no contact.updated event for the changed contact")
	}
}

// TestCrashBeforeStateSave: the events went out but the run died before
// the state was saved. The next run plans the same changes; the outbox
// knows the receiver has them, so nothing is sent again, and the state
// records them.
func TestCrashBeforeStateSave(t *testing.T) {
	r := newReceiver(t, nil)
	e := newEnv(t)
	ps := people(4)
	if _, err := e.sync(e.target(r.options()), ps, false); err != nil {
		t.Fatal(err)
	}
	first := r.processed()

	opt := r.options()
	opt.Now = func() time.Time { return time.Now().Add(time.Minute) } // a later run: new detection time
	if _, err := e.sync(e.target(opt), ps, true); err != nil {
		t.Fatal(err)
	}
	if got := r.processed(); len(got) != 4 || len(sortedUnique(got)) != 4 {
		t.Errorf("after the crash the receiver got %v, want only the first run's %v", got, first)
	}
	if n := len(e.snap.Targets["hook"].Items); n != 4 {
		t.Errorf("the state records %d contacts as sent, want 4", n)
	}
	// now that the state is saved nothing more goes out
	if _, err := e.sync(e.target(opt), ps, true); err != nil || len(r.processed()) != 4 {
		t.Errorf("run after the saved state sent %d events (err %v), want none", len(r.processed())-4, err)
	}
}

// TestKilledAtDelivery: the receiver processed an event at the moment the
// run was killed, so neither its 2xx nor the state reached the disk. The
// next run delivers it once more (the outbox still holds it as pending),
// not twice more (the plan's Put of the same change must not queue it
// again), and every other event once.
func TestKilledAtDelivery(t *testing.T) {
	var killed atomic.Bool
	r := newReceiver(t, func(int, []string) act {
		if killed.CompareAndSwap(false, true) {
			return act{process: true, status: http.StatusServiceUnavailable} // processed, never acknowledged
		}
		return act{}
	})
	e := newEnv(t)
	opt := r.options()
	opt.MaxAttempts = 1
	ps := people(3)
	if _, err := e.sync(e.target(opt), ps, false); err == nil { // the state is never saved: the run died
		t.Fatal("the first run reported no error")
	}
	first := r.processed()
	if len(first) != 1 {
		t.Fatalf("the killed run delivered %v, want one event", first)
	}
	if _, err := e.sync(e.target(opt), ps, true); err != nil {
		t.Fatal(err)
	}
	got := r.processed()
	count := map[string]int{}
	for _, id := range got {
		count[id]++
	}
	for id, n := range count {
		want := 1
		if id == first[0] {
			want = 2
		}
		if n != want {
			t.Errorf("event %s delivered %d times, want %d", id, n, want)
		}
	}
	if len(count) != 3 {
		t.Errorf("%d distinct events delivered, want 3: %v", len(count), got)
	}
	if _, err := e.sync(e.target(opt), ps, true); err != nil || len(r.processed()) != len(got) {
		t.Errorf("the run after the saved state sent %d more events (err %v), want none", len(r.processed())-len(got), err)
	}
}

// TestOutageDeliversNextRun: a receiver that keeps failing stops the run's
// deliveries with an error; the events wait in the outbox (the state moves
// on) and go out first, in order, on the next run.
func TestOutageDeliversNextRun(t *testing.T) {
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
	opt.MaxAttempts = 3
	_, err := e.sync(e.target(opt), people(5), true)
	if err == nil || !strings.Contains(err.Error(), "5 events wait in the outbox") || !strings.Contains(err.Error(), "HTTP 503 after 3 attempts") {
		t.Fatalf("run against a down receiver: err %v; want 5 events waiting after 3 attempts of 503", err)
	}
	if n := r.count(); n != 3 {
		t.Errorf("the run made %d requests, want 3: it stops after one event exhausts its attempts", n)
	}
	pending := ids(e.waiting("pending"))
	if len(pending) != 5 || e.waiting("pending")[0].Failures != 1 {
		t.Fatalf("pending %v; want all 5, the first with a recorded failure", pending)
	}

	down.Store(false)
	p, err := e.sync(e.target(opt), people(5), true)
	if err != nil || len(p.Changes) != 0 {
		t.Fatalf("next run: %d changes, err %v; want an empty plan that delivers the outbox", len(p.Changes), err)
	}
	if got := r.processed(); !slices.Equal(got, pending) {
		t.Errorf("delivered %v, want the outbox in order %v", got, pending)
	}
}

// TestPerContactOrder: a create and an update of one contact (a job
// change, so with its contact.job_changed), queued in the same run while
// the receiver was down, arrive in that order.
func TestPerContactOrder(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	r := newReceiver(t, func(int, []string) act {
		if down.Load() {
			return act{reset: true}
		}
		return act{}
	})
	e := newEnv(t)
	opt := r.options()
	opt.MaxAttempts = 1
	ps := people(3)
	if _, err := e.sync(e.target(opt), ps, true); err == nil {
		t.Fatal("run against a resetting receiver succeeded")
	}
	changed := *ps[1]
	changed.Company = "Elsewhere"
	ps[1] = &changed
	down.Store(false)
	if _, err := e.sync(e.target(opt), ps, true); err != nil {
		t.Fatal(err)
	}
	var types []string
	r.mu.Lock()
	for _, ev := range r.events {
		if ev.Data.ID == changed.ID {
			types = append(types, ev.Type)
		}
	}
	r.mu.Unlock()
	if want := []string{webhook.TypeCreated, webhook.TypeUpdated, webhook.TypeJobChanged}; !slices.Equal(types, want) {
		t.Errorf("events of %s arrived as %v, want %v", changed.ID, types, want)
	}
}

// TestGoneDisables: 410 disables the target, clearly and durably, until
// Retry; nothing is lost meanwhile.
func TestGoneDisables(t *testing.T) {
	var gone atomic.Bool
	gone.Store(true)
	r := newReceiver(t, func(int, []string) act {
		if gone.Load() {
			return act{status: http.StatusGone}
		}
		return act{}
	})
	e := newEnv(t)
	_, err := e.sync(e.target(r.options()), people(3), true)
	if !errors.Is(err, webhook.ErrGone) || !strings.Contains(err.Error(), "linkport outbox retry hook") {
		t.Fatalf("run against 410: %v; want ErrGone with the way out", err)
	}
	if r.count() != 1 {
		t.Errorf("%d requests after a 410, want 1", r.count())
	}
	if _, err := e.sync(e.target(r.options()), people(4), true); !errors.Is(err, webhook.ErrGone) {
		t.Fatalf("next run on a disabled target: %v; want ErrGone", err)
	}
	if r.count() != 1 {
		t.Errorf("a disabled target sent %d more requests", r.count()-1)
	}

	gone.Store(false)
	sum, err := e.retry(r.options())
	if err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if sum.Delivered == 0 || sum.Pending != 0 {
		t.Errorf("Retry summary %+v; want everything delivered", sum)
	}
	if _, err := e.sync(e.target(r.options()), people(4), true); err != nil {
		t.Fatal(err)
	}
	if got := len(r.contents()); got != 4 {
		t.Errorf("receiver holds %d contacts after re-enabling, want 4", got)
	}
}

// TestDeadLetters: a 400 for one event keeps it as a dead letter and
// reports it; the rest go through; Retry sends it again.
func TestDeadLetters(t *testing.T) {
	refuse := connectortest.Person(1).ID
	var fixed atomic.Bool
	r := newReceiver(t, nil)
	r.script = func(_ int, ids []string) act {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, id := range ids {
			if raw := string(r.eventIDs[id]); strings.Contains(raw, refuse) && !fixed.Load() {
				return act{status: http.StatusBadRequest}
			}
		}
		return act{}
	}
	e := newEnv(t)
	_, err := e.sync(e.target(r.options()), people(3), true)
	if err == nil || !strings.Contains(err.Error(), "refused 1 events") {
		t.Fatalf("run with a refused event: %v; want a dead-letter report", err)
	}
	for _, cmd := range []string{"`linkport outbox`", "`linkport outbox retry hook`", "`linkport outbox drop hook`"} {
		if !strings.Contains(err.Error(), cmd) { // the commands cmd/linkport has; its tests run them
			t.Errorf("the dead-letter report does not name %s: %v", cmd, err)
		}
	}
	dead := e.waiting("dead")
	if len(dead) != 1 || dead[0].Contact != refuse || !strings.Contains(dead[0].LastError, "HTTP 400: receiver says 400") {
		t.Fatalf("dead letters %+v; want the refused contact with the receiver's answer", dead)
	}
	if got := len(r.contents()); got != 2 {
		t.Errorf("receiver holds %d contacts, want the 2 others", got)
	}
	fixed.Store(true)
	sum, err := e.retry(r.options(), dead[0].ID)
	if err != nil || sum.Delivered != 1 || len(e.waiting("dead")) != 0 {
		t.Errorf("Retry: %+v, %v; want the dead letter delivered", sum, err)
	}
}

// TestSlowReceiver: a receiver that never answers cannot hold a run past
// max_attempts × timeout: after max_attempts timed-out requests the run
// stops delivering. Counted in requests, not measured in time, so a loaded
// machine cannot fail it.
func TestSlowReceiver(t *testing.T) {
	r := newReceiver(t, func(int, []string) act { return act{delay: time.Minute} })
	e := newEnv(t)
	opt := r.options()
	opt.Timeout, opt.MaxAttempts = 100*time.Millisecond, 2
	_, err := e.sync(e.target(opt), people(10), true)
	if err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("run against a silent receiver: %v; want a timeout error", err)
	}
	if n := r.count(); n != opt.MaxAttempts {
		t.Errorf("the run sent %d requests to a receiver that never answers, want max_attempts = %d", n, opt.MaxAttempts)
	}
	if n := len(e.waiting("pending")); n != 10 {
		t.Errorf("%d pending, want all 10 kept for the next run", n)
	}
}

// TestRedirectNotFollowed: 3xx is a failure; the redirect target never
// receives the signed body.
func TestRedirectNotFollowed(t *testing.T) {
	var hit atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit.Store(true) }))
	defer elsewhere.Close()
	r := newReceiver(t, func(int, []string) act {
		return act{status: http.StatusTemporaryRedirect, header: http.Header{"Location": {elsewhere.URL}}}
	})
	e := newEnv(t)
	_, err := e.sync(e.target(r.options()), people(1), true)
	if err == nil || !strings.Contains(err.Error(), "does not follow redirects") {
		t.Errorf("run against a redirect: %v; want a clear failure", err)
	}
	if hit.Load() || r.count() != 1 {
		t.Errorf("redirect followed (%v) or retried (%d requests)", hit.Load(), r.count())
	}
	if len(e.waiting("pending")) != 1 {
		t.Error("the redirected event left the outbox")
	}
}

// TestBatches: above batch size 1 a request carries {"events": [...]}.
func TestBatches(t *testing.T) {
	r := newReceiver(t, nil)
	e := newEnv(t)
	opt := r.options()
	opt.BatchSize = 4
	if _, err := e.sync(e.target(opt), people(10), true); err != nil {
		t.Fatal(err)
	}
	if got := len(r.contents()); got != 10 {
		t.Errorf("receiver holds %d contacts, want 10", got)
	}
	if n := r.count(); n != 3 {
		t.Errorf("%d requests for 10 events in batches of 4, want 3", n)
	}
	for id, body := range r.bodies {
		if !strings.HasPrefix(id, "batch_") || !strings.HasPrefix(string(body), `{"events":[`) {
			t.Errorf("request %s carries %.40s…; want a batch", id, body)
		}
	}
}

// TestSecretsStayOut: neither the signing secret nor a header value nor
// the URL's path reaches the outbox, the logs or the errors, whatever
// happens to the deliveries.
func TestSecretsStayOut(t *testing.T) {
	r := newReceiver(t, func(n int, _ []string) act {
		return []act{{status: 500}, {reset: true}, {status: 400}, {delay: time.Minute}, {}, {status: 410}}[n%6]
	})
	e := newEnv(t)
	opt := r.options()
	opt.Timeout = time.Second // the delayed answer times out; a prompt one has ample time, even on a loaded machine
	opt.URL += "?token=hunter2-in-query"
	opt.Headers = map[string]string{"Authorization": "Bearer tok-hunter2"}
	_, err := e.sync(e.target(opt), people(8), true)
	if err == nil {
		t.Fatal("the run hit 400 and 410 but reported nothing")
	}
	if _, err := webhook.New(webhook.Options{Name: "x", URL: opt.URL, Secret: opt.Secret[:20], StatePath: e.statePath}, nil); err == nil {
		t.Fatal("New accepted a truncated secret")
	} else if strings.Contains(err.Error(), string(opt.Secret[:20])) {
		t.Errorf("New's error quotes the secret: %v", err)
	}
	outbox, rerr := os.ReadFile(e.outboxFile())
	if rerr != nil {
		t.Fatal(rerr)
	}
	places := map[string]string{"outbox": string(outbox), "log": e.log.String(), "error": err.Error()}
	for where, text := range places {
		for _, secret := range []string{r.secret, strings.TrimPrefix(r.secret, "whsec_"), "hunter2", "/hooks/linkport"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains %q", where, secret)
			}
		}
	}
	if !strings.Contains(e.log.String(), "webhook delivered") {
		t.Errorf("the log shows no delivery; the check above may be vacuous:\n%s", e.log)
	}
}

func TestNewRejects(t *testing.T) {
	secret, _ := webhook.NewSecret()
	ok := webhook.Options{Name: "hook", URL: "https://example.org/hook", Secret: webhook.Secret(secret),
		StatePath: filepath.Join(t.TempDir(), "state.json")}
	tests := []struct {
		name string
		edit func(*webhook.Options)
		want string
	}{
		{"no name", func(o *webhook.Options) { o.Name = "" }, "a name is required"},
		{"relative url", func(o *webhook.Options) { o.URL = "/hook" }, "url: expected an absolute http or https URL"},
		{"ftp url", func(o *webhook.Options) { o.URL = "ftp://example.org" }, "url: expected"},
		{"raw secret", func(o *webhook.Options) { o.Secret = "s3cret" }, "secret: expected whsec_"},
		{"reserved header", func(o *webhook.Options) { o.Headers = map[string]string{"Webhook-Signature": "x"} }, "cannot be overridden"},
		{"header value spans lines", func(o *webhook.Options) { o.Headers = map[string]string{"X-A": "a\r\nb"} }, "spans lines"},
		{"no state path", func(o *webhook.Options) { o.StatePath = "" }, "a state path is required"},
	}
	if _, err := webhook.New(ok, nil); err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
	for _, tt := range tests {
		opt := ok
		tt.edit(&opt)
		if _, err := webhook.New(opt, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestRetryIsResigned: each attempt carries its own timestamp and a
// signature over it (the receiver verifies every one).
func TestRetryIsResigned(t *testing.T) {
	r := newReceiver(t, func(n int, _ []string) act {
		if n < 3 {
			return act{status: http.StatusServiceUnavailable}
		}
		return act{}
	})
	e := newEnv(t)
	opt := r.options()
	var tick atomic.Int64
	opt.Now = func() time.Time { return time.Now().Add(time.Duration(tick.Add(1)) * time.Second) }
	if _, err := e.sync(e.target(opt), people(1), true); err != nil {
		t.Fatal(err)
	}
	for id, stamps := range r.stamps {
		if len(stamps) != 3 || len(sortedUnique(stamps)) != 3 {
			t.Errorf("attempts of %s carried timestamps %v; want 3 distinct", id, stamps)
		}
	}
}

// TestQueuedBeforeSent: when a request arrives, its events are already in
// the outbox file.
func TestQueuedBeforeSent(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t, nil)
	r.script = func(_ int, ids []string) act {
		b, err := os.ReadFile(e.outboxFile())
		for _, id := range ids {
			if err != nil || !strings.Contains(string(b), id) {
				t.Errorf("event %s reached the receiver before the outbox file (%v)", id, err)
			}
		}
		return act{}
	}
	if _, err := e.sync(e.target(r.options()), people(3), true); err != nil {
		t.Fatal(err)
	}
	if n := len(r.processed()); n != 3 {
		t.Errorf("%d events processed, want 3", n)
	}
}
