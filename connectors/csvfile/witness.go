package csvfile

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkport/linkport/state"
)

// racyWindow is how long after a file's last change its times can vouch
// for its bytes: a write within the same tick of a coarse file clock (or
// of a 2-second FAT time) would leave them as they were. Git calls such a
// file racily clean, and reads it again.
const racyWindow = 2 * time.Second

// Witness names what a file target at path holds now: for path and each
// numbered part beside it (contacts-1.csv, contacts-2.csv, …, up to the
// first one missing) a line with its hash, so that any edit, deletion or
// stale part changes it. A full-mode run that changed nothing leaves it
// as it was; in changes mode such a run writes nothing at all, whatever
// the files.
//
// was is the witness a run left, or "". A file whose size, times and
// inode are those was holds for it has not been written since (its
// change time moves with every write, and a program cannot set it as it
// can the modification time), so it is not read again: a no-op sync then
// costs what a diff does. A file read again that has was's bytes keeps
// was's line.
func Witness(path, mode, was string) (string, error) {
	return witnessAt(path, mode, was, time.Now())
}

// witnessAt is Witness at the time now.
func witnessAt(path, mode, was string, now time.Time) (string, error) {
	if mode == ModeChanges {
		return ModeChanges, nil
	}
	left := map[string]witnessEntry{}
	for line := range strings.Lines(was) {
		if e, ok := parseWitnessLine(line); ok {
			left[e.name] = e
		}
	}
	var b strings.Builder
	for i := 0; ; i++ {
		p := path
		if i > 0 {
			p = PartPaths(path, i+1)[i-1]
		}
		prev, known := left[filepath.Base(p)]
		if known && prev.stat != "" && prev.stat == statToken(p, now) {
			prev.write(&b)
			continue
		}
		sum, err := state.FileSum(p)
		switch {
		case i > 0 && errors.Is(err, fs.ErrNotExist):
			return b.String(), nil
		case errors.Is(err, fs.ErrNotExist):
			sum = "absent"
		case err != nil:
			return "", fmt.Errorf("look at %s: %w", p, err)
		}
		if known && prev.sum == sum {
			prev.write(&b)
			continue
		}
		witnessEntry{name: filepath.Base(p), sum: sum}.write(&b)
	}
}

// witnessOf is Witness's account of the n parts of path whose bytes hash
// to sums, as a Close that began at checked wrote or compared them: the
// unnumbered file alone, or absent beside numbered parts. A part's times
// vouch for it only when they are older than checked by racyWindow, so
// that no write can have come between them and the bytes hashed.
func witnessOf(path string, sums [][]byte, checked time.Time) string {
	var b strings.Builder
	if len(sums) > 1 {
		witnessEntry{name: filepath.Base(path), sum: "absent"}.write(&b)
	}
	for i, p := range PartPaths(path, len(sums)) {
		witnessEntry{name: filepath.Base(p), sum: hex.EncodeToString(sums[i]), stat: statToken(p, checked)}.write(&b)
	}
	return b.String()
}

// witnessEntry is one file's line of a witness: "name sum [stat]".
type witnessEntry struct{ name, sum, stat string }

func parseWitnessLine(line string) (witnessEntry, bool) {
	f := strings.Fields(line)
	switch len(f) {
	case 2:
		return witnessEntry{name: f[0], sum: f[1]}, true
	case 3:
		return witnessEntry{name: f[0], sum: f[1], stat: f[2]}, true
	}
	return witnessEntry{}, false
}

func (e witnessEntry) write(b *strings.Builder) {
	b.WriteString(e.name)
	b.WriteByte(' ')
	b.WriteString(e.sum)
	if e.stat != "" {
		b.WriteByte(' ')
		b.WriteString(e.stat)
	}
	b.WriteByte('\n')
}
