package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/connectors/webhook"
)

// hookReceiver is a Standard Webhooks receiver that checks every signature
// and that an id never arrives with another body.
type hookReceiver struct {
	t      *testing.T
	key    []byte
	mu     sync.Mutex
	bodies map[string]string // webhook-id → body
	people map[string]int    // contact id → deliveries
	onPost func(n int)       // called after each accepted delivery, with the count so far
	n      int
}

func newHookReceiver(t *testing.T, secret string) (*hookReceiver, *httptest.Server) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	r := &hookReceiver{t: t, key: key, bodies: map[string]string{}, people: map[string]int{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
	mac := hmac.New(sha256.New, r.key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !strings.Contains(req.Header.Get("webhook-signature"), want) {
		r.t.Errorf("bad signature for %s", id)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev struct {
		Data struct{ ID string } `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Data.ID == "" {
		r.t.Errorf("event %s is not a contact event: %s", id, body)
	}
	r.mu.Lock()
	if prev, ok := r.bodies[id]; ok && prev != string(body) {
		r.t.Errorf("id %s arrived with two bodies:\n%s\n%s", id, prev, body)
	}
	r.bodies[id] = string(body)
	r.people[ev.Data.ID]++
	r.n++
	n, hook := r.n, r.onPost
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if hook != nil {
		hook(n)
	}
}

func (r *hookReceiver) counts() (events, people int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n, len(r.people)
}

func TestWebhookSyncAndRerun(t *testing.T) {
	dir := env(t)
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	rcv, srv := newHookReceiver(t, secret)
	cfg := writeConfig(t, dir, "source:\n  path: testdata/export2024\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  hooks:\n    type: webhook\n    url: "+srv.URL+"\n    secret_env: LP_TEST_HOOK_SECRET\n")
	code, out, errs := runCLI(t, "sync", "-c", cfg, "-v")
	if code != exitOK {
		t.Fatalf("sync exit %d: %s", code, errs)
	}
	if events, people := rcv.counts(); events != 6 || people != 6 {
		t.Fatalf("receiver got %d events for %d people, want 6 and 6", events, people)
	}
	if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
		t.Fatalf("re-run exit %d: %s", code, errs)
	}
	if events, _ := rcv.counts(); events != 6 {
		t.Errorf("a re-run with no changes sent %d more events", events-6)
	}
	for _, s := range []string{out, errs, readAll(t, dir)} {
		if strings.Contains(s, strings.TrimPrefix(secret, "whsec_")) {
			t.Fatal("the webhook secret leaked into output, logs or the state")
		}
	}
}

// readAll concatenates every file under dir (the state, journal, outbox).
func readAll(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
		return nil
	})
	return b.String()
}

// TestWebhookSIGKILL kills a real linkport process while it delivers and
// checks that the re-run loses nothing and never changes an event's body.
func TestWebhookSIGKILL(t *testing.T) {
	bin := cliBinary(t)
	dir := env(t)
	export := filepath.Join(dir, "export")
	if err := linkedintest.WriteDir(export, linkedintest.Generate(linkedintest.GenOptions{Seed: 5, Connections: 60, Contacts: 10})); err != nil {
		t.Fatal(err)
	}
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	rcv, srv := newHookReceiver(t, secret)
	cfg := writeConfig(t, dir, "source:\n  path: "+export+"\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  hooks:\n    type: webhook\n    url: "+srv.URL+"\n    secret_env: LP_TEST_HOOK_SECRET\n")

	for trial, killAt := range []int{3, 17, 40, 66} {
		cmd := exec.Command(bin, "sync", "-c", cfg, "-q")
		var once sync.Once
		rcv.mu.Lock()
		base := rcv.n
		rcv.onPost = func(n int) {
			if n-base >= killAt {
				once.Do(func() { cmd.Process.Signal(syscall.SIGKILL) })
			}
		}
		rcv.mu.Unlock()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("trial %d: sync did not finish", trial)
		}
		rcv.mu.Lock()
		rcv.onPost = nil
		rcv.mu.Unlock()
	}
	if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
		t.Fatalf("final sync exit %d: %s", code, errs)
	}
	code, out, errs := runCLI(t, "diff", "-c", cfg, "--format", "json")
	if code != exitOK {
		t.Fatalf("diff exit %d: %s", code, errs)
	}
	if r := decodeReport(t, out); len(r.Targets[0].Changes) != 0 {
		t.Errorf("after the kills the state still plans %d changes", len(r.Targets[0].Changes))
	}
	_, people := rcv.counts()
	g := decodeReport(t, out).Graph
	if people != g.People {
		t.Errorf("receiver heard of %d people, the export has %d", people, g.People)
	}
}

// A receiver that is down leaves the events in the outbox; `linkport
// outbox` lists them, `outbox retry` delivers them once it is back, and
// `outbox drop` forgets them.
func TestOutboxCommands(t *testing.T) {
	dir := env(t)
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	rcv, _ := newHookReceiver(t, secret)
	var down sync.Mutex
	isDown := true
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		down.Lock()
		d := isDown
		down.Unlock()
		if d {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		rcv.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	setDown := func(d bool) {
		down.Lock()
		isDown = d
		down.Unlock()
	}
	cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  hooks:\n    type: webhook\n    url: "+front.URL+"\n    secret_env: LP_TEST_HOOK_SECRET\n    max_attempts: 1\n")
	if code, _, _ := runCLI(t, "sync", "-c", cfg, "-q"); code != exitRun {
		t.Fatalf("sync against a down receiver: exit %d, want %d", code, exitRun)
	}
	code, out, errs := runCLI(t, "outbox", "-c", cfg)
	if code != exitOK || strings.Count(out, "contact.created") != 6 || !strings.Contains(out, "pending") {
		t.Fatalf("outbox (exit %d) lists:\n%s%s", code, out, errs)
	}
	setDown(false)
	code, out, errs = runCLI(t, "outbox", "retry", "hooks", "-c", cfg)
	if code != exitOK || !strings.Contains(out, "6 delivered, 0 pending") {
		t.Fatalf("outbox retry: exit %d: %s%s", code, out, errs)
	}
	if events, people := rcv.counts(); events != 6 || people != 6 {
		t.Errorf("receiver got %d events for %d people after the retry", events, people)
	}
	if _, out, _ := runCLI(t, "outbox", "-c", cfg); strings.Contains(out, "contact.") {
		t.Errorf("outbox still lists events after delivery:\n%s", out)
	}
	if code, _, _ := runCLI(t, "sync", "-c", cfg, "-q"); code != exitOK {
		t.Errorf("a sync after the retry: exit %d", code)
	}

	// Down again while Ada changes job: the update waits, then is dropped.
	setDown(true)
	conns := filepath.Join(src, "Connections.csv")
	b, _ := os.ReadFile(conns)
	os.WriteFile(conns, []byte(strings.Replace(string(b), "Analytical Engines,Engineer", "Difference Works,Engineer", 1)), 0o644)
	if code, _, _ := runCLI(t, "sync", "-c", cfg, "-q"); code != exitRun {
		t.Fatalf("sync with the receiver down again: exit %d", code)
	}
	if _, out, _ := runCLI(t, "outbox", "-c", cfg); strings.Count(out, "contact.updated") != 1 || strings.Count(out, "contact.job_changed") != 1 {
		t.Fatalf("outbox after the update (and its job change):\n%s", out)
	}
	if code, out, _ := runCLI(t, "outbox", "drop", "hooks", "-c", cfg); code != exitOK || !strings.Contains(out, "dropped 2 events") {
		t.Errorf("outbox drop: exit %d: %s", code, out)
	}
	setDown(false)
	runCLI(t, "sync", "-c", cfg, "-q")
	if events, _ := rcv.counts(); events != 6 {
		t.Errorf("the dropped event was sent anyway (%d events)", events)
	}
}

// The dead-letter report names commands that exist: each one it quotes
// runs, and together they list, retry and drop the refused events.
func TestDeadLetterReportCommands(t *testing.T) {
	dir := env(t)
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "unknown schema", http.StatusBadRequest)
	}))
	t.Cleanup(refuse.Close)
	cfg := writeConfig(t, dir, "source:\n  path: testdata/export2024\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  hooks:\n    type: webhook\n    url: "+refuse.URL+"\n    secret_env: LP_TEST_HOOK_SECRET\n")
	code, _, errs := runCLI(t, "sync", "-c", cfg, "-q")
	if code != exitRun || !strings.Contains(errs, "dead letters") {
		t.Fatalf("sync against a refusing receiver: exit %d: %s", code, errs)
	}
	cmds := regexp.MustCompile("`linkport ([^`]+)`").FindAllStringSubmatch(errs, -1)
	if len(cmds) != 3 {
		t.Fatalf("the report names %d commands, want list, retry and drop: %s", len(cmds), errs)
	}
	want := []string{"dead", "0 delivered, 0 pending, 6 dead", "dropped 6 events"}
	for i, m := range cmds {
		code, out, errs := runCLI(t, append(strings.Fields(m[1]), "-c", cfg)...)
		if code == exitUsage || !strings.Contains(out, want[i]) {
			t.Errorf("`linkport %s` (named by the report): exit %d, output %q, want %q: %s", m[1], code, out, want[i], errs)
		}
	}
}

// SIGTERM (systemd stopping the unit, Ctrl-C) stops between writes: the run
// exits 1, saves what was confirmed, and the next run sends only the rest.
func TestSIGTERMSavesWhatWasConfirmed(t *testing.T) {
	bin := cliBinary(t)
	dir := env(t)
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	rcv, _ := newHookReceiver(t, secret)
	// Once the signal is sent, the receiver answers nothing more: each
	// request waits until linkport hangs up, so the run cannot finish
	// before the signal lands however slow the machine is.
	var holding atomic.Bool // from the signal until the signalled run exits
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if holding.Load() {
			io.Copy(io.Discard, r.Body) // the server notices a hang-up only once the body is read
			<-r.Context().Done()
			return
		}
		rcv.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	export := filepath.Join(dir, "export")
	linkedintest.WriteDir(export, linkedintest.Generate(linkedintest.GenOptions{Seed: 8, Connections: 40}))
	cfg := writeConfig(t, dir, "source:\n  path: "+export+"\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  hooks:\n    type: webhook\n    url: "+front.URL+"\n    secret_env: LP_TEST_HOOK_SECRET\n")
	cmd := exec.Command(bin, "sync", "-c", cfg, "-q")
	var once sync.Once
	rcv.mu.Lock()
	rcv.onPost = func(n int) {
		if n == 5 {
			once.Do(func() {
				holding.Store(true)
				cmd.Process.Signal(syscall.SIGTERM)
			})
		}
	}
	rcv.mu.Unlock()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	holding.Store(false)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitRun {
		t.Fatalf("sync after SIGTERM: %v, want exit %d", err, exitRun)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		t.Fatalf("the interrupted run saved no state: %v", err)
	}
	rcv.mu.Lock()
	rcv.onPost = nil
	sent := rcv.n
	rcv.mu.Unlock()
	if sent >= 40 {
		t.Fatalf("SIGTERM did not stop the run (%d events sent)", sent)
	}
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "-q"); code != exitOK {
		t.Fatalf("re-run: exit %d: %s", code, errs)
	}
	events, people := rcv.counts()
	if people != 40 || events > 41 { // at most the one event in flight at the signal twice
		t.Errorf("after the re-run: %d events for %d people; want 40 people, no resending of confirmed events", events, people)
	}
}
