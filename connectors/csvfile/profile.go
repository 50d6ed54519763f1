// Package csvfile writes contacts to files a CRM imports without hand
// mapping: CSV laid out by a per-CRM profile (configs/crm/*.yaml), or a
// bundle of vCards. Files are written whole, atomically, at Close.
package csvfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/linkport/linkport/configs"
	"github.com/linkport/linkport/mapping"
)

// Output formats of a profile.
const (
	FormatCSV   = "csv"
	FormatVCard = "vcard"
)

// Encodings a profile may ask for.
const (
	EncodingUTF8        = "utf-8"
	EncodingUTF8BOM     = "utf-8-bom"
	EncodingUTF16LE     = "utf-16le" // with a BOM, as Excel's "Unicode text"
	EncodingWindows1252 = "windows-1252"
)

// Profile is the file layout one CRM's importer maps without help.
type Profile struct {
	// Name is the built-in name or, for a user's file, its base name without extension.
	Name        string `yaml:"-"`
	Description string `yaml:"description"`
	// Format is "csv" (the default) or "vcard" (a bundle of vCard 3.0 cards; no columns).
	Format string `yaml:"format"`
	// Encoding is utf-8 (the default), utf-8-bom, utf-16le or windows-1252.
	Encoding string `yaml:"encoding"`
	// LineEnding is "lf" (the default) or "crlf".
	LineEnding string `yaml:"line_ending"`
	// Delimiter is the field separator, one character; "," by default.
	Delimiter string `yaml:"delimiter"`
	// RowLimit is how many people one file may hold before the output is
	// split into numbered files; 0 means no limit.
	RowLimit int `yaml:"row_limit"`
	// Tags are labels every person carries in the "tags" field.
	Tags []string `yaml:"tags"`
	// NoEmailTag is added to the tags of a person without email, so the
	// CRM user can find them; "LinkedIn: no email" when unset.
	NoEmailTag string `yaml:"no_email_tag"`
	// Columns are the file's columns, in order.
	Columns []Column `yaml:"columns"`
}

// Column is one column of a profile: a header and where its cells come
// from. A column with neither Field nor Value stays empty (Outlook's Title).
type Column struct {
	Header string `yaml:"header"`
	// Field is a canonical field (see Fields).
	Field string `yaml:"field"`
	// Index picks the nth value (from 1) of a list field.
	Index int `yaml:"index"`
	// From takes the values of a list field from the nth on.
	From int `yaml:"from"`
	// Join separates the values of a list field; "; " when unset.
	Join string `yaml:"join"`
	// JSON writes a list field as a JSON array instead of joining it.
	JSON bool `yaml:"json"`
	// Layout reformats a date field (see dateFields) with a Go time
	// layout ("01/02/2006").
	Layout string `yaml:"layout"`
	// Value is a constant. With Field it is a label, written only in rows
	// where the field has a value (Google's "E-mail 1 - Label").
	Value string `yaml:"value"`
	// Fallback is a single-valued field used when this cell would be empty
	// (a Last Name a CRM requires falls back to the full name).
	Fallback string `yaml:"fallback"`
	// Default is written when the cell would still be empty.
	Default string `yaml:"default"`
}

// profileFields are the fields a column may take beyond mapping's
// catalogue: values that depend on the profile or the run, not on the
// contact alone.
var profileFields = []struct {
	name string
	list bool
}{
	{"source_label", false}, {"note", false}, {"description", false}, {"tags", true},
}

// dateFields are the fields that hold one YYYY-MM-DD date, which a
// column's layout may reformat.
var dateFields = []string{"connected_on", "last_contacted", "invited_on", "job_changed_on", "email_last_seen", "phone_last_seen"}

// fieldKind says whether a column may take the named field, and whether it is a list.
func fieldKind(name string) (list, known bool) {
	if f, ok := mapping.LookupField(name); ok {
		return f.List, true
	}
	for _, f := range profileFields {
		if f.name == name {
			return f.list, true
		}
	}
	return false, false
}

// Fields returns the field names a profile column may use: every canonical
// field of mapping.Catalogue (phones is each number as given, phones_e164
// its E.164 form or empty, phones_intl the E.164 form falling back to the
// number as given), and four of the profile's own: source_label is
// Options.SourceLabel; tags are Profile.Tags plus NoEmailTag for a person
// without email; note, for a CRM's free-text column, is source_label
// followed, one per line, by what the rest of the archive says
// (mapping.EnrichmentLines: last contact, invitation, the user's LinkedIn
// notes, endorsements, recommendations) and by what earlier exports add
// (card.HistoryLines: earlier positions, last-known emails and phones);
// description is the profile URL followed by note, for a CRM with no
// LinkedIn column.
func Fields() []string {
	cat := mapping.Catalogue()
	out := make([]string, 0, len(cat)+len(profileFields))
	for _, f := range cat {
		out = append(out, f.Name)
	}
	for _, f := range profileFields {
		out = append(out, f.name)
	}
	sort.Strings(out)
	return out
}

// consentHeader matches headers of columns that record marketing consent.
var consentHeader = regexp.MustCompile(`(?i)opt[ _-]?(in|out)|subscri|marketing|marketable|consent|permission`)

