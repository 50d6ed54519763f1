package csvfile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Modes of a file target.
const (
	// ModeFull rewrites the file with everybody the target holds on every run.
	ModeFull = "full"
	// ModeChanges writes only the people created or updated by this run to
	// a file of its own (DatedPath), and the removed ones to its RemovedPath
	// companion; a run without changes writes nothing, so no file a CRM user
	// has not imported yet is ever replaced.
	ModeChanges = "changes"
)

// DefaultSourceLabel is the provenance written when Options.SourceLabel is empty.
const DefaultSourceLabel = "LinkedIn export"

// Options configure a file target.
type Options struct {
	// Path is the output file; split parts and the removed list are named
	// after it (see PartPaths and RemovedPath).
	Path string
	// Profile lays out the file (LoadProfile).
	Profile *Profile
	// Mode is ModeFull (the default) or ModeChanges.
	Mode string
	// SourceLabel is the provenance written where a CRM has a source column,
	// e.g. "LinkedIn export 2026-11-20".
	SourceLabel string
	// Now is the target's clock (default time.Now): it dates changes-mode
	// files, and tells whether a full-mode file's times are old enough to
	// vouch for its bytes (Witness).
	Now func() time.Time
	// Log hears which changes-mode file a run wrote (optional).
	Log *slog.Logger
	// Base is what the state says this target last received (the Sent
	// contact of every item not marked removed): in full mode the file holds
	// these people too, not only this run's changes. Ignored in changes mode.
	Base []*mapping.Contact
}

// Target is a CSV or vCard file written at Close. It is safe for
// concurrent Put and Remove calls.
type Target struct {
	opt Options

	mu      sync.Mutex
	rows    map[string]*mapping.Contact // by ID: who the file will hold
	removed map[string]*mapping.Contact // changes mode: who this run removed
	dated   string                      // changes mode: this run's file, once named
	touched bool                        // a Put or Remove was made
	witness string                      // what Close left, in Witness's terms
	// wrap, if set, wraps every output file's writer (tests inject failures).
	wrap func(io.Writer) io.Writer
}

var (
	_ connectors.Target          = (*Target)(nil)
	_ connectors.ClosingConfirms = (*Target)(nil)
	_ connectors.Witnessing      = (*Target)(nil)
)

// ConfirmsOnClose is true: the file is written whole at Close, so no write
// has landed before it succeeds.
func (*Target) ConfirmsOnClose() bool { return true }

// Witness is what a Close that succeeded left on disk, as Witness(path,
// mode) says it, from the bytes Close wrote or found already there: never
// from a second look, which an edit could slip in before. "" before Close.
func (t *Target) Witness() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.witness
}

