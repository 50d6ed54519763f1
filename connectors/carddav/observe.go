package carddav

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

var _ connectors.Observer = (*Target)(nil)

// Observe implements connectors.Observer. It says which of linkport's
// cards were edited or deleted on the server since the last run and finds
// the user's cards that the people to be created match (unless adopt is
// off). The book's getctag and sync-token come with discovery: a book
// that did not change since the last run costs no request at all; one
// that did costs a sync-collection REPORT, or without RFC 6578 (or with
// a token the server forgot) one listing of ETags. The people to be
// created are matched on one listing of the whole book, which also
// serves for the changes; matches found earlier are reused while the
// book is unchanged.
func (t *Target) Observe(ctx context.Context, snap *state.Snapshot, p state.Plan) ([]connectors.RemoteChange, error) {
	if t.missing {
		return nil, nil // a dry run before the first sync made the book: nothing in it yet
	}
	st := snap.Target(p.Target, p.Type)
	if st.Book == nil {
		st.Book = &state.Book{}
	}
	b := st.Book
	var creates []*mapping.Contact
	toCreate := map[string]bool{}
	for _, c := range p.Changes {
		if c.Op == state.OpCreate {
			creates = append(creates, c.Contact)
			toCreate[c.Contact.ID] = true
		}
	}
	for id := range b.Matches {
		if !toCreate[id] {
			delete(b.Matches, id) // created, linked, or gone from LinkedIn
		}
	}
	for id := range b.Decisions {
		if !toCreate[id] {
			delete(b.Decisions, id)
		}
	}
	unchanged := (t.ctag != "" && t.ctag == b.CTag) || (t.ctag == "" && t.syncToken != "" && t.syncToken == b.SyncToken)
	list := false
	if t.opt.Adopt != AdoptOff {
		for _, c := range creates {
			d, decided := b.Decisions[c.ID]
			_, matched := b.Matches[c.ID]
			if !unchanged || !(matched || decided && !d.Accept) {
				list = true
				break
			}
		}
	}
	token := t.syncToken
	var changes []connectors.RemoteChange
	linked := map[string]*remoteCard{}
	switch {
	case list:
		cards, err := t.listCards(ctx)
		if err != nil {
			return nil, err
		}
		etags := make(map[string]string, len(cards))
		for _, r := range cards {
			etags[r.href] = r.etag
		}
		changes = changedSince(snap, st, etags)
		linked = t.match(b, cards, creates)
	case unchanged:
	case b.SyncToken != "" && t.syncToken != "":
		var err error
		if changes, token, err = t.syncChanges(ctx, snap, st, b.SyncToken); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		t.log.Debug("sync-collection failed; listing ETags instead", "err", err)
		fallthrough
	default:
		etags, err := t.listETags(ctx)
		if err != nil {
			return nil, err
		}
		changes = changedSince(snap, st, etags)
	}
	b.CTag, b.SyncToken = t.ctag, token

	ad := map[string]*adoption{}
	if t.opt.Adopt != AdoptOff {
		for id, m := range b.Matches {
			a := &adoption{match: &m}
			if d, ok := b.Decisions[id]; ok {
				a.decision = &d
			}
			ad[id] = a
		}
		for id, r := range linked {
			ad[id] = &adoption{linked: r}
		}
	}
	t.mu.Lock()
	t.adoptions = ad
	t.mu.Unlock()
	for _, c := range changes {
		what := "edited"
		if c.Deleted {
			what = "deleted"
		}
		t.log.Info("card "+what+" on the server since the last run", "name", c.Name, "href", c.Href)
	}
	return changes, nil
}

// match matches the people to be created to the user's cards in the
// listing and records the matches in b; a decision on a card that is no
// longer the match is dropped. It returns the cards already linked to a
// person to be created (a run killed after linking them), by ID.
func (t *Target) match(b *state.Book, cards []*remoteCard, creates []*mapping.Contact) map[string]*remoteCard {
	m := newMatcher(cards, creates, t.opt.Region)
	linked := map[string]*remoteCard{}
	b.Matches = map[string]state.BookMatch{}
	byHref := map[string][]string{}
	for _, c := range creates {
		if r := m.linked[c.ID]; r != nil {
			linked[c.ID] = r
			continue
		}
		if _, bm, ok := m.match(c); ok {
			b.Matches[c.ID] = bm
			byHref[bm.Href] = append(byHref[bm.Href], c.ID)
		}
	}
	for _, ids := range byHref {
		if len(ids) < 2 {
			continue
		}
		for _, id := range ids { // one card is one person: the user decides which
			bm := b.Matches[id]
			bm.Certain = false
			bm.By += fmt.Sprintf("; %d people match this card", len(ids))
			b.Matches[id] = bm
		}
	}
	for id, d := range b.Decisions {
		if bm, ok := b.Matches[id]; !ok || bm.Href != d.Href {
			delete(b.Decisions, id)
		}
	}
	if len(b.Matches) == 0 {
		b.Matches = nil
	}
	return linked
}

// changedSince compares the cards linkport wrote (the items of st) with
// a listing of the book, href → ETag.
func changedSince(snap *state.Snapshot, st *state.Target, etags map[string]string) []connectors.RemoteChange {
	var out []connectors.RemoteChange
	for id, it := range st.Items {
		if it.RemoteDeleted || it.Ref.Href == "" {
			continue
		}
		e, ok := etags[it.Ref.Href]
		if ok && (it.Ref.ETag == "" || e == it.Ref.ETag) {
			continue // unchanged, or an ETag linkport never got (it cannot tell)
		}
		out = append(out, remoteChange(snap, id, it, !ok))
		seen(it, e, !ok)
	}
	sortChanges(out)
	return out
}

