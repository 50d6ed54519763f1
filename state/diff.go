package state

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/linkport/linkport/mapping"
)

// Op is what a plan does to one contact on one target.
type Op string

// Plan operations.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpRemove Op = "remove"
)

// Change is one planned write.
type Change struct {
	Op Op
	// Contact is the contact to send, or for a remove the one last sent.
	Contact *mapping.Contact
	// Base is what the target last received (nil for a create).
	Base *mapping.Contact
	// Prev is the target's handle from the state, nil for a create: a first
	// plan is all creates, and a zero Ref in each was 48 bytes a person.
	// Ref reads it.
	Prev *Ref
	// Fields are the field-level changes of an update; nil for a create or
	// a remove. Nothing shows a create's fields (the reports list a create by
	// name, a webhook builds its own payload), and building them was a
	// quarter of a first diff's CPU.
	Fields map[string]mapping.Change
}

// Ref returns the target's handle from the state, the zero Ref for a create.
func (c *Change) Ref() Ref {
	if c.Prev == nil {
		return Ref{}
	}
	return *c.Prev
}

// Plan is everything one target needs to catch up with the graph.
type Plan struct {
	Target    string
	Type      string
	Changes   []Change
	Unchanged int
	// Known is how many live contacts the target held before: the removal guard's base.
	Known int
}

// Count returns how many changes of op the plan holds.
func (p Plan) Count(op Op) int {
	n := 0
	for _, c := range p.Changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Diff compares the graph (already identified) with what the named target
// last received. It is pure: dry runs and real runs share it. It fails only
// on a state item it cannot decode.
func Diff(s *Snapshot, target, typ string, g *mapping.Graph) (Plan, error) {
	p := Plan{Target: target, Type: typ}
	items := map[string]*Item{}
	if t := s.Targets[target]; t != nil {
		items = t.Items
	}
	for _, it := range items {
		if !it.Removed && !it.RemoteDeleted {
			p.Known++
		}
	}
	var seen map[string]bool // who the graph holds, to find who left it; a first plan has no one to find
	if len(items) > 0 {
		seen = make(map[string]bool, len(g.People))
	}
	fps := fingerprints(g.People, items)
	// The copies the plan needs (the bases of its updates and removals)
	// are read from the sent store in one pass, and only they.
	var bases []string
	for i, c := range g.People {
		if seen != nil {
			seen[c.ID] = true
		}
		if it := items[c.ID]; it != nil && !it.RemoteDeleted && (it.Removed || it.Fingerprint != fps[i]) {
			bases = append(bases, it.Fingerprint)
		}
	}
	var gone []string
	for id, it := range items {
		if !seen[id] && !it.Removed && !it.RemoteDeleted {
			gone = append(gone, id)
			bases = append(bases, it.Fingerprint)
		}
	}
	if err := s.sent.want(bases); err != nil {
		return Plan{}, fmt.Errorf("target %s: %w", target, err)
	}
	// Room for the people the target does not hold yet, so that a first
	// plan (everyone a create) does not grow the list forty times over.
	p.Changes = make([]Change, 0, max(len(g.People)-p.Known, 0)+8)
	for i, c := range g.People {
		it := items[c.ID]
		switch {
		case it == nil:
			p.Changes = append(p.Changes, Change{Op: OpCreate, Contact: c})
		case it.RemoteDeleted:
			p.Unchanged++ // the user deleted it on the target: leave it deleted
		case it.Removed || it.Fingerprint != fps[i]:
			base, err := s.Contact(it)
			if err != nil {
				return Plan{}, fmt.Errorf("target %s: contact %s: %w", target, c.ID, err)
			}
			p.Changes = append(p.Changes, Change{Op: OpUpdate, Contact: c, Base: base, Prev: refOf(it),
				Fields: mapping.DiffFields(base, c)})
		default:
			p.Unchanged++
		}
	}
	sort.Strings(gone)
	for _, id := range gone {
		it := items[id]
		last, err := s.Contact(it)
		if err != nil {
			return Plan{}, fmt.Errorf("target %s: contact %s: %w", target, id, err)
		}
		p.Changes = append(p.Changes, Change{Op: OpRemove, Contact: last, Base: last, Prev: refOf(it)})
	}
	return p, nil
}

// refOf copies the item's Ref: applying a change rewrites its item, and a
// plan says what the target held before.
func refOf(it *Item) *Ref {
	r := it.Ref
	return &r
}

// fingerprints hashes every person the target holds an item for (the
// others are creates: nothing compares their fingerprint), on every core:
// at 30,000 people it is the largest part of a diff after reading.
func fingerprints(people []*mapping.Contact, items map[string]*Item) []string {
	if len(items) == 0 {
		return nil // a first plan: everyone is a create, and no fingerprint is read
	}
	fps := make([]string, len(people))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(people) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(people); lo += chunk {
		hi := min(lo+chunk, len(people))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if _, held := items[people[i].ID]; held {
					fps[i] = mapping.Fingerprint(people[i])
				}
			}
		})
	}
	wg.Wait()
	return fps
}

