package card

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
)

// maxLine is the longest line, in octets without its CRLF, that RFC 6350
// §3.2 and RFC 2426 §2.6 allow before a fold.
const maxLine = 75

// listProps are the properties whose value is a comma-separated list: their
// commas are separators, not text (a comma inside one value is "\,").
var listProps = map[string]bool{vcard.FieldCategories: true, vcard.FieldNickname: true}

// Encode writes c as one vCard that every client reads fully, where
// go-vcard's own encoder does not: lines folded at 75 octets on UTF-8
// boundaries (CRLF and one space), the commas of CATEGORIES left as the
// separators they are, and an escaped semicolon ("\;", as New writes one
// inside a value) kept escaped. Properties come in go-vcard's order (BEGIN,
// VERSION, then by name), so a card encodes to the same bytes every time.
// Values are taken as go-vcard decodes them, so a decoded card encodes back
// to what was read.
func Encode(w io.Writer, c vcard.Card) error {
	version := c.Get(vcard.FieldVersion)
	if version == nil {
		return errors.New("encode vCard: VERSION field missing")
	}
	bw := bufio.NewWriter(w)
	writeFolded(bw, "BEGIN:VCARD")
	writeFolded(bw, formatLine(vcard.FieldVersion, version))
	keys := make([]string, 0, len(c))
	for k := range c {
		if !strings.EqualFold(k, vcard.FieldVersion) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, f := range c[k] {
			writeFolded(bw, formatLine(k, f))
		}
	}
	writeFolded(bw, "END:VCARD")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write vCard: %w", err)
	}
	return nil
}

// formatLine is one content line, unfolded. Parameters are written as
// go-vcard writes them.
func formatLine(key string, f *vcard.Field) string {
	var b strings.Builder
	if f.Group != "" {
		b.WriteString(f.Group + ".")
	}
	b.WriteString(key)
	pks := make([]string, 0, len(f.Params))
	for k := range f.Params {
		pks = append(pks, k)
	}
	slices.Sort(pks)
	for _, k := range pks {
		for _, v := range f.Params[k] {
			b.WriteString(";" + k + "=" + escapeValue(v, false))
		}
	}
	b.WriteString(":" + escapeValue(f.Value, listProps[strings.ToUpper(key)]))
	return b.String()
}

// escapeValue escapes a decoded value for the wire: backslash, newline and
// comma, except a backslash that already escapes a semicolon (and, in a
// list, a comma), and the commas that separate a list's values.
func escapeValue(v string, list bool) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 < len(v) && (v[i+1] == ';' || list && v[i+1] == ',') {
				b.WriteByte('\\')
				b.WriteByte(v[i+1])
				i++
			} else {
				b.WriteString(`\\`)
			}
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		case ',':
			if list {
				b.WriteByte(',')
			} else {
				b.WriteString(`\,`)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// writeFolded writes line and CRLF, folded so that no line is longer than
// maxLine octets: each continuation starts with one space, and a fold never
// splits a multi-byte character. The bufio.Writer keeps the first error.
func writeFolded(w *bufio.Writer, line string) {
	limit := maxLine
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.WriteString(line[:cut])
		w.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLine - 1 // the leading space counts
	}
	w.WriteString(line)
	w.WriteString("\r\n")
}
