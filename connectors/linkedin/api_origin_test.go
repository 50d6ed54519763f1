package linkedin_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
)

// TestAPITokenStaysHome: a redirect from the API to another port (same
// host: net/http alone keeps Authorization there) or from https to http
// is refused, naming both URLs, and the other server never sees the token;
// a same-origin redirect is followed with it.
func TestAPITokenStaysHome(t *testing.T) {
	var mu sync.Mutex
	var stolen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stolen = append(stolen, r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, `{"status":404,"message":"No data found"}`, http.StatusNotFound)
	}))
	defer other.Close()
	tests := []struct {
		name    string
		tls     bool
		to      string // path on the same server, or "other"
		refused bool
	}{
		{"another port", false, "other", true},
		{"https to http", true, "other", true},
		{"same origin", false, "/rest/moved", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			stolen = nil
			mu.Unlock()
			var homeAuth []string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				homeAuth = append(homeAuth, r.Header.Get("Authorization"))
				if r.URL.Path == "/rest/moved" {
					w.WriteHeader(http.StatusNotFound)
					fmt.Fprint(w, `{"status":404,"message":"No data found"}`)
					return
				}
				to := tt.to
				if to == "other" {
					to = other.URL + "/rest/memberSnapshotData"
				}
				http.Redirect(w, r, to+"?"+r.URL.RawQuery, http.StatusFound)
			})
			srv := httptest.NewUnstartedServer(h)
			if tt.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			api := linkedin.NewAPI(linkedin.APIOptions{Token: token, BaseURL: srv.URL, Domains: []string{"CONNECTIONS"},
				HTTPClient: srv.Client(), RetryMax: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			_, err := api.Read(context.Background())
			mu.Lock()
			got := append([]string(nil), stolen...)
			mu.Unlock()
			for _, a := range got {
				if a != "" {
					t.Errorf("the other origin received the token: %q", a)
				}
			}
			if !tt.refused {
				if err != nil {
					t.Fatalf("same-origin redirect: %v", err)
				}
				if len(homeAuth) != 2 || homeAuth[1] != "Bearer "+token {
					t.Errorf("home received %q, want the token twice", homeAuth)
				}
				return
			}
			if err == nil {
				t.Fatal("a cross-origin redirect was followed")
			}
			if !strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), other.URL) {
				t.Errorf("error does not name both URLs: %v", err)
			}
			if len(homeAuth) != 1 {
				t.Errorf("home received %d requests; a refused redirect is not retried", len(homeAuth))
			}
			noToken(t, "error", err.Error())
		})
	}
}

// TestAPIEchoRedacted: an API (or proxy) answering 400/500 with the
// request's headers in its body or message puts no token in the error.
func TestAPIEchoRedacted(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(token))
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusInternalServerError} {
		for _, form := range []string{"message", "raw"} {
			t.Run(fmt.Sprintf("%d/%s", status, form), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(status)
					if form == "raw" {
						r.Header.Write(w)
						return
					}
					fmt.Fprintf(w, `{"status":%d,"code":"X","message":"bad header Authorization: %s (%s)"}`, status, r.Header.Get("Authorization"), b64)
				}))
				defer srv.Close()
				api := linkedin.NewAPI(linkedin.APIOptions{Token: token, BaseURL: srv.URL, Domains: []string{"CONNECTIONS"},
					RetryMax: -1})
				_, err := api.Read(context.Background())
				if err == nil || !strings.Contains(err.Error(), fmt.Sprint(status)) {
					t.Fatalf("err = %v, want the status %d", err, status)
				}
				noToken(t, "error", err.Error())
				if strings.Contains(err.Error(), b64) {
					t.Errorf("error holds the token's base64: %v", err)
				}
			})
		}
	}
}
