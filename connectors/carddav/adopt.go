package carddav

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// Adopt policies: what happens to a person about to be created who is in
// the address book already, on a card the user made.
const (
	// AdoptSuggest (the default) creates no card for a person with a
	// certain match and reports the match; nothing of the user's is touched.
	AdoptSuggest = "suggest"
	// AdoptLink merges linkport's properties into the user's card for a
	// certain match; linkport then owns only what it added.
	AdoptLink = "link"
	// AdoptOff matches nothing: every person gets a card of their own.
	AdoptOff = "off"
)

// FieldAdopted marks a card of the user's that linkport linked to: its
// value lists what the user had there first (see keptOf), so that even a
// run killed before its state was saved knows what is not linkport's.
const FieldAdopted = "X-LINKPORT-ADOPTED"

// cardProp is a property linkport writes: single-valued (linkport's whole
// when it added it) or a set of values.
type cardProp struct {
	name string
	set  bool
}

// writtenProps are the properties card.New writes, from the field
// catalogue, plus UID, NOTE (a block, merged on its own) and CATEGORIES.
var writtenProps = func() []cardProp {
	out := []cardProp{{vcard.FieldUID, false}}
	for _, f := range mapping.Catalogue() {
		for _, p := range f.Card {
			out = append(out, cardProp{p.Name, p.Set})
		}
	}
	return append(out, cardProp{vcard.FieldCategories, true})
}()

// valueKey is the comparison form of a value of prop: a phone by its
// E.164 form, an email normalised, a LinkedIn URL by its canonical form,
// anything else trimmed and lower-cased. "+44 (0)20 7946 0958" and
// "+442079460958" are one phone.
func valueKey(prop, v, region string) string {
	v = strings.TrimSpace(v)
	switch prop {
	case vcard.FieldTelephone:
		if p := mapping.NormalizePhone(strings.TrimPrefix(v, "tel:"), region); p.E164 != "" {
			return p.E164
		}
	case vcard.FieldEmail:
		if e := mapping.NormalizeEmail(v); e != "" {
			return e
		}
	case vcard.FieldURL, card.FieldRFCSocialProfile, card.FieldSocialProfile, card.FieldMonicaSocialProfile:
		if u, _ := mapping.NormalizeProfileURL(v); u != "" {
			return u
		}
	}
	return strings.ToLower(v)
}

func token(prop, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prop + ":" + hex.EncodeToString(sum[:6])
}

// keptOf lists what of linkport's properties the user's card already has:
// "FN" for a single-valued one, "EMAIL:<hash>" for a value of a set
// (hashed: the state needs only to recognise it). linkport never owns them.
func keptOf(c vcard.Card, region string) string {
	var out []string
	for _, p := range writtenProps {
		switch {
		case p.name == vcard.FieldCategories:
			for _, cat := range card.Categories(c) {
				out = append(out, token(p.name, strings.ToLower(cat)))
			}
		case p.set:
			for _, f := range c[p.name] {
				out = append(out, token(p.name, valueKey(p.name, f.Value, region)))
			}
		case strings.TrimSpace(c.Value(p.name)) != "":
			out = append(out, p.name)
		}
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), " ")
}

// withoutKept is ours less what the user had: the part of a card linkport
// owns on an adopted card. ours is not modified.
func withoutKept(ours vcard.Card, kept, region string) vcard.Card {
	k := map[string]bool{}
	for _, t := range strings.Fields(kept) {
		k[t] = true
	}
	out := vcard.Card{}
	for name, fs := range ours {
		out[name] = fs
	}
	for _, p := range writtenProps {
		switch {
		case p.name == vcard.FieldCategories:
			cats := card.Categories(out)
			delete(out, p.name)
			for _, cat := range cats {
				if !k[token(p.name, strings.ToLower(cat))] {
					card.AddCategory(out, cat)
				}
			}
		case p.set:
			var keep []*vcard.Field
			for _, f := range out[p.name] {
				if !k[token(p.name, valueKey(p.name, f.Value, region))] {
					keep = append(keep, f)
				}
			}
			if len(keep) == 0 {
				delete(out, p.name)
			} else {
				out[p.name] = keep
			}
		case k[p.name]:
			delete(out, p.name)
		}
	}
	return out
}