// New returns a file target; nothing is written before Close.
func New(opt Options) (*Target, error) {
	if opt.Path == "" {
		return nil, errors.New("new file target: no path")
	}
	if opt.Profile == nil {
		return nil, fmt.Errorf("new file target %s: no profile", opt.Path)
	}
	if opt.Mode == "" {
		opt.Mode = ModeFull
	}
	if opt.Mode != ModeFull && opt.Mode != ModeChanges {
		return nil, fmt.Errorf("new file target %s: mode %q: want full or changes", opt.Path, opt.Mode)
	}
	if opt.SourceLabel == "" {
		opt.SourceLabel = DefaultSourceLabel
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	t := &Target{opt: opt, rows: map[string]*mapping.Contact{}, removed: map[string]*mapping.Contact{}}
	if opt.Mode == ModeFull {
		for _, c := range opt.Base {
			if c != nil {
				t.rows[c.ID] = c
			}
		}
	}
	return t, nil
}

// Export writes people to a full file in one go: the one-off
// `linkport export`. opt.Mode and opt.Base are ignored.
func Export(ctx context.Context, people []*mapping.Contact, opt Options) error {
	opt.Mode, opt.Base = ModeFull, nil
	t, err := New(opt)
	if err != nil {
		return err
	}
	for _, c := range people {
		if _, err := t.Put(ctx, c, nil, state.Ref{}); err != nil {
			return err
		}
	}
	return t.Close(ctx)
}

// Put records c for the file.
func (t *Target) Put(ctx context.Context, c, _ *mapping.Contact, _ state.Ref) (connectors.Outcome, error) {
	if err := ctx.Err(); err != nil {
		return connectors.Outcome{}, err
	}
	if c == nil {
		return connectors.Outcome{}, errors.New("put: nil contact")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows[c.ID] = c
	delete(t.removed, c.ID)
	t.touched = true
	return connectors.Outcome{Ref: state.Ref{Href: filepath.Base(t.opt.Path)}}, nil
}

// Remove drops c from the file (in changes mode it goes to the removed
// list). The zero Ref tells the state the row is gone.
func (t *Target) Remove(ctx context.Context, c *mapping.Contact, _ state.Ref) (connectors.Outcome, error) {
	if err := ctx.Err(); err != nil {
		return connectors.Outcome{}, err
	}
	if c == nil {
		return connectors.Outcome{}, errors.New("remove: nil contact")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.rows, c.ID)
	t.touched = true
	if t.opt.Mode == ModeChanges {
		t.removed[c.ID] = c
	}
	return connectors.Outcome{}, nil
}

// Close writes the file atomically. Full mode replaces it, also when no
// one changed, so a deleted or edited file comes back; a file that already
// holds exactly what would be written is left alone, its modification time
// too (a no-op sync writes nothing). Changes mode writes this
// run's changes to a new dated file (and the removed people beside it),
// and nothing when nothing changed. Close twice writes once.
func (t *Target) Close(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s: %w", t.opt.Path, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.opt.Mode != ModeChanges {
		checked := t.opt.Now() // before the files are compared or written
		n, write, err := t.layout(t.opt.Path, sorted(t.rows))
		if err != nil {
			return err
		}
		write, sums := hashing(write, n)
		if t.touched || !sameParts(t.opt.Path, n, write) {
			if err := writeParts(t.opt.Path, n, write, t.wrap); err != nil {
				return err
			}
		}
		t.witness = witnessOf(t.opt.Path, sums, checked)
		return nil
	}
	t.witness = ModeChanges
	if len(t.rows)+len(t.removed) == 0 {
		return nil
	}
	if t.dated == "" {
		t.dated = t.freePath()
	}
	if len(t.rows) > 0 {
		if err := t.write(t.dated, sorted(t.rows)); err != nil {
			return err
		}
		t.opt.Log.Info("wrote the changes", "file", t.dated, "people", len(t.rows))
	}
	if len(t.removed) > 0 {
		if err := t.write(RemovedPath(t.dated), sorted(t.removed)); err != nil {
			return err
		}
		t.opt.Log.Info("wrote the removals", "file", RemovedPath(t.dated), "people", len(t.removed))
	}
	return nil
}

// freePath is this run's dated file, moved on a second if a run in the
// same second already took the name: an earlier run's file is never replaced.
func (t *Target) freePath() string {
	now := t.opt.Now()
	for {
		p := DatedPath(t.opt.Path, now)
		taken := false
		for _, q := range []string{p, RemovedPath(p), PartPaths(p, 2)[0]} {
			if _, err := os.Lstat(q); err == nil {
				taken = true
			}
		}
		if !taken {
			return p
		}
		now = now.Add(time.Second)
	}
}

// write lays people out in the profile and replaces the file at path (and
// its numbered parts when over the row limit).
func (t *Target) write(path string, people []*mapping.Contact) error {
	n, write, err := t.layout(path, people)
	if err != nil {
		return err
	}
	return writeParts(path, n, write, t.wrap)
}

// layout is how people are laid out in the profile at path: how many
// parts, and what each one holds.
func (t *Target) layout(path string, people []*mapping.Contact) (int, writeFunc, error) {
	p := t.opt.Profile
	if p.Format == FormatVCard {
		return 1, func(w io.Writer, _ int) error { return writeVCards(w, people) }, nil
	}
	rows, rw := make([][]string, len(people)), p.rower()
	for i, c := range people {
		rows[i] = rw.row(c, t.opt.SourceLabel)
		if err := p.checkEncodable(rows[i]); err != nil {
			return 0, nil, fmt.Errorf("write %s: %s (%s): %w", path, c.Name, c.ID, err)
		}
	}
	limit := p.RowLimit
	if limit <= 0 || len(rows) <= limit {
		limit = max(len(rows), 1)
	}
	parts := max((len(rows)+limit-1)/limit, 1)
	header := p.Header()
	return parts, func(w io.Writer, i int) error {
		return p.writeCSV(w, header, rows[min(i*limit, len(rows)):min((i+1)*limit, len(rows))])
	}, nil
}

// sorted orders people by name (case-insensitively, then exactly) and ID,
// so the same people always give the same file.
func sorted(m map[string]*mapping.Contact) []*mapping.Contact {
	type keyed struct {
		lower string
		c     *mapping.Contact
	}
	ks := make([]keyed, 0, len(m))
	for _, c := range m {
		ks = append(ks, keyed{strings.ToLower(c.Name), c})
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.lower, b.lower), strings.Compare(a.c.Name, b.c.Name),
			strings.Compare(a.c.ID, b.c.ID))
	})
	out := make([]*mapping.Contact, len(ks))
	for i, k := range ks {
		out[i] = k.c
	}
	return out
}
