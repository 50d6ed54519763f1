package state

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state/atomicfile"
)

// A tombstone is HMAC-SHA256(ForgetKey, identity key), hex: a later export
// that holds any key of a forgotten person is recognised and skipped, yet
// the state holds no name, email or profile URL of theirs. The key is
// random per state (generated on the first forget), so the hashes cannot
// be matched against a list of hashed emails made elsewhere; whoever has
// the state and already knows a key can still test it, as unforget does.

// tombstoneKey returns the state's tombstone key, generating it once.
func (s *Snapshot) tombstoneKey() ([]byte, error) {
	if s.ForgetKey == "" {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("generate tombstone key: %w", err)
		}
		s.ForgetKey = hex.EncodeToString(k)
	}
	k, err := hex.DecodeString(s.ForgetKey)
	if err != nil || len(k) != 32 {
		return nil, errors.New("read state: forget_key is not 64 hexadecimal digits")
	}
	return k, nil
}

// Tombstone returns the tombstone of one person with identity keys keys
// ("url:…", "email:…", "name:…|…"): their hashes, sorted, joined by ",".
// One tombstone per person, so that unforget given any one key lifts the
// whole of it.
func (s *Snapshot) Tombstone(keys []string) (string, error) {
	hs, err := s.hashes(keys)
	if err != nil {
		return "", err
	}
	return strings.Join(hs, ","), nil
}

func (s *Snapshot) hashes(keys []string) ([]string, error) {
	k, err := s.tombstoneKey()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(keys))
	for _, key := range keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(key))
		out = append(out, hex.EncodeToString(m.Sum(nil)))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Bury adds tombstones (from Tombstone) to the state.
func (s *Snapshot) Bury(tombstones []string) {
	s.Graves = append(s.Graves, tombstones...)
	slices.Sort(s.Graves)
	s.Graves = slices.Compact(s.Graves)
	s.graves = nil
}

// Lift removes every tombstone that any of keys matches and returns how
// many it removed.
func (s *Snapshot) Lift(keys []string) (int, error) {
	if len(s.Graves) == 0 {
		return 0, nil
	}
	hs, err := s.hashes(keys)
	if err != nil {
		return 0, err
	}
	n := len(s.Graves)
	s.Graves = slices.DeleteFunc(s.Graves, func(g string) bool {
		return slices.ContainsFunc(strings.Split(g, ","), func(h string) bool { return slices.Contains(hs, h) })
	})
	s.graves = nil
	return n - len(s.Graves), nil
}

// IsForgotten reports whether any of c's identity keys has a tombstone.
func (s *Snapshot) IsForgotten(c *mapping.Contact) bool {
	if len(s.Graves) == 0 {
		return false
	}
	if s.graves == nil {
		s.graves = map[string]bool{}
		for _, g := range s.Graves {
			for _, h := range strings.Split(g, ",") {
				s.graves[h] = true
			}
		}
	}
	hs, err := s.hashes(c.Keys.List())
	if err != nil {
		return false
	}
	for _, h := range hs {
		if s.graves[h] {
			return true
		}
	}
	return false
}

// SkipForgotten drops from g the people a tombstone names and returns how
// many it dropped. Run calls it before identifying anyone, so a forgotten
// person's keys never reach the identities again.
func (s *Snapshot) SkipForgotten(g *mapping.Graph) int {
	if len(s.Graves) == 0 {
		return 0
	}
	n := len(g.People)
	names := map[string]bool{}
	g.People = slices.DeleteFunc(g.People, func(c *mapping.Contact) bool {
		if s.IsForgotten(c) {
			names[c.Name] = true
			return true
		}
		return false
	})
	// The report lists merges by the person's name: not theirs any more.
	g.Merges = slices.DeleteFunc(g.Merges, func(m mapping.Merge) bool { return names[m.Into] })
	return n - len(g.People)
}

