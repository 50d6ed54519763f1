package carddav

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/redact"
	"github.com/linkport/linkport/connectors/retryhttp"
)

// exchange carries a request's preconditions into the HTTP client and the
// real status, ETag and error body back out: go-webdav v0.6.0 can neither
// send If-Match/If-None-Match nor report a status its callers can read.
type exchange struct {
	ifMatch, ifNoneMatch string
	method               string
	status               int
	etag                 string
	contentType          string
	body                 []byte // the start of a non-2xx body
}

type exchangeKey struct{}

// withExchange returns ctx carrying a fresh exchange.
func withExchange(ctx context.Context) (context.Context, *exchange) {
	x := &exchange{}
	return context.WithValue(ctx, exchangeKey{}, x), x
}

func (x *exchange) ok() bool { return x.status >= 200 && x.status < 300 }

// davClient is the webdav.HTTPClient under go-webdav: it applies the
// exchange's preconditions and records the answer. The password is added
// below it, by the transport, and only for the configured origin.
type davClient struct {
	hc       *http.Client
	requests atomic.Int64
}

func (c *davClient) Do(req *http.Request) (*http.Response, error) {
	x, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		var ctx context.Context
		ctx, x = withExchange(req.Context())
		req = req.WithContext(ctx)
	}
	x.method = req.Method
	if x.ifMatch != "" {
		req.Header.Set("If-Match", x.ifMatch)
	}
	if x.ifNoneMatch != "" {
		req.Header.Set("If-None-Match", x.ifNoneMatch)
	}
	c.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	x.status, x.etag = resp.StatusCode, resp.Header.Get("ETag")
	x.contentType = resp.Header.Get("Content-Type")
	if !x.ok() {
		x.body, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(x.body), resp.Body), resp.Body}
	}
	return resp, nil
}

// safeMethods may be retried freely: they change nothing on the server.
var safeMethods = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true, "PROPFIND": true, "REPORT": true}

// checkRetry retries reads like go-retryablehttp's default policy, and a
// write only when it surely did not take effect: the connection was never
// made, or the server refused it (429, 503). Every write linkport sends is
// conditional, so even a refused write that had in fact been applied can
// only come back as a 412, which Put resolves by reading the card.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	if x == nil || safeMethods[x.method] {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	if err != nil {
		var op *net.OpError
		return errors.As(err, &op) && op.Op == "dial" && !isTLS(err), nil
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable, nil
}

// newHTTPClient builds the stack: retries over a pooled transport with the
// configured CA and timeout; redirects are never followed blindly (Go turns
// a redirected PROPFIND into a GET), discovery follows them itself. Every
// request must go to origin's scheme, host and port, and only those carry
// the Basic credentials.
func newHTTPClient(opt Options, origin *url.URL) (*http.Client, error) {
	ro := retryhttp.Options{
		Origin:      origin.String(),
		Timeout:     opt.Timeout,
		NoRedirects: true,
		Retries:     opt.RetryMax,
		WaitMin:     min(500*time.Millisecond, opt.RetryWaitMax),
		WaitMax:     opt.RetryWaitMax,
		CheckRetry:  checkRetry,
	}
	if opt.Username != "" || opt.Password != "" {
		ro.Credentials = http.Header{"Authorization": {"Basic " + redact.BasicAuth(opt.Username, opt.Password)}}
	}
	switch {
	case opt.Transport != nil:
		ro.Client = &http.Client{Transport: opt.Transport}
	default:
		ro.MaxIdleConnsPerHost = max(opt.Concurrency, 4)
		if opt.CAFile != "" {
			pem, err := os.ReadFile(opt.CAFile)
			if err != nil {
				return nil, fmt.Errorf("read ca_file: %w", err)
			}
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("read ca_file %s: no PEM certificate in it", opt.CAFile)
			}
			ro.TLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
	}
	return retryhttp.NewStandard(ro), nil
}

func isTLS(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var ve *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &ve) || errors.As(err, &rh)
}

// transportError says plainly what a failed connection means. A server
// that refuses connections or TLS stops the target: nothing more can reach it.
func transportError(err error, url string) error {
	var rh tls.RecordHeaderError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case retryhttp.IsCrossOrigin(err):
		var co *retryhttp.CrossOriginError
		errors.As(err, &co)
		return connectors.Fatal(fmt.Errorf("connect to %s: %w", url, co))
	case errors.As(err, &rh):
		return connectors.Fatal(fmt.Errorf("TLS handshake with %s failed: the server does not speak TLS there (try http://): %w", url, err))
	case isTLS(err):
		return connectors.Fatal(fmt.Errorf("TLS error: the certificate of %s is not trusted (set ca_file to the CA that signed it): %w", url, err))
	case errors.Is(err, syscall.ECONNREFUSED):
		return connectors.Fatal(fmt.Errorf("connect to %s: %w", url, err))
	}
	return fmt.Errorf("connect to %s: %w", url, err)
}

// statusError describes a non-2xx answer: the status, then the DAV:error
// precondition names, a note for an HTML page, or the start of the text.
// A refused login or a full server stops the target: every later write
// would get the same answer.
func (t *Target) statusError(x *exchange, what, url string) error {
	switch x.status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return connectors.Fatal(fmt.Errorf("%s %s: the server refused user %q (%d %s): check username and password", what, url,
			t.opt.Username, x.status, http.StatusText(x.status)))
	case http.StatusInsufficientStorage:
		return connectors.Fatal(fmt.Errorf("%s %s: the server is out of storage (507 Insufficient Storage)", what, url))
	}
	return fmt.Errorf("%s %s: %d %s%s", what, url, x.status, http.StatusText(x.status), t.detail(x))
}

// detail is what an error quotes of a server's answer, redacted: a server
// or proxy may echo the request, Authorization header included.
func (t *Target) detail(x *exchange) string {
	if names := davErrors(x.body); len(names) > 0 {
		return " (" + t.red.String(strings.Join(names, ", ")) + ")"
	}
	if strings.Contains(strings.ToLower(x.contentType), "html") || bytes.Contains(bytes.ToLower(x.body), []byte("<html")) {
		return " (the server answered with an HTML page, not CardDAV: is the URL right?)"
	}
	if s := t.red.Body(x.body); s != "" {
		return ": " + s
	}
	return ""
}

// davErrors returns the local names of the elements of a DAV:error body,
// e.g. "no-uid-conflict": servers disagree on the namespace (Xandikos uses
// CalDAV's), so the local name is what counts.
func davErrors(body []byte) []string {
	d := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	var names []string
	for {
		tok, err := d.Token()
		if err != nil {
			return names
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 && e.Name.Local != "error" {
				return nil
			}
			if depth == 2 {
				names = append(names, e.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
}

func hasDAVError(x *exchange, name string) bool {
	for _, n := range davErrors(x.body) {
		if n == name {
			return true
		}
	}
	return false
}
