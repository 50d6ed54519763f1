// Package state is linkport's memory: the state file (what each target last
// received, the identity map), its journal and lock, the diff that turns a
// graph into a plan, the removal guard, and the rendering of plans as reports.
package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state/atomicfile"
)

// Version is the state file format this linkport writes. Version 2 added
// the history beside the state (<state>.history); a version-1 state reads
// as one with an empty history, seeded by the next run's archives, and is
// written back as version 2.
const Version = 2

// Snapshot is the whole state file.
type Snapshot struct {
	Version int `json:"version"`
	// Identities maps every identity key ever seen ("url:…", "email:…",
	// "name:…|company") to the contact ID minted for it, so IDs survive a
	// contact gaining or losing keys.
	Identities map[string]string  `json:"identities"`
	Targets    map[string]*Target `json:"targets"`
	// Cursors are where incremental sources resume (see cursor.go).
	Cursors map[string]string `json:"cursors,omitempty"`
	// ForgetKey is the random key of the tombstones (hex), made by the
	// first forget; Graves are the tombstones (forget.go).
	ForgetKey string   `json:"forget_key,omitempty"`
	Graves    []string `json:"tombstones,omitempty"`

	graves  map[string]bool // Graves as a set, built on first use
	sent    *sentStore      // the contacts the items' fingerprints name
	path    string          // the file it was loaded from, "" for New
	history *History        // read on first use
	// saved is the SHA-256 of the state file as read or last written at
	// path: a Save that would write the same bytes writes nothing.
	saved [sha256.Size]byte
}

// Target is what one configured target holds, by contact ID.
type Target struct {
	Type  string           `json:"type"`
	Items map[string]*Item `json:"items"`
	// Book is what a CardDAV target keeps of its address book (book.go).
	Book *Book `json:"book,omitempty"`
}

// Item is one contact as a target last received it.
type Item struct {
	// Fingerprint names the contact as linkport sent it (the base of the
	// next merge), kept in the sent-contacts file beside the state.
	Fingerprint string `json:"fingerprint"`
	Ref         Ref    `json:"ref,omitzero"`
	// Removed: gone from LinkedIn, still on the target (marked or kept).
	Removed bool `json:"removed,omitempty"`
	// RemoteDeleted: the user deleted it on the target; linkport leaves it deleted.
	RemoteDeleted bool `json:"remote_deleted,omitempty"`
}

// Contact returns what the target last received as item it.
func (s *Snapshot) Contact(it *Item) (*mapping.Contact, error) {
	return s.sent.get(it.Fingerprint)
}

