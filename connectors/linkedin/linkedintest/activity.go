package linkedintest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Era2026 is Era2024 plus Notes.csv, and messages.csv with every field
// quoted and real line breaks in CONTENT (reported since March 2026).
const Era2026 Era = 2026

// Person names someone in an enrichment row. URL is their profile even in
// eras whose Connections.csv has no URL column (messages.csv has had one
// since 2021), so readers must match those rows by name.
type Person struct {
	FirstName, LastName, URL string
}

// Name is the display name LinkedIn writes in From/To columns.
func (p Person) Name() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

// Message is one messages.csv row.
type Message struct {
	Conversation string
	From         Person // the owner or one of With
	FromMe       bool
	With         []Person // everyone in the conversation but the owner
	Date         time.Time
	Content      string
	Draft        bool // only written by eras with a draft column
}

// Invitation is one Invitations.csv row.
type Invitation struct {
	With     Person
	Outgoing bool // the owner invited them
	SentAt   time.Time
	Text     string
}

// Note is one Notes.csv row (Era2026).
type Note struct {
	With    Person
	Text    string
	Created time.Time
}

// Endorsement is one row of Endorsement_Received_Info.csv or _Given_.
type Endorsement struct {
	With  Person
	Given bool
	Skill string
	Date  time.Time
}

// Recommendation is one row of Recommendations_Received.csv or _Given.csv.
type Recommendation struct {
	With  Person
	Given bool
	Date  time.Time
}

// Follow is one Company Follows.csv row.
type Follow struct {
	Organization string
	FollowedOn   time.Time
}

// Activity is the rest of the archive: what the owner did with their network.
type Activity struct {
	Owner           Person
	Messages        []Message
	Invitations     []Invitation
	Notes           []Note
	Endorsements    []Endorsement
	Recommendations []Recommendation
	Follows         []Follow
}

var (
	skills   = []string{"Go", "Distributed Systems", "Product Management", "Public Speaking", "Data Analysis", "Negotiation"}
	greeting = []string{"", "Hi, great to meet you at the meetup!", `Loved your talk on "small tools", let's connect.`, "Hello —\nwould like to stay in touch."}
)

// activity fills n.Activity: conversations with about a third of the
// visible connections (one of them a group), invitations, endorsements,
// recommendations, company follows and, in Era2026, notes.
func (g *gen) activity(n *Network, exported time.Time) {
	a := &Activity{Owner: Person{"Alex", "Example", "https://www.linkedin.com/in/alex-example-00000000"}}
	var people []Person
	var since []time.Time
	for _, c := range n.Connections {
		if c.Hidden {
			continue
		}
		u := c.URL
		if u == "" {
			u = "https://www.linkedin.com/in/" + g.slug(c.FirstName, c.LastName)
		}
		people = append(people, Person{c.FirstName, c.LastName, u})
		since = append(since, c.ConnectedOn)
	}
	conv := 0
	talk := func(with []Person, from time.Time, msgs int) {
		conv++
		id := fmt.Sprintf("2-%016x==", g.r.Uint64())
		span := max(exported.Sub(from), time.Hour)
		for k := range msgs {
			m := Message{Conversation: id, With: with, Date: from.Add(time.Duration(k+1) * span / time.Duration(msgs+1)).Truncate(time.Second),
				Content: fmt.Sprintf("message %d of conversation %d, with a comma", k+1, conv)}
			if m.FromMe = g.r.IntN(2) == 0; m.FromMe {
				m.From = a.Owner
			} else {
				m.From = with[g.r.IntN(len(with))]
			}
			if k%3 == 1 {
				m.Content = "<p>two\nlines</p>"
			}
			m.Draft = n.Era >= Era2024 && k == msgs-1 && g.r.IntN(5) == 0
			a.Messages = append(a.Messages, m)
		}
	}
	for i, p := range people {
		if i%3 == 0 {
			talk([]Person{p}, since[i], 1+g.r.IntN(6))
		}
	}
	if len(people) >= 2 {
		talk([]Person{people[1], people[len(people)-1]}, since[1], 3)
	}
	for i, p := range people {
		switch {
		case i%5 < 2:
			a.Invitations = append(a.Invitations, Invitation{With: p, Outgoing: i%2 == 0,
				SentAt: since[i].Add(-time.Duration(g.r.IntN(24*60)) * time.Minute).Truncate(time.Minute),
				Text:   greeting[g.r.IntN(len(greeting))]})
		case i%7 == 3 && n.Era >= Era2026:
			a.Notes = append(a.Notes, Note{With: p, Text: "Met at the conference, owes me, a coffee", Created: since[i].AddDate(0, 1, 0)})
		}
		if n.Era >= Era2021 && i%6 == 2 {
			a.Endorsements = append(a.Endorsements, Endorsement{With: p, Skill: g.pick(skills), Date: since[i].AddDate(0, 2, 0)})
			if i%12 == 2 {
				a.Endorsements = append(a.Endorsements, Endorsement{With: p, Given: true, Skill: g.pick(skills), Date: since[i].AddDate(0, 3, 0)})
			}
		}
		if i%17 == 4 {
			a.Recommendations = append(a.Recommendations, Recommendation{With: p, Given: i%2 == 0, Date: since[i].AddDate(1, 0, 0)})
		}
	}
	for k := range 4 {
		a.Follows = append(a.Follows, Follow{Organization: companies[k*3], FollowedOn: exported.AddDate(0, -k*5, 0).Add(10 * time.Hour)})
	}
	n.Activity = a
}