// seen records a change it reports in the item, so that it is reported
// once: a deleted card is left deleted (what the next update would find),
// an edited one gets its new ETag (writes take theirs from a fresh read).
func seen(it *state.Item, etag string, deleted bool) {
	if deleted {
		it.RemoteDeleted, it.Ref = true, state.Ref{}
		return
	}
	it.Ref.ETag = etag
}

func remoteChange(snap *state.Snapshot, id string, it *state.Item, deleted bool) connectors.RemoteChange {
	name := id
	if c, err := snap.Contact(it); err == nil && c.Name != "" {
		name = c.Name
	}
	return connectors.RemoteChange{ID: id, Name: name, Href: it.Ref.Href, Deleted: deleted}
}

func sortChanges(cs []connectors.RemoteChange) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Name != cs[j].Name {
			return cs[i].Name < cs[j].Name
		}
		return cs[i].Href < cs[j].Href
	})
}

// syncChanges asks for the changes since token with go-webdav's
// sync-collection REPORT and returns those of linkport's cards and the
// new token.
func (t *Target) syncChanges(ctx context.Context, snap *state.Snapshot, st *state.Target, token string) ([]connectors.RemoteChange, string, error) {
	resp, err := t.dav.SyncCollection(ctx, t.book.Path, &carddav.SyncQuery{SyncToken: token})
	if err != nil {
		return nil, "", fmt.Errorf("sync-collection %s: %w", t.book.String(), err)
	}
	byHref := make(map[string]string, len(st.Items))
	for id, it := range st.Items {
		if !it.RemoteDeleted && it.Ref.Href != "" {
			byHref[it.Ref.Href] = id
		}
	}
	var out []connectors.RemoteChange
	for _, o := range resp.Updated {
		id, ok := byHref[t.path(o.Path)]
		if it := st.Items[id]; ok && it.Ref.ETag != "" && `"`+o.ETag+`"` != it.Ref.ETag {
			out = append(out, remoteChange(snap, id, it, false))
			seen(it, `"`+o.ETag+`"`, false)
		}
	}
	for _, h := range resp.Deleted {
		if id, ok := byHref[t.path(h)]; ok {
			out = append(out, remoteChange(snap, id, st.Items[id], true))
			seen(st.Items[id], "", true)
		}
	}
	sortChanges(out)
	if resp.SyncToken == "" {
		resp.SyncToken = t.syncToken
	}
	return out, resp.SyncToken, nil
}

// path is the path of href (a path or a URL) as linkport spells hrefs.
func (t *Target) path(href string) string {
	if u, err := t.book.Parse(href); err == nil {
		return u.Path
	}
	return href
}

// listETags lists the book's cards by href with one PROPFIND (Depth 1).
func (t *Target) listETags(ctx context.Context) (map[string]string, error) {
	u := t.book
	res, _, err := t.propfindWith(ctx, &u, "1", etagsBody)
	if err != nil {
		return nil, fmt.Errorf("list address book: %w", err)
	}
	out := map[string]string{}
	for _, r := range res {
		if p := t.path(r.Href); strings.TrimSuffix(p, "/") != strings.TrimSuffix(t.book.Path, "/") && !strings.HasSuffix(p, "/") {
			out[p] = r.ETag
		}
	}
	return out, nil
}

// matchProps are the properties matching and recovery read of a card.
var matchProps = []string{vcard.FieldVersion, vcard.FieldUID, vcard.FieldFormattedName, vcard.FieldName,
	vcard.FieldOrganization, vcard.FieldEmail, vcard.FieldTelephone, vcard.FieldURL, card.FieldRFCSocialProfile,
	card.FieldSocialProfile, card.FieldMonicaSocialProfile, card.FieldLinkportID, FieldAdopted}

// listCards reads every card of the book: one addressbook-query REPORT,
// or, when go-webdav cannot read the answer whole (a weak ETag, one bad
// card), a listing of ETags and multigets in batches.
func (t *Target) listCards(ctx context.Context) ([]*remoteCard, error) {
	// Only what matching reads (a server may send more): photos stay on the
	// server. A card is read whole again before linkport writes to it.
	objs, err := t.dav.QueryAddressBook(ctx, t.book.Path, &carddav.AddressBookQuery{
		DataRequest: carddav.AddressDataRequest{Props: matchProps}})
	if err == nil {
		out := make([]*remoteCard, 0, len(objs))
		for _, o := range objs {
			out = append(out, &remoteCard{href: t.path(o.Path), etag: `"` + o.ETag + `"`, card: o.Card})
		}
		return out, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	t.log.Debug("addressbook-query failed; listing and fetching in batches", "err", err)
	etags, err := t.listETags(ctx)
	if err != nil {
		return nil, err
	}
	hrefs := make([]string, 0, len(etags))
	for h := range etags {
		hrefs = append(hrefs, h)
	}
	sort.Strings(hrefs)
	got := map[string]*remoteCard{}
	for i := 0; i < len(hrefs); i += multigetBatch {
		if err := t.multiget(ctx, hrefs[i:min(i+multigetBatch, len(hrefs))], got); err != nil {
			return nil, fmt.Errorf("read address book %s: %w", t.book.String(), err)
		}
	}
	out := make([]*remoteCard, 0, len(got))
	for _, h := range hrefs {
		if r := got[h]; r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}