// Sent returns the contacts the named target holds: every item neither
// removed nor deleted by the user.
func (s *Snapshot) Sent(target string) ([]*mapping.Contact, error) {
	t := s.Targets[target]
	if t == nil {
		return nil, nil
	}
	var out []*mapping.Contact
	for _, it := range t.Items {
		if it.Removed || it.RemoteDeleted {
			continue
		}
		c, err := s.Contact(it)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Ref is a target's handle for a contact (a CardDAV href and ETag).
type Ref struct {
	Href string `json:"href,omitempty"`
	ETag string `json:"etag,omitempty"`
	// Adopted is set on a card the user made that linkport linked to:
	// the properties and values the user had there first (AdoptedKept), which
	// linkport never owns. A string, so that a Ref stays comparable.
	Adopted string `json:"adopted,omitempty"`
}

// IsZero reports whether the target keeps no handle.
func (r Ref) IsZero() bool { return r == Ref{} }

// New returns an empty snapshot, not tied to a file.
func New() *Snapshot {
	return &Snapshot{Version: Version, Identities: map[string]string{}, Targets: map[string]*Target{},
		sent: newSentStore("")}
}

// Load reads the state file at path and replays its journal, if any. A
// missing file is an empty state; an unreadable or newer one is an error,
// never a silent reset.
func Load(path string) (*Snapshot, error) {
	b, err := os.ReadFile(path)
	s := New()
	s.sent, s.path = newSentStore(path), path
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read state: %w", err)
	default:
		if err := decode(b, s); err != nil {
			return nil, fmt.Errorf("read state %s: %w", path, err)
		}
		s.saved = sha256.Sum256(b)
	}
	s.sent.base = s.fingerprints()
	if err := replay(journalPath(path), s); err != nil {
		return nil, err
	}
	return s, nil
}

// fingerprints lists every fingerprint the items refer to.
func (s *Snapshot) fingerprints() map[string]bool {
	fps := map[string]bool{}
	for _, t := range s.Targets {
		for _, it := range t.Items {
			fps[it.Fingerprint] = true
		}
	}
	return fps
}

func decode(b []byte, s *Snapshot) error {
	s.Version = 0 // the file must say which version it is
	// segmentio's decoder is encoding/json's, without the reflection on
	// every value: the state is most of what a nightly run decodes. Parse
	// reads the bytes in place (its stream Decoder copied them into a
	// growing buffer and looked for the value's end again at each growth);
	// what follows the first value is ignored, as a json.Decoder does.
	if err := parseJSON(b, s); err != nil || s.Version < 1 || s.Version > Version {
		// Only a failure pays for a second, lenient look at the version.
		var head struct {
			Version int `json:"version"`
		}
		json.Unmarshal(b, &head)
		switch {
		case head.Version > Version:
			return fmt.Errorf("state version %d is newer than this linkport reads (%d): use a newer linkport", head.Version, Version)
		case head.Version < 1:
			return errors.New("not a linkport state file (expected JSON with a \"version\")")
		}
		return fmt.Errorf("decode: %w", err)
	}
	s.Version = Version // a version-1 state is a version-2 one without history
	if s.Identities == nil {
		s.Identities = map[string]string{}
	}
	if s.Targets == nil {
		s.Targets = map[string]*Target{}
	}
	return nil
}

// Save writes the snapshot atomically (temp file, fsync, rename, fsync of
// the directory) with mode 0600, after the sent contacts it refers to and
// the history (when it was read), then drops the journal it now contains.
// A file whose content would not change is not written (nor is the history
// or the sent store): a run that changed nothing leaves every file as it
// was, its modification time too. The history goes first: a crash before the state file is written leaves
// a history that the rerun's observations leave as it is.
func (s *Snapshot) Save(path string) error {
	if s.history == nil && s.path != path && s.path != "" { // saved elsewhere: carry the history over
		if _, err := s.History(); err != nil {
			return err
		}
	}
	if s.history != nil {
		if err := s.history.save(path); err != nil {
			return err
		}
	}
	if s.sent.path != path+".sent" { // a new snapshot, or saved elsewhere: carry the copies over
		if err := s.sent.load(); err != nil {
			return err
		}
		st := newSentStore(path)
		for fp, raw := range s.sent.disk {
			st.added[fp] = raw
		}
		for fp, raw := range s.sent.added {
			st.added[fp] = raw
		}
		st.disk, st.loaded = map[string]json.RawMessage{}, true
		s.sent = st
	}
	if err := s.sent.save(s.fingerprints()); err != nil {
		return err
	}
	// Compact (a 30,000-contact state loads in a third of the time), from
	// a buffer about the file's size: some 70 bytes an identity or item.
	size := len(s.Identities)
	for _, t := range s.Targets {
		if t != nil {
			size += len(t.Items)
		}
	}
	b, err := appendSnapshot(make([]byte, 0, 80*size+4096), s)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	b = append(b, '\n')
	if sum := sha256.Sum256(b); s.path != path || sum != s.saved {
		if err := atomicfile.Write(path, b, 0o600); err != nil {
			return fmt.Errorf("save state: %w", err)
		}
		s.saved = sum
	}
	if err := os.Remove(journalPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove journal: %w", err)
	}
	s.path = path
	return nil
}

// Target returns the state of the named target, creating it when new.
func (s *Snapshot) Target(name, typ string) *Target {
	t := s.Targets[name]
	if t == nil {
		t = &Target{Type: typ, Items: map[string]*Item{}}
		s.Targets[name] = t
	}
	return t
}

// Identify gives every person in g its stable ID: the ID already recorded
// for any of its keys (strongest first), else one minted from its strongest
// key. The person's keys are then recorded for that ID; the name key only
// for people without a profile URL, which is what carries an ID across the
// move from a URL-less (≤ 2023) export to a newer one.
//
// It returns the identity keys it added, for the journal: a run killed
// before its save must not forget the IDs its writes used. On a first run
// (no identities yet) those are all the state then holds, and the map
// returned is s.Identities itself, not a copy: read it, never write to it.
func (s *Snapshot) Identify(g *mapping.Graph) (added map[string]string) {
	return s.identify(g, nil)
}

// IdentifyEarlier identifies the people of an export older than newer
// (already identified) as Identify does; a person none of whose keys the
// state knows also takes the ID of the person of newer who shares their
// name key. Without it an archive from before 2023 (no profile URLs) read
// after a newer one would make strangers of everyone whose email it
// lacks: the state keeps no name key for people with a URL.
func (s *Snapshot) IdentifyEarlier(g, newer *mapping.Graph) (added map[string]string) {
	alias := map[string]string{}
	for _, p := range newer.People {
		for k := range p.Keys.All() {
			if strings.HasPrefix(k, "name:") {
				alias[k] = p.ID
			}
		}
	}
	return s.identify(g, alias)
}

func (s *Snapshot) identify(g *mapping.Graph, alias map[string]string) (added map[string]string) {
	added = map[string]string{}
	first := len(s.Identities) == 0
	if first { // every key is new: what it adds is the whole map, not kept twice
		keys := 0
		for _, p := range g.People {
			n := p.Keys.Len()
			keys += n
			if n > 1 && strings.HasPrefix(p.Keys.First(), "url:") {
				keys-- // the name key, not kept (below)
			}
		}
		s.Identities = make(map[string]string, keys)
		added = s.Identities
	}
	taken := make(map[string]bool, len(g.People))
	var known map[string]bool // every ID ever minted; built only when someone new needs one
	for _, p := range g.People {
		p.ID = ""
		for k := range p.Keys.All() {
			if id, ok := s.Identities[k]; ok && !taken[id] {
				p.ID = id
				break
			}
		}
		for k := range p.Keys.All() {
			if id, ok := alias[k]; ok && p.ID == "" && !taken[id] {
				p.ID = id
			}
		}
		if p.ID == "" {
			if known == nil {
				known = make(map[string]bool, len(s.Identities))
				for _, id := range s.Identities {
					known[id] = true
				}
			}
			p.ID = mint(p, taken, known)
		}
		taken[p.ID] = true
		hasURL := strings.HasPrefix(p.Keys.First(), "url:")
		for k := range p.Keys.All() {
			if hasURL && strings.HasPrefix(k, "name:") {
				continue // a profile URL never goes away: the weak key would only bloat the state
			}
			if _, ok := s.Identities[k]; !ok {
				s.Identities[k] = p.ID
				if !first {
					added[k] = p.ID
				}
			}
		}
	}
	return added
}

// mint derives an ID from the strongest key, so a lost state file yields
// the same IDs again; a suffix separates people who share that key.
func mint(p *mapping.Contact, taken, known map[string]bool) string {
	seed := p.Name
	if k := p.Keys.First(); k != "" {
		seed = k
	}
	for n := 0; ; n++ {
		in := seed
		if n > 0 {
			in = fmt.Sprintf("%s#%d", seed, n)
		}
		sum := sha256.Sum256([]byte(in))
		id := hex.EncodeToString(sum[:8])
		if !taken[id] && !known[id] {
			return id
		}
	}
}