// mergeAdopted merges contact c into the user's card remote, which linkport
// adopted with kept (keptOf the card before the first merge). base is the
// contact as last sent (nil: nothing of it is on the card yet); c nil
// takes out everything linkport added (the person left LinkedIn). The
// user's properties and values are never touched; linkport's NOTE block
// goes into the user's NOTE, after their text.
func mergeAdopted(remote vcard.Card, base, c *mapping.Contact, kept, region string, overwrite bool) (vcard.Card, []string) {
	version := remote.Value(vcard.FieldVersion)
	build := func(p *mapping.Contact) vcard.Card {
		if p == nil {
			return vcard.Card{}
		}
		return withoutKept(card.New(p, version), kept, region)
	}
	ours, prior := build(c), build(base)
	if base == nil {
		overwrite = false // nothing of ours there yet: only what the card lacks is added
	}
	userNotes := len(remote[vcard.FieldNote])
	merged, conflicts := card.MergeCards(remote, prior, ours, overwrite)
	if notes := merged[vcard.FieldNote]; userNotes == 1 && len(notes) == 2 && !strings.Contains(notes[0].Value, card.NoteBlockStart) {
		// Phones show one NOTE: the block goes under the user's text.
		joined := *notes[0]
		joined.Value = strings.TrimRight(joined.Value, "\n") + "\n\n" + notes[1].Value
		merged[vcard.FieldNote] = []*vcard.Field{&joined}
	}
	if c == nil {
		delete(merged, FieldAdopted)
		delete(merged, card.FieldLinkportID)
	} else {
		merged.SetValue(FieldAdopted, kept)
	}
	return merged, conflicts
}

// foreign is a card of the user's in the book, as matching reads it.
type foreign struct {
	href, etag string
	card       vcard.Card
	name, org  string // NameKey of FN and of ORG's first part
}

// matcher finds the user's cards that people match. It is built once per
// run from one listing of the book.
type matcher struct {
	region             string
	cards              []*foreign
	email, phone, prof map[string][]int
	name, nameOrg      map[string][]int
	names              map[string]int         // how many people (and linkport cards) bear each name
	linked             map[string]*remoteCard // cards adopted by ID, found by their X-LINKPORT-ID
}

// newMatcher indexes the listed cards. Cards linkport wrote (they carry
// X-LINKPORT-ID) are never matched; those it adopted in an earlier run are
// kept by ID, so that a run killed after its write links them again
// instead of creating a duplicate. people are the names of the people to
// be created; with the names on linkport's own cards they decide whether a
// name is unique.
func newMatcher(list []*remoteCard, creates []*mapping.Contact, region string) *matcher {
	m := &matcher{region: region, email: map[string][]int{}, phone: map[string][]int{}, prof: map[string][]int{},
		name: map[string][]int{}, nameOrg: map[string][]int{}, names: map[string]int{}, linked: map[string]*remoteCard{}}
	sort.Slice(list, func(i, j int) bool { return list[i].href < list[j].href })
	for _, r := range list {
		if id := r.card.Value(card.FieldLinkportID); id != "" {
			if r.card.Value(vcard.FieldUID) != card.UID(id) {
				m.linked[id] = r
			}
			m.names[mapping.NameKey(r.card.Value(vcard.FieldFormattedName))]++
			continue
		}
		f := &foreign{href: r.href, etag: r.etag, card: r.card,
			name: mapping.NameKey(r.card.Value(vcard.FieldFormattedName)),
			org:  mapping.NameKey(strings.SplitN(r.card.Value(vcard.FieldOrganization), ";", 2)[0])}
		i := len(m.cards)
		m.cards = append(m.cards, f)
		add := func(idx map[string][]int, k string) {
			if k != "" && !slices.Contains(idx[k], i) {
				idx[k] = append(idx[k], i)
			}
		}
		for _, e := range r.card.Values(vcard.FieldEmail) {
			add(m.email, mapping.NormalizeEmail(e))
		}
		for _, t := range r.card.Values(vcard.FieldTelephone) {
			add(m.phone, mapping.NormalizePhone(strings.TrimPrefix(strings.TrimSpace(t), "tel:"), region).E164)
		}
		for _, p := range []string{vcard.FieldURL, card.FieldRFCSocialProfile, card.FieldSocialProfile, card.FieldMonicaSocialProfile} {
			for _, v := range r.card.Values(p) {
				u, _ := mapping.NormalizeProfileURL(v)
				add(m.prof, u)
			}
		}
		if f.name != "" {
			add(m.name, f.name)
			if f.org != "" {
				add(m.nameOrg, f.name+"|"+f.org)
			}
		}
	}
	for _, c := range creates {
		m.names[mapping.NameKey(c.Name)]++
	}
	return m
}

