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
	"sort"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state/atomicfile"
)

// sentStore keeps every contact a target holds, as linkport sent it, in
// <state>.sent beside the state file: one line per distinct contact,
// {"fp":"<fingerprint>","contact":{…}}, addressed by its fingerprint. The
// state file itself holds only fingerprints, so a nightly run that changes
// nothing never reads these copies, and loading a 30,000-contact state
// stays cheap. A contact's copy is needed only as the base of a change.
//
// Crash safety: Save writes this file before the state file, and the file
// always keeps the contacts of both the state as loaded and the state
// being saved, so whichever state file survives a crash finds its copies.
type sentStore struct {
	path   string
	loaded bool                       // disk holds the whole file, not only what want read
	disk   map[string]json.RawMessage // fingerprint → contact, from the file
	added  map[string]json.RawMessage // sent during this run
	base   map[string]bool            // fingerprints the state on disk refers to
	purged bool                       // copies were purged: the next save rewrites the file
}

func newSentStore(statePath string) *sentStore {
	return &sentStore{path: statePath + ".sent", added: map[string]json.RawMessage{}, base: map[string]bool{}}
}

func (st *sentStore) put(fp string, c *mapping.Contact) {
	if _, ok := st.added[fp]; !ok {
		st.added[fp] = encode(c)
	}
}

// get returns the contact with fingerprint fp, reading the file on first use.
func (st *sentStore) get(fp string) (*mapping.Contact, error) {
	raw, ok := st.added[fp]
	if !ok {
		raw, ok = st.disk[fp]
	}
	if !ok {
		if err := st.load(); err != nil {
			return nil, err
		}
		if raw, ok = st.disk[fp]; !ok {
			return nil, fmt.Errorf("read %s: no contact with fingerprint %s (the file was lost or edited)", st.path, fp)
		}
	}
	var c mapping.Contact
	// segmentio's decoder, as for the state: a CSV target rewritten reads
	// every copy (FuzzSentDecode holds it to encoding/json's result).
	if err := unmarshalJSON(raw, &c); err != nil {
		return nil, fmt.Errorf("read %s: contact %s: %w", st.path, fp, err)
	}
	return &c, nil
}

// The fixed shape of a line, so the file is indexed without decoding it.
const (
	sentPrefix = `{"fp":"`
	sentMiddle = `","contact":`
)

// load reads every copy in the file.
func (st *sentStore) load() error {
	if st.loaded || st.path == "" {
		st.loaded = true
		return nil
	}
	st.disk = map[string]json.RawMessage{}
	if err := st.scan(func(string) bool { return true }); err != nil {
		return err
	}
	st.loaded = true
	return nil
}

// want reads the copies with the fingerprints fps from the file, and only
// those: a diff needs the bases of its updates and removals, a few of the
// many contacts the file holds, and holding the whole file (13 MB at 40,000
// people) for them cost more than the rest of the diff's state.
func (st *sentStore) want(fps []string) error {
	need := make(map[string]bool, len(fps))
	for _, fp := range fps {
		if _, ok := st.added[fp]; !ok && st.disk[fp] == nil {
			need[fp] = true
		}
	}
	if st.loaded || st.path == "" || len(need) == 0 {
		return nil
	}
	if st.disk == nil {
		st.disk = map[string]json.RawMessage{}
	}
	return st.scan(func(fp string) bool { return need[fp] })
}

// maxSentLine bounds one line of the file: far above any contact (a line
// is one person), it only stops a file that is not ours.
const maxSentLine = 64 << 20

