package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Event kinds of a person's timeline.
const (
	EventSeen        = "seen"         // a field's first value
	EventChanged     = "changed"      // a field's new value
	EventJobChange   = "job_change"   // a new company, or a new title within one
	EventPosition    = "position"     // a position that is not a job change (the first, or one without company)
	EventEmailHidden = "email_hidden" // the export no longer carries the addresses
	EventPhoneGone   = "phone_gone"   // the export no longer carries the numbers
	EventConnected   = "connected"    // first seen as a connection
	EventRemoved     = "removed"      // no longer a connection
	EventReconnected = "reconnected"  // a connection again
)

// Event is one dated step of a person's history.
type Event struct {
	On    string `json:"on"` // the export date (YYYY-MM-DD) that first showed it
	Kind  string `json:"kind"`
	Field string `json:"field,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// Person is `linkport history PERSON`: one person's timeline.
type Person struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Events []Event `json:"events"`
}

// NewPerson builds the timeline of t from the history.
func NewPerson(t *state.Timeline) *Person {
	p := &Person{ID: t.ID, Name: t.Current(state.FieldName), Events: []Event{}}
	for _, f := range []state.HistoryField{state.FieldName, state.FieldEmails, state.FieldPhones, state.FieldProfileURL, state.FieldConnectedOn} {
		es := t.Field(f)
		for i, e := range es {
			var prev string
			if i > 0 {
				prev = es[i-1].Value
			}
			ev := Event{On: e.Date, Field: f.String(), From: oneLine(prev), To: oneLine(e.Value), Kind: EventChanged}
			switch {
			case prev == "" && e.Value == "":
				continue
			case prev == "":
				ev.Kind = EventSeen
			case e.Value == "" && f == state.FieldEmails:
				ev.Kind = EventEmailHidden
			case e.Value == "" && f == state.FieldPhones:
				ev.Kind = EventPhoneGone
			}
			p.Events = append(p.Events, ev)
		}
	}
	ps := t.Positions()
	jobs := map[string]mapping.JobChange{}
	for _, c := range state.JobChanges(t.ID, p.Name, ps) {
		jobs[c.On] = c
	}
	for i, s := range ps {
		if c, ok := jobs[s.Since]; ok {
			p.Events = append(p.Events, Event{On: s.Since, Kind: EventJobChange, From: c.From.String(), To: c.To.String()})
			continue
		}
		if s.Company == "" && s.Title == "" {
			continue
		}
		ev := Event{On: s.Since, Kind: EventPosition, To: s.String()}
		if i > 0 {
			ev.From = ps[i-1].String()
		}
		p.Events = append(p.Events, ev)
	}
	was := false // a connection at some point before
	es := t.Field(state.FieldConnection)
	for i, e := range es {
		switch {
		case e.Value != "" && !was:
			p.Events = append(p.Events, Event{On: e.Date, Kind: EventConnected})
			was = true
		case e.Value != "":
			p.Events = append(p.Events, Event{On: e.Date, Kind: EventReconnected})
		case i > 0 && es[i-1].Value != "":
			p.Events = append(p.Events, Event{On: e.Date, Kind: EventRemoved})
		}
	}
	sort.SliceStable(p.Events, func(i, j int) bool { return p.Events[i].On < p.Events[j].On })
	return p
}

// oneLine shows a list value ("a\nb") as "a; b".
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }

func (e Event) String() string {
	switch e.Kind {
	case EventSeen:
		return fmt.Sprintf("%s: %s", e.Field, e.To)
	case EventChanged:
		return fmt.Sprintf("%s: %s → %s", e.Field, e.From, e.To)
	case EventJobChange:
		return fmt.Sprintf("job change: %s → %s", e.From, e.To)
	case EventPosition:
		if e.From == "" {
			return "position: " + e.To
		}
		return fmt.Sprintf("position: %s → %s", e.From, e.To)
	case EventEmailHidden:
		return "email no longer in the export (kept as last known): " + e.From
	case EventPhoneGone:
		return "phone no longer in the export (kept as last known): " + e.From
	case EventConnected:
		return "a connection"
	case EventRemoved:
		return "no longer a connection"
	case EventReconnected:
		return "a connection again"
	}
	return e.Kind
}

// Write renders the timeline as "text", "markdown" or "json".
func (p *Person) Write(w io.Writer, format string) error {
	return render(w, format, p, func(b *builder) {
		b.heading(fmt.Sprintf("%s (%s)", p.Name, p.ID))
		for _, e := range p.Events {
			b.item(e.On + "  " + e.String())
		}
	})
}

// Month is one month of the network's timeline.
type Month struct {
	Month       string `json:"month"`  // YYYY-MM
	Gained      int    `json:"gained"` // connections made that month (their connected-on date)
	Lost        int    `json:"lost"`   // connections gone in an export of that month
	Reconnected int    `json:"reconnected"`
	JobChanges  int    `json:"job_changes"`
}

// Network is `linkport history` without a person: the network over time.
type Network struct {
	Exports   []state.ExportInfo `json:"exports"`
	People    int                `json:"people"`
	Months    []Month            `json:"months"`
	MovedTo   []OrgCount         `json:"moved_to"`   // companies people moved to, most first
	MovedFrom []OrgCount         `json:"moved_from"` // companies people left, most first
}

// NewNetwork summarises the whole history.
func NewNetwork(h *state.History) *Network {
	n := &Network{Exports: h.Exports(), People: h.Len(), Months: []Month{}, MovedTo: []OrgCount{}, MovedFrom: []OrgCount{}}
	if n.Exports == nil {
		n.Exports = []state.ExportInfo{}
	}
	months := map[string]*Month{}
	month := func(date string) *Month {
		if len(date) < 7 {
			return nil
		}
		m := months[date[:7]]
		if m == nil {
			m = &Month{Month: date[:7]}
			months[date[:7]] = m
		}
		return m
	}
	to, from := map[string]int{}, map[string]int{}
	for _, id := range h.IDs() {
		t := h.Person(id)
		for _, e := range t.Field(state.FieldConnectedOn) {
			if m := month(e.Value); m != nil {
				m.Gained++
			}
		}
		p := NewPerson(t)
		for _, e := range p.Events {
			switch e.Kind {
			case EventRemoved:
				month(e.On).Lost++
			case EventReconnected:
				month(e.On).Reconnected++
			}
		}
		for _, c := range state.JobChanges(id, p.Name, t.Positions()) {
			month(c.On).JobChanges++
			if !strings.EqualFold(c.From.Company, c.To.Company) {
				to[c.To.Company]++
				from[c.From.Company]++
			}
		}
	}
	for _, m := range months {
		n.Months = append(n.Months, *m)
	}
	sort.Slice(n.Months, func(i, j int) bool { return n.Months[i].Month < n.Months[j].Month })
	n.MovedTo, n.MovedFrom = topCounts(to), topCounts(from)
	return n
}

func topCounts(m map[string]int) []OrgCount {
	out := []OrgCount{}
	for name, c := range m {
		out = append(out, OrgCount{name, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].People != out[j].People {
			return out[i].People > out[j].People
		}
		return out[i].Name < out[j].Name
	})
	return out[:min(topOrgs, len(out))]
}

// Write renders the network's timeline as "text", "markdown" or "json".
func (n *Network) Write(w io.Writer, format string) error {
	return render(w, format, n, func(b *builder) {
		dates := make([]string, len(n.Exports))
		for i, e := range n.Exports {
			dates[i] = e.Date
		}
		exports := "exports"
		if len(n.Exports) == 1 {
			exports = "export"
		}
		b.heading(fmt.Sprintf("linkport history: %d people over %d %s", n.People, len(n.Exports), exports))
		if len(dates) > 0 {
			b.line("exports: " + strings.Join(dates, ", "))
		}
		b.heading("by month (connections gained, lost, reconnected; job changes)")
		for _, m := range n.Months {
			b.item(fmt.Sprintf("%s  +%d -%d ↺%d  %d job changes", m.Month, m.Gained, m.Lost, m.Reconnected, m.JobChanges))
		}
		for _, l := range []struct {
			title string
			orgs  []OrgCount
		}{{"moved to", n.MovedTo}, {"moved from", n.MovedFrom}} {
			if len(l.orgs) == 0 {
				continue // no job change yet: no heading over nothing
			}
			b.heading(l.title)
			for _, o := range l.orgs {
				b.item(fmt.Sprintf("%s: %d", o.Name, o.People))
			}
		}
	})
}

// Ref names a person and a date in a digest.
type Ref struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	On     string `json:"on"`
	Detail string `json:"detail,omitempty"`
}

// Changes is `linkport changes --since DATE`: what happened since then.
type Changes struct {
	Since          string              `json:"since"`
	JobChanges     []mapping.JobChange `json:"job_changes"`
	NewConnections []Ref               `json:"new_connections"` // by their connected-on date
	Reconnected    []Ref               `json:"reconnected"`
	Removed        []Ref               `json:"removed"`
	EmailsHidden   []Ref               `json:"emails_hidden"` // Detail: the address(es) kept as last known
}

// NewChanges lists what the history saw on or after since (YYYY-MM-DD).
func NewChanges(h *state.History, since string) *Changes {
	c := &Changes{Since: since, JobChanges: []mapping.JobChange{}, NewConnections: []Ref{}, Reconnected: []Ref{}, Removed: []Ref{}, EmailsHidden: []Ref{}}
	for _, id := range h.IDs() {
		t := h.Person(id)
		p := NewPerson(t)
		back := false
		for _, e := range p.Events {
			if e.On < since {
				continue
			}
			ref := Ref{ID: id, Name: p.Name, On: e.On}
			switch e.Kind {
			case EventReconnected:
				c.Reconnected, back = append(c.Reconnected, ref), true
			case EventRemoved:
				c.Removed = append(c.Removed, ref)
			case EventEmailHidden:
				ref.Detail = e.From
				c.EmailsHidden = append(c.EmailsHidden, ref)
			}
		}
		if on := t.Current(state.FieldConnectedOn); on >= since && !back && t.Current(state.FieldConnection) != "" {
			c.NewConnections = append(c.NewConnections, Ref{ID: id, Name: p.Name, On: on})
		}
		for _, j := range state.JobChanges(id, p.Name, t.Positions()) {
			if j.On >= since {
				c.JobChanges = append(c.JobChanges, j)
			}
		}
	}
	sort.Slice(c.JobChanges, func(i, j int) bool {
		a, b := c.JobChanges[i], c.JobChanges[j]
		return a.On < b.On || a.On == b.On && a.Name < b.Name
	})
	for _, rs := range [][]Ref{c.NewConnections, c.Reconnected, c.Removed, c.EmailsHidden} {
		sort.Slice(rs, func(i, j int) bool { return rs[i].On < rs[j].On || rs[i].On == rs[j].On && rs[i].Name < rs[j].Name })
	}
	return c
}

// Write renders the digest as "text", "markdown" or "json".
func (c *Changes) Write(w io.Writer, format string) error {
	return render(w, format, c, func(b *builder) {
		b.heading("linkport changes since " + c.Since)
		b.heading(fmt.Sprintf("job changes (%d)", len(c.JobChanges)))
		for _, j := range c.JobChanges {
			b.item(fmt.Sprintf("%s  %s: %s → %s", j.On, j.Name, j.From, j.To))
		}
		for _, l := range []struct {
			title string
			refs  []Ref
		}{{"new connections", c.NewConnections}, {"connections again", c.Reconnected}, {"no longer connections", c.Removed}, {"emails no longer in the export (kept as last known)", c.EmailsHidden}} {
			b.heading(fmt.Sprintf("%s (%d)", l.title, len(l.refs)))
			for _, r := range l.refs {
				s := r.On + "  " + r.Name
				if r.Detail != "" {
					s += ": " + r.Detail
				}
				b.item(s)
			}
		}
	})
}

// ReconnectPerson is one person of `linkport reconnect`.
type ReconnectPerson struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Position      string `json:"position,omitempty"`
	Messages      int    `json:"messages"`
	LastContacted string `json:"last_contacted"`
}

// Reconnect is `linkport reconnect`: people written to often, not lately.
type Reconnect struct {
	AsOf        string            `json:"as_of"` // the export's date: what the messages can tell
	Months      int               `json:"months"`
	MinMessages int               `json:"min_messages"`
	People      []ReconnectPerson `json:"people"`
}

// NewReconnect lists the people of g with at least minMessages messages
// and none since before (YYYY-MM-DD), most messages first.
func NewReconnect(g *mapping.Graph, asOf, before string, months, minMessages int) *Reconnect {
	r := &Reconnect{AsOf: asOf, Months: months, MinMessages: minMessages, People: []ReconnectPerson{}}
	for _, p := range g.People {
		if p.Extras().MessageCount < minMessages || p.Extras().MessageCount == 0 || p.Extras().LastContacted == "" || p.Extras().LastContacted >= before {
			continue
		}
		pos := mapping.Position{Title: p.Title, Company: p.Company}
		r.People = append(r.People, ReconnectPerson{ID: p.ID, Name: p.Name, Position: pos.String(), Messages: p.Extras().MessageCount, LastContacted: p.Extras().LastContacted})
	}
	sort.Slice(r.People, func(i, j int) bool {
		a, b := r.People[i], r.People[j]
		switch {
		case a.Messages != b.Messages:
			return a.Messages > b.Messages
		case a.LastContacted != b.LastContacted:
			return a.LastContacted < b.LastContacted
		}
		return a.Name < b.Name
	})
	return r
}

// Write renders the list as "text", "markdown" or "json".
func (r *Reconnect) Write(w io.Writer, format string) error {
	return render(w, format, r, func(b *builder) {
		b.heading(fmt.Sprintf("linkport reconnect: %d people with %d+ messages, none in the %d months before %s",
			len(r.People), r.MinMessages, r.Months, r.AsOf))
		for _, p := range r.People {
			s := fmt.Sprintf("%s  %d messages, last %s", p.Name, p.Messages, p.LastContacted)
			if p.Position != "" {
				s += "  (" + p.Position + ")"
			}
			b.item(s)
		}
	})
}

// builder writes text or Markdown lines; names and values are escaped in Markdown.
type builder struct {
	b  strings.Builder
	md bool
}

func (b *builder) heading(s string) {
	if b.md {
		if b.b.Len() > 0 && !strings.HasSuffix(b.b.String(), "\n\n") {
			b.b.WriteString("\n")
		}
		b.b.WriteString("## " + mdEscape(s) + "\n\n")
		return
	}
	if b.b.Len() > 0 {
		b.b.WriteString("\n")
	}
	b.b.WriteString(s + "\n")
}

func (b *builder) line(s string) {
	if b.md {
		s = mdEscape(s)
	}
	b.b.WriteString(s + "\n")
}

func (b *builder) item(s string) {
	if b.md {
		b.b.WriteString("- " + mdEscape(s) + "\n")
		return
	}
	b.b.WriteString("  " + s + "\n")
}

// render writes v as JSON, or the lines fill builds as text or Markdown.
func render(w io.Writer, format string, v any, fill func(*builder)) error {
	switch format {
	case "json":
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		if err := e.Encode(v); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	case "text", "", "markdown":
		b := &builder{md: format == "markdown"}
		fill(b)
		if _, err := io.WriteString(w, strings.TrimPrefix(b.b.String(), "\n")); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	return fmt.Errorf("render report: unknown format %q (want text, json or markdown)", format)
}