// activityFiles renders the activity as the network's era writes it.
func (n *Network) activityFiles(files map[string][]byte) {
	a := n.Activity
	if a == nil {
		return
	}
	name := "messages.csv"
	if n.Era == Era2018 {
		name = "Messages.csv"
	}
	files[name] = n.messagesCSV()
	files["Invitations.csv"] = n.invitationsCSV()
	if n.Era >= Era2026 {
		files["Notes.csv"] = table([]string{"Connection First Name", "Connection Last Name", "Connection Profile URL", "Note", "Created On", "Edited On"},
			a.Notes, func(x Note) []string {
				return []string{x.With.FirstName, x.With.LastName, x.With.URL, x.Text, x.Created.Format("1/2/06, 3:04 PM"), ""}
			})
	}
	if n.Era >= Era2021 {
		for _, given := range []bool{false, true} {
			who, file := "Endorser", "Endorsement_Received_Info.csv"
			if given {
				who, file = "Endorsee", "Endorsement_Given_Info.csv"
			}
			head := []string{"Endorsement Date", "Skill Name", who + " First Name", who + " Last Name", who + " Public Url", "Endorsement Status"}
			if n.Era < Era2024 {
				head = slices.Delete(head, 4, 5)
			}
			rows := slices.DeleteFunc(slices.Clone(a.Endorsements), func(e Endorsement) bool { return e.Given != given })
			files[file] = table(head, rows, func(e Endorsement) []string {
				row := []string{e.Date.UTC().Format("2006/01/02 15:04:05 UTC"), e.Skill, e.With.FirstName, e.With.LastName,
					strings.TrimPrefix(e.With.URL, "https://"), "ACCEPTED"} // LinkedIn writes these URLs without a scheme
				if n.Era < Era2024 {
					row = slices.Delete(row, 4, 5)
				}
				return row
			})
		}
	}
	for _, given := range []bool{false, true} {
		file := "Recommendations_Received.csv"
		if given {
			file = "Recommendations_Given.csv"
		}
		rows := slices.DeleteFunc(slices.Clone(a.Recommendations), func(r Recommendation) bool { return r.Given != given })
		files[file] = table([]string{"First Name", "Last Name", "Company", "Job Title", "Text", "Creation Date", "Status"}, rows,
			func(r Recommendation) []string {
				return []string{r.With.FirstName, r.With.LastName, "", "", "A pleasure to work with.", r.Date.Format("01/02/06, 03:04 PM"), "VISIBLE"}
			})
	}
	files["Company Follows.csv"] = bytes.TrimSuffix(table([]string{"Organization", "Followed On"}, a.Follows, func(f Follow) []string {
		return []string{f.Organization, f.FollowedOn.UTC().Format("Mon Jan 02 15:04:05 UTC 2006")}
	}), []byte("\n"))
}

