package webhook_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// headerLog records the configured header a server receives.
type headerLog struct {
	mu   sync.Mutex
	seen []string
}

func (h *headerLog) server(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seen = append(h.seen, r.Header.Get("Authorization"))
		h.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (h *headerLog) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.seen)
}

const hookToken = "Bearer hook-token-4f9a2c"

// TestRedirectKeepsHeadersHome: a receiver's redirect to another port is
// not followed: the other origin receives no request, hence neither the
// body nor the configured headers.
func TestRedirectKeepsHeadersHome(t *testing.T) {
	var otherLog headerLog
	other := otherLog.server(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			var homeLog headerLog
			home := homeLog.server(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/steal", code)
			})
			r := newReceiver(t, nil)
			e := newEnv(t)
			opt := r.options()
			opt.URL = home.URL + "/hook"
			opt.Headers = map[string]string{"Authorization": hookToken}
			_, err := e.sync(e.target(opt), people(1), false)
			if err == nil || !strings.Contains(err.Error(), "redirect") {
				t.Errorf("sync error %v, want one about the redirect", err)
			}
			if n := otherLog.count(); n != 0 {
				t.Errorf("the redirect target received %d requests", n)
			}
			if homeLog.count() == 0 || homeLog.seen[0] != hookToken {
				t.Errorf("the configured URL received %q, want the configured header", homeLog.seen)
			}
		})
	}
}

// A receiver that echoes the request in a 4xx or 5xx body puts neither the
// configured header values nor the secret in the error, the log or the
// outbox's last_error.
func TestEchoedHeadersRedacted(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusInternalServerError} {
		for _, form := range []string{"raw", "map"} {
			t.Run(fmt.Sprintf("%d/%s", status, form), func(t *testing.T) {
				var log headerLog
				srv := log.server(t, func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(status)
					if form == "raw" {
						r.Header.Write(w)
					} else {
						fmt.Fprintf(w, "headers: %v", r.Header)
					}
				})
				r := newReceiver(t, nil)
				e := newEnv(t)
				opt := r.options()
				opt.URL = srv.URL + "/hook"
				opt.MaxAttempts = 1
				opt.Headers = map[string]string{"Authorization": hookToken, "X-Tenant-Key": "tenant-key-77ab91"}
				_, err := e.sync(e.target(opt), people(1), false)
				if log.count() == 0 {
					t.Fatal("the receiver got no request")
				}
				outbox, _ := os.ReadFile(e.outboxFile())
				var lastErrors []string
				for _, w := range append(e.waiting("pending"), e.waiting("dead")...) {
					lastErrors = append(lastErrors, w.LastError)
				}
				if len(lastErrors) == 0 || !strings.Contains(strings.Join(lastErrors, ""), fmt.Sprint(status)) {
					t.Errorf("outbox last_error %q does not name the status %d", lastErrors, status)
				}
				texts := map[string]string{"log": e.log.String(), "outbox": string(outbox), "last_error": strings.Join(lastErrors, "\n")}
				if err != nil {
					texts["error"] = err.Error()
				}
				for where, s := range texts {
					for _, secret := range []string{"hook-token-4f9a2c", "tenant-key-77ab91", strings.TrimPrefix(r.secret, "whsec_")} {
						if strings.Contains(s, secret) {
							t.Errorf("the %s holds a secret:\n%s", where, s)
						}
					}
				}
			})
		}
	}
}
