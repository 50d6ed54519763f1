// Package davmem is a CardDAV server held in memory: go-webdav's server
// over a backend that honours If-Match and If-None-Match like a careful
// server. `linkport demo` serves it, and carddavtest wraps it for tests; it
// lives apart from carddavtest so the binary links neither testing nor
// net/http/httptest.
package davmem

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
)

// Paths the in-process server uses: go-webdav's server tells resources apart
// by depth, so principal, home set, book and card are 1, 2, 3 and 4 segments.
const (
	PrincipalPath = "/linkport/"
	HomeSetPath   = "/linkport/contacts/"
)

// Backend is an in-memory carddav.Backend that honours If-Match and
// If-None-Match like a careful server. It is safe for concurrent use.
type Backend struct {
	mu      sync.Mutex
	books   map[string]carddav.AddressBook
	objects map[string]object
}

type object struct {
	data []byte
	etag string
	mod  time.Time
}

// NewBackend returns a backend with no address books.
func NewBackend() *Backend {
	return &Backend{books: map[string]carddav.AddressBook{}, objects: map[string]object{}}
}

// AddBook creates an address book at HomeSetPath+name+"/" with a display name.
func (b *Backend) AddBook(name, displayName string) string {
	p := HomeSetPath + name + "/"
	b.mu.Lock()
	defer b.mu.Unlock()
	b.books[p] = carddav.AddressBook{Path: p, Name: displayName}
	return p
}

// Cards returns every card of the book at bookPath, by path.
func (b *Backend) Cards(bookPath string) map[string]vcard.Card {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]vcard.Card{}
	for p, o := range b.objects {
		if path.Dir(p)+"/" == bookPath {
			c, err := vcard.NewDecoder(bytes.NewReader(o.data)).Decode()
			if err == nil {
				out[p] = c
			}
		}
	}
	return out
}

// CurrentUserPrincipal implements webdav.UserPrincipalBackend.
func (b *Backend) CurrentUserPrincipal(context.Context) (string, error) { return PrincipalPath, nil }

// AddressBookHomeSetPath implements carddav.Backend.
func (b *Backend) AddressBookHomeSetPath(context.Context) (string, error) { return HomeSetPath, nil }

// ListAddressBooks implements carddav.Backend.
func (b *Backend) ListAddressBooks(context.Context) ([]carddav.AddressBook, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []carddav.AddressBook
	for _, ab := range b.books {
		out = append(out, ab)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// GetAddressBook implements carddav.Backend.
func (b *Backend) GetAddressBook(_ context.Context, p string) (*carddav.AddressBook, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ab, ok := b.books[dirPath(p)]
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("no address book %s", p))
	}
	return &ab, nil
}

// CreateAddressBook implements carddav.Backend.
func (b *Backend) CreateAddressBook(_ context.Context, ab *carddav.AddressBook) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := dirPath(ab.Path)
	if _, ok := b.books[p]; ok {
		return webdav.NewHTTPError(http.StatusMethodNotAllowed, fmt.Errorf("%s exists", p))
	}
	c := *ab
	c.Path = p
	b.books[p] = c
	return nil
}

// DeleteAddressBook implements carddav.Backend.
func (b *Backend) DeleteAddressBook(_ context.Context, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.books, dirPath(p))
	return nil
}

// GetAddressObject implements carddav.Backend.
func (b *Backend) GetAddressObject(_ context.Context, p string, _ *carddav.AddressDataRequest) (*carddav.AddressObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[p]
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("no card %s", p))
	}
	return toObject(p, o)
}

// ListAddressObjects implements carddav.Backend.
func (b *Backend) ListAddressObjects(_ context.Context, p string, _ *carddav.AddressDataRequest) ([]carddav.AddressObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []carddav.AddressObject
	for op, o := range b.objects {
		if path.Dir(op)+"/" == dirPath(p) {
			ao, err := toObject(op, o)
			if err != nil {
				return nil, err
			}
			out = append(out, *ao)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// QueryAddressObjects implements carddav.Backend.
func (b *Backend) QueryAddressObjects(ctx context.Context, p string, q *carddav.AddressBookQuery) ([]carddav.AddressObject, error) {
	all, err := b.ListAddressObjects(ctx, p, &q.DataRequest)
	if err != nil || len(q.PropFilters) == 0 { // no filter matches every card (RFC 6352 §10.5)
		return all, err
	}
	return carddav.Filter(q, all)
}

// PutAddressObject implements carddav.Backend, with RFC 7232 preconditions.
func (b *Backend) PutAddressObject(_ context.Context, p string, card vcard.Card, opts *carddav.PutAddressObjectOptions) (*carddav.AddressObject, error) {
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(card); err != nil {
		return nil, webdav.NewHTTPError(http.StatusBadRequest, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.books[path.Dir(p)+"/"]; !ok {
		return nil, webdav.NewHTTPError(http.StatusConflict, fmt.Errorf("no address book for %s", p))
	}
	cur, exists := b.objects[p]
	if err := precondition(cur, exists, opts.IfMatch, opts.IfNoneMatch); err != nil {
		return nil, err
	}
	uid := card.Value(vcard.FieldUID)
	for op, o := range b.objects {
		if op != p && path.Dir(op) == path.Dir(p) && bytes.Contains(o.data, []byte("\r\nUID:"+uid+"\r\n")) {
			return nil, carddav.NewPreconditionError(carddav.PreconditionNoUIDConflict)
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	o := object{data: buf.Bytes(), etag: hex.EncodeToString(sum[:12]), mod: time.Now().UTC()}
	b.objects[p] = o
	return toObject(p, o)
}

// DeleteAddressObject implements carddav.Backend.
func (b *Backend) DeleteAddressObject(_ context.Context, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[p]; !ok {
		return webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("no card %s", p))
	}
	delete(b.objects, p)
	return nil
}

func precondition(cur object, exists bool, ifMatch, ifNoneMatch webdav.ConditionalMatch) error {
	failed := webdav.NewHTTPError(http.StatusPreconditionFailed, fmt.Errorf("precondition failed"))
	if ifNoneMatch.IsWildcard() && exists {
		return failed
	}
	if ifMatch.IsSet() {
		if !exists {
			return failed
		}
		if !ifMatch.IsWildcard() {
			if e, err := ifMatch.ETag(); err != nil || e != cur.etag {
				return failed
			}
		}
	}
	return nil
}

func toObject(p string, o object) (*carddav.AddressObject, error) {
	c, err := vcard.NewDecoder(bytes.NewReader(o.data)).Decode()
	if err != nil {
		return nil, fmt.Errorf("decode stored card %s: %w", p, err)
	}
	return &carddav.AddressObject{Path: p, ModTime: o.mod, ContentLength: int64(len(o.data)), ETag: o.etag, Card: c}, nil
}

func dirPath(p string) string { return strings.TrimSuffix(path.Clean(p), "/") + "/" }

// Handler serves the backend over CardDAV. go-webdav v0.6.0 ignores
// If-Match on DELETE, so the handler checks it first.
func (b *Backend) Handler() http.Handler {
	h := &carddav.Handler{Backend: b}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && r.Header.Get("If-Match") != "" {
			b.mu.Lock()
			cur, exists := b.objects[r.URL.Path]
			b.mu.Unlock()
			if err := precondition(cur, exists, webdav.ConditionalMatch(r.Header.Get("If-Match")), ""); err != nil {
				http.Error(w, "precondition failed", http.StatusPreconditionFailed)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
