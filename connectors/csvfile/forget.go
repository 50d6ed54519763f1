package csvfile

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state/atomicfile"
)

var _ connectors.Forgetter = (*Target)(nil)

// Forget drops the people from the file: a full file is written without
// them at Close (it is written from the state's copies), and every file an
// earlier run wrote beside it (changes-mode dated files, their removed
// lists and split parts) that holds them is rewritten at once without
// them. A vCard is theirs by its X-LINKPORT-ID; a CSV row by a cell that
// is their ID, profile URL, an email or their full name, or two cells
// that are their first and last name (not every profile has an ID column).
func (t *Target) Forget(ctx context.Context, people []connectors.Forgotten) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := matcher{ids: map[string]bool{}, cells: map[string]bool{}}
	for _, p := range people {
		delete(t.rows, p.ID)
		delete(t.removed, p.ID)
		m.ids[p.ID] = true
		m.cells[strings.ToLower(p.ID)] = true
		if c := p.Sent; c != nil {
			for _, v := range append([]string{c.ProfileURL, c.Name}, c.Emails...) {
				if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
					m.cells[v] = true
				}
			}
			if c.FirstName != "" && c.LastName != "" {
				m.pairs = append(m.pairs, [2]string{strings.ToLower(c.FirstName), strings.ToLower(c.LastName)})
			}
		}
	}
	files, err := t.written()
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := t.forgetIn(f, &m); err != nil {
			return err
		}
	}
	return nil
}

// matcher says whether a record is one of the people forgotten.
type matcher struct {
	ids   map[string]bool
	cells map[string]bool
	pairs [][2]string
}

func (m *matcher) row(r []string) bool {
	have := make(map[string]bool, len(r))
	for _, c := range r {
		c = strings.ToLower(strings.TrimSpace(c))
		if m.cells[c] {
			return true
		}
		have[c] = true
	}
	for _, p := range m.pairs {
		if have[p[0]] && have[p[1]] {
			return true
		}
	}
	return false
}

// written lists the files an earlier run may have written for this
// target other than the full file (which Close replaces): the dated files
// of changes mode, their removed lists and split parts.
func (t *Target) written() ([]string, error) {
	dir := filepath.Dir(t.opt.Path)
	ext := filepath.Ext(t.opt.Path)
	base := strings.TrimSuffix(filepath.Base(t.opt.Path), ext)
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `-(\d{8}T\d{6}Z(-removed)?|removed)(-\d+)?` + regexp.QuoteMeta(ext) + `$`)
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("forget: list %s: %w", dir, err)
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && re.MatchString(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// forgetIn rewrites the file at path without the people, when it holds any.
func (t *Target) forgetIn(path string, m *matcher) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("forget: read %s: %w", path, err)
	}
	var out []byte
	if t.opt.Profile.Format == FormatVCard {
		out, err = forgetVCards(b, m)
	} else {
		out, err = t.opt.Profile.forgetRows(b, m)
	}
	if err != nil {
		return fmt.Errorf("forget: read %s: %w", path, err)
	}
	if out == nil {
		return nil
	}
	if err := atomicfile.Write(path, out, filePerm); err != nil {
		return fmt.Errorf("forget: rewrite %s: %w", path, err)
	}
	return nil
}

// forgetVCards returns the cards of b without those of the people, nil
// when none was theirs.
func forgetVCards(b []byte, m *matcher) ([]byte, error) {
	d := vcard.NewDecoder(bytes.NewReader(b))
	var buf bytes.Buffer
	dropped := false
	for {
		c, err := d.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if m.ids[c.Value(card.FieldLinkportID)] {
			dropped = true
			continue
		}
		if err := card.Encode(&buf, c); err != nil {
			return nil, err
		}
	}
	if !dropped {
		return nil, nil
	}
	return append([]byte{}, buf.Bytes()...), nil // not nil when no card is left: the file is emptied
}

// forgetRows returns the CSV b, in the profile's encoding, without the
// rows of the people; nil when none was theirs.
func (p *Profile) forgetRows(b []byte, m *matcher) ([]byte, error) {
	var r io.Reader = bytes.NewReader(b)
	switch p.Encoding {
	case EncodingUTF8BOM:
		r = bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))
	case EncodingUTF16LE:
		r = transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case EncodingWindows1252:
		r = transform.NewReader(r, charmap.Windows1252.NewDecoder())
	}
	cr := csv.NewReader(r)
	cr.Comma, _ = utf8.DecodeRuneInString(p.Delimiter)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	kept := make([][]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		if !m.row(rec) {
			kept = append(kept, rec)
		}
	}
	if len(kept) == len(recs)-1 {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := p.writeCSV(&buf, recs[0], kept); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
