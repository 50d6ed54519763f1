package linkedin_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// expected is what the generator's activity says about one person.
type expected struct {
	last        time.Time
	count       int
	from        string
	invitedBy   string
	invitedOn   string
	notes       []string
	endorsedYou []string
	youEndorsed []string
	recommended string
}

func expectations(a *linkedintest.Activity) map[linkedintest.Person]*expected {
	out := map[linkedintest.Person]*expected{}
	get := func(p linkedintest.Person) *expected {
		if out[p] == nil {
			out[p] = &expected{}
		}
		return out[p]
	}
	for _, m := range a.Messages {
		if m.Draft {
			continue
		}
		for _, p := range m.With {
			e := get(p)
			e.count++
			if m.Date.Before(e.last) {
				continue
			}
			e.last = m.Date
			switch {
			case m.FromMe:
				e.from = "me"
			case m.From == p:
				e.from = "them"
			default:
				e.from = "other"
			}
		}
	}
	for _, inv := range a.Invitations {
		e := get(inv.With)
		e.invitedBy, e.invitedOn = "them", inv.SentAt.Format(time.DateOnly)
		if inv.Outgoing {
			e.invitedBy = "me"
		}
	}
	for _, n := range a.Notes {
		get(n.With).notes = append(get(n.With).notes, n.Text)
	}
	for _, en := range a.Endorsements {
		if en.Given {
			get(en.With).youEndorsed = append(get(en.With).youEndorsed, en.Skill)
		} else {
			get(en.With).endorsedYou = append(get(en.With).endorsedYou, en.Skill)
		}
	}
	for _, r := range a.Recommendations {
		if !r.Given {
			get(r.With).recommended = r.Date.Format(time.DateOnly)
		}
	}
	return out
}

// TestEnrichEras reads a generated archive of each era with every
// enrichment file, and checks each person against what the generator wrote.
func TestEnrichEras(t *testing.T) {
	for _, era := range []linkedintest.Era{linkedintest.Era2018, linkedintest.Era2021, linkedintest.Era2024, linkedintest.Era2026} {
		t.Run(fmt.Sprint(era), func(t *testing.T) {
			n := linkedintest.New(linkedintest.GenOptions{Seed: uint64(era), Era: era, Connections: 90, Contacts: 10, Activity: true})
			files := n.Files()
			exp, g := reconcile(t, files)
			if len(exp.Warnings) != 0 {
				t.Errorf("warnings: %v", exp.Warnings)
			}
			ego := enrich.Enrich(g, exp)
			owner := n.Activity.Owner
			if ego.Owner.Name != owner.Name() {
				t.Errorf("owner = %+v, want %s", ego.Owner, owner.Name())
			}
			if era >= linkedintest.Era2021 && ego.Owner.ProfileURL != owner.URL {
				t.Errorf("owner URL = %q, want %q", ego.Owner.ProfileURL, owner.URL)
			}
			if len(ego.Follows) != 4 || ego.Follows[0].FollowedOn.IsZero() {
				t.Errorf("follows = %+v, want 4 dated", ego.Follows)
			}
			// People by URL where Connections has URLs, else by unique name.
			byName := map[string][]*mapping.Contact{}
			for _, p := range g.People {
				byName[strings.ToLower(p.Name)] = append(byName[strings.ToLower(p.Name)], p)
			}
			checked := 0
			for who, want := range expectations(n.Activity) {
				var p *mapping.Contact
				if era >= linkedintest.Era2024 {
					p = findURL(g, who.URL)
				} else if ps := byName[strings.ToLower(mapping.NormalizeName(who.Name()))]; len(ps) == 1 {
					p = ps[0]
				}
				if p == nil {
					continue // two people share the name: matching by name must not guess
				}
				checked++
				if want.count > 0 {
					if got := p.Extras().LastContacted; got != want.last.UTC().Format(time.DateOnly) || p.Extras().MessageCount != want.count || p.Extras().LastMessageFrom != want.from {
						t.Errorf("%s: last contacted %s, %d messages, last from %q; want %s, %d, %q",
							p.Name, got, p.Extras().MessageCount, p.Extras().LastMessageFrom, want.last.UTC().Format(time.DateOnly), want.count, want.from)
					}
				} else if p.Extras().MessageCount != 0 || p.Extras().LastContacted != "" {
					t.Errorf("%s: %d messages, last %s; want none", p.Name, p.Extras().MessageCount, p.Extras().LastContacted)
				}
				if p.Extras().InvitedBy != want.invitedBy || p.Extras().InvitedOn != want.invitedOn {
					t.Errorf("%s: invited by %q on %q, want %q on %q", p.Name, p.Extras().InvitedBy, p.Extras().InvitedOn, want.invitedBy, want.invitedOn)
				}
				if !slices.Equal(p.Extras().Notes, want.notes) || !slices.Equal(p.Extras().EndorsedYou, want.endorsedYou) ||
					!slices.Equal(p.Extras().YouEndorsed, want.youEndorsed) || p.Extras().RecommendedYou != want.recommended {
					t.Errorf("%s: notes %q endorsed you %q you endorsed %q recommended %q; want %q %q %q %q", p.Name,
						p.Extras().Notes, p.Extras().EndorsedYou, p.Extras().YouEndorsed, p.Extras().RecommendedYou, want.notes, want.endorsedYou, want.youEndorsed, want.recommended)
				}
			}
			if checked < 20 {
				t.Errorf("only %d people checked; the fixture is too small or matching fails", checked)
			}
			if era >= linkedintest.Era2024 && ego.Stats.Messages.Unmatched != 0 {
				t.Errorf("stats %+v: with URLs every message reaches a person", ego.Stats)
			}
			// Bodies never reach a contact.
			for _, p := range g.People {
				if s := fmt.Sprintf("%+v", *p); strings.Contains(s, "conversation") || strings.Contains(s, "two\nlines") {
					t.Fatalf("%s carries a message body: %s", p.Name, s)
				}
			}
		})
	}
}