// unknownKey rewrites the YAML decoder's message about a key it does not know.
var unknownKey = regexp.MustCompile(`field (\S+) not found in type \S+`)

// DefaultNoEmailTag marks people without email where a CRM has tags.
const DefaultNoEmailTag = "LinkedIn: no email"

// Profiles lists the built-in profile names, sorted.
func Profiles() []string {
	entries, err := fs.ReadDir(configs.CRMProfiles(), ".")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out) // "salesforce" before "salesforce-leads"
	return out
}

// LoadProfile returns a built-in profile by name, or reads a user's profile
// when name is a path (it contains a slash or ends in .yaml or .yml).
func LoadProfile(name string) (*Profile, error) {
	if strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator) ||
		strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("load profile: %w", err)
		}
		base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		return ParseProfile(b, base, name)
	}
	b, err := fs.ReadFile(configs.CRMProfiles(), path.Clean(name)+".yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load profile: no built-in profile %q (built-in: %s; or give a path to a .yaml file)",
			name, strings.Join(Profiles(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("load profile %s: %w", name, err)
	}
	return ParseProfile(b, name, "configs/crm/"+name+".yaml")
}

// ParseProfile decodes and checks a profile; file names it in errors.
// Unknown keys are errors, so a typo never silently drops a column.
func ParseProfile(b []byte, name, file string) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	p := &Profile{}
	if err := dec.Decode(p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("load profile %s: the file is empty", file)
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, len(te.Errors))
			for i, m := range te.Errors {
				msgs[i] = unknownKey.ReplaceAllString(m, `unknown key "$1"`)
			}
			return nil, fmt.Errorf("load profile %s: %s", file, strings.Join(msgs, "; "))
		}
		return nil, fmt.Errorf("load profile %s: %w", file, err)
	}
	p.Name = name
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("load profile %s: %w", file, err)
	}
	return p, nil
}

func (p *Profile) check() error {
	if p.Format == "" {
		p.Format = FormatCSV
	}
	if p.Encoding == "" {
		p.Encoding = EncodingUTF8
	}
	if p.LineEnding == "" {
		p.LineEnding = "lf"
	}
	if p.Delimiter == "" {
		p.Delimiter = ","
	}
	if p.NoEmailTag == "" {
		p.NoEmailTag = DefaultNoEmailTag
	}
	switch p.Format {
	case FormatVCard:
		if len(p.Columns) > 0 {
			return errors.New("format vcard takes no columns")
		}
		return nil
	case FormatCSV:
	default:
		return fmt.Errorf("format %q: want csv or vcard", p.Format)
	}
	switch p.Encoding {
	case EncodingUTF8, EncodingUTF8BOM, EncodingUTF16LE, EncodingWindows1252:
	default:
		return fmt.Errorf("encoding %q: want utf-8, utf-8-bom, utf-16le or windows-1252", p.Encoding)
	}
	if p.LineEnding != "lf" && p.LineEnding != "crlf" {
		return fmt.Errorf("line_ending %q: want lf or crlf", p.LineEnding)
	}
	if r, n := utf8.DecodeRuneInString(p.Delimiter); n != len(p.Delimiter) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return fmt.Errorf("delimiter %q: want one character other than a quote or newline", p.Delimiter)
	}
	if p.RowLimit < 0 {
		return fmt.Errorf("row_limit %d: want 0 (no limit) or more", p.RowLimit)
	}
	if len(p.Columns) == 0 {
		return errors.New("no columns")
	}
	seen := map[string]bool{}
	for i := range p.Columns {
		c := &p.Columns[i]
		if err := c.check(); err != nil {
			return fmt.Errorf("column %d (%q): %w", i+1, c.Header, err)
		}
		if seen[c.Header] {
			return fmt.Errorf("column %d: header %q appears twice", i+1, c.Header)
		}
		seen[c.Header] = true
	}
	return nil
}

func (c *Column) check() error {
	if c.Header == "" {
		return errors.New("no header")
	}
	list, known := fieldKind(c.Field)
	switch {
	case c.Field != "" && !known:
		return fmt.Errorf("unknown field %q (known: %s)", c.Field, strings.Join(Fields(), ", "))
	case c.Index < 0 || c.From < 0:
		return errors.New("index and from count from 1")
	case (c.Index > 0 || c.From > 0 || c.JSON || c.Join != "") && !list:
		return fmt.Errorf("index, from, join and json apply to list fields, not %q", c.Field)
	case c.Index > 0 && (c.From > 0 || c.JSON || c.Join != ""):
		return errors.New("index picks one value: from, join and json do not apply")
	case c.Layout != "" && !slices.Contains(dateFields, c.Field):
		return fmt.Errorf("layout applies to %s only", strings.Join(dateFields, ", "))
	}
	if c.Fallback != "" {
		if l, ok := fieldKind(c.Fallback); !ok || l {
			return fmt.Errorf("fallback %q: want a single-valued field", c.Fallback)
		}
	}
	if consentHeader.MatchString(c.Header) && (c.Value != "" || c.Default != "") {
		return errors.New("a consent, subscription or marketing column cannot take a constant: " +
			"a LinkedIn connection is not consent to marketing")
	}
	return nil
}