// scan reads the file line by line, checking every line, and keeps in disk
// the copies whose fingerprint keep accepts. A missing file holds none (get
// says which copy is missing).
func (st *sentStore) scan(keep func(fp string) bool) error {
	f, err := os.Open(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read sent contacts: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxSentLine)
	sc.Split(splitLines)
	for n := 1; sc.Scan(); n++ {
		fp, c, err := st.parse(sc.Bytes(), n)
		if err != nil {
			return err
		}
		if keep(string(fp)) {
			st.disk[string(fp)] = bytes.Clone(c)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read sent contacts: %w", err)
	}
	return nil
}

// splitLines splits at each '\n' and keeps a '\r' before it, which a line
// is then refused for (bufio.ScanLines would drop it).
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// parse splits line n of the file into fingerprint and contact.
func (st *sentStore) parse(line []byte, n int) (fp, contact []byte, err error) {
	fp, rest, ok := bytes.Cut(bytes.TrimPrefix(line, []byte(sentPrefix)), []byte(sentMiddle))
	if !ok || !bytes.HasPrefix(line, []byte(sentPrefix)) || !bytes.HasSuffix(rest, []byte("}")) {
		return nil, nil, fmt.Errorf("read %s:%d: expected {\"fp\":…,\"contact\":{…}}", st.path, n)
	}
	return fp, rest[:len(rest)-1], nil
}

// save writes the copies that refs (the state about to be saved) and the
// state on disk refer to, atomically, and skips the write when nothing
// changed. The file is written in fingerprint order, as a stream: the
// copies kept from the file are copied line by line (merge), never all
// held, unless the whole file is loaded already.
func (st *sentStore) save(refs map[string]bool) error {
	if len(st.added) == 0 && sameKeys(refs, st.base) && !st.purged {
		return nil
	}
	keep := make([]string, 0, len(refs)+len(st.base))
	for fp := range refs {
		keep = append(keep, fp)
	}
	for fp := range st.base {
		if !refs[fp] {
			keep = append(keep, fp)
		}
	}
	sort.Strings(keep)
	err := errUnsorted
	if !st.loaded {
		err = st.write(keep, st.merge)
	}
	if errors.Is(err, errUnsorted) { // a file not in order (not written by save): read it whole
		if err = st.load(); err == nil {
			err = st.write(keep, st.fromMemory)
		}
	}
	if err != nil {
		return err
	}
	for fp, raw := range st.added {
		if st.disk != nil {
			st.disk[fp] = raw
		}
	}
	st.added = map[string]json.RawMessage{}
	st.base, st.purged = refs, false
	return nil
}

// errUnsorted stops a merge over a file whose lines are not in
// fingerprint order.
var errUnsorted = errors.New("the sent contacts are not in fingerprint order")

// write replaces the file with the copies keep names, in that order, as
// fill writes them.
func (st *sentStore) write(keep []string, fill func(w io.Writer, keep []string) error) error {
	f, err := atomicfile.Create(st.path, 0o600)
	if err != nil {
		return fmt.Errorf("save sent contacts: %w", err)
	}
	defer f.Close()
	if err := fill(f, keep); err != nil {
		return err
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("save sent contacts: %w", err)
	}
	return nil
}

// appendLine appends one copy's line to b.
func appendLine(b []byte, fp string, raw []byte) []byte {
	b = append(append(append(append(b, sentPrefix...), fp...), sentMiddle...), raw...)
	return append(b, "}\n"...)
}

// fromMemory writes the copies from this run's and the loaded file's.
func (st *sentStore) fromMemory(w io.Writer, keep []string) error {
	var line []byte
	for _, fp := range keep {
		raw, ok := st.added[fp]
		if !ok {
			if raw, ok = st.disk[fp]; !ok {
				return fmt.Errorf("save %s: no contact with fingerprint %s", st.path, fp)
			}
		}
		line = appendLine(line[:0], fp, raw)
		if _, err := w.Write(line); err != nil {
			return fmt.Errorf("save sent contacts: %w", err)
		}
	}
	return nil
}

// merge writes the copies while it reads the file, which save wrote in
// fingerprint order: a kept line goes out as it came in, checked as scan
// checks it, and this run's copies go in between.
func (st *sentStore) merge(w io.Writer, keep []string) error {
	k := 0
	var line []byte
	// added writes this run's copies that sort before fp (all of them, at
	// the end of the file). A kept copy that is neither this run's nor in
	// the file before fp is missing, or the file is out of order: save
	// then reads it whole, which tells the two apart.
	added := func(fp string, end bool) error {
		for ; k < len(keep) && (end || keep[k] < fp); k++ {
			raw, ok := st.added[keep[k]]
			if !ok {
				return errUnsorted
			}
			line = appendLine(line[:0], keep[k], raw)
			if _, err := w.Write(line); err != nil {
				return fmt.Errorf("save sent contacts: %w", err)
			}
		}
		return nil
	}
	f, err := os.Open(st.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return added("", true)
	case err != nil:
		return fmt.Errorf("read sent contacts: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxSentLine)
	sc.Split(splitLines)
	prev := ""
	for n := 1; sc.Scan(); n++ {
		fpb, _, err := st.parse(sc.Bytes(), n)
		if err != nil {
			return err
		}
		fp := string(fpb)
		if n > 1 && fp <= prev {
			return errUnsorted
		}
		prev = fp
		if err := added(fp, false); err != nil {
			return err
		}
		if k == len(keep) || keep[k] != fp {
			continue // no longer referred to
		}
		if raw, ok := st.added[fp]; ok {
			line = appendLine(line[:0], fp, raw)
		} else {
			line = append(append(line[:0], sc.Bytes()...), '\n') // as read: parse checked its shape
		}
		if _, err := w.Write(line); err != nil {
			return fmt.Errorf("save sent contacts: %w", err)
		}
		k++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read sent contacts: %w", err)
	}
	return added("", true)
}

// purge drops the copies with the fingerprints fps for good: unlike a
// copy merely no longer referred to, which the file keeps until the state
// on disk stops referring to it, a purged one is gone from the next save.
// (A crash before the state file is saved leaves a state that refers to
// copies no longer there; the forget intent that made the purge is
// replayed first, so nothing reads them.)
func (st *sentStore) purge(fps map[string]bool) {
	if len(fps) == 0 {
		return
	}
	st.load() // an unreadable file fails the save, which reads it again
	for fp := range fps {
		delete(st.added, fp)
		delete(st.disk, fp)
		delete(st.base, fp)
	}
	st.purged = true
}

func sameKeys(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func encode(c *mapping.Contact) json.RawMessage { return c.AppendJSON(nil) }
