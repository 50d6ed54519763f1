package redact_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors/redact"
)

func TestString(t *testing.T) {
	const pass, token = "correct-horse-battery", "AQXk3-tokenvalue_123"
	basic := redact.BasicAuth("alice", pass)
	r := redact.New(pass, token, "", "ab")
	tests := []struct {
		name, in string
		gone     []string // must not survive
		keep     []string // must survive
	}{
		{"password", "login failed for " + pass, []string{pass}, []string{"login failed for [redacted]"}},
		{"raw basic header", "Authorization: Basic " + basic + "\r\nHost: x", []string{basic}, []string{"Host: x"}},
		{"go header print", "map[Authorization:[Basic " + basic + "] Depth:[0]]", []string{basic}, []string{"Depth:[0]"}},
		{"json header", `{"Authorization":["Bearer ` + token + `"],"Accept":["*/*"]}`, []string{token}, []string{`"Accept"`}},
		{"unknown bearer", "got bearer eyJhbGciOiJIUzI1NiJ9.e30.sig from you", []string{"eyJhbGciOiJIUzI1NiJ9"}, []string{"from you"}},
		{"unknown basic", "echo: basic dXNlcjpzZWNyZXQ=", []string{"dXNlcjpzZWNyZXQ="}, nil},
		{"cookie", "Cookie: session=abc123; theme=dark\nok", []string{"abc123"}, []string{"ok"}},
		{"base64 of a secret", "x " + "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5", []string{"Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"}, nil},
		{"url userinfo", "GET https://alice:hunter22@dav.example/", []string{"hunter22"}, []string{"https://alice:[redacted]@dav.example/"}},
		{"webhook secret", "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw given", []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, []string{"given"}},
		{"plain words stay", "Basic authentication required; token expired", nil, []string{"Basic authentication required; token expired"}},
		{"short secrets ignored", "a cab", nil, []string{"a cab"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.String(tt.in)
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("String(%q) = %q: %q survived", tt.in, got, g)
				}
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("String(%q) = %q: lost %q", tt.in, got, k)
				}
			}
		})
	}
}

func TestBody(t *testing.T) {
	const pass = "p4ssw0rd-secret"
	r := redact.New(pass)
	long := strings.Repeat("é", 150) // 300 bytes
	tests := []struct {
		name, in string
		want     string
	}{
		{"one line", "bad\n\trequest\x00 " + pass, "bad request [redacted]"},
		{"cut after redaction", strings.Repeat("x", 195) + pass, strings.Repeat("x", 195) + "[reda…"},
		{"cut on a rune", long, strings.Repeat("é", 100) + "…"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Body([]byte(tt.in))
			if got != tt.want {
				t.Errorf("Body = %q, want %q", got, tt.want)
			}
			if len(got) > redact.MaxBody+len("…") {
				t.Errorf("Body is %d bytes, more than %d", len(got), redact.MaxBody)
			}
		})
	}
}

func TestErrorKeepsChain(t *testing.T) {
	base := errors.New("sentinel")
	err := redact.New("supersecret").Error(fmt.Errorf("server said supersecret: %w", base))
	if strings.Contains(err.Error(), "supersecret") || !errors.Is(err, base) {
		t.Errorf("Error = %q (Is sentinel: %v)", err, errors.Is(err, base))
	}
	if redact.New("x").Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
}
