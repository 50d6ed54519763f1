// Package webhook is the webhook target: it POSTs contact changes to a URL,
// signed per Standard Webhooks (https://www.standardwebhooks.com), through
// the durable outbox beside the state file (<state>.outbox), which this
// package alone owns: a target opens it when it first needs it and closes
// it in Close, and List, Drop and Retry serve `linkport outbox`. The
// payload is described at Event.
//
// # Delivery guarantee: at least once, in order per contact
//
// Put and Remove return once the event is fsynced into the outbox; from
// then on the outbox owns it, and the state records the contact as sent.
// An event leaves the outbox only when the receiver answers 2xx, or when
// the user drops it (`linkport outbox drop`). Each run first delivers what
// earlier runs left pending, then its own events, one request at a time in
// the order the changes were detected.
//
// Every delivery of one event carries the same webhook-id and a
// byte-identical body; only webhook-timestamp and webhook-signature change
// per attempt. A receiver will sometimes see an event twice (it processed
// a request but answered too late; the run died between the 2xx and
// recording it) and must deduplicate on
// webhook-id, or on events[].id when batch_size is above 1 (a batch's
// webhook-id is derived from the ids it carries, and a batch may be cut
// differently when redelivered).
//
// Responses: 2xx delivers. 5xx, 408, 429, timeouts and connection errors
// are retried up to max_attempts times in a run with exponential backoff
// and jitter, honouring Retry-After up to the longest wait; then the run
// stops delivering, reports an error, and the events wait for the next
// run. 3xx is a failure (redirects are not followed). 410 Gone disables
// the target until `linkport outbox retry`. Any other 4xx makes the events
// dead letters: kept, reported, and skipped, so later events of the same
// contact still go out (each carries the whole contact); a dead letter
// retried later arrives after those newer events, so compare timestamps.
//
// An update that is a job change (a new company, or a new title at the
// same one) sends a contact.job_changed after its contact.updated, with
// its own deterministic id, queued and delivered like any other event.
//
// Event ids chain on the contact's previous event, so a contact that
// changes back and forth gets a new id each time. One exception: a contact
// removed and later created again with exactly its old content gets the id
// of its first contact.created.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/redact"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Options configure one webhook target; the CLI resolves secrets and
// environment values before filling them in.
type Options struct {
	// Name is the target's name in the config; it scopes the outbox and the ids.
	Name string
	// StatePath is the state file the outbox lives beside, as
	// StatePath+".outbox"; every webhook target of a config shares it.
	StatePath string
	// URL receives a POST per event (or per batch).
	URL    string
	Secret Secret
	// BatchSize is how many events one request carries (default 1); above
	// 1 the body is {"events": [...]}.
	BatchSize int
	// Timeout bounds each attempt, response included (default 15 s).
	Timeout time.Duration
	// Headers are sent with every request; they may not replace the
	// webhook-* headers or Content-Type.
	Headers map[string]string
	// MaxAttempts is how often one request is tried in a run (default 5).
	MaxAttempts int
	// RetryWaitMin and RetryWaitMax bound the backoff between attempts
	// (defaults 1 s and 30 s); RetryWaitMax also caps Retry-After.
	RetryWaitMin, RetryWaitMax time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// HTTPClient supplies the transport (tests); its Timeout and redirect
	// policy are replaced.
	HTTPClient *http.Client
}

// ErrGone is returned once the receiver answered 410 Gone: the target is
// disabled until `linkport outbox retry`.
var ErrGone = errors.New("receiver answered 410 Gone")

// Target is a connectors.Target that sends contact events to a webhook.
type Target struct {
	opt    Options
	log    *slog.Logger
	key    []byte
	host   string // the URL's scheme and host: the only part of it that errors and logs show
	client *retryablehttp.Client
	red    *redact.Redactor // masks the secret and header values in what a receiver answers
	sem    chan struct{}    // one delivery at a time keeps the order

	obMu   sync.Mutex
	ob     *outbox // opened by the first Prepare, Put or Remove
	obErr  error
	closed bool

	mu        sync.Mutex
	witness   string // what Close left in the outbox, in Witness's terms
	stalled   error  // delivery gave up in this run; nothing more is attempted
	gone      error
	dead      int
	delivered int
	attempts  int
}

var _ connectors.Target = (*Target)(nil)
var _ connectors.Preparer = (*Target)(nil)

// reserved headers are the ones signing and the body set.
var reserved = []string{HeaderID, HeaderTimestamp, HeaderSignature, "content-type"}