// table renders a header and one row per item.
func table[T any](head []string, items []T, row func(T) []string) []byte {
	rows := [][]string{head}
	for _, it := range items {
		rows = append(rows, row(it))
	}
	return writeRows(rows)
}

func writeRows(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	return b.Bytes()
}

func (n *Network) invitationsCSV() []byte {
	head := []string{"From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"}
	if n.Era < Era2024 {
		head = head[:5]
	}
	owner := n.Activity.Owner
	return table(head, n.Activity.Invitations, func(inv Invitation) []string {
		from, to, dir := inv.With, owner, "INCOMING"
		if inv.Outgoing {
			from, to, dir = owner, inv.With, "OUTGOING"
		}
		return []string{from.Name(), to.Name(), inv.SentAt.Format("1/2/06, 3:04 PM"), inv.Text, dir, from.URL, to.URL}[:len(head)]
	})
}

func (n *Network) messagesCSV() []byte {
	owner := n.Activity.Owner
	names := func(ps []Person) (string, string) {
		var ns, us []string
		for _, p := range ps {
			ns, us = append(ns, p.Name()), append(us, p.URL)
		}
		return strings.Join(ns, ", "), strings.Join(us, ",")
	}
	var head []string
	switch {
	case n.Era == Era2018:
		head = []string{"From", "To", "Date", "Subject", "Content", "Direction", "Folder"}
	case n.Era < Era2024:
		head = []string{"CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO", "DATE", "SUBJECT", "CONTENT", "FOLDER"}
	case n.Era < Era2026:
		head = []string{"CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO", "RECIPIENT PROFILE URLS", "DATE",
			"SUBJECT", "CONTENT", "FOLDER", "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"}
	default:
		head = []string{"CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO", "RECIPIENT PROFILE URLS", "DATE",
			"SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS", "IS MESSAGE DRAFT"}
	}
	rows := [][]string{head}
	for _, m := range n.Activity.Messages {
		to := slices.DeleteFunc(append([]Person{owner}, m.With...), func(p Person) bool { return p == m.From })
		toNames, toURLs := names(to)
		draft := "No"
		if m.Draft {
			draft = "Yes"
		}
		var row []string
		switch {
		case n.Era == Era2018:
			dir, folder := "INCOMING", "INBOX"
			if m.FromMe {
				dir, folder = "OUTGOING", "SENT"
			}
			row = []string{m.From.Name(), toNames, m.Date.Format("1/2/06, 3:04 PM"), "", m.Content, dir, folder}
		case n.Era < Era2024:
			row = []string{m.Conversation, "", m.From.Name(), m.From.URL, toNames, m.Date.UTC().Format("2006-01-02 15:04:05 UTC"), "", m.Content, "INBOX"}
		case n.Era < Era2026:
			row = []string{m.Conversation, "", m.From.Name(), m.From.URL, toNames, toURLs, m.Date.UTC().Format("2006-01-02 15:04:05 UTC"),
				"", m.Content, "INBOX", draft, "No"}
		default:
			row = []string{m.Conversation, "", m.From.Name(), m.From.URL, toNames, toURLs, m.Date.UTC().Format("2006-01-02 15:04:05 UTC"),
				"", strings.ReplaceAll(m.Content, "\n", "\r\n"), "INBOX", "", draft}
		}
		rows = append(rows, row)
	}
	if n.Era < Era2026 {
		return writeRows(rows)
	}
	return quoteAll(rows)
}

// quoteAll writes every field quoted, as 2026 exports do.
func quoteAll(rows [][]string) []byte {
	var b bytes.Buffer
	for _, row := range rows {
		for i, f := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}
