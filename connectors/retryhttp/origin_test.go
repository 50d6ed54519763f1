package retryhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/linkport/linkport/connectors/retryhttp"
)

// recorder is a loopback server that records the Authorization header of
// every request it receives.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newRecorder(t *testing.T, h http.HandlerFunc) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization")+req.Header.Get("X-Api-Key"))
		r.mu.Unlock()
		h(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

func TestOriginGuard(t *testing.T) {
	other := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	// same host (127.0.0.1), another port: net/http alone would forward Authorization there
	home := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusTemporaryRedirect)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	creds := http.Header{"Authorization": {"Bearer s3cret-token"}, "X-Api-Key": {"k3y"}}
	tests := []struct {
		name       string
		url        string
		crossErr   bool
		homeAuth   []string // what home receives
		otherCalls int
	}{
		{"same origin", home.URL + "/x", false, []string{"Bearer s3cret-tokenk3y"}, 0},
		{"same-origin redirect followed", home.URL + "/moved", false, []string{"Bearer s3cret-tokenk3y", "Bearer s3cret-tokenk3y"}, 0},
		{"redirect to another port refused", home.URL + "/away", true, []string{"Bearer s3cret-tokenk3y"}, 0},
		{"request to another origin refused", other.URL + "/direct", true, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home.mu.Lock()
			home.auth = nil
			home.mu.Unlock()
			c := retryhttp.New(retryhttp.Options{Origin: home.URL, Credentials: creds, Retries: 3})
			req, _ := retryablehttp.NewRequestWithContext(context.Background(), http.MethodGet, tt.url, nil)
			resp, err := c.Do(req)
			if resp != nil {
				resp.Body.Close()
			}
			if got := retryhttp.IsCrossOrigin(err); got != tt.crossErr {
				t.Fatalf("err = %v; cross-origin %v, want %v", err, got, tt.crossErr)
			}
			if tt.crossErr {
				if !strings.Contains(err.Error(), other.URL) || !strings.Contains(err.Error(), home.URL) {
					t.Errorf("error does not name both URLs: %v", err)
				}
			}
			if got := home.got(); strings.Join(got, ",") != strings.Join(tt.homeAuth, ",") {
				t.Errorf("home received %q, want %q", got, tt.homeAuth)
			}
			if got := other.got(); len(got) != tt.otherCalls {
				t.Errorf("the other origin received %d requests (%q), want %d", len(got), got, tt.otherCalls)
			}
		})
	}
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://dav.example/a", "https://DAV.example:443/b", true},
		{"http://dav.example", "http://dav.example:80/x", true},
		{"https://dav.example", "http://dav.example", false},
		{"https://dav.example", "https://dav.example:8443", false},
		{"https://dav.example", "https://evil.example", false},
		{"https://dav.example", "https://sub.dav.example", false},
		{"", "https://dav.example", false},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := retryhttp.SameOrigin(a, b); got != tt.want {
			t.Errorf("SameOrigin(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
