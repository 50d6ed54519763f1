// Package retryhttp builds the retrying HTTP client that linkport's HTTP
// adapters (CardDAV, webhook, LinkedIn API) share, so that per-attempt
// timeouts, the number of attempts and a capped Retry-After are set up once.
// go-retryablehttp honours Retry-After however long the server asks
// (hashicorp/go-retryablehttp#247); a nightly sync must not sleep for a day
// because a proxy said so, so the wait is capped at WaitMax here.
//
// Each adapter keeps its own retry decision (Options.CheckRetry) and reads
// the final response itself: the client never turns a last failed answer
// into an error of its own.
package retryhttp

import (
	"context"
	"crypto/tls"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Options configure one client. The zero value is a client that tries each
// request once through a pooled transport.
type Options struct {
	// Client sends each attempt (its Transport, Jar and, unless Timeout or
	// NoRedirects say otherwise, its Timeout and CheckRedirect). It is
	// copied, never modified. When nil, a pooled go-cleanhttp transport
	// configured by TLS and MaxIdleConnsPerHost is used.
	Client *http.Client
	// TLS configures the default transport (a private CA, say); ignored
	// when Client is set, whose transport carries its own.
	TLS *tls.Config
	// MaxIdleConnsPerHost sizes the default transport's pool for adapters
	// that write in parallel; go-cleanhttp's default when zero.
	MaxIdleConnsPerHost int
	// Timeout bounds each attempt, the response body included; zero keeps
	// Client's timeout.
	Timeout time.Duration
	// NoRedirects makes a 3xx the answer instead of following it: a
	// redirect would turn a PROPFIND into a GET, or send a signed body to
	// an address nobody configured.
	NoRedirects bool
	// Retries is how many times a request is tried again after its first
	// attempt; zero or less never retries.
	Retries int
	// WaitMin and WaitMax bound the exponential backoff between attempts;
	// WaitMax also caps a Retry-After.
	WaitMin, WaitMax time.Duration
	// Jitter spreads each exponential wait over its upper half, so that
	// many clients failing at once do not retry in step. A Retry-After is
	// never jittered: the server asked for that moment.
	Jitter bool
	// CheckRetry is the adapter's decision whether an attempt may be
	// repeated; go-retryablehttp's default policy when nil.
	CheckRetry retryablehttp.CheckRetry
	// PrepareRetry changes a request before it is sent again (a webhook
	// signs each attempt anew).
	PrepareRetry retryablehttp.PrepareRetry
	// RequestLogHook and ResponseLogHook see every attempt and answer, for
	// the adapter's own logging and counting.
	RequestLogHook  retryablehttp.RequestLogHook
	ResponseLogHook retryablehttp.ResponseLogHook
	// Origin, when set (an absolute URL; only its scheme, host and port
	// count), is the one origin this client talks to: a request or a
	// redirect elsewhere fails with a *CrossOriginError before anything is
	// sent, and is not retried.
	Origin string
	// Credentials are headers (Authorization, a webhook's configured
	// headers) that the transport adds to every attempt to Origin, and to
	// nothing else. They require Origin.
	Credentials http.Header
	// Logger receives go-retryablehttp's own messages, which name each
	// request's URL: leave it nil (no messages) when a URL may carry a secret.
	Logger *slog.Logger
}

// New returns the retrying client for opt. Its Do returns the last answer
// or transport error as it is (go-retryablehttp's PassthroughErrorHandler),
// so the adapter's own status handling decides what a failure means.
func New(opt Options) *retryablehttp.Client {
	var hc http.Client
	if opt.Client != nil {
		hc = *opt.Client
	} else {
		tr := cleanhttp.DefaultPooledTransport()
		if opt.TLS != nil {
			tr.TLSClientConfig = opt.TLS.Clone()
		}
		if opt.MaxIdleConnsPerHost > 0 {
			tr.MaxIdleConnsPerHost = opt.MaxIdleConnsPerHost
		}
		hc.Transport = tr
	}
	if opt.Timeout > 0 {
		hc.Timeout = opt.Timeout
	}
	if opt.Origin != "" || len(opt.Credentials) > 0 {
		// an Origin that does not parse matches nothing: no request leaves
		o, _ := url.Parse(opt.Origin)
		g := &guard{origin: o, creds: opt.Credentials.Clone(), timeout: hc.Timeout, next: hc.Transport}
		if g.next == nil {
			g.next = http.DefaultTransport
		}
		hc.Timeout = 0 // the guard bounds each attempt, body included
		hc.Transport = g
		hc.CheckRedirect = g.checkRedirect(hc.CheckRedirect)
	}
	if opt.NoRedirects {
		hc.CheckRedirect = noRedirect
	}
	backoff := Backoff
	if opt.Jitter {
		backoff = JitterBackoff
	}
	c := &retryablehttp.Client{
		HTTPClient:      &hc,
		RetryWaitMin:    opt.WaitMin,
		RetryWaitMax:    opt.WaitMax,
		RetryMax:        max(opt.Retries, 0),
		CheckRetry:      opt.CheckRetry,
		Backoff:         backoff,
		ErrorHandler:    retryablehttp.PassthroughErrorHandler,
		PrepareRetry:    opt.PrepareRetry,
		RequestLogHook:  opt.RequestLogHook,
		ResponseLogHook: opt.ResponseLogHook,
	}
	if c.CheckRetry == nil {
		c.CheckRetry = retryablehttp.DefaultRetryPolicy
	}
	check := c.CheckRetry
	c.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if IsCrossOrigin(err) {
			return false, err
		}
		return check(ctx, resp, err)
	}
	if opt.Logger != nil { // a nil *slog.Logger in the interface would be called
		c.Logger = opt.Logger
	}
	return c
}

// NewStandard returns the client of New behind net/http's interface, for
// libraries that take an *http.Client (go-webdav). Redirects are handled as
// NoRedirects says at both layers.
func NewStandard(opt Options) *http.Client {
	hc := &http.Client{Transport: &retryablehttp.RoundTripper{Client: New(opt)}}
	if opt.NoRedirects {
		hc.CheckRedirect = noRedirect
	}
	return hc
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Backoff is go-retryablehttp's exponential backoff with a Retry-After
// (which it honours on 429 and 503) capped at maxWait.
func Backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	return min(retryablehttp.DefaultBackoff(minWait, maxWait, attempt, resp), maxWait)
}

// JitterBackoff is Backoff with "equal jitter" when the answer carries no
// Retry-After: a wait d becomes a random one in [d/2, d), which spreads
// retries while keeping most of the wait.
func JitterBackoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.Header.Get("Retry-After") != "" {
		return Backoff(minWait, maxWait, attempt, resp)
	}
	d := retryablehttp.DefaultBackoff(minWait, maxWait, attempt, nil)
	if d < 2 {
		return d
	}
	return d/2 + rand.N(d/2)
}
