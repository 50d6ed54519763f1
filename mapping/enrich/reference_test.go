package enrich

import (
	"slices"
	"strings"
	"time"

	"github.com/linkport/linkport/mapping"
)

// The enrichment from messages as it was before messages.csv was folded
// (mapping.Messages): row by row over every row kept. The tests hold the
// folded enrichment to it.

// refEnrich is Enrich over rows instead of exp.Messages.
func refEnrich(g *mapping.Graph, exp *mapping.Export, rows []mapping.Message) *Ego {
	ego := &Ego{Owner: refDetectOwner(exp, rows)}
	ix := newPeopleIndex(g.People, ego.Owner, newKeyCache())
	for _, p := range g.People {
		clearEnrichment(p)
	}
	refEnrichMessages(ix, rows, &ego.Stats.Messages)
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
		p.Fill().InvitedBy, p.Fill().InvitedOn, p.Fill().InvitationText = by, day(inv.SentAt), mapping.NormalizeName(inv.Text)
	}
	for i := range exp.Notes {
		n := &exp.Notes[i]
		p := ix.find(n.ProfileURL, n.FirstName+" "+n.LastName)
		ego.Stats.Notes.add(p != nil)
		if t := strings.TrimSpace(n.Text); p != nil && t != "" && !slices.Contains(p.Extras().Notes, t) {
			p.Fill().Notes = append(p.Extras().Notes, t)
		}
	}
	for i := range exp.Endorsements {
		e := &exp.Endorsements[i]
		p := ix.find(e.ProfileURL, e.FirstName+" "+e.LastName)
		ego.Stats.Endorsements.add(p != nil)
		switch {
		case p == nil:
		case e.Given:
			p.Fill().YouEndorsed = mapping.AppendNames(p.Extras().YouEndorsed, e.Skill)
		default:
			p.Fill().EndorsedYou = mapping.AppendNames(p.Extras().EndorsedYou, e.Skill)
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

func refEnrichMessages(ix *peopleIndex, msgs []mapping.Message, st *Matched) {
	type newest struct {
		date time.Time
		from string
	}
	// Dates are formatted once per person at the end, not per message.
	last := map[*mapping.Contact]newest{}
	for i := range msgs {
		m := &msgs[i]
		fromMe := m.Outgoing || ix.isOwner(m.FromURL, m.From)
		var sender *mapping.Contact
		if !fromMe {
			sender = ix.find(m.FromURL, m.From)
		}
		people := refRecipients(ix, m)
		if sender != nil && !slices.Contains(people, sender) {
			people = append(people, sender)
		}
		st.add(len(people) > 0)
		for _, p := range people {
			p.Fill().MessageCount++
			if m.Date.IsZero() || (!last[p].date.IsZero() && m.Date.Before(last[p].date)) {
				continue
			}
			n := newest{date: m.Date, from: "other"}
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
		p.Fill().LastContacted, p.Fill().LastMessageFrom = day(n.date), n.from
	}
}

func refRecipients(ix *peopleIndex, m *mapping.Message) []*mapping.Contact {
	var out []*mapping.Contact
	add := func(p *mapping.Contact) {
		if p != nil && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	unmatched := false
	for _, u := range m.ToURLs {
		if s := ix.keys.slug(u); s != "" && s != ix.slug {
			if p := ix.url(s); p != nil {
				add(p)
			} else {
				unmatched = true
			}
		}
	}
	if len(m.ToURLs) > 0 && !unmatched {
		return out
	}
	parts := strings.Split(m.To, ", ")
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

// refDetectOwner is DetectOwner over rows instead of exp.Messages.
func refDetectOwner(exp *mapping.Export, rows []mapping.Message) Owner {
	kc := newKeyCache()
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
			for i := range rows {
				if m := &rows[i]; kc.name(m.From) == owner {
					sent.add(kc, m.FromURL, 1)
				}
			}
			o.ProfileURL = sent.best(true)
		}
		return o
	}
	urls, names = votes{}, votes{}
	sent := votes{}
	type participant struct{ conv, kind, key string }
	counted := map[participant]bool{} // participants counted in each conversation
	once := func(conv, kind string, v votes, val string) {
		if val == "" {
			return
		}
		if k := (participant{conv, kind, kc.name(val)}); !counted[k] {
			counted[k] = true
			v.add(kc, val, 1)
		}
	}
	for i := range rows {
		m := &rows[i]
		if m.Outgoing {
			sent.add(kc, m.From, 1)
		}
		conv := m.Conversation
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
		for i := range rows {
			if m := &rows[i]; kc.slug(m.FromURL) != "" && kc.slug(m.FromURL) == owner {
				senders.add(kc, m.From, 1)
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
