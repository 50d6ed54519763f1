package csvfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/linkport/linkport/state/atomicfile"
)

// filePerm keeps exports private: they hold personal data.
const filePerm = 0o600

// PartPaths names the files n parts are written to: path itself for one
// part, else "<base>-1<ext>", "<base>-2<ext>", … ("contacts.csv" becomes
// "contacts-1.csv", "contacts-2.csv").
func PartPaths(path string, n int) []string {
	if n <= 1 {
		return []string{path}
	}
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	out := make([]string, n)
	for i := range out {
		out[i] = base + "-" + strconv.Itoa(i+1) + ext
	}
	return out
}

// DatedPath names the file of one changes-mode run: "contacts.csv" run at
// 2026-12-01 11:20:05 UTC → "contacts-20261201T112005Z.csv". Names sort
// in the order the runs happened, which is the order to import them in.
func DatedPath(path string, t time.Time) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + t.UTC().Format("20060102T150405Z") + ext
}

// RemovedPath is the companion file of changes mode that lists removed
// people: "contacts.csv" → "contacts-removed.csv".
func RemovedPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-removed" + ext
}

// writeFunc writes one part's content to w.
type writeFunc func(w io.Writer, part int) error

// writeParts replaces the n files of path atomically, each one: all parts
// are written to temp files in the same directory and synced first, and
// only then renamed over the old ones, so a failure while writing leaves
// every previous file as it was. Stale numbered parts of an earlier, larger
// run are removed afterwards. wrap, if set, wraps each temp file (tests).
func writeParts(path string, n int, write writeFunc, wrap func(io.Writer) io.Writer) error {
	paths := PartPaths(path, n)
	files := make([]*atomicfile.File, 0, n)
	defer func() {
		for _, f := range files {
			f.Close() // a no-op once committed
		}
	}()
	for i, p := range paths {
		f, err := atomicfile.Create(p, filePerm)
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		files = append(files, f)
		var w io.Writer = f
		if wrap != nil {
			w = wrap(w)
		}
		if err := write(w, i); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	for i, p := range paths {
		if err := files[i].Commit(); err != nil {
			return fmt.Errorf("replace %s: %w", p, err)
		}
	}
	return removeStale(path, n)
}

// sameParts reports whether the n files of path already hold exactly what
// write would write, and no stale part is left for writeParts to remove. It
// compares as it lays out, without holding a file in memory.
func sameParts(path string, n int, write writeFunc) bool {
	for i, p := range PartPaths(path, n) {
		f, err := os.Open(p)
		if err != nil {
			return false
		}
		c := &comparer{r: bufio.NewReaderSize(f, 64<<10), same: true}
		err = write(c, i)
		same := err == nil && c.same && c.atEOF()
		f.Close()
		if !same {
			return false
		}
	}
	ext := filepath.Ext(path)
	stale := strings.TrimSuffix(path, ext) + "-" + strconv.Itoa(n+1) + ext
	if n <= 1 {
		stale = PartPaths(path, 2)[0]
	} else if _, err := os.Lstat(path); err == nil {
		return false
	}
	_, err := os.Lstat(stale)
	return errors.Is(err, fs.ErrNotExist)
}

// comparer is a writer that checks what it is given against r.
type comparer struct {
	r    *bufio.Reader
	buf  []byte
	same bool
}

func (c *comparer) Write(p []byte) (int, error) {
	if !c.same {
		return len(p), nil
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	b := c.buf[:len(p)]
	if _, err := io.ReadFull(c.r, b); err != nil || !bytes.Equal(b, p) {
		c.same = false
	}
	return len(p), nil
}

// atEOF reports whether r holds nothing more.
func (c *comparer) atEOF() bool {
	_, err := c.r.ReadByte()
	return err == io.EOF
}

// removeStale deletes the numbered parts an earlier run wrote beyond the n
// just written (and the unsplit file when now split), counting up from the
// first missing one, so a user's unrelated "contacts-2019.csv" survives.
func removeStale(path string, n int) error {
	if n > 1 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale %s: %w", path, err)
		}
	}
	first := n + 1
	if n <= 1 {
		first = 1
	}
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	for i := first; ; i++ {
		p := base + "-" + strconv.Itoa(i) + ext
		err := os.Remove(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("remove stale %s: %w", p, err)
		}
	}
}

// writeCSV writes header and rows in the profile's encoding, delimiter and
// line ending.
func (p *Profile) writeCSV(w io.Writer, header []string, rows [][]string) error {
	var closer io.Closer
	switch p.Encoding {
	case EncodingUTF8BOM:
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	case EncodingUTF16LE:
		tw := transform.NewWriter(w, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder())
		w, closer = tw, tw
	case EncodingWindows1252:
		tw := transform.NewWriter(w, charmap.Windows1252.NewEncoder())
		w, closer = tw, tw
	}
	cw := csv.NewWriter(w)
	cw.Comma, _ = utf8.DecodeRuneInString(p.Delimiter)
	cw.UseCRLF = p.LineEnding == "crlf"
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if closer != nil {
		return closer.Close()
	}
	return nil
}

// checkEncodable reports the first cell the profile's encoding cannot hold,
// so the error names the person and column instead of failing mid-file.
func (p *Profile) checkEncodable(row []string) error {
	if p.Encoding != EncodingWindows1252 {
		return nil
	}
	enc := charmap.Windows1252.NewEncoder()
	for i, cell := range row {
		if _, err := enc.String(cell); err != nil {
			return fmt.Errorf("column %q: %q cannot be written in windows-1252 (use utf-8-bom)", p.Columns[i].Header, cell)
		}
	}
	return nil
}

// hashing wraps write so that each part's bytes are hashed as they are
// written or compared; sums holds them once every part went through.
func hashing(write writeFunc, n int) (writeFunc, [][]byte) {
	sums := make([][]byte, n)
	return func(w io.Writer, i int) error {
		h := sha256.New()
		err := write(io.MultiWriter(w, h), i)
		sums[i] = h.Sum(nil)
		return err
	}, sums
}