// New checks opt and returns the webhook target. It touches no file: the
// outbox is opened by the first Prepare, Put or Remove (after the run took
// the state lock), so a config error leaves the state directory as it was.
func New(opt Options, logger *slog.Logger) (*Target, error) {
	if opt.Name == "" {
		return nil, errors.New("new webhook target: a name is required")
	}
	where := "webhook target " + opt.Name
	u, err := url.Parse(opt.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%s: url: expected an absolute http or https URL", where)
	}
	key, err := opt.Secret.key()
	if err != nil {
		return nil, fmt.Errorf("%s: secret: %w", where, err)
	}
	for k, v := range opt.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") || strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%s: headers: %q is not a valid header name, or its value spans lines", where, k)
		}
		for _, r := range reserved {
			if strings.EqualFold(k, r) {
				return nil, fmt.Errorf("%s: headers: %s is set by linkport and cannot be overridden", where, k)
			}
		}
	}
	if opt.StatePath == "" {
		return nil, fmt.Errorf("%s: a state path is required (the outbox lives beside it)", where)
	}
	if opt.BatchSize < 1 {
		opt.BatchSize = 1
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 15 * time.Second
	}
	if opt.MaxAttempts < 1 {
		opt.MaxAttempts = 5
	}
	if opt.RetryWaitMin <= 0 {
		opt.RetryWaitMin = time.Second
	}
	if opt.RetryWaitMax < opt.RetryWaitMin {
		opt.RetryWaitMax = max(30*time.Second, opt.RetryWaitMin)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	secrets := []string{string(opt.Secret), strings.TrimPrefix(string(opt.Secret), secretPrefix)}
	for _, v := range opt.Headers {
		secrets = append(secrets, v)
	}
	t := &Target{opt: opt, key: key, host: u.Scheme + "://" + u.Host, sem: make(chan struct{}, 1),
		log: logger.With("target", opt.Name), red: redact.New(secrets...)}
	t.client = t.newClient()
	return t, nil
}

// Put queues a contact.created (base nil) or contact.updated event, and
// after an update that is a job change a contact.job_changed, and delivers
// what is pending. It succeeds once the events are durably queued, whether
// or not the receiver has them yet; the Ref's ETag is the id of the
// created or updated event, which the contact's next event chains on.
func (t *Target) Put(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	types := []string{eventType(state.OpCreate, base)}
	if _, _, ok := jobChange(base, c); ok {
		types = append(types, TypeJobChanged)
	}
	id, err := t.enqueue(ctx, types, c, base, prev)
	if err != nil {
		return connectors.Outcome{}, err
	}
	return connectors.Outcome{Ref: state.Ref{ETag: id}}, nil
}

// Remove queues a contact.removed event. The receiver decides what removal
// means; for linkport the contact is gone from this target.
func (t *Target) Remove(ctx context.Context, c *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	_, err := t.enqueue(ctx, []string{TypeRemoved}, c, nil, prev)
	return connectors.Outcome{}, err
}

// open opens the outbox on first use; later calls return the same one (or
// the same error).
func (t *Target) open() (*outbox, error) {
	t.obMu.Lock()
	defer t.obMu.Unlock()
	if t.ob == nil && t.obErr == nil {
		t.ob, t.obErr = openOutbox(t.opt.StatePath)
		if t.obErr != nil {
			t.obErr = fmt.Errorf("webhook target %s: %w", t.opt.Name, t.obErr)
		}
	}
	return t.ob, t.obErr
}

// opened returns the outbox if a Prepare, Put or Remove opened it.
func (t *Target) opened() *outbox {
	t.obMu.Lock()
	defer t.obMu.Unlock()
	return t.ob
}

// enqueue queues one event of each type, in order, for one change of c,
// then delivers what is pending. It returns the first event's id. Each
// event is fsynced on its own: after a crash between two, the same change
// planned again finds the first known and queues the rest.
func (t *Target) enqueue(ctx context.Context, types []string, c, base *mapping.Contact, prev state.Ref) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if _, err := t.open(); err != nil {
		return "", err
	}
	if err := t.disabled(); err != nil {
		return "", err
	}
	now := t.opt.Now()
	var first string
	for _, typ := range types {
		ev, err := newEvent(t.opt.Name, typ, c, base, prev, now)
		if err != nil {
			return "", err
		}
		stored, err := t.ob.add(t.opt.Name, ev)
		if err != nil {
			return "", fmt.Errorf("queue %s: %w", ev.ID, err)
		}
		if first == "" {
			first = stored.ID
		}
	}
	t.flush(ctx, false)
	return first, nil
}

