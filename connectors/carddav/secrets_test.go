package carddav_test

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

	"github.com/linkport/linkport/connectors"
	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/carddav/davmem"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/state"
)

const (
	testUser = "alice"
	testPass = "correct-horse-battery-9"
)

// authLog records the Authorization header of every request a server gets.
type authLog struct {
	mu   sync.Mutex
	seen []string
}

func (a *authLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen = append(a.seen, r.Header.Get("Authorization"))
		a.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (a *authLog) withAuth() (requests, withAuth int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.seen {
		if s != "" {
			withAuth++
		}
	}
	return len(a.seen), withAuth
}

// davServer is an in-memory CardDAV server (book "linkedin") that records
// the Authorization headers it receives; redirect, when set, answers first.
func davServer(t *testing.T, tls bool, redirect func(w http.ResponseWriter, r *http.Request) bool) (*httptest.Server, *authLog) {
	b := davmem.NewBackend()
	b.AddBook("linkedin", "LinkedIn")
	log := &authLog{}
	dav := b.Handler()
	h := log.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if redirect != nil && redirect(w, r) {
			return
		}
		dav.ServeHTTP(w, r)
	}))
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, log
}

// A redirect to another origin is refused before the credentials go there;
// within the origin it is followed.
func TestRedirectKeepsCredentialsHome(t *testing.T) {
	other, otherLog := davServer(t, false, nil) // same host, another port
	away := func(to string) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/.well-known/carddav" {
				w.Header().Set("Location", to)
				w.WriteHeader(http.StatusMovedPermanently)
				return true
			}
			return false
		}
	}
	tests := []struct {
		name    string
		tls     bool
		to      func(home string) string // the Location, given the home server's URL
		refused bool
	}{
		{"another port", false, func(string) string { return other.URL + davmem.PrincipalPath }, true},
		{"https to http", true, func(home string) string { return other.URL + davmem.PrincipalPath }, true},
		{"same origin, relative", false, func(string) string { return davmem.PrincipalPath }, false},
		{"same origin, absolute", false, func(home string) string { return home + davmem.PrincipalPath }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var home *httptest.Server
			var homeLog *authLog
			var location string
			home, homeLog = davServer(t, tt.tls, func(w http.ResponseWriter, r *http.Request) bool {
				return away(location)(w, r)
			})
			location = tt.to(home.URL)
			otherLog.mu.Lock()
			otherLog.seen = nil
			otherLog.mu.Unlock()
			opt := cd.Options{URL: home.URL + "/.well-known/carddav", Username: testUser, Password: testPass,
				RetryWaitMax: time.Millisecond}
			if tt.tls {
				opt.Transport = home.Client().Transport
			}
			_, err := cd.New(context.Background(), opt, nil)
			if n, auth := otherLog.withAuth(); auth > 0 {
				t.Errorf("the other origin received %d requests, %d of them with the password", n, auth)
			}
			if !tt.refused {
				if err != nil {
					t.Fatalf("same-origin redirect: %v", err)
				}
				if n, auth := homeLog.withAuth(); auth != n || n < 2 {
					t.Errorf("home received %d requests, %d with credentials; want all, and more than one", n, auth)
				}
				return
			}
			if err == nil {
				t.Fatal("a redirect to another origin was followed")
			}
			if !connectors.IsFatal(err) {
				t.Errorf("the refusal is not fatal for the target: %v", err)
			}
			for _, want := range []string{home.URL + "/.well-known/carddav", location} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not name %s: %v", want, err)
				}
			}
		})
	}
}

// A server that echoes the request (headers included) in its error body
// never puts the password, or the Basic credential, in an error.
func TestEchoedCredentialsRedacted(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPass))
	echo := map[string]func(w http.ResponseWriter, r *http.Request){
		"raw headers": func(w http.ResponseWriter, r *http.Request) { r.Header.Write(w) },
		"go map":      func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "bad request %v", r.Header) },
		"password": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "user %s password %s", testUser, testPass)
		},
	}
	for name, body := range echo {
		for _, status := range []int{http.StatusBadRequest, http.StatusInternalServerError} {
			for _, onPut := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%d/put=%v", name, status, onPut), func(t *testing.T) {
					srv, _ := davServer(t, false, func(w http.ResponseWriter, r *http.Request) bool {
						if onPut && r.Method != http.MethodPut {
							return false
						}
						w.Header().Set("Content-Type", "text/plain")
						w.WriteHeader(status)
						body(w, r)
						return true
					})
					opt := cd.Options{URL: srv.URL + davmem.HomeSetPath + "linkedin/", Username: testUser, Password: testPass,
						RetryMax: 1, RetryWaitMax: time.Millisecond}
					tg, err := cd.New(context.Background(), opt, nil)
					if onPut {
						if err != nil {
							t.Fatalf("New: %v", err)
						}
						_, err = tg.Put(context.Background(), connectortest.Person(1), nil, state.Ref{})
					}
					if err == nil {
						t.Fatal("no error")
					}
					if !strings.Contains(err.Error(), fmt.Sprint(status)) {
						t.Errorf("error does not name the status %d: %v", status, err)
					}
					for _, secret := range []string{testPass, basic} {
						if strings.Contains(err.Error(), secret) {
							t.Errorf("error holds a secret: %v", err)
						}
					}
				})
			}
		}
	}
}
