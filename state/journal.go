package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/linkport/linkport/mapping"
)

// Result is one confirmed outcome of a target write.
type Result struct {
	Op  Op     `json:"op"`
	ID  string `json:"id"`
	Ref Ref    `json:"ref,omitzero"`
	// Sent is the contact as linkport sent it (nil for a remove).
	Sent *mapping.Contact `json:"sent,omitempty"`
	// Conflicts names owned fields the user changed on the target and linkport left alone.
	Conflicts []string `json:"conflicts,omitempty"`
	// RemoteDeleted: the target no longer had the contact because the user deleted it.
	RemoteDeleted bool `json:"remote_deleted,omitempty"`
	// Err is the failure, if any; failed results are reported, never journaled.
	Err error `json:"-"`
}

// Apply records a confirmed result in the named target's state.
func (s *Snapshot) Apply(target, typ string, r Result) {
	t := s.Target(target, typ)
	switch {
	case r.Op == OpRemove && r.Ref.IsZero():
		delete(t.Items, r.ID)
	case r.Op == OpRemove:
		if it := t.Items[r.ID]; it != nil {
			it.Removed, it.Ref = true, r.Ref
		}
	case r.RemoteDeleted:
		it := t.Items[r.ID]
		if it == nil {
			it = &Item{Fingerprint: s.keep(r.Sent)}
			t.Items[r.ID] = it
		}
		it.RemoteDeleted, it.Ref = true, Ref{}
	default:
		t.Items[r.ID] = &Item{Fingerprint: s.keep(r.Sent), Ref: r.Ref}
	}
}

// keep stores the contact as sent and returns its fingerprint.
func (s *Snapshot) keep(c *mapping.Contact) string {
	fp := mapping.Fingerprint(c)
	s.sent.put(fp, c)
	return fp
}

// Journal is the append-only log of confirmed writes of the current run.
// Each entry is fsynced before the next write, so a run killed at any
// instant is replayed by the next Load and nothing is sent twice or lost.
type Journal struct {
	f *os.File
	w *bufio.Writer // Append's, empty between calls
}

// entry is one journal line: a confirmed write, or the identities a run
// minted (journaled before its first write).
type entry struct {
	Target     string            `json:"target,omitempty"`
	Type       string            `json:"type,omitempty"`
	Result     Result            `json:"result,omitzero"`
	Identities map[string]string `json:"identities,omitempty"`
}

func journalPath(statePath string) string { return statePath + ".journal" }

// OpenJournal opens (or creates) the journal beside the state file.
func OpenJournal(statePath string) (*Journal, error) {
	f, err := os.OpenFile(journalPath(statePath), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	// A run killed mid-append left a torn last line, which Load ignored. Cut
	// it off, or this run's first entry would be glued to it and the damage
	// would sit mid-file, unreadable, once this run is killed too.
	b, err := io.ReadAll(f)
	if err == nil && len(b) > 0 && b[len(b)-1] != '\n' {
		err = f.Truncate(int64(bytes.LastIndexByte(b, '\n') + 1))
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &Journal{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// AppendIdentities durably records the identity keys a run minted, before
// any write that uses them: replayed, they keep a contact's ID even when
// the run dies before its save.
func (j *Journal) AppendIdentities(ids map[string]string) error {
	if len(ids) == 0 {
		return nil
	}
	// The keys in no order: replay needs none, and encoding/json's sorting
	// of a first run's 50,000 keys was most of this line's cost.
	b, err := appendJSON(nil, struct {
		Identities map[string]string `json:"identities"`
	}{ids})
	if err != nil {
		return fmt.Errorf("encode journal entry: %w", err)
	}
	return j.write(append(b, '\n'))
}

// Append durably records confirmed results with one fsync: one per write
// for a remote target, all at once for a file written whole.
//
// The entries stream through a buffer of fixed size: built whole, the
// 40,000 lines of a first sync into a file grew one buffer by doubling to
// some 30 MB, a seventh of that sync's CPU. A run killed part way leaves
// complete lines and a torn last one, as it could before; every line is a
// write already confirmed, and replay ignores the torn one.
func (j *Journal) Append(target, typ string, rs ...Result) error {
	var line []byte
	for _, r := range rs {
		line = append(appendEntry(line[:0], target, typ, r), '\n')
		j.w.Write(line) // an error stays in j.w, for Flush
	}
	if err := j.w.Flush(); err != nil { // and every later Append: the line it tore stays last
		return fmt.Errorf("write journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	return nil
}

// appendEntry appends the journal line of r, json.Marshal's bytes for
// entry{Target: target, Type: typ, Result: r}, with the contact written
// by Contact.AppendJSON: a first sync journals everyone, and reflection
// over their contacts was a seventh of it. TestJournalBatch holds it to
// json.Marshal.
func appendEntry(b []byte, target, typ string, r Result) []byte {
	b = append(b, '{')
	if target != "" {
		b = mapping.AppendJSONString(append(b, `"target":`...), target)
		b = append(b, ',')
	}
	if typ != "" {
		b = mapping.AppendJSONString(append(b, `"type":`...), typ)
		b = append(b, ',')
	}
	b = mapping.AppendJSONString(append(b, `"result":{"op":`...), string(r.Op))
	b = mapping.AppendJSONString(append(b, `,"id":`...), r.ID)
	if !r.Ref.IsZero() {
		b = appendRef(append(b, `,"ref":`...), r.Ref)
	}
	if r.Sent != nil {
		b = r.Sent.AppendJSON(append(b, `,"sent":`...))
	}
	if len(r.Conflicts) > 0 {
		b = mapping.AppendJSONStrings(append(b, `,"conflicts":`...), r.Conflicts)
	}
	if r.RemoteDeleted {
		b = append(b, `,"remote_deleted":true`...)
	}
	return append(b, "}}"...)
}

func (j *Journal) write(buf []byte) error {
	if _, err := j.f.Write(buf); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	return nil
}

// Close closes the journal file.
func (j *Journal) Close() error { return j.f.Close() }

// replay applies a leftover journal to s. A torn last line (the process died
// mid-write, so that write was never confirmed) is ignored; damage anywhere
// else is an error.
func replay(path string, s *Snapshot) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	lines := bytes.Split(b, []byte("\n"))
	for i, line := range lines[:len(lines)-1] { // the last piece is "" or the torn tail
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			return fmt.Errorf("read journal %s:%d: %w", path, i+1, err)
		}
		for k, id := range e.Identities {
			if _, ok := s.Identities[k]; !ok {
				s.Identities[k] = id
			}
		}
		if e.Target != "" {
			s.Apply(e.Target, e.Type, e.Result)
		}
	}
	return nil
}