// match finds the user's card that c is, strongest evidence first: the
// profile URL, an email, a phone (certain), then name and organisation, then
// a name unique among the cards and among the people (possible).
func (m *matcher) match(c *mapping.Contact) (*foreign, state.BookMatch, bool) {
	pick := func(idx []int, certain bool, by string) (*foreign, state.BookMatch, bool) {
		f := m.cards[idx[0]]
		if len(idx) > 1 {
			by += fmt.Sprintf(" (and %d more cards)", len(idx)-1)
		}
		return f, state.BookMatch{Href: f.href, Card: f.card.Value(vcard.FieldFormattedName), Person: c.Name, Certain: certain, By: by}, true
	}
	if u, _ := mapping.NormalizeProfileURL(c.ProfileURL); u != "" && len(m.prof[u]) > 0 {
		return pick(m.prof[u], true, "LinkedIn profile "+u)
	}
	for _, e := range c.Emails {
		if e = mapping.NormalizeEmail(e); e != "" && len(m.email[e]) > 0 {
			return pick(m.email[e], true, "email "+e)
		}
	}
	for _, p := range c.Phones {
		e164 := p.E164
		if e164 == "" {
			e164 = mapping.NormalizePhone(p.Raw, m.region).E164
		}
		if e164 != "" && len(m.phone[e164]) > 0 {
			return pick(m.phone[e164], true, "phone "+e164)
		}
	}
	name := mapping.NameKey(c.Name)
	if name == "" {
		return nil, state.BookMatch{}, false
	}
	if org := mapping.NameKey(c.Company); org != "" && len(m.nameOrg[name+"|"+org]) == 1 {
		return pick(m.nameOrg[name+"|"+org], false, "name and organisation")
	}
	if len(m.name[name]) == 1 && m.names[name] == 1 {
		return pick(m.name[name], false, "name (the only one in the book and in LinkedIn)")
	}
	return nil, state.BookMatch{}, false
}

// adoption is what Observe found for a person to be created.
type adoption struct {
	match    *state.BookMatch
	decision *state.Decision
	// linked is a card of the user's that already carries this person's
	// X-LINKPORT-ID: an earlier run linked it and was killed before saving.
	linked *remoteCard
}

// adopted checks a card linkport is about to merge into as an adopted
// card: the user's, or linked to this person already; never another's.
func adopted(id string) func(*remoteCard) bool {
	return func(r *remoteCard) bool {
		v := r.card.Value(card.FieldLinkportID)
		return (v == "" || v == id) && r.card.Value(vcard.FieldUID) != card.UID(id)
	}
}

// putAdopting is Put for a person to be created who is on a card of the
// user's: linked (the policy or the user's decision says so), reported as
// a match, or, done false, created as usual (no match, or rejected).
func (t *Target) putAdopting(ctx context.Context, c *mapping.Contact) (_ connectors.Outcome, done bool, _ error) {
	href, m := t.adoptTo(c.ID)
	switch {
	case m != nil:
		return connectors.Outcome{}, true, m
	case href == "":
		return connectors.Outcome{}, false, nil
	}
	r, err := t.get(ctx, href)
	if err != nil {
		return connectors.Outcome{}, true, err
	}
	if r == nil {
		t.log.Info("the matched card is gone from the server; creating a card of linkport's own", "href", href, "name", c.Name)
		return connectors.Outcome{}, false, nil
	}
	var kept string
	out, err := t.write(ctx, href, r, c.ID, adopted(c.ID), func(r *remoteCard) (vcard.Card, []string) {
		kept = r.card.Value(FieldAdopted)
		if kept == "" || r.card.Value(card.FieldLinkportID) != c.ID {
			kept = keptOf(r.card, t.opt.Region)
		}
		return mergeAdopted(r.card, nil, c, kept, t.opt.Region, false)
	}, true)
	if err == nil && !out.Ref.IsZero() {
		out.Ref.Adopted, out.Adopted = kept, true
	}
	return out, true, err
}

