// Package enrich adds what the rest of a LinkedIn archive says about the
// people of a reconciled graph (messages, invitations, notes, endorsements,
// recommendations), finds the archive's owner and lays out the ego network
// around them. It reads mapping's records and writes mapping's contacts,
// and knows no file format.
package enrich

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/linkport/linkport/mapping"
)

// Owner is the person whose archive it is: the centre of the ego network.
type Owner struct {
	Name       string `json:"name,omitempty"`
	ProfileURL string `json:"profile_url,omitempty"`
	// By says how the owner was found: "invitations", "messages" or "" (not found).
	By string `json:"by,omitempty"`
}

// Ego is what Enrich learns beyond the people themselves.
type Ego struct {
	Owner   Owner
	Follows []mapping.Follow // organisations the owner follows, one per name
	Stats   Stats
}

// Stats count the enrichment rows that reached a person and those that
// matched nobody (unknown or ambiguous name, a member who is no connection).
type Stats struct {
	Messages        Matched `json:"messages"`
	Invitations     Matched `json:"invitations"`
	Notes           Matched `json:"notes"`
	Endorsements    Matched `json:"endorsements"`
	Recommendations Matched `json:"recommendations"`
}

// Matched counts rows that matched a person and rows that did not.
type Matched struct {
	Matched   int `json:"matched"`
	Unmatched int `json:"unmatched"`
}

func (m *Matched) add(ok bool) {
	if ok {
		m.Matched++
	} else {
		m.Unmatched++
	}
}

// Enrich adds what the rest of the archive says to the people of g, which
// Reconcile built from the same export: last contact, message counts and
// who wrote last, invitations, private notes, endorsements and
// recommendations. A row reaches a person by profile URL first, then by full
// name when exactly one person has it (and has no other URL). Enrich
// replaces earlier enrichment, so calling it twice is harmless. Message
// bodies never reach a person: only dates and counts.
func Enrich(g *mapping.Graph, exp *mapping.Export) *Ego {
	ego := &Ego{Owner: DetectOwner(exp)}
	ix := newPeopleIndex(g.People, ego.Owner, newKeyCache())
	for _, p := range g.People {
		clearEnrichment(p)
	}
	enrichMessages(ix, &exp.Messages, &ego.Stats.Messages)
	for i := range exp.Invitations {
		inv := &exp.Invitations[i]
		name, url := inv.From, inv.FromURL
		by := "them"
		if inv.Outgoing {
			name, url, by = inv.To, inv.ToURL, "me"
		}
		p := ix.find(url, name)
		ego.Stats.Invitations.add(p != nil)
		if p == nil || (p.Extras().InvitedOn != "" && day(inv.SentAt) < p.Extras().InvitedOn) {
			continue // the newest invitation is the one that connected them
		}
		x := p.Fill()
		x.InvitedBy, x.InvitedOn, x.InvitationText = by, day(inv.SentAt), mapping.NormalizeName(inv.Text)
	}
	for i := range exp.Notes {
		n := &exp.Notes[i]
		p := ix.find(n.ProfileURL, n.FirstName+" "+n.LastName)
		ego.Stats.Notes.add(p != nil)
		if t := strings.TrimSpace(n.Text); p != nil && t != "" && !slices.Contains(p.Extras().Notes, t) {
			x := p.Fill()
			x.Notes = append(x.Notes, t)
		}
	}
	for i := range exp.Endorsements {
		e := &exp.Endorsements[i]
		p := ix.find(e.ProfileURL, e.FirstName+" "+e.LastName)
		ego.Stats.Endorsements.add(p != nil)
		switch {
		case p == nil:
		case e.Given:
			x := p.Fill()
			x.YouEndorsed = mapping.AppendNames(x.YouEndorsed, e.Skill)
		default:
			x := p.Fill()
			x.EndorsedYou = mapping.AppendNames(x.EndorsedYou, e.Skill)
		}
	}
	for i := range exp.Recommendations {
		r := &exp.Recommendations[i]
		p := ix.find("", r.FirstName+" "+r.LastName)
		ego.Stats.Recommendations.add(p != nil)
		if p == nil {
			continue
		}
		when := day(r.Date)
		if when == "" {
			when = "yes"
		}
		if r.Given {
			p.Fill().YouRecommended = when
		} else {
			p.Fill().RecommendedYou = when
		}
	}
	seen := map[string]bool{}
	for _, f := range exp.Follows {
		if k := mapping.NameKey(f.Organization); k != "" && !seen[k] {
			seen[k] = true
			f.Organization = mapping.NormalizeName(f.Organization)
			ego.Follows = append(ego.Follows, f)
		}
	}
	return ego
}