// Prepare refuses a disabled target, forgets delivered events the plan
// does not repeat (the state has them), and delivers what earlier runs
// left pending before the plan's own events.
func (t *Target) Prepare(ctx context.Context, p state.Plan) error {
	if _, err := t.open(); err != nil {
		return err
	}
	if err := t.disabled(); err != nil {
		return err
	}
	planned := make(map[string]bool, len(p.Changes))
	for _, c := range p.Changes {
		planned[eventID(t.opt.Name, eventType(c.Op, c.Base), c.Contact, c.Ref())] = true
		if _, _, ok := jobChange(c.Base, c.Contact); ok && c.Op != state.OpRemove {
			planned[eventID(t.opt.Name, TypeJobChanged, c.Contact, c.Ref())] = true
		}
	}
	if err := t.ob.settle(t.opt.Name, func(id string) bool { return planned[id] }); err != nil {
		return err
	}
	t.flush(ctx, true)
	return nil
}

// Close delivers what is still pending (a partial batch), reports what
// this run could not deliver, and closes the outbox. A target that never
// opened its outbox (no Prepare, Put or Remove: a dry run) delivers
// nothing and touches no file. A second Close only reports again.
func (t *Target) Close(ctx context.Context) error {
	ob := t.opened()
	if ob == nil {
		return nil
	}
	t.mu.Lock()
	again := t.closed
	t.closed = true
	t.mu.Unlock()
	if again {
		return t.err()
	}
	if t.disabled() == nil {
		t.flush(ctx, true)
	}
	err := t.err()
	if err == nil {
		w, _ := ob.witness(t.opt.Name)
		t.mu.Lock()
		t.witness = w
		t.mu.Unlock()
	}
	return errors.Join(err, ob.close())
}

var _ connectors.Witnessing = (*Target)(nil)

// Witness is "outbox clear" when a Close that succeeded left nothing in
// the outbox for this target (as Witness finds it), else "".
func (t *Target) Witness() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.witness
}

// Summary counts one target's deliveries.
type Summary struct {
	// Delivered and Dead count events this run delivered or dead-lettered.
	Delivered, Dead int
	// Pending is how many events wait in the outbox.
	Pending int
}

// Summary reports this run's deliveries and what waits in the outbox
// (nothing, before the outbox was opened).
func (t *Target) Summary() Summary {
	var pending int
	if ob := t.opened(); ob != nil {
		pending = len(ob.pending(t.opt.Name))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return Summary{Delivered: t.delivered, Dead: t.dead, Pending: pending}
}

// Retry is `linkport outbox retry`: it lifts a 410's disable, queues the
// given dead letters again (none given: all of them) after what is
// pending, and delivers everything. The caller holds the state lock.
func Retry(ctx context.Context, opt Options, logger *slog.Logger, ids ...string) (Summary, error) {
	t, err := New(opt, logger)
	if err != nil {
		return Summary{}, err
	}
	ob, err := t.open()
	if err != nil {
		return Summary{}, err
	}
	if err := ob.enable(opt.Name); err != nil {
		ob.close()
		return Summary{}, err
	}
	if _, err := ob.revive(opt.Name, ids...); err != nil {
		ob.close()
		return Summary{}, err
	}
	err = t.Close(ctx)
	return t.Summary(), err
}

// disabled returns the error of a target whose receiver answered 410.
func (t *Target) disabled() error {
	if reason, ok := t.ob.disabled(t.opt.Name); ok {
		return fmt.Errorf("webhook target %s is disabled: %s; fix the url, then run `linkport outbox retry %s`: %w",
			t.opt.Name, reason, t.opt.Name, ErrGone)
	}
	return nil
}

func (t *Target) err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	if t.gone != nil {
		errs = append(errs, t.gone)
	}
	if t.stalled != nil {
		n := len(t.ob.pending(t.opt.Name))
		errs = append(errs, fmt.Errorf("webhook target %s: %d events wait in the outbox for the next run: %w", t.opt.Name, n, t.stalled))
	}
	if t.dead > 0 {
		errs = append(errs, fmt.Errorf("webhook target %s: the receiver refused %d events; they are kept as dead letters "+
			"(`linkport outbox` lists them, `linkport outbox retry %s` sends them again, `linkport outbox drop %s` forgets them)",
			t.opt.Name, t.dead, t.opt.Name, t.opt.Name))
	}
	return errors.Join(errs...)
}
