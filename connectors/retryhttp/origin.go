package retryhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CrossOriginError is a request or redirect to an origin other than the
// one the client's credentials were configured for. It is never retried:
// the user decides whether the other server may have them.
type CrossOriginError struct {
	From string // the configured origin, or the URL that redirected
	To   string // where the request would have gone
	// Redirect is set when a server's redirect asked for it.
	Redirect bool
}

func (e *CrossOriginError) Error() string {
	if e.Redirect {
		return fmt.Sprintf("refuse redirect from %s to %s: it is another origin (scheme, host or port), "+
			"and linkport sends credentials only to the one configured; if that server is yours, set the url to %s", e.From, e.To, e.To)
	}
	return fmt.Sprintf("refuse request to %s: credentials are configured for %s only", e.To, e.From)
}

// Origin is u's scheme, host and port, lower-cased and with the scheme's
// default port filled in, so that https://Example.org and
// https://example.org:443 are one origin.
func Origin(u *url.URL) string {
	if u == nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// SameOrigin reports whether a and b share scheme, host and port: https to
// http is another origin, and so is another port of the same host.
func SameOrigin(a, b *url.URL) bool {
	return a != nil && b != nil && a.Host != "" && Origin(a) == Origin(b)
}

// guard is the transport under a client with an origin: it adds the
// credentials to each request for that origin and refuses every other
// request, so no redirect, next link or href can carry them away.
//
// The guard also bounds each attempt (timeout, the body included) itself:
// net/http cannot tell its own Timeout from a context deadline behind a
// transport it does not know, and would report it as a bare "context
// deadline exceeded".
type guard struct {
	origin  *url.URL
	creds   http.Header
	timeout time.Duration
	next    http.RoundTripper
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !SameOrigin(g.origin, req.URL) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &CrossOriginError{From: Origin(g.origin), To: req.URL.Redacted()}
	}
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if g.timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, g.timeout, errAttemptTimeout)
	}
	req = req.Clone(ctx) // a RoundTripper must not change the caller's request
	for k, vs := range g.creds {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		if context.Cause(ctx) == errAttemptTimeout {
			err = &timeoutError{err: err, d: g.timeout}
		}
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

var errAttemptTimeout = errors.New("attempt timed out")

// timeoutError is an attempt that outlived Options.Timeout; like net/http's
// own, it says so and is a net.Error whose Timeout is true.
type timeoutError struct {
	err error
	d   time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%v (Timeout of %s exceeded while awaiting headers)", e.err, e.d)
}
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }
func (e *timeoutError) Unwrap() error   { return e.err }

// cancelBody ends an attempt's context once its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// checkRedirect follows a redirect only within the origin, then applies
// the client's own policy (or net/http's limit of ten).
func (g *guard) checkRedirect(own func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !SameOrigin(g.origin, req.URL) {
			return &CrossOriginError{From: via[len(via)-1].URL.Redacted(), To: req.URL.Redacted(), Redirect: true}
		}
		if own != nil {
			return own(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// IsCrossOrigin reports whether err is, or wraps, a refused cross-origin
// request or redirect.
func IsCrossOrigin(err error) bool {
	var c *CrossOriginError
	return errors.As(err, &c)
}
