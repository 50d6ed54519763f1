package webhook_test

import (
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping"
)

// jobEvents returns the contact.job_changed events the receiver processed,
// in arrival order, and how many contact.updated it processed.
func (r *receiver) jobEvents() (jobs []webhook.Event, updates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.events {
		switch ev.Type {
		case webhook.TypeJobChanged:
			jobs = append(jobs, ev)
		case webhook.TypeUpdated:
			updates++
		}
	}
	return jobs, updates
}

// TestJobChangedEvent: runs against the loopback receiver, one contact
// created and then updated. A job change arrives as exactly one
// contact.job_changed, after its contact.updated, with from, to and on; an
// update that is no job change sends none.
func TestJobChangedEvent(t *testing.T) {
	at := func(title, company string) func(*mapping.Contact) {
		return func(c *mapping.Contact) { c.Title, c.Company = title, company }
	}
	dated := func(until string) func(*mapping.Contact) {
		return func(c *mapping.Contact) {
			c.Fill().Previous = []mapping.Position{{Title: "Engineer", Company: "Example GmbH", Until: until}}
		}
	}
	tests := []struct {
		name     string
		before   []func(*mapping.Contact) // what the receiver has (Person(1) is an Engineer at Example GmbH)
		after    []func(*mapping.Contact)
		want     bool
		from, to mapping.Position
		on       string // "" : the day of the run
	}{
		{name: "new company, dated by the history", after: []func(*mapping.Contact){at("Engineer", "Globex"), dated("2026-03-01")},
			want: true, from: mapping.Position{Title: "Engineer", Company: "Example GmbH"},
			to: mapping.Position{Title: "Engineer", Company: "Globex"}, on: "2026-03-01"},
		{name: "new title and company: one event", after: []func(*mapping.Contact){at("CTO", "Globex"), dated("2026-03-01")},
			want: true, from: mapping.Position{Title: "Engineer", Company: "Example GmbH"},
			to: mapping.Position{Title: "CTO", Company: "Globex"}, on: "2026-03-01"},
		{name: "new title, same company, no history", after: []func(*mapping.Contact){at("Staff Engineer", "Example GmbH")},
			want: true, from: mapping.Position{Title: "Engineer", Company: "Example GmbH"},
			to: mapping.Position{Title: "Staff Engineer", Company: "Example GmbH"}},
		{name: "empty to company", before: []func(*mapping.Contact){at("Engineer", "")}, after: []func(*mapping.Contact){at("Engineer", "Globex")}},
		{name: "company to empty", after: []func(*mapping.Contact){at("Engineer", "")}},
		{name: "case only", after: []func(*mapping.Contact){at("ENGINEER", "example gmbh")}},
		{name: "other field", after: []func(*mapping.Contact){func(c *mapping.Contact) { c.Name = "Renamed" }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReceiver(t, nil)
			e := newEnv(t)
			ps := people(3)
			for _, f := range tt.before {
				f(ps[1])
			}
			if _, err := e.sync(e.target(r.options()), ps, true); err != nil {
				t.Fatal(err)
			}
			moved := *ps[1]
			for _, f := range tt.after {
				f(&moved)
			}
			ps[1] = &moved
			day := time.Now().UTC().Format(time.DateOnly)
			if _, err := e.sync(e.target(r.options()), ps, true); err != nil {
				t.Fatal(err)
			}
			dayAfter := time.Now().UTC().Format(time.DateOnly)
			jobs, updates := r.jobEvents()
			if updates != 1 {
				t.Errorf("%d contact.updated, want 1 beside any job change", updates)
			}
			if !tt.want {
				if len(jobs) != 0 {
					t.Errorf("contact.job_changed sent for no job change: %+v", jobs)
				}
				return
			}
			if len(jobs) != 1 {
				t.Fatalf("%d contact.job_changed events, want exactly 1", len(jobs))
			}
			d := jobs[0].Data
			if d.ID != moved.ID || d.Name != moved.Name || d.Company != moved.Company {
				t.Errorf("job change of %s (%s at %s), want the contact %s", d.ID, d.Name, d.Company, moved.ID)
			}
			if d.From == nil || d.To == nil || *d.From != tt.from || *d.To != tt.to {
				t.Errorf("from %+v to %+v, want %+v to %+v", d.From, d.To, tt.from, tt.to)
			}
			if want := tt.on; want != "" && d.On != want || want == "" && d.On != day && d.On != dayAfter {
				t.Errorf("on %q, want %q", d.On, cmp(tt.on, day))
			}
			r.mu.Lock()
			types := []string{}
			for _, ev := range r.events {
				if ev.Data.ID == moved.ID {
					types = append(types, ev.Type)
				}
			}
			r.mu.Unlock()
			if want := []string{webhook.TypeCreated, webhook.TypeUpdated, webhook.TypeJobChanged}; !slices.Equal(types, want) {
				t.Errorf("events of the contact arrived as %v, want %v", types, want)
			}
			// a third run with nothing new sends nothing
			before := r.count()
			if p, err := e.sync(e.target(r.options()), ps, true); err != nil || len(p.Changes) != 0 || r.count() != before {
				t.Errorf("re-run: %d changes, %d requests, err %v; want nothing", len(p.Changes), r.count()-before, err)
			}
		})
	}
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestJobChangedRedelivered: the receiver processes the job change but
// answers 502 (a duplicate it must recognise), then the run dies before
// saving the state, so the next run plans the same update again. The
// redelivery carries the same event id and body (the receiver checks),
// the re-planned change queues nothing new, and once the state is saved
// nothing more goes out: one job change, one distinct event.
func TestJobChangedRedelivered(t *testing.T) {
	var failed atomic.Bool
	r := newReceiver(t, nil)
	r.script = func(_ int, ids []string) act {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, id := range ids {
			if raw := r.eventIDs[id]; isJobChange(raw) && failed.CompareAndSwap(false, true) {
				return act{process: true, status: http.StatusBadGateway}
			}
		}
		return act{}
	}
	e := newEnv(t)
	ps := people(3)
	if _, err := e.sync(e.target(r.options()), ps, true); err != nil {
		t.Fatal(err)
	}
	moved := *ps[2]
	moved.Company = "Globex"
	moved.Fill().Previous = []mapping.Position{{Title: "Engineer", Company: "Example GmbH", Until: "2026-03-01"}}
	ps[2] = &moved

	if _, err := e.sync(e.target(r.options()), ps, false); err != nil { // delivered after the 502; the state is never saved
		t.Fatal(err)
	}
	if !failed.Load() {
		t.Fatal("the receiver never saw the job change")
	}
	opt := r.options()
	opt.Now = func() time.Time { return time.Now().Add(time.Minute) } // a later run: a new detection time
	if p, err := e.sync(e.target(opt), ps, true); err != nil || len(p.Changes) != 1 {
		t.Fatalf("re-planned run: %d changes, err %v; want the one update again", len(p.Changes), err)
	}
	if _, err := e.sync(e.target(opt), ps, true); err != nil {
		t.Fatal(err)
	}
	jobs, updates := r.jobEvents()
	if len(jobs) != 2 || jobs[0].ID != jobs[1].ID {
		t.Fatalf("job change processed as %d events %v; want the one event twice (its 502 redelivery), same id", len(jobs), eventIDs(jobs))
	}
	if updates != 1 {
		t.Errorf("contact.updated processed %d times, want once", updates)
	}
	r.mu.Lock()
	stamps := r.stamps[jobs[0].ID]
	r.mu.Unlock()
	if len(stamps) != 2 {
		t.Errorf("the job change was sent %d times, want twice (first answer 502)", len(stamps))
	}
	if d := jobs[0].Data; d.From.Company != "Example GmbH" || d.To.Company != "Globex" || d.On != "2026-03-01" {
		t.Errorf("job change %+v → %+v on %s", d.From, d.To, d.On)
	}
	if n := len(e.waiting("pending")); n != 0 {
		t.Errorf("%d events still pending", n)
	}
}

// isJobChange reports whether an event's bytes are a contact.job_changed.
func isJobChange(raw []byte) bool {
	evs, _, err := decode(raw)
	return err == nil && len(evs) == 1 && evs[0].Type == webhook.TypeJobChanged
}

func eventIDs(evs []webhook.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}
