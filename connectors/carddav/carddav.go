// Package carddav is the CardDAV target: it pushes contacts as vCards into
// one address book, merging into what the user edited, with conditional
// writes so that it never overwrites an edit it has not seen.
package carddav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/redact"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
	"github.com/linkport/linkport/state/atomicfile"
)

// Remove policies and conflict policies.
const (
	RemoveMark   = "mark"
	RemoveDelete = "delete"
	RemoveKeep   = "keep"

	ConflictKeepRemote = "keep-remote"
	ConflictOverwrite  = "overwrite"
)

// Options configure the target (config type "carddav").
type Options struct {
	// URL is the server root, /.well-known/carddav, a principal, or the
	// address book itself (the cheapest: no discovery requests).
	URL string
	// AddressBook is the book's display name or path segment; it is created
	// when missing. Ignored when URL is an address book. Default "LinkedIn".
	AddressBook string
	Username    string
	// Password is the secret itself; the CLI resolves it from the config.
	Password string
	// VCardVersion is "auto" (3.0 unless the book advertises 4.0), "3.0" or "4.0".
	VCardVersion string
	// OnRemove is what happens to a contact gone from LinkedIn: "mark"
	// (default: category "LinkedIn: removed"), "delete" or "keep".
	OnRemove string
	// Conflict is "keep-remote" (default: the user's edit of an owned field
	// wins) or "overwrite".
	Conflict string
	// Concurrency is how many writes run at once (default 4).
	Concurrency int
	// BackupDir, if set, receives each remote card before linkport overwrites or deletes it.
	BackupDir string
	// CAFile is a PEM file of extra trusted CAs.
	CAFile string
	// Timeout bounds each HTTP attempt (default 60 s).
	Timeout time.Duration
	// RetryMax and RetryWaitMax bound retries (defaults 4 and 10 s);
	// RetryWaitMax also caps a server's Retry-After.
	RetryMax     int
	RetryWaitMax time.Duration
	// Adopt is what happens to a person about to be created who is on a
	// card the user made: "suggest" (default), "link" or "off" (AdoptSuggest…).
	Adopt string
	// Region reads national phone numbers on the user's cards ("GB") when
	// matching them to people.
	Region string
	// ReadOnly opens the book only to look at it (a dry run): a missing
	// book is not created but seen as empty.
	ReadOnly bool
	// Transport replaces the network transport (tests count or fault requests with it).
	Transport http.RoundTripper
}

// multigetBatch is how many cards one addressbook-multiget asks for.
const multigetBatch = 100

// Target is a CardDAV address book. It is safe for concurrent use.
type Target struct {
	opt     Options
	log     *slog.Logger
	client  *davClient
	dav     *carddav.Client
	book    url.URL
	version string
	origin  *url.URL         // the configured URL: credentials go to its origin only
	red     *redact.Redactor // masks the password in whatever a server answers

	// ctag and syncToken are the book's, read with discovery.
	ctag, syncToken string
	// missing: ReadOnly found no book; there is nothing to look at.
	missing bool

	mu      sync.Mutex
	fetched map[string]*remoteCard // by href, from Prepare; nil value: known missing
	// adoptions are what Observe found for the people to be created, by ID.
	adoptions map[string]*adoption
}

var _ connectors.Preparer = (*Target)(nil)

// remoteCard is a card as the server holds it.
type remoteCard struct {
	href string
	etag string // as the server sent it, quotes included
	card vcard.Card
}

