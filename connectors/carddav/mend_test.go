package carddav_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/carddav/davmem"
)

// TestMkcolRace: two machines' first syncs into one new book race; the
// loser's MKCOL is answered 405 (or 409) because the book now exists, and
// it uses that book instead of failing. If nothing appeared, it fails.
func TestMkcolRace(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		appears bool // the other machine's book exists when MKCOL arrives
	}{
		{"405, created meanwhile", http.StatusMethodNotAllowed, true},
		{"409, created meanwhile", http.StatusConflict, true},
		{"405, nothing there", http.StatusMethodNotAllowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := davmem.NewBackend()
			dav := b.Handler()
			var mkcols atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == "MKCOL" {
					mkcols.Add(1)
					if tt.appears {
						b.AddBook("work", "Work") // the other machine won
					}
					w.WriteHeader(tt.status)
					return
				}
				dav.ServeHTTP(w, r)
			}))
			defer srv.Close()
			tg, err := cd.New(context.Background(), cd.Options{URL: srv.URL, AddressBook: "Work", RetryWaitMax: time.Millisecond}, nil)
			if mkcols.Load() != 1 {
				t.Errorf("%d MKCOLs, want 1", mkcols.Load())
			}
			if !tt.appears {
				if err == nil || !strings.Contains(err.Error(), "create address book") {
					t.Fatalf("err = %v, want the refused MKCOL", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New after a lost MKCOL race: %v", err)
			}
			if want := srv.URL + davmem.HomeSetPath + "work/"; tg.AddressBookURL() != want {
				t.Errorf("address book %s, want %s", tg.AddressBookURL(), want)
			}
		})
	}
}

// TestDiscoveryReadRetried: a connection reset, or a body cut short of its
// Content-Length, while the PROPFIND answer is read is retried like any
// idempotent request.
func TestDiscoveryReadRetried(t *testing.T) {
	cut := map[string]func(w http.ResponseWriter){
		"truncated body": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			w.Header().Set("Content-Length", "4096")
			w.WriteHeader(http.StatusMultiStatus)
			w.Write([]byte(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:resp`))
			w.(http.Flusher).Flush()
			hangUp(w, false)
		},
		"reset": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			w.WriteHeader(http.StatusMultiStatus)
			w.Write([]byte(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:resp`))
			w.(http.Flusher).Flush()
			hangUp(w, true)
		},
	}
	for name, fault := range cut {
		t.Run(name, func(t *testing.T) {
			b := davmem.NewBackend()
			book := b.AddBook("linkedin", "LinkedIn")
			dav := b.Handler()
			var propfinds atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == "PROPFIND" && propfinds.Add(1) <= 2 {
					fault(w)
					return
				}
				dav.ServeHTTP(w, r)
			}))
			defer srv.Close()
			tg, err := cd.New(context.Background(), cd.Options{URL: srv.URL + book, RetryMax: 3, RetryWaitMax: time.Millisecond}, nil)
			if err != nil {
				t.Fatalf("New with %s twice: %v", name, err)
			}
			if tg.AddressBookURL() != srv.URL+book || propfinds.Load() != 3 {
				t.Errorf("book %s after %d PROPFINDs, want %s after 3", tg.AddressBookURL(), propfinds.Load(), srv.URL+book)
			}
		})
	}
}

// hangUp closes the connection under a handler; reset makes it a TCP RST.
func hangUp(w http.ResponseWriter, reset bool) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	conn.Close()
}
