package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/csvfile"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// memoFormat changes whenever what memoKey hashes does: an old stamp then
// never matches.
const memoFormat = 1

// memoKey is everything a diff or sync depends on besides the state and
// the targets' own sides, which the stamp checks itself (connectors.Memo).
// Secrets are not in it: the configuration names where they come from,
// never holds them, and they decide whether a write succeeds, not what is
// planned.
type memoKey struct {
	Format int `json:"format"`
	// Linkport is this build: its version and its executable's size and
	// time, so that a rebuilt binary never trusts an older one's stamp.
	Linkport string `json:"linkport"`
	// Config is the whole configuration as written (after flags and
	// env); Targets are the ones this run syncs, as decoded.
	Config  *Config      `json:"config"`
	Targets []memoTarget `json:"targets"`
	Force   bool         `json:"force"`
	Inputs  []memoInput  `json:"inputs"`
	// Zone is the local time zone (file times date exports); Today is the
	// date of a run whose export has none (its observations take it).
	Zone  string `json:"zone"`
	Today string `json:"today,omitempty"`
}

// memoTarget is one target as the configuration decodes it, with the
// layout of a file target's profile (a user's profile file may change).
type memoTarget struct {
	Name      string                 `json:"name"`
	Type      string                 `json:"type"`
	OnMissing string                 `json:"on_missing"`
	Fields    connectors.FieldChoice `json:"fields"`
	CSV       *csvConfig             `json:"csv,omitempty"`
	Profile   *csvfile.Profile       `json:"profile,omitempty"`
	CardDAV   *carddavConfig         `json:"carddav,omitempty"`
	Webhook   *webhookConfig         `json:"webhook,omitempty"`
}

// memoInput is one archive: its path, date and bytes.
type memoInput struct {
	Name   string `json:"name"`
	At     string `json:"at"`
	Digest string `json:"digest"`
}

// kept is what a steady sync keeps for the runs that recall it.
type kept struct {
	// Report is report.(*Run).Remember's.
	Report json.RawMessage `json:"report"`
	// Warn are the whole-file warnings the run said on stderr, said again.
	Warn []string `json:"warn,omitempty"`
}

// memo builds the run's memo over the archives ins, or nil when the run
// cannot be recalled: an API source (what it would fetch is unknown
// until it is fetched), an export or binary that cannot be hashed, or a
// diff with no stamp to recall (a diff keeps none, so hashing the export,
// a heavy user's 120 MB messages.csv and all, would be wasted).
// Keep is set once the graph is built (keepRun), given the digests the
// key was made of.
func (a *app) memo(ctx context.Context, cfg *Config, names []string, ins []input, dryRun bool) (*connectors.Memo, []memoInput) {
	if cfg.Source.API != nil || (dryRun && !hasStamp(cfg.State)) {
		return nil, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, nil
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return nil, nil
	}
	k := memoKey{Format: memoFormat, Force: a.g.force, Config: cfg,
		Linkport: fmt.Sprintf("%s %d %d", versionString(), fi.Size(), fi.ModTime().UnixNano())}
	for _, name := range names {
		tc := cfg.targets[name]
		mt := memoTarget{Name: name, Type: tc.Type, OnMissing: tc.onMissing, Fields: tc.fields,
			CSV: tc.csv, CardDAV: tc.carddav, Webhook: tc.webhook}
		if tc.csv != nil {
			mt.Profile = tc.csv.profile
		}
		k.Targets = append(k.Targets, mt)
	}
	if k.Inputs, err = digests(ctx, ins); err != nil {
		a.log.Debug("the export cannot be hashed: the run is made", "err", err)
		return nil, nil
	}
	now := time.Now()
	zone, offset := now.Zone()
	k.Zone = fmt.Sprintf("%s %d", zone, offset)
	for _, in := range ins {
		if in.at.IsZero() {
			k.Today = now.Format(time.DateOnly)
		}
	}
	b, err := json.Marshal(k)
	if err != nil {
		return nil, nil
	}
	sum := sha256.Sum256(b)
	return &connectors.Memo{Key: hex.EncodeToString(sum[:])}, k.Inputs
}

// hasStamp reports whether a stamp may lie beside the state at statePath.
func hasStamp(statePath string) bool {
	_, err := os.Stat(state.StampPath(statePath))
	return !errors.Is(err, fs.ErrNotExist)
}

// digests hashes each archive.
func digests(ctx context.Context, ins []input) ([]memoInput, error) {
	out := make([]memoInput, 0, len(ins))
	for _, in := range ins {
		d, ok := in.src.(interface {
			Digest(context.Context) (string, error)
		})
		if !ok {
			return nil, fmt.Errorf("source %s cannot be hashed", in.name)
		}
		sum, err := d.Digest(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, memoInput{Name: in.name, At: in.at.Format(time.RFC3339Nano), Digest: sum})
	}
	return out, nil
}

// keepRun has memo keep g's report when the sync is steady, unless the
// archives are no longer the bytes hashed before they were read (before):
// the stamp would then vouch for bytes this run never saw.
func keepRun(ctx context.Context, memo *connectors.Memo, ins []input, before []memoInput, g *mapping.Graph) {
	if memo == nil {
		return
	}
	memo.Keep = func(out *connectors.RunOutcome) (json.RawMessage, error) {
		after, err := digests(ctx, ins)
		if err != nil || !sameInputs(before, after) {
			return nil, err
		}
		rep, err := report.NewRun(g, out).Remember()
		if err != nil {
			return nil, err
		}
		k := kept{Report: rep}
		for _, w := range g.Warnings {
			if w.Line == 0 {
				k.Warn = append(k.Warn, w.String())
			}
		}
		return json.Marshal(k)
	}
}

func sameInputs(a, b []memoInput) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// recalled prints the report of the run the state remembers: nothing was
// read, planned or written, because none of it would have changed.
func (a *app) recalled(raw json.RawMessage, dryRun bool) error {
	var k kept
	if err := json.Unmarshal(raw, &k); err != nil {
		return fmt.Errorf("decode the stamp: %w", err)
	}
	rep, err := report.Recalled(k.Report, dryRun)
	if err != nil {
		return err
	}
	for _, w := range k.Warn {
		a.log.Warn("input", "warning", w)
	}
	a.log.Debug("the export, the configuration and the state are those of the last sync, which changed nothing: nothing was read again")
	if a.g.quiet && !a.g.formatSet && (a.g.output == "" || a.g.output == "-") {
		return nil
	}
	return a.writeReport(func(w io.Writer) error { return rep.Write(w, a.g.format, report.Options{All: a.g.all}) })
}