// clearEnrichment empties what Enrich fills in, and leaves the history's
// part of p.Extra as it was.
func clearEnrichment(p *mapping.Contact) {
	if e := p.Extra; e != nil {
		*e = mapping.Extra{Previous: e.Previous, EmailLastSeen: e.EmailLastSeen, PhoneLastSeen: e.PhoneLastSeen}
	}
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// enrichMessages counts, per person, the messages of every conversation they
// take part in and notes the newest one: its date and who wrote it. It
// reads the groups of rows that agree on who wrote to whom: a group's rows
// reach the same people with the same "from", so counting them one by one
// would change nothing.
func enrichMessages(ix *peopleIndex, ms *mapping.Messages, st *Matched) {
	type newest struct {
		date time.Time
		row  int // ties go to the later row, as a row-by-row pass would
		from string
	}
	// Dates are formatted once per person at the end, not per group.
	last := map[*mapping.Contact]newest{}
	for _, m := range ms.Groups() {
		fromMe := m.Outgoing || ix.isOwner(m.FromURL, m.From)
		var sender *mapping.Contact
		if !fromMe {
			sender = ix.find(m.FromURL, m.From)
		}
		people := ix.recipients(m.To, m.ToURLs)
		if sender != nil && !slices.Contains(people, sender) {
			people = append(people, sender)
		}
		if len(people) > 0 {
			st.Matched += m.Count
		} else {
			st.Unmatched += m.Count
		}
		for _, p := range people {
			p.Fill().MessageCount += m.Count
			if !m.Dated {
				continue
			}
			if l, ok := last[p]; ok && cmp.Or(m.Newest.Compare(l.date), cmp.Compare(m.NewestRow, l.row)) < 0 {
				continue
			}
			n := newest{date: m.Newest, row: m.NewestRow, from: "other"}
			switch {
			case fromMe:
				n.from = "me"
			case sender == p:
				n.from = "them"
			}
			last[p] = n
		}
	}
	for p, n := range last {
		x := p.Fill()
		x.LastContacted, x.LastMessageFrom = day(n.date), n.from
	}
}

// peopleIndex finds the person a row names. Its maps are built at the
// first lookup: an archive with nothing to enrich its people with (a lone
// Connections.csv) never pays for them.
type peopleIndex struct {
	people []*mapping.Contact
	byURL  map[string]*mapping.Contact   // profile slug → person
	byName map[string][]*mapping.Contact // name key → people
	owner  Owner
	slug   string // the owner's slug
	name   string // the owner's name key
	keys   *keyCache
}

func newPeopleIndex(people []*mapping.Contact, owner Owner, keys *keyCache) *peopleIndex {
	ix := &peopleIndex{people: people, owner: owner, keys: keys}
	_, ix.slug = mapping.NormalizeProfileURL(owner.ProfileURL)
	ix.name = mapping.NameKey(owner.Name)
	return ix
}

// url is the person with the profile slug s, if any.
func (ix *peopleIndex) url(s string) *mapping.Contact {
	ix.build()
	return ix.byURL[s]
}

// named are the people whose name key is k.
func (ix *peopleIndex) named(k string) []*mapping.Contact {
	ix.build()
	return ix.byName[k]
}

func (ix *peopleIndex) build() {
	if ix.byURL != nil {
		return
	}
	// Sized for everyone at once: growing two maps of 40,000 was most of the index's cost.
	ix.byURL, ix.byName = make(map[string]*mapping.Contact, len(ix.people)), make(map[string][]*mapping.Contact, len(ix.people))
	for _, p := range ix.people {
		if _, s := mapping.NormalizeProfileURL(p.ProfileURL); s != "" {
			ix.byURL[s] = p
		}
		if k := mapping.NameKey(p.Name); k != "" {
			ix.byName[k] = append(ix.byName[k], p)
		}
	}
}

// isOwner reports whether a URL (or a name, when either URL is unknown) is the owner's.
func (ix *peopleIndex) isOwner(url, name string) bool {
	if s := ix.keys.slug(url); s != "" && ix.slug != "" {
		return s == ix.slug
	}
	return ix.owner.Name != "" && ix.keys.name(name) == ix.name
}

// find returns the person with this profile URL or, failing that, the one
// person with this full name whose own URL (if any) does not contradict url.
func (ix *peopleIndex) find(url, name string) *mapping.Contact {
	if ix.isOwner(url, name) {
		return nil
	}
	slug := ix.keys.slug(url)
	if p := ix.url(slug); slug != "" && p != nil {
		return p
	}
	ps := ix.named(ix.keys.name(name))
	if len(ps) != 1 {
		return nil
	}
	if s := ix.keys.slug(ps[0].ProfileURL); s != "" && slug != "" && s != slug {
		return nil
	}
	return ps[0]
}

// recipients returns the people a message went to, the owner excluded: by
// URL, then by the names in To. Names are split on ", " and the longest
// run of parts that is someone's name wins, so "Jane Doe, PhD" stays whole.
func (ix *peopleIndex) recipients(to string, toURLs []string) []*mapping.Contact {
	var out []*mapping.Contact
	add := func(p *mapping.Contact) {
		if p != nil && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	unmatched := false
	for _, u := range toURLs {
		if s := ix.keys.slug(u); s != "" && s != ix.slug {
			if p := ix.url(s); p != nil {
				add(p)
			} else {
				unmatched = true
			}
		}
	}
	if len(toURLs) > 0 && !unmatched {
		return out
	}
	parts := strings.Split(to, ", ")
	for i := 0; i < len(parts); {
		j := len(parts)
		for ; j > i; j-- {
			name := strings.Join(parts[i:j], ", ")
			if ix.isOwner("", name) {
				break
			}
			if ps := ix.named(ix.keys.name(name)); len(ps) == 1 {
				add(ps[0])
				break
			}
		}
		i = max(j, i+1)
	}
	return out
}

// DetectOwner finds the archive's owner, whose URL is not in Profile.csv:
//  1. from invitations: the inviter of OUTGOING ones and the invitee of
//     INCOMING ones, the most frequent URL (and name) winning;
//  2. else from messages: the sender of 2018's OUTGOING/SENT messages, or the
//     URL (name when no URLs) taking part in the most conversations, if no
//     other takes part in as many; the owner is in every conversation.
//
// Owner.By is "" when neither says.
func DetectOwner(exp *mapping.Export) Owner {
	kc := newKeyCache()
	// Groups come in the order of their first rows, so the first spelling
	// a vote remembers is the first row's, as counting row by row would.
	msgs := exp.Messages.Groups()
	urls, names := votes{}, votes{}
	for _, inv := range exp.Invitations {
		if inv.Outgoing {
			urls.add(kc, inv.FromURL, 1)
			names.add(kc, inv.From, 1)
		} else {
			urls.add(kc, inv.ToURL, 1)
			names.add(kc, inv.To, 1)
		}
	}
	if o := (Owner{ProfileURL: urls.best(false), Name: names.best(false), By: "invitations"}); o.ProfileURL != "" || o.Name != "" {
		if o.ProfileURL == "" { // before late 2023 invitations carry names only
			sent := votes{}
			owner := mapping.NameKey(o.Name)
			for _, m := range msgs {
				if kc.name(m.From) == owner {
					sent.add(kc, m.FromURL, m.Count)
				}
			}
			o.ProfileURL = sent.best(true)
		}
		return o
	}
	urls, names = votes{}, votes{}
	sent := votes{}
	type participant struct{ conv, kind, key string }
	// Participants counted in each conversation: a pair names one or more.
	counted := make(map[participant]bool, len(exp.Messages.Pairs()))
	once := func(conv, kind string, v votes, val string) {
		if val == "" {
			return
		}
		if k := (participant{conv, kind, kc.name(val)}); !counted[k] {
			counted[k] = true
			v.add(kc, val, 1)
		}
	}
	for _, m := range msgs {
		if m.Outgoing {
			sent.add(kc, m.From, m.Count)
		}
	}
	// A conversation's groups in the order their rows first came tell who
	// takes part as the rows themselves would: a row of a group already
	// seen in the conversation names nobody new.
	convs := exp.Messages.Conversations()
	for _, p := range exp.Messages.Pairs() {
		m := &msgs[p.Group]
		conv := convs[p.Conv]
		if conv == "" {
			conv = m.From + "|" + m.To
		}
		once(conv, "u:", urls, m.FromURL)
		for _, u := range m.ToURLs {
			once(conv, "u:", urls, u)
		}
		once(conv, "n:", names, m.From)
	}
	if n := sent.best(false); n != "" {
		return Owner{Name: n, By: "messages"}
	}
	o := Owner{ProfileURL: urls.best(true), By: "messages"}
	if o.ProfileURL != "" {
		senders := votes{}
		owner := slugOf(o.ProfileURL)
		for _, m := range msgs {
			if kc.slug(m.FromURL) != "" && kc.slug(m.FromURL) == owner {
				senders.add(kc, m.From, m.Count)
			}
		}
		o.Name = senders.best(false)
		return o
	}
	if o.Name = names.best(true); o.Name != "" {
		return o
	}
	return Owner{}
}

func slugOf(url string) string {
	_, s := mapping.NormalizeProfileURL(url)
	return s
}

// votes counts values by their comparison key, remembering the first spelling.
type votes map[string]*vote

type vote struct {
	value string
	n     int
}

func (v votes) add(kc *keyCache, value string, n int) {
	value, k := kc.vote(value)
	if k == "" {
		return
	}
	if v[k] == nil {
		v[k] = &vote{value: value}
	}
	v[k].n += n
}

// best is the most frequent value; with unique, "" when another value ties it.
func (v votes) best(unique bool) string {
	all := make([]*vote, 0, len(v))
	for _, x := range v {
		all = append(all, x)
	}
	slices.SortFunc(all, func(a, b *vote) int { return cmp.Or(b.n-a.n, strings.Compare(a.value, b.value)) })
	switch {
	case len(all) == 0:
		return ""
	case unique && len(all) > 1 && all[1].n == all[0].n:
		return ""
	}
	return all[0].value
}

// maxCached bounds the strings one keyCache remembers; past it, keys are
// computed each time.
const maxCached = 1 << 16

// keyCache remembers the slug, name key and vote key of the strings the
// enrichment rows repeat: a heavy user's half a million messages name a
// few thousand people, and normalising a name or URL each time was most of
// Enrich.
type keyCache struct {
	slugs, names map[string]string
	votes        map[string][2]string
}

func newKeyCache() *keyCache {
	return &keyCache{slugs: map[string]string{}, names: map[string]string{}, votes: map[string][2]string{}}
}

// slug is mapping.NormalizeProfileURL's slug of s.
func (c *keyCache) slug(s string) string {
	if v, ok := c.slugs[s]; ok {
		return v
	}
	_, v := mapping.NormalizeProfileURL(s)
	if len(c.slugs) < maxCached {
		c.slugs[s] = v
	}
	return v
}

// name is mapping.NameKey(s).
func (c *keyCache) name(s string) string {
	if v, ok := c.names[s]; ok {
		return v
	}
	v := mapping.NameKey(s)
	if len(c.names) < maxCached {
		c.names[s] = v
	}
	return v
}

// vote is the value a vote counts for and its key: a profile URL in its
// canonical form under its slug, else the normalised name under its key.
func (c *keyCache) vote(s string) (value, key string) {
	if v, ok := c.votes[s]; ok {
		return v[0], v[1]
	}
	value = mapping.NormalizeName(s)
	key = mapping.NameKey(value)
	if canon, slug := mapping.NormalizeProfileURL(value); slug != "" {
		value, key = canon, "url:"+slug
	}
	if len(c.votes) < maxCached {
		c.votes[s] = [2]string{value, key}
	}
	return value, key
}
