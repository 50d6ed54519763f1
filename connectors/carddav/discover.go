package carddav

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/retryhttp"
)

const propfindBody = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop>
<D:resourcetype/><D:displayname/><D:current-user-principal/><C:addressbook-home-set/><C:supported-address-data/>
<CS:getctag xmlns:CS="http://calendarserver.org/ns/"/><D:sync-token/>
</D:prop></D:propfind>`

// etagsBody lists a book's cards by ETag: the fallback when the server
// keeps no sync-token or has forgotten ours.
const etagsBody = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/></D:prop></D:propfind>`

// davResource is one PROPFIND response entry, with only 200 propstats read.
type davResource struct {
	Href      string
	Book      bool
	Name      string
	Principal string
	HomeSet   string
	Versions  []string // vCard versions from supported-address-data
	// CTag and SyncToken say whether the book changed (getctag, RFC 6578).
	CTag, SyncToken string
	ETag            string
}

type multistatus struct {
	Responses []struct {
		Href      string `xml:"DAV: href"`
		Propstats []struct {
			Status string `xml:"DAV: status"`
			Prop   struct {
				ResourceType struct {
					Book *struct{} `xml:"urn:ietf:params:xml:ns:carddav addressbook"`
				} `xml:"DAV: resourcetype"`
				DisplayName string `xml:"DAV: displayname"`
				Principal   href   `xml:"DAV: current-user-principal"`
				HomeSet     href   `xml:"urn:ietf:params:xml:ns:carddav addressbook-home-set"`
				CTag        string `xml:"http://calendarserver.org/ns/ getctag"`
				SyncToken   string `xml:"DAV: sync-token"`
				ETag        string `xml:"DAV: getetag"`
				Types       []struct {
					ContentType string `xml:"content-type,attr"`
					Version     string `xml:"version,attr"`
				} `xml:"urn:ietf:params:xml:ns:carddav supported-address-data>address-data-type"`
			} `xml:"DAV: prop"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

type href struct {
	Href string `xml:"DAV: href"`
}

// propfind asks u for the discovery properties and follows up to five
// redirects itself (.well-known/carddav), returning the final URL.
func (t *Target) propfind(ctx context.Context, u *url.URL, depth string) ([]davResource, *url.URL, error) {
	return t.propfindWith(ctx, u, depth, propfindBody)
}

// propfindWith is propfind asking for the properties in req.
func (t *Target) propfindWith(ctx context.Context, u *url.URL, depth, req string) ([]davResource, *url.URL, error) {
	for range 5 {
		resp, x, body, err := t.propfindRead(ctx, u, depth, req)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
			next, err := u.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, nil, fmt.Errorf("follow redirect from %s: %w", u, err)
			}
			if !retryhttp.SameOrigin(t.origin, next) {
				return nil, nil, connectors.Fatal(fmt.Errorf("find address book: %w",
					&retryhttp.CrossOriginError{From: u.String(), To: next.Redacted(), Redirect: true}))
			}
			u = next
			continue
		case resp.StatusCode == http.StatusNotFound:
			return nil, nil, fmt.Errorf("find address book: %s does not exist (404 Not Found): check url and addressbook", u)
		case resp.StatusCode != http.StatusMultiStatus:
			return nil, nil, t.statusError(x, "PROPFIND", u.String())
		case strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "html"):
			return nil, nil, fmt.Errorf("PROPFIND %s: the server answered with an HTML page, not CardDAV: is the URL right?", u)
		}
		var ms multistatus
		if err := xml.Unmarshal(body, &ms); err != nil {
			return nil, nil, fmt.Errorf("PROPFIND %s: the answer is not a WebDAV multistatus: %w", u, err)
		}
		var out []davResource
		for _, r := range ms.Responses {
			res := davResource{Href: r.Href}
			for _, ps := range r.Propstats {
				if !strings.Contains(ps.Status, " 200") {
					continue
				}
				p := ps.Prop
				res.Book = res.Book || p.ResourceType.Book != nil
				res.Name = first(res.Name, strings.TrimSpace(p.DisplayName))
				res.Principal = first(res.Principal, strings.TrimSpace(p.Principal.Href))
				res.HomeSet = first(res.HomeSet, strings.TrimSpace(p.HomeSet.Href))
				res.CTag = first(res.CTag, strings.TrimSpace(p.CTag))
				res.SyncToken = first(res.SyncToken, strings.TrimSpace(p.SyncToken))
				res.ETag = first(res.ETag, strings.TrimSpace(p.ETag))
				for _, ty := range p.Types {
					if ty.ContentType == "" || strings.EqualFold(ty.ContentType, "text/vcard") {
						res.Versions = append(res.Versions, ty.Version)
					}
				}
			}
			out = append(out, res)
		}
		return out, u, nil
	}
	return nil, nil, fmt.Errorf("find address book: too many redirects from %s", t.opt.URL)
}

// propfindRead sends one PROPFIND and reads its answer whole. A read cut
// short (a reset, a truncated body) is retried like a failed request:
// PROPFIND changes nothing, and go-retryablehttp only retries until the
// headers arrive.
func (t *Target) propfindRead(ctx context.Context, u *url.URL, depth, reqBody string) (*http.Response, *exchange, []byte, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, "PROPFIND", u.String(), strings.NewReader(reqBody))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("build PROPFIND: %w", err)
		}
		req.Header.Set("Depth", depth)
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		ctx2, x := withExchange(ctx)
		resp, err := t.client.Do(req.WithContext(ctx2))
		if err != nil {
			return nil, nil, nil, transportError(err, u.String())
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err == nil {
			return resp, x, body, nil
		}
		if ctx.Err() != nil || attempt >= t.opt.RetryMax {
			return nil, nil, nil, transportError(fmt.Errorf("read PROPFIND answer: %w", err), u.String())
		}
		t.log.Debug("PROPFIND answer cut short; retrying", "url", u.String(), "attempt", attempt+1, "error", err)
		wait := time.NewTimer(min(t.opt.RetryWaitMax, 100*time.Millisecond<<attempt))
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil, nil, nil, ctx.Err()
		case <-wait.C:
		}
	}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// discover resolves the configured URL to an address book with as few
// requests as it can: one when the URL is the book itself, three from a
// server root (principal, home set, books), one more to create the book.
func (t *Target) discover(ctx context.Context, u *url.URL) error {
	res, u, err := t.propfind(ctx, u, "0")
	if err != nil {
		return err
	}
	if len(res) == 0 {
		return fmt.Errorf("PROPFIND %s: empty answer", u)
	}
	self := res[0]
	if self.Book {
		t.setBook(u, self)
		return nil
	}
	home := self.HomeSet
	if home == "" && self.Principal != "" {
		pu, err := u.Parse(self.Principal)
		if err != nil {
			return fmt.Errorf("read principal of %s: %w", u, err)
		}
		pr, _, err := t.propfind(ctx, pu, "0")
		if err != nil {
			return err
		}
		if len(pr) > 0 {
			home = pr[0].HomeSet
		}
	}
	if home == "" {
		return fmt.Errorf("find address book: %s names no CardDAV address book home (is it a CardDAV server? give the address book URL instead)", u)
	}
	hu, err := u.Parse(home)
	if err != nil {
		return fmt.Errorf("read address book home of %s: %w", u, err)
	}
	found, hu, err := t.findBook(ctx, hu)
	if err != nil || found {
		return err
	}
	if t.opt.ReadOnly {
		t.missing = true
		t.setBook(hu, davResource{})
		return nil
	}
	return t.mkcol(ctx, hu, t.opt.AddressBook)
}

// findBook lists the books under home and uses the one named
// opt.AddressBook (display name or path segment); found is false when
// there is none. It returns home as the server finally named it.
func (t *Target) findBook(ctx context.Context, home *url.URL) (found bool, _ *url.URL, _ error) {
	books, hu, err := t.propfind(ctx, home, "1")
	if err != nil {
		return false, nil, err
	}
	want := t.opt.AddressBook
	for _, b := range books {
		if !b.Book {
			continue
		}
		bu, err := hu.Parse(b.Href)
		if err != nil {
			continue
		}
		if strings.EqualFold(b.Name, want) || path.Base(strings.TrimSuffix(bu.Path, "/")) == want {
			t.setBook(bu, b)
			return true, hu, nil
		}
	}
	return false, hu, nil
}

func (t *Target) setBook(u *url.URL, r davResource) {
	t.book = *u
	if !strings.HasSuffix(t.book.Path, "/") {
		t.book.Path += "/"
	}
	t.ctag, t.syncToken = r.CTag, r.SyncToken
	t.version = t.opt.VCardVersion
	if t.version == "auto" || t.version == "" {
		t.version = "3.0"
		for _, v := range r.Versions {
			if v == "4.0" {
				t.version = "4.0"
			}
		}
	}
}

// mkcol creates the address book under home with an extended MKCOL (RFC 5689).
func (t *Target) mkcol(ctx context.Context, home *url.URL, name string) error {
	seg := slug(name)
	bu, err := home.Parse(strings.TrimSuffix(home.Path, "/") + "/" + seg + "/")
	if err != nil {
		return fmt.Errorf("create address book %q: %w", name, err)
	}
	var dn strings.Builder
	_ = xml.EscapeText(&dn, []byte(name))
	body := `<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>` +
		`<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>` + dn.String() +
		`</D:displayname></D:prop></D:set></D:mkcol>`
	req, err := http.NewRequestWithContext(ctx, "MKCOL", bu.String(), strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("create address book %q: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	ctx2, x := withExchange(ctx)
	resp, err := t.client.Do(req.WithContext(ctx2))
	if err != nil {
		return transportError(err, bu.String())
	}
	resp.Body.Close()
	if x.status == http.StatusMethodNotAllowed || x.status == http.StatusConflict {
		// something exists there now: most likely another machine's first
		// sync created the book between our PROPFIND and this MKCOL
		t.log.Info("address book appeared while creating it; using it", "url", bu.String(), "status", x.status)
		found, _, err := t.findBook(ctx, home)
		if err != nil || found {
			return err
		}
	}
	if !x.ok() {
		return t.statusError(x, "create address book", bu.String())
	}
	t.log.Info("created address book", "url", bu.String(), "name", name)
	t.setBook(bu, davResource{})
	return nil
}

// slug turns a display name into a safe path segment.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ' || r == '.':
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "linkport"
	}
	return b.String()
}
