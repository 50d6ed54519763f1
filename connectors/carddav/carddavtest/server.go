// Package carddavtest provides real CardDAV servers for tests: the
// in-memory davmem server on loopback, a helper that starts the radicale
// binary, a fault-injecting reverse proxy and a request counter.
package carddavtest

import (
	"net/http/httptest"

	"github.com/linkport/linkport/connectors/carddav/davmem"
)

// Paths the in-process server uses, re-exported so tests need one import.
const (
	PrincipalPath = davmem.PrincipalPath
	HomeSetPath   = davmem.HomeSetPath
)

// Server is an in-process CardDAV server on 127.0.0.1.
type Server struct {
	*davmem.Backend
	// URL is the server root; BookURL the address book "linkedin" it starts with.
	URL, BookURL string
	srv          *httptest.Server
}

// NewServer starts an in-process CardDAV server holding one empty address
// book ("linkedin", display name "LinkedIn"). Close stops it.
func NewServer() *Server {
	b := davmem.NewBackend()
	book := b.AddBook("linkedin", "LinkedIn")
	srv := httptest.NewServer(b.Handler())
	return &Server{Backend: b, URL: srv.URL, BookURL: srv.URL + book, srv: srv}
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }
