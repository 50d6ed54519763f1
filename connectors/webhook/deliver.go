package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/linkport/linkport/connectors/retryhttp"
)

func (t *Target) newClient() *retryablehttp.Client {
	creds := http.Header{}
	for k, v := range t.opt.Headers {
		creds.Set(k, v)
	}
	return retryhttp.New(retryhttp.Options{
		Client:  t.opt.HTTPClient,
		Timeout: t.opt.Timeout,
		// the configured headers may hold a token: the transport adds them,
		// and only to the configured URL's origin
		Origin:      t.opt.URL,
		Credentials: creds,
		// 3xx is a failure: a redirect target never sees a signed body.
		NoRedirects: true,
		Retries:     t.opt.MaxAttempts - 1,
		WaitMin:     t.opt.RetryWaitMin,
		WaitMax:     t.opt.RetryWaitMax,
		Jitter:      true,
		CheckRetry:  retryPolicy,
		// every attempt gets a fresh timestamp, hence a fresh signature
		PrepareRetry: t.resign,
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, i int) {
			t.attempts = i + 1
			t.log.Debug("webhook attempt", "id", r.Header.Get(HeaderID), "attempt", i+1)
		},
	})
}

// retryPolicy retries what may pass: transport errors (as go-retryablehttp
// judges them), 408, 429 and 5xx.
func retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	c := resp.StatusCode
	return c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500, nil
}

type signing struct {
	id   string
	body []byte
}

type signingKey struct{}

// resign stamps a retry with the current time and signs it again.
func (t *Target) resign(r *http.Request) error {
	s, ok := r.Context().Value(signingKey{}).(signing)
	if !ok {
		return errors.New("sign retry: request carries no signing data")
	}
	r.Header = r.Header.Clone() // the previous attempt may still hold the old map
	t.stamp(r.Header, s)
	return nil
}

func (t *Target) stamp(h http.Header, s signing) {
	ts := t.opt.Now().Unix()
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, sign(t.key, s.id, ts, s.body))
}

// flush sends pending events in order until none is left (all) or fewer
// than a batch are (a Put), or delivery gives up for this run. A Put finding
// another delivery under way leaves its event to that one.
func (t *Target) flush(ctx context.Context, all bool) {
	if all {
		select {
		case t.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
	} else {
		select {
		case t.sem <- struct{}{}:
		default:
			return
		}
	}
	defer func() { <-t.sem }()
	for t.healthy() && ctx.Err() == nil {
		batch := t.ob.next(t.opt.Name, t.opt.BatchSize)
		if len(batch) == 0 || (!all && len(batch) < t.opt.BatchSize) {
			return
		}
		if err := t.send(ctx, batch); err != nil {
			t.mu.Lock()
			t.stalled = err
			t.mu.Unlock()
		}
	}
}

func (t *Target) healthy() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stalled == nil && t.gone == nil
}

// send makes one request of batch and files the outcome in the outbox. Its
// error stops this run's deliveries.
func (t *Target) send(ctx context.Context, batch []outboxEvent) error {
	id, body := envelope(batch)
	ids := make([]string, len(batch))
	for i, e := range batch {
		ids[i] = e.ID
	}
	status, detail, err := t.post(ctx, id, body)
	name := t.opt.Name
	log := t.log.With("id", id, "events", len(batch), "attempts", t.attempts)
	switch {
	case err != nil:
		if ctx.Err() != nil { // the run is over, not the receiver's fault
			return fmt.Errorf("post to %s: %w", t.host, err)
		}
		reason := fmt.Sprintf("post to %s: giving up after %d attempts: %v", t.host, t.attempts, err)
		log.Warn("webhook delivery failed", "error", reason)
		return errors.Join(errors.New(reason), t.ob.fail(name, reason, ids...))
	case status >= 200 && status < 300:
		log.Info("webhook delivered", "status", status)
		t.mu.Lock()
		t.delivered += len(batch)
		t.mu.Unlock()
		return t.ob.done(name, ids...)
	case status == http.StatusGone:
		reason := fmt.Sprintf("%s answered 410 Gone at %s", t.host, t.opt.Now().UTC().Format(time.RFC3339))
		log.Error("webhook receiver is gone; target disabled", "status", status)
		t.mu.Lock()
		t.gone = fmt.Errorf("webhook target %s: %s; it is disabled, and %d events wait in the outbox; fix the url, then run `linkport outbox retry %s`: %w",
			name, reason, len(t.ob.pending(name)), name, ErrGone)
		t.mu.Unlock()
		return t.ob.disable(name, reason)
	case status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests:
		reason := fmt.Sprintf("%s answered HTTP %d%s", t.host, status, detail)
		log.Warn("webhook event refused; kept as a dead letter", "status", status, "reason", reason)
		t.mu.Lock()
		t.dead += len(batch)
		t.mu.Unlock()
		return t.ob.dead(name, reason, ids...)
	default:
		reason := fmt.Sprintf("%s answered HTTP %d after %d attempts%s", t.host, status, t.attempts, detail)
		if status >= 300 && status < 400 {
			reason = fmt.Sprintf("%s answered HTTP %d (a redirect); linkport does not follow redirects: set url to the final address", t.host, status)
		}
		log.Warn("webhook delivery failed", "status", status, "error", reason)
		return errors.Join(errors.New(reason), t.ob.fail(name, reason, ids...))
	}
}

// post sends one signed request (with retries) and returns the final
// status and a short, single-line excerpt of the response body.
func (t *Target) post(ctx context.Context, id string, body []byte) (int, string, error) {
	t.attempts = 0
	ctx = context.WithValue(ctx, signingKey{}, signing{id, body})
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, t.opt.URL, body)
	if err != nil {
		return 0, "", t.redact(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "linkport")
	req.Header.Set(HeaderID, id)
	t.stamp(req.Header, signing{id, body})
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, "", t.redact(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10)) // read to reuse the connection
	return resp.StatusCode, t.excerpt(b), nil
}

// redact drops the URL from an error (its path or query may hold a token)
// and masks the secret and header values in what is left.
func (t *Target) redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return t.red.Error(err)
}

// excerpt is the start of a response body, redacted (a receiver may echo
// the request's headers), fit for one line of a report and the outbox.
func (t *Target) excerpt(b []byte) string {
	if s := t.red.Body(b); s != "" {
		return ": " + s
	}
	return ""
}
