package retryhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/linkport/linkport/connectors/retryhttp"
)

func TestBackoff(t *testing.T) {
	header := func(code int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: code, Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	const lo, hi = 100 * time.Millisecond, 2 * time.Second
	tests := []struct {
		name     string
		jitter   bool
		attempt  int
		resp     *http.Response
		min, max time.Duration
	}{
		{"exponential", false, 3, header(429, ""), 8 * lo, 8 * lo},
		{"exponential capped", false, 20, nil, hi, hi},
		{"Retry-After honoured", false, 0, header(429, "0"), 0, 0},
		{"Retry-After capped", false, 0, header(429, "3600"), hi, hi},
		{"503 Retry-After capped", false, 0, header(503, "120"), hi, hi},
		{"Retry-After of a 500 ignored", false, 1, header(500, "120"), 2 * lo, 2 * lo},
		{"first retry, jittered", true, 0, nil, lo / 2, lo},
		{"third retry, jittered", true, 2, header(500, ""), 2 * lo, 4 * lo},
		{"jittered, capped", true, 10, nil, hi / 2, hi},
		{"Retry-After not jittered", true, 0, header(429, "1"), time.Second, time.Second},
		{"Retry-After capped, not jittered", true, 0, header(503, "3600"), hi, hi},
		{"Retry-After as a date, capped", true, 0, header(429, time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), hi, hi},
	}
	for _, tt := range tests {
		backoff := retryhttp.Backoff
		if tt.jitter {
			backoff = retryhttp.JitterBackoff
		}
		for range 20 {
			if d := backoff(lo, hi, tt.attempt, tt.resp); d < tt.min || d > tt.max {
				t.Errorf("%s: backoff = %v, want between %v and %v", tt.name, d, tt.min, tt.max)
				break
			}
		}
	}
}

// TestClient drives the built client against a loopback server: the
// attempts, the capped Retry-After, the redirect policy, the per-attempt
// timeout and the caller's retry decision.
func TestClient(t *testing.T) {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/throttle", func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/throttle", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/teapot", func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTeapot)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	teapotAgain := func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		return err == nil && resp.StatusCode == http.StatusTeapot, nil
	}
	tests := []struct {
		name       string
		path       string
		opt        retryhttp.Options
		wantStatus int // 0: an error
		wantHits   int64
	}{
		{"Retry-After capped", "/throttle", retryhttp.Options{Retries: 2, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond}, 429, 3},
		{"no retries", "/throttle", retryhttp.Options{WaitMax: time.Millisecond}, 429, 1},
		{"redirect answered", "/moved", retryhttp.Options{NoRedirects: true}, 307, 1},
		{"redirect followed", "/moved", retryhttp.Options{}, 429, 2},
		{"attempt timeout", "/slow", retryhttp.Options{Timeout: 50 * time.Millisecond, Retries: 1, WaitMax: time.Millisecond}, 0, 2},
		{"caller's policy", "/teapot", retryhttp.Options{Retries: 1, WaitMax: time.Millisecond, CheckRetry: teapotAgain}, 418, 2},
		{"default policy", "/teapot", retryhttp.Options{Retries: 1, WaitMax: time.Millisecond}, 418, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			start := time.Now()
			req, err := retryablehttp.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := retryhttp.New(tt.opt).Do(req)
			status := 0
			if err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
			if status != tt.wantStatus || hits.Load() != tt.wantHits {
				t.Errorf("status %d (err %v) after %d requests; want %d after %d", status, err, hits.Load(), tt.wantStatus, tt.wantHits)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestStandard: the net/http form retries too and answers a redirect.
func TestStandard(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	hc := retryhttp.NewStandard(retryhttp.Options{Retries: 2, WaitMax: time.Millisecond, NoRedirects: true})
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || hits.Load() != 2 {
		t.Errorf("status %d after %d requests; want 302 after 2", resp.StatusCode, hits.Load())
	}
}