// Limit caps how many removals a run may make: a count, or a percentage of
// what the target holds.
type Limit struct {
	Count   int
	Percent float64 // used when Count is negative
}

// DefaultLimit is max_delete's default: 10 %.
var DefaultLimit = Limit{Count: -1, Percent: 10}

// DefaultRenameLimit is max_rename's default: 5 %.
var DefaultRenameLimit = Limit{Count: -1, Percent: 5}

// ParseLimit reads "10%" or "25", the value of the config key named key.
func ParseLimit(key, s string) (Limit, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || f > 100 {
			return Limit{}, fmt.Errorf("parse %s %q: expected a percentage from 0%% to 100%%", key, s)
		}
		return Limit{Count: -1, Percent: f}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return Limit{}, fmt.Errorf("parse %s %q: expected a count like 25 or a percentage like 10%%", key, s)
	}
	return Limit{Count: n}, nil
}

func (l Limit) max(known int) int {
	if l.Count >= 0 {
		return l.Count
	}
	// Rounded up: on a small book one removal stays possible at 10 %.
	return int(math.Ceil(float64(known) * l.Percent / 100))
}

func (l Limit) String() string {
	if l.Count >= 0 {
		return strconv.Itoa(l.Count)
	}
	return strconv.FormatFloat(l.Percent, 'f', -1, 64) + "%"
}

// ErrTooManyRemovals stops a run whose plan removes more than the limit.
var ErrTooManyRemovals = errors.New("too many removals")

// ErrTooManyRenames stops a run whose plan renames more than the limit.
var ErrTooManyRenames = errors.New("too many renames")

// CheckRemovals is the removal guard: an empty export, or a plan removing
// more than the limit allows, is refused with an explanation. A shrunken
// export shows up here too, as removals.
func (p Plan) CheckRemovals(l Limit, people int) error {
	n := p.Count(OpRemove)
	if n == 0 {
		return nil
	}
	if people == 0 {
		return fmt.Errorf("target %s: %w: the export has no people but the target holds %d; "+
			"is this the right export? Re-run with --force to remove them all", p.Target, ErrTooManyRemovals, p.Known)
	}
	if max := l.max(p.Known); n > max {
		return fmt.Errorf("target %s: %w: the plan removes %d of %d contacts, more than max_delete (%s allows %d); "+
			"check the export, then re-run with --force or raise max_delete", p.Target, ErrTooManyRemovals, n, p.Known, l, max)
	}
	return nil
}

// CheckRenames is the rename guard: a plan that changes the name of more
// people than the limit allows is refused. Real networks rename a few
// people a year; a mass rename is a decoding or mapping accident (one
// stray byte read as Windows-1252 turns every "Müller" into "MÃ¼ller") and
// would rewrite every card on every phone.
func (p Plan) CheckRenames(l Limit) error {
	n := 0
	for _, c := range p.Changes {
		if ch, ok := c.Fields["name"]; ok && c.Op == OpUpdate && ch.Old != "" {
			n++
		}
	}
	if max := l.max(p.Known); n > max {
		return fmt.Errorf("target %s: %w: the plan renames %d of %d contacts, more than max_rename (%s allows %d); "+
			"check the export (its encoding above all), then re-run with --force or raise max_rename", p.Target, ErrTooManyRenames, n, p.Known, l, max)
	}
	return nil
}