func findURL(g *mapping.Graph, url string) *mapping.Contact {
	_, want := mapping.NormalizeProfileURL(url)
	for _, p := range g.People {
		if _, s := mapping.NormalizeProfileURL(p.ProfileURL); s == want {
			return p
		}
	}
	return nil
}

const connections2021 = linkedintest.Preamble + `First Name,Last Name,Email Address,Company,Position,Connected On
Jane,"Doe, PhD",,Acme,CTO,01 Feb 2020
Omar,Haddad,,Initech,Engineer,02 Mar 2021
Omar,Haddad,,Hooli,Designer,03 Apr 2021
Ann,Lee,,,,04 May 2021`

// TestLastContacted pins the last-contacted date of a 2021-era (names only
// for people) and a 2026-era (quoted fields, line breaks in CONTENT)
// messages.csv, read through the whole archive path.
func TestLastContacted(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		want     map[string]string // person → "last|count|from"
		warnings []string
	}{
		{name: "2021 names", files: map[string]string{
			"Connections.csv": connections2021,
			"messages.csv": `CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER
2-a==,,"Jane Doe, PhD",https://www.linkedin.com/in/jane,Me Myself,2021-06-01 09:00:00 UTC,,hello,INBOX
2-a==,,Me Myself,https://www.linkedin.com/in/me,"Jane Doe, PhD",2021-06-03 23:30:00 UTC,,"reply, with comma",INBOX
2-b==,,Me Myself,https://www.linkedin.com/in/me,Omar Haddad,2022-01-01 10:00:00 UTC,,ambiguous name,INBOX
2-c==,,Ann Lee,https://www.linkedin.com/in/ann,Me Myself,2020-01-01 10:00:00 UTC,,old,INBOX
2-c==,,Ann Lee,https://www.linkedin.com/in/ann,Me Myself,not a date,,undated,INBOX
2-d==,,Me Myself,https://www.linkedin.com/in/me,"Ann Lee, Jane Doe, PhD",2023-03-03 10:00:00 UTC,,group,SPAM`,
			"Invitations.csv": "From,To,Sent At,Message,Direction\nMe Myself,Ann Lee,\"5/4/21, 9:05 PM\",\"Hi, Ann\",OUTGOING\n"},
			want:     map[string]string{`Jane Doe, PhD`: "2021-06-03|2|me", "Ann Lee": "2020-01-01|2|them"},
			warnings: []string{`messages.csv:6: unparseable date "not a date" in DATE`}},
		{name: "2026 quoted multiline", files: map[string]string{
			"Connections.csv": "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" +
				"Jane,\"Doe, PhD\",https://www.linkedin.com/in/jane,,Acme,CTO,01 Feb 2020\n" +
				"Zoë,Quill,https://www.linkedin.com/in/zo%C3%AB-quill,,,,05 Jun 2024",
			"messages.csv": `"CONVERSATION ID","CONVERSATION TITLE","FROM","SENDER PROFILE URL","TO","RECIPIENT PROFILE URLS","DATE","SUBJECT","CONTENT","FOLDER","ATTACHMENTS","IS MESSAGE DRAFT"` + "\r\n" +
				`"2-z==","","Me Myself","https://www.linkedin.com/in/me","Zoë Quill","https://www.linkedin.com/in/zo%C3%AB-quill","2026-02-01 08:00:00 UTC","","line one` + "\r\n" + `line ""two""","INBOX","","No"` + "\r\n" +
				`"2-z==","","Zoë Quill","https://www.linkedin.com/in/zo%C3%AB-quill","Me Myself","https://www.linkedin.com/in/me","2026-02-02 23:59:59 UTC","","ok` + "\n" + `bye","INBOX","","No"` + "\r\n" +
				`"2-z==","","Me Myself","https://www.linkedin.com/in/me","Zoë Quill","https://www.linkedin.com/in/zoë-quill","2026-03-01 08:00:00 UTC","","draft","INBOX","","Yes"` + "\r\n" +
				`"2-j==","","Me Myself","https://www.linkedin.com/in/me","Jane Doe, PhD","https://www.linkedin.com/in/jane","2025-01-01 10:00:00 UTC","","hi","INBOX","",""` + "\r\n"},
			want: map[string]string{"Zoë Quill": "2026-02-02|2|them", "Jane Doe, PhD": "2025-01-01|1|me"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{}
			for n, s := range tt.files {
				files[n] = []byte(s)
			}
			exp, err := linkedin.FromZipBytes(mustZip(t, files), "x.zip", linkedin.Options{}).Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var warns []string
			for _, w := range exp.Warnings {
				warns = append(warns, w.String())
			}
			for _, w := range tt.warnings {
				if !slices.ContainsFunc(warns, func(s string) bool { return strings.HasPrefix(s, w) }) {
					t.Errorf("warnings %q lack %q", warns, w)
				}
			}
			g := mapping.Reconcile(exp, mapping.Options{})
			enrich.Enrich(g, exp)
			enrich.Enrich(g, exp) // twice: no double counting
			for _, p := range g.People {
				want, ok := tt.want[p.Name]
				if got := fmt.Sprintf("%s|%s|%s", p.Extras().LastContacted, count(p.Extras().MessageCount), p.Extras().LastMessageFrom); ok && got != want {
					t.Errorf("%s: %s, want %s", p.Name, got, want)
				}
				if p.Name == "Omar Haddad" && p.Extras().MessageCount != 0 {
					t.Errorf("a message to an ambiguous name reached %s (%s)", p.Name, p.Company)
				}
			}
		})
	}
}

func count(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}