// adoptTo says what becomes of the person id to be created: linked to
// the card at href, reported as the match m, or (both zero) created.
func (t *Target) adoptTo(id string) (href string, m *connectors.Match) {
	t.mu.Lock()
	a := t.adoptions[id]
	t.mu.Unlock()
	switch {
	case a == nil:
		return "", nil
	case a.linked != nil:
		return a.linked.href, nil
	case a.decision != nil && !a.decision.Accept:
		return "", nil
	case a.decision != nil:
		return a.decision.Href, nil
	case a.match.Certain && t.opt.Adopt == AdoptLink:
		return a.match.Href, nil
	}
	return "", &connectors.Match{Href: a.match.Href, Name: a.match.Card, Certain: a.match.Certain, By: a.match.By}
}

// Foresee implements connectors.Observer: what Put would do with the
// create c, for a dry run.
func (t *Target) Foresee(c *mapping.Contact) (connectors.Outcome, error) {
	href, m := t.adoptTo(c.ID)
	switch {
	case m != nil:
		return connectors.Outcome{}, m
	case href != "":
		return connectors.Outcome{Ref: state.Ref{Href: href}, Adopted: true}, nil
	}
	return connectors.Outcome{}, nil
}

// putAdopted updates a card linkport adopted: only what it added is its own.
func (t *Target) putAdopted(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	r, err := t.remote(ctx, prev.Href)
	if err != nil {
		return connectors.Outcome{}, err
	}
	if r == nil {
		t.log.Info("linked card deleted on the server; leaving it deleted", "href", prev.Href, "name", c.Name)
		return connectors.Outcome{RemoteDeleted: true}, nil
	}
	out, err := t.write(ctx, prev.Href, r, c.ID, adopted(c.ID), func(r *remoteCard) (vcard.Card, []string) {
		return mergeAdopted(r.card, base, c, prev.Adopted, t.opt.Region, t.opt.Conflict == ConflictOverwrite)
	}, true)
	if err == nil && !out.Ref.IsZero() {
		out.Ref.Adopted = prev.Adopted
	}
	return out, err
}

// removeAdopted handles a person gone from LinkedIn whose card is the
// user's: never deleted. "delete" takes out what linkport added and
// unlinks the card, "mark" adds the category "LinkedIn: removed".
func (t *Target) removeAdopted(ctx context.Context, c *mapping.Contact, prev state.Ref) (connectors.Outcome, error) {
	r, err := t.remote(ctx, prev.Href)
	if err != nil || r == nil {
		return connectors.Outcome{}, err // the user deleted it: nothing of ours is left
	}
	unlink := t.opt.OnRemove == RemoveDelete
	out, err := t.write(ctx, prev.Href, r, c.ID, adopted(c.ID), func(r *remoteCard) (vcard.Card, []string) {
		if unlink {
			return mergeAdopted(r.card, c, nil, prev.Adopted, t.opt.Region, false)
		}
		version := r.card.Value(vcard.FieldVersion)
		base := withoutKept(card.New(c, version), prev.Adopted, t.opt.Region)
		marked := withoutKept(card.New(c, version), prev.Adopted, t.opt.Region)
		card.AddCategory(marked, card.CategoryRemoved)
		return card.MergeCards(r.card, base, marked, true)
	}, true)
	if err != nil || unlink {
		return connectors.Outcome{}, err
	}
	out.Ref.Adopted = prev.Adopted
	return out, nil
}