// New checks the options, finds (or creates) the address book and returns
// the target. Discovery is the only network traffic before the first write.
func New(ctx context.Context, opt Options, logger *slog.Logger) (*Target, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opt = withDefaults(opt)
	if err := validate(opt); err != nil {
		return nil, err
	}
	u, err := url.Parse(opt.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("carddav url %q: expected an http:// or https:// URL", withoutUser(opt.URL))
	}
	if u.User != nil { // never keep a secret in a URL we log or report
		if opt.Username == "" {
			opt.Username = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && opt.Password == "" {
			opt.Password = p
		}
		u.User = nil
		opt.URL = u.String()
	}
	hc, err := newHTTPClient(opt, u)
	if err != nil {
		return nil, err
	}
	t := &Target{opt: opt, log: logger, client: &davClient{hc: hc}, origin: u,
		red: redact.New(opt.Password, redact.BasicAuth(opt.Username, opt.Password))}
	if err := t.discover(ctx, u); err != nil {
		return nil, err
	}
	t.dav, err = carddav.NewClient(t.client, t.book.String())
	if err != nil {
		return nil, fmt.Errorf("open address book %s: %w", t.book.String(), err)
	}
	logger.Debug("address book", "url", t.book.String(), "vcard", t.version)
	return t, nil
}

func withDefaults(o Options) Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.AddressBook, "LinkedIn")
	def(&o.VCardVersion, "auto")
	def(&o.OnRemove, RemoveMark)
	def(&o.Conflict, ConflictKeepRemote)
	def(&o.Adopt, AdoptSuggest)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 4
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = 10 * time.Second
	}
	return o
}

func validate(o Options) error {
	switch {
	case o.URL == "":
		return errors.New("carddav: url is required")
	case o.VCardVersion != "auto" && o.VCardVersion != "3.0" && o.VCardVersion != "4.0":
		return fmt.Errorf("carddav vcard_version %q: expected auto, 3.0 or 4.0", o.VCardVersion)
	case o.OnRemove != RemoveMark && o.OnRemove != RemoveDelete && o.OnRemove != RemoveKeep:
		return fmt.Errorf("carddav on_remove %q: expected mark, delete or keep", o.OnRemove)
	case o.Conflict != ConflictKeepRemote && o.Conflict != ConflictOverwrite:
		return fmt.Errorf("carddav conflict %q: expected keep-remote or overwrite", o.Conflict)
	case o.Adopt != AdoptSuggest && o.Adopt != AdoptLink && o.Adopt != AdoptOff:
		return fmt.Errorf("carddav adopt %q: expected suggest, link or off", o.Adopt)
	}
	return nil
}

func withoutUser(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return s
}

// AddressBookURL is where the cards are.
func (t *Target) AddressBookURL() string { return t.book.String() }

// VCardVersion is the vCard version the target writes.
func (t *Target) VCardVersion() string { return t.version }

// Workers is the configured concurrency: connectors.Concurrent.
func (t *Target) Workers() int { return t.opt.Concurrency }

// Requests is how many HTTP requests the target made (retries not counted).
func (t *Target) Requests() int64 { return t.client.requests.Load() }

// Close implements connectors.Target; nothing is buffered.
func (t *Target) Close(context.Context) error {
	t.client.hc.CloseIdleConnections()
	return nil
}

var _ connectors.Witnessing = (*Target)(nil)

// Witness is the book's getctag (else its sync-token) as discovery read
// it, before any write: a run that wrote nothing left the book so, unless
// someone changed it meanwhile, which the next look then sees. "" for a
// book without either, or none yet: such a book cannot be vouched for.
func (t *Target) Witness() string {
	switch {
	case t.missing:
		return ""
	case t.ctag != "":
		return "ctag " + t.ctag
	case t.syncToken != "":
		return "sync-token " + t.syncToken
	}
	return ""
}

func (t *Target) href(id string) string { return t.book.Path + id + ".vcf" }

func (t *Target) refHref(c *mapping.Contact, prev state.Ref) string {
	if prev.Href != "" {
		return prev.Href
	}
	return t.href(c.ID)
}

// Prepare implements connectors.Preparer: it fetches the cards the plan
// updates or removes with addressbook-multiget, a batch at a time. A plan
// with nothing to update or remove sends no request.
func (t *Target) Prepare(ctx context.Context, p state.Plan) error {
	var hrefs []string
	for _, c := range p.Changes {
		switch {
		case c.Ref().IsZero():
		case c.Op == state.OpUpdate, c.Op == state.OpRemove && t.opt.OnRemove != RemoveKeep:
			hrefs = append(hrefs, t.refHref(c.Contact, c.Ref()))
		}
	}
	got := map[string]*remoteCard{}
	for i := 0; i < len(hrefs); i += multigetBatch {
		if err := t.multiget(ctx, hrefs[i:min(i+multigetBatch, len(hrefs))], got); err != nil {
			return err
		}
	}
	t.mu.Lock()
	t.fetched = got
	t.mu.Unlock()
	return nil
}