// IdentityKeys returns the identity keys a contact has, as mapping makes
// them: the profile URL's slug, each email, and name with company.
func IdentityKeys(c *mapping.Contact) []string {
	var ks []string
	if _, slug := mapping.NormalizeProfileURL(c.ProfileURL); slug != "" {
		ks = append(ks, "url:"+slug)
	}
	for _, e := range c.Emails {
		if e = mapping.NormalizeEmail(e); e != "" {
			ks = append(ks, "email:"+e)
		}
	}
	if c.Name != "" {
		ks = append(ks, "name:"+mapping.NameKey(c.Name)+"|"+mapping.NameKey(c.Company))
	}
	return ks
}

// KeysOf returns every identity key the state knows for the person id:
// those in the identities, and those of every copy a target received and
// of every name, company, email and profile URL the history holds.
func (s *Snapshot) KeysOf(id string) ([]string, error) {
	var ks []string
	for k, v := range s.Identities {
		if v == id {
			ks = append(ks, k)
		}
	}
	for _, t := range s.Targets {
		if it := t.Items[id]; it != nil {
			c, err := s.Contact(it)
			if err != nil {
				return nil, err
			}
			ks = append(ks, IdentityKeys(c)...)
		}
	}
	h, err := s.History()
	if err != nil {
		return nil, err
	}
	if tl := h.Person(id); tl != nil {
		companies := tl.Field(FieldCompany)
		if len(companies) == 0 {
			companies = []Entry{{}}
		}
		for _, n := range tl.Field(FieldName) { // the pairs the history saw, and no name alone: that would bury namesakes
			for _, co := range companies {
				ks = append(ks, IdentityKeys(&mapping.Contact{Name: n.Value, Company: co.Value})...)
			}
		}
		for _, e := range tl.Field(FieldEmails) {
			ks = append(ks, IdentityKeys(&mapping.Contact{Emails: strings.Split(e.Value, "\n")})...)
		}
		for _, u := range tl.Field(FieldProfileURL) {
			ks = append(ks, IdentityKeys(&mapping.Contact{ProfileURL: u.Value})...)
		}
	}
	slices.Sort(ks)
	return slices.Compact(ks), nil
}

// Purge removes every trace of the people ids from the snapshot: their
// identities, every target's item and adoption match, the copies the sent
// store keeps of them and their history. Save then writes files without
// them (and drops the journal, which may hold their copies too).
func (s *Snapshot) Purge(ids []string) error {
	gone := map[string]bool{}
	for _, id := range ids {
		gone[id] = true
	}
	for k, id := range s.Identities {
		if gone[id] {
			delete(s.Identities, k)
		}
	}
	drop := map[string]bool{}
	for _, t := range s.Targets {
		for id := range gone {
			if it := t.Items[id]; it != nil {
				drop[it.Fingerprint] = true
				delete(t.Items, id)
			}
			if t.Book != nil {
				t.Book.Forget(id)
			}
		}
	}
	for fp := range s.fingerprints() { // another person sent with the very same content keeps it
		delete(drop, fp)
	}
	s.sent.purge(drop)
	h, err := s.History()
	if err != nil {
		return err
	}
	h.purge(gone)
	return nil
}

// Intent is a forget that has begun and not yet been saved: journaled in
// <state>.forget before any target is touched, so that a run killed at
// any point is finished by the next forget. It holds IDs and tombstone
// hashes only, nothing that says who the people were.
type Intent struct {
	IDs []string `json:"ids"`
	// Tombstones are one per person (Snapshot.Tombstone).
	Tombstones []string `json:"tombstones"`
}

// IntentPath is where the forget intent of the state at statePath lives.
func IntentPath(statePath string) string { return statePath + ".forget" }

// WriteIntent durably records a forget before it begins.
func WriteIntent(statePath string, in Intent) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode forget intent: %w", err)
	}
	if err := atomicfile.Write(IntentPath(statePath), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write forget intent: %w", err)
	}
	return nil
}

// ReadIntent returns the unfinished forget, nil when there is none.
func ReadIntent(statePath string) (*Intent, error) {
	b, err := os.ReadFile(IntentPath(statePath))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read forget intent: %w", err)
	}
	var in Intent
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("read forget intent %s: %w", IntentPath(statePath), err)
	}
	return &in, nil
}

// RemoveIntent ends a forget once the state without the people is saved.
func RemoveIntent(statePath string) error {
	if err := os.Remove(IntentPath(statePath)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove forget intent: %w", err)
	}
	return nil
}
