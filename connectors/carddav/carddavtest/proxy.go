package carddavtest

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults counts what a FaultProxy injected.
type Faults struct {
	Unavailable, TooMany, ResetBefore, ResetAfter, Slow atomic.Int64
}

// FaultProxy is a reverse proxy that injects 503s, 429s with Retry-After,
// connection resets (before and after the request reached the server) and
// slow responses into a fraction of requests, deterministically for a seed.
type FaultProxy struct {
	URL    string
	Faults Faults
	srv    *httptest.Server
	mu     sync.Mutex
	rnd    *rand.Rand
	rate   float64
}

// NewFaultProxy proxies to target, faulting about rate of requests (0–1).
func NewFaultProxy(target string, rate float64, seed uint64) *FaultProxy {
	u, err := url.Parse(target)
	if err != nil {
		panic("carddavtest: bad proxy target: " + err.Error())
	}
	p := &FaultProxy{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), rate: rate}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p.pick() {
		case 1:
			p.Faults.Unavailable.Add(1)
			http.Error(w, "injected outage", http.StatusServiceUnavailable)
		case 2:
			p.Faults.TooMany.Add(1)
			w.Header().Set("Retry-After", "1")
			http.Error(w, "injected rate limit", http.StatusTooManyRequests)
		case 3:
			p.Faults.ResetBefore.Add(1)
			reset(w)
		case 4:
			p.Faults.ResetAfter.Add(1)
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r) // the server applies it; the client never hears
			reset(w)
		case 5:
			p.Faults.Slow.Add(1)
			time.Sleep(150 * time.Millisecond)
			rp.ServeHTTP(w, r)
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	p.URL = p.srv.URL
	return p
}

// pick returns 0 (no fault) or the fault kind 1–5.
func (p *FaultProxy) pick() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rnd.Float64() >= p.rate {
		return 0
	}
	return 1 + p.rnd.IntN(5)
}

// Close stops the proxy.
func (p *FaultProxy) Close() { p.srv.Close() }

// reset closes the client's connection with a TCP RST and no response.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// Counter is an http.RoundTripper that counts the requests that reach the wire, by method.
type Counter struct {
	Base http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
}

// RoundTrip implements http.RoundTripper.
func (c *Counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Method]++
	c.mu.Unlock()
	base := c.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// Total returns how many requests were sent; Writes how many were PUT, DELETE or MKCOL.
func (c *Counter) Total() (total, writes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for m, n := range c.n {
		total += n
		if m == http.MethodPut || m == http.MethodDelete || m == "MKCOL" {
			writes += n
		}
	}
	return total, writes
}

// Reset zeroes the counts.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = nil
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