// multiget fetches hrefs into got. go-webdav v0.6.0 fails a whole multiget
// when one entry is missing (a card the user deleted) or has an ETag it
// cannot unquote, so a failed batch is split in halves down to single GETs.
func (t *Target) multiget(ctx context.Context, hrefs []string, got map[string]*remoteCard) error {
	if len(hrefs) == 1 {
		r, err := t.get(ctx, hrefs[0])
		if err != nil {
			return err
		}
		got[hrefs[0]] = r
		return nil
	}
	objs, err := t.dav.MultiGetAddressBook(ctx, t.book.Path, &carddav.AddressBookMultiGet{
		Paths: hrefs, DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err == nil && len(objs) == len(hrefs) {
		for _, o := range objs {
			got[o.Path] = &remoteCard{href: o.Path, etag: `"` + o.ETag + `"`, card: o.Card}
		}
		if !slices.ContainsFunc(hrefs, func(h string) bool { return got[h] == nil }) {
			return nil
		}
		err = errors.New("the server answered for other hrefs") // spelled differently: split like any failure
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	t.log.Debug("multiget failed, splitting the batch", "cards", len(hrefs), "err", err)
	mid := len(hrefs) / 2
	if err := t.multiget(ctx, hrefs[:mid], got); err != nil {
		return err
	}
	return t.multiget(ctx, hrefs[mid:], got)
}

// get reads one card; a missing card is (nil, nil). It decodes the body
// itself: go-webdav's GetAddressObject rejects weak ETags and text/plain.
func (t *Target) get(ctx context.Context, href string) (*remoteCard, error) {
	u := t.book
	u.Path = href
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build GET: %w", err)
	}
	req.Header.Set("Accept", vcard.MIMEType)
	ctx2, x := withExchange(ctx)
	resp, err := t.client.Do(req.WithContext(ctx2))
	if err != nil {
		return nil, transportError(err, u.String())
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return nil, nil
	}
	if !x.ok() {
		return nil, t.statusError(x, "GET", u.String())
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, transportError(err, u.String())
	}
	card, err := vcard.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		return nil, fmt.Errorf("read card %s: not a vCard: %w", u.String(), err)
	}
	return &remoteCard{href: href, etag: x.etag, card: card}, nil
}

// remote returns the card Prepare fetched for href, or reads it now.
func (t *Target) remote(ctx context.Context, href string) (*remoteCard, error) {
	t.mu.Lock()
	r, ok := t.fetched[href]
	delete(t.fetched, href)
	t.mu.Unlock()
	if ok {
		return r, nil
	}
	return t.get(ctx, href)
}

// errNotOurs refuses to touch a card linkport did not create.
var errNotOurs = errors.New("the card there was not created by linkport (its X-LINKPORT-ID and UID differ); left untouched")

func ours(r *remoteCard, id string) bool {
	return r.card.Value(card.FieldLinkportID) == id || r.card.Value(vcard.FieldUID) == card.UID(id)
}

// created is ours as write's check.
func created(id string) func(*remoteCard) bool {
	return func(r *remoteCard) bool { return ours(r, id) }
}

// maxRounds bounds write → 412/lost answer → re-read → write cycles.
const maxRounds = 3

// Put implements connectors.Target: a create PUTs with If-None-Match: *,
// an update merges into the remote card and PUTs with If-Match.
func (t *Target) Put(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	if err := ctx.Err(); err != nil {
		return connectors.Outcome{}, err
	}
	if prev.IsZero() {
		if out, done, err := t.putAdopting(ctx, c); done {
			return out, err
		}
	}
	if prev.Adopted != "" {
		return t.putAdopted(ctx, c, base, prev)
	}
	href := t.refHref(c, prev)
	var r *remoteCard
	if !prev.IsZero() {
		var err error
		if r, err = t.remote(ctx, href); err != nil {
			return connectors.Outcome{}, err
		}
		if r == nil {
			t.log.Info("card deleted on the server; leaving it deleted", "href", href, "name", c.Name)
			return connectors.Outcome{RemoteDeleted: true}, nil
		}
	}
	return t.write(ctx, href, r, c.ID, created(c.ID), func(r *remoteCard) (vcard.Card, []string) {
		if r == nil {
			return card.New(c, t.version), nil
		}
		return card.Merge(r.card, base, c, t.version, t.opt.Conflict == ConflictOverwrite)
	}, !prev.IsZero())
}

// write PUTs the card build makes from the remote one (nil: none yet) with
// the matching precondition. A 412 or a lost answer is resolved by reading
// the card again and, if needed, writing once more.
func (t *Target) write(ctx context.Context, href string, r *remoteCard, id string, mine func(*remoteCard) bool,
	build func(*remoteCard) (vcard.Card, []string), existed bool) (connectors.Outcome, error) {
	u := t.book
	u.Path = href
	for range maxRounds {
		if r != nil && !mine(r) {
			return connectors.Outcome{}, connectors.Held(fmt.Errorf("update %s: %w", u.String(), errNotOurs))
		}
		card, conflicts := build(r)
		if r != nil {
			if encode(card) == encode(r.card) {
				return connectors.Outcome{Ref: state.Ref{Href: href, ETag: r.etag}, Conflicts: conflicts}, nil
			}
			if err := t.backup(id, r); err != nil {
				return connectors.Outcome{}, err
			}
		}
		ctx2, x := withExchange(ctx)
		if r == nil {
			x.ifNoneMatch = "*"
		} else {
			x.ifMatch = r.etag
		}
		err := t.put(ctx2, href, card)
		switch {
		case x.ok(): // go-webdav's own error may only be an ETag it could not unquote
			return connectors.Outcome{Ref: state.Ref{Href: href, ETag: x.etag}, Conflicts: conflicts}, nil
		case ctx.Err() != nil:
			return connectors.Outcome{}, ctx.Err()
		case x.status == http.StatusPreconditionFailed && len(davErrors(x.body)) == 0,
			x.status == 0: // changed since read, or the answer was lost: look again
			t.log.Debug("re-reading card", "href", href, "status", x.status, "err", err)
		default:
			return connectors.Outcome{}, t.writeError(x, err, "PUT", u.String())
		}
		var rerr error
		if r, rerr = t.get(ctx, href); rerr != nil {
			return connectors.Outcome{}, rerr
		}
		if r == nil && existed {
			return connectors.Outcome{RemoteDeleted: true}, nil
		}
	}
	return connectors.Outcome{}, fmt.Errorf("PUT %s: the card kept changing on the server (%d attempts)", u.String(), maxRounds)
}

// writeError explains a failed PUT or DELETE. A card the server refuses
// for what it is (a UID taken by another card, too large, not valid) is
// held: retrying it changes nothing, and it must not block other writes.
func (t *Target) writeError(x *exchange, err error, what, url string) error {
	switch {
	case x.status == 0:
		return transportError(err, url)
	case hasDAVError(x, "no-uid-conflict"):
		return connectors.Held(fmt.Errorf("%s %s: another card in the address book has this contact's UID (no-uid-conflict): "+
			"it was not created by linkport at this href; remove the duplicate", what, url))
	case hasDAVError(x, "max-resource-size"), x.status == http.StatusRequestEntityTooLarge:
		return connectors.Held(fmt.Errorf("%s %s: the card is larger than the server accepts (max-resource-size)", what, url))
	case hasDAVError(x, "valid-address-data"), hasDAVError(x, "supported-address-data"):
		return connectors.Held(fmt.Errorf("%s %s: the server rejected the vCard (%s): try vcard_version 3.0",
			what, url, t.red.String(strings.Join(davErrors(x.body), ", "))))
	}
	return t.statusError(x, what, url)
}

// Remove implements connectors.Target by the on_remove policy: mark rewrites
// the card with category "LinkedIn: removed", delete deletes it (If-Match),
// keep sends nothing.
func (t *Target) Remove(ctx context.Context, c *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	if err := ctx.Err(); err != nil {
		return connectors.Outcome{}, err
	}
	if t.opt.OnRemove == RemoveKeep {
		return connectors.Outcome{Ref: prev}, nil
	}
	if prev.IsZero() {
		return connectors.Outcome{}, nil
	}
	if prev.Adopted != "" {
		return t.removeAdopted(ctx, c, prev)
	}
	href := t.refHref(c, prev)
	r, err := t.remote(ctx, href)
	if err != nil || r == nil {
		return connectors.Outcome{}, err // gone already: nothing to remove
	}
	if t.opt.OnRemove == RemoveMark {
		return t.write(ctx, href, r, c.ID, created(c.ID), func(r *remoteCard) (vcard.Card, []string) {
			marked := card.New(c, t.version)
			card.AddCategory(marked, card.CategoryRemoved)
			return card.MergeCards(r.card, card.New(c, t.version), marked, true)
		}, true)
	}
	u := t.book
	u.Path = href
	for range maxRounds {
		if !ours(r, c.ID) {
			return connectors.Outcome{}, connectors.Held(fmt.Errorf("delete %s: %w", u.String(), errNotOurs))
		}
		if err := t.backup(c.ID, r); err != nil {
			return connectors.Outcome{}, err
		}
		ctx2, x := withExchange(ctx)
		x.ifMatch = r.etag
		err := t.dav.RemoveAll(ctx2, href)
		switch {
		case x.ok(), x.status == http.StatusNotFound, x.status == http.StatusGone:
			return connectors.Outcome{}, nil
		case ctx.Err() != nil:
			return connectors.Outcome{}, ctx.Err()
		case x.status != http.StatusPreconditionFailed && x.status != 0:
			return connectors.Outcome{}, t.writeError(x, err, "DELETE", u.String())
		}
		if r, err = t.get(ctx, href); err != nil || r == nil {
			return connectors.Outcome{}, err
		}
	}
	return connectors.Outcome{}, fmt.Errorf("DELETE %s: the card kept changing on the server (%d attempts)", u.String(), maxRounds)
}

// backup saves the remote card before linkport overwrites or deletes it;
// when it cannot, the write does not happen.
func (t *Target) backup(id string, r *remoteCard) error {
	if t.opt.BackupDir == "" {
		return nil
	}
	if err := os.MkdirAll(t.opt.BackupDir, 0o700); err != nil {
		return fmt.Errorf("back up card %s: %w", r.href, err)
	}
	name := filepath.Join(t.opt.BackupDir, id+"-"+time.Now().UTC().Format("20060102T150405.000000000Z")+".vcf")
	if err := atomicfile.Write(name, []byte(encode(r.card)), 0o600); err != nil {
		return fmt.Errorf("back up card %s: %w", r.href, err)
	}
	return nil
}

// encode is the card as linkport writes it (card.Encode: folded, one
// CATEGORIES), for a PUT body, a backup and comparing two cards.
func encode(c vcard.Card) string {
	var b bytes.Buffer
	if err := card.Encode(&b, c); err != nil {
		return "" // no VERSION: never equal to a card linkport builds
	}
	return b.String()
}

// put PUTs the card as card.Encode writes it. go-webdav's PutAddressObject
// would encode it with go-vcard, which neither folds lines nor writes a
// list of categories; the exchange in ctx carries the precondition and
// brings the status and ETag back.
func (t *Target) put(ctx context.Context, href string, c vcard.Card) error {
	body := encode(c)
	if body == "" {
		return errors.New("encode card: VERSION missing")
	}
	u := t.book
	u.Path = href
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("build PUT: %w", err)
	}
	req.Header.Set("Content-Type", vcard.MIMEType+"; charset=utf-8")
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	return nil
}
