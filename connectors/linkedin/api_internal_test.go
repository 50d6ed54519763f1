package linkedin

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const lo, hi = time.Millisecond, 50 * time.Millisecond
	withRetryAfter := func(v string) *http.Response {
		return &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {v}}}
	}
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		want    time.Duration
	}{
		{"exponential", 3, &http.Response{StatusCode: 429, Header: http.Header{}}, 8 * time.Millisecond},
		{"exponential capped", 20, nil, hi},
		{"Retry-After honoured", 0, withRetryAfter("0"), 0},
		{"Retry-After capped", 0, withRetryAfter("3600"), hi},
		{"503 Retry-After capped", 0, &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"120"}}}, hi},
	}
	for _, tt := range tests {
		if got := backoff(lo, hi, tt.attempt, tt.resp); got != tt.want {
			t.Errorf("%s: backoff = %v, want %v", tt.name, got, tt.want)
		}
	}
}
