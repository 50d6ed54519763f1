package retryhttp

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
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
type guard struct {
	origin *url.URL
	creds  http.Header
	next   http.RoundTripper
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !SameOrigin(g.origin, req.URL) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &CrossOriginError{From: Origin(g.origin), To: req.URL.Redacted()}
	}
	if len(g.creds) > 0 {
		req = req.Clone(req.Context()) // a RoundTripper must not change the caller's request
		for k, vs := range g.creds {
			req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	return g.next.RoundTrip(req)
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
