// Package linkedin reads LinkedIn's "Get a copy of your data" export — the
// zip, an unzipped folder or a lone Connections.csv / Contacts.csv — into
// mapping records. It never extracts to disk and never trusts column order.
package linkedin

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/linkport/linkport/mapping"
)

// DefaultMaxFileSize bounds what Connections.csv and Contacts.csv inflate to
// together, and a zip inside the zip: the only input whose rows are all
// kept. LinkedIn caps a network at 30,000 connections (about 3 MB), so
// 64 MiB leaves room for any real address book and keeps a read far below
// 256 MB of memory.
const DefaultMaxFileSize = 64 << 20

// DefaultMaxInflate bounds every byte read from one zip archive, all files
// together, so a small zip of many large entries is refused before it is
// inflated. It is about three times the largest honest messages.csv seen
// (360 MB); messages are streamed, so the budget costs time, not memory.
const DefaultMaxInflate = 1 << 30

// Options tune the reader.
type Options struct {
	// MaxFileSize is the most bytes Connections.csv and Contacts.csv may
	// inflate to together (and a zip inside the zip on its own); zero means
	// DefaultMaxFileSize.
	MaxFileSize int64
	// MaxInflate is the most bytes a zip archive's files may inflate to
	// together; zero means DefaultMaxInflate.
	MaxInflate int64

	// messageSeconds keeps the seconds of each conversation's messages
	// (mapping.Messages.KeepSeconds): a changelog's base needs them.
	messageSeconds bool
}

func (o Options) maxSize() int64 {
	if o.MaxFileSize > 0 {
		return o.MaxFileSize
	}
	return DefaultMaxFileSize
}

func (o Options) maxInflate() int64 {
	if o.MaxInflate > 0 {
		return o.MaxInflate
	}
	return DefaultMaxInflate
}

// Archive is a LinkedIn export to read; it implements connectors.Source.
// Nothing is opened until Read.
type Archive struct {
	opt  Options
	path string // Open: a zip, a folder or a CSV on disk
	fsys fs.FS  // FromFS: an export already unpacked in an fs.FS
	zip  []byte // FromZipBytes: a zip held in memory
	name string // FromFS/FromZipBytes: the name messages cite
	head bool   // ExportedAt: stop once the files are listed, read no row
}

// Open returns the export at path: a .zip (any name, also .zip.zip), an
// unzipped folder (files at its root or one or two folders down) or a lone
// Connections.csv or Contacts.csv.
func Open(path string, opt Options) *Archive {
	return &Archive{opt: opt, path: path}
}

// FromFS returns the export unpacked in fsys (e.g. an embed.FS or
// fstest.MapFS); name is what errors cite for the export as a whole.
func FromFS(fsys fs.FS, name string, opt Options) *Archive {
	return &Archive{opt: opt, fsys: fsys, name: name}
}

// FromZipBytes returns the export zipped in b, e.g. the bundled demo sample;
// name is what errors cite for the archive.
func FromZipBytes(b []byte, name string, opt Options) *Archive {
	return &Archive{opt: opt, zip: b, name: name}
}

// Read reads Connections and Contacts into records, and messages,
// invitations, notes, endorsements, recommendations and company follows
// into the export's enrichment lists (see enrich.Enrich). Every file is
// streamed: only what the records and enrichment keep stays in memory, and
// only regular files are opened. Bad input is an *InputError naming
// the file and, for a row, its line; unusual but readable input (another
// encoding, an unknown date) becomes a warning in the export.
// Export.ExportedAt is set as ExportedAt says.
func (a *Archive) Read(ctx context.Context) (*mapping.Export, error) {
	lim := newLimits(a.opt)
	switch {
	case a.fsys != nil:
		return a.readFS(ctx, lim, a.fsys, a.name, "", []string{path.Base(a.name)})
	case a.zip != nil:
		return a.readZip(ctx, lim, bytes.NewReader(a.zip), int64(len(a.zip)), a.name, []string{path.Base(a.name)})
	}
	fi, err := os.Stat(a.path) // never open(2) before knowing what it is: a FIFO blocks there
	if err != nil {
		return nil, &InputError{File: a.path, Err: fmt.Errorf("open export: %w", err)}
	}
	if fi.IsDir() {
		return a.readFS(ctx, lim, os.DirFS(a.path), "", a.path, []string{filepath.Base(a.path)})
	}
	if err := checkRegular(fi); err != nil {
		return nil, &InputError{File: a.path, Err: err}
	}
	f, err := os.Open(a.path)
	if err != nil {
		return nil, &InputError{File: a.path, Err: fmt.Errorf("open export: %w", err)}
	}
	defer f.Close()
	if ofi, err := f.Stat(); err != nil || !os.SameFile(fi, ofi) {
		return nil, &InputError{File: a.path, Err: errors.New("open export: the file changed while it was opened; try again")}
	}
	if isZip(f) {
		return a.readZip(ctx, lim, f, fi.Size(), a.path, []string{filepath.Base(a.path)})
	}
	if strings.EqualFold(filepath.Ext(a.path), ".zip") {
		return nil, &InputError{File: a.path, Err: errors.New("not a zip archive (no zip signature); expected LinkedIn's Basic_/Complete_LinkedInDataExport zip")}
	}
	kind := kindOf(filepath.Base(a.path))
	if fi.Size() > lim.people {
		return nil, &InputError{File: a.path, Err: fmt.Errorf("%w: %d bytes, more than the %d-byte limit for the people files", ErrTooLarge, fi.Size(), lim.people)}
	}
	// A lone CSV is dated by the export folder it came from, else by itself.
	exp := &mapping.Export{ExportedAt: fi.ModTime()}
	if t, ok := dateFromName(filepath.Base(filepath.Dir(a.path))); ok {
		exp.ExportedAt = t
	}
	if a.head {
		return exp, nil
	}
	if err := parseFile(ctx, exp, a.path, f, kind, lim); err != nil {
		return nil, err
	}
	lim.flushRecords(exp)
	return exp, nil
}

// isZip sniffs the local-file or empty-archive signature, so a renamed zip
// (".zip.zip", no extension) is still recognised.
func isZip(r io.ReaderAt) bool {
	var sig [4]byte
	if _, err := r.ReadAt(sig[:], 0); err != nil {
		return false
	}
	return string(sig[:]) == "PK\x03\x04" || string(sig[:]) == "PK\x05\x06"
}

// readZip reads a zip without extracting it. names are the base names of
// the zips it sits in, itself last (their count is its depth); every file
// read from it, nested zips included, counts against the archive-wide
// inflate budget.
func (a *Archive) readZip(ctx context.Context, lim *limits, r io.ReaderAt, size int64, name string, names []string) (*mapping.Export, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // nothing is extracted, so odd paths are harmless
		return nil, &InputError{File: name, Err: fmt.Errorf("read zip archive (truncated or corrupt?): %w", err)}
	}
	lim.inflate = a.opt.maxInflate()
	exp, err := a.readFS(ctx, lim, zr, name, "", names)
	if !errors.Is(err, ErrNoConnections) || len(names) > 1 {
		return exp, err
	}
	// A browser or mail client may have wrapped the export in another zip.
	inner := ""
	for _, f := range zr.File {
		if strings.EqualFold(path.Ext(f.Name), ".zip") && strings.Count(f.Name, "/") <= 1 {
			if inner != "" {
				return nil, err
			}
			inner = f.Name
		}
	}
	if inner == "" {
		return nil, err
	}
	b, ierr := readEntry(ctx, lim, zr, inner, a.opt.maxSize())
	if ierr != nil {
		return nil, &InputError{Archive: name, File: inner, Err: ierr}
	}
	return a.readZip(ctx, lim, bytes.NewReader(b), int64(len(b)), name+"/"+inner, append(names, path.Base(inner)))
}

// readFS reads the export unpacked in fsys. archive names the zip (for
// messages); dir, when set, is the OS folder that file names are joined to;
// names are the export's own names, outermost first, that may date it.
// Every file is checked before any is opened: it must be a regular file,
// and the declared sizes must fit the budgets (a zip header can lie, so
// the bytes are counted again as they are read).
func (a *Archive) readFS(ctx context.Context, lim *limits, fsys fs.FS, archive, dir string, names []string) (*mapping.Export, error) {
	where := archive
	if where == "" {
		where = dir
	}
	found, err := locate(fsys)
	if err != nil {
		return nil, &InputError{File: where, Err: fmt.Errorf("list files: %w", err)}
	}
	if len(found[kindConnections]) == 0 {
		return nil, &InputError{File: where, Err: ErrNoConnections}
	}
	type file struct {
		path string // in fsys
		name string // as records cite it
		kind fileKind
	}
	display := func(n string) string {
		if dir != "" {
			return filepath.Join(dir, filepath.FromSlash(n))
		}
		return n
	}
	exp := &mapping.Export{ExportedAt: exportDate(fsys, names, found)}
	var files []file
	var people, all int64
	for _, kind := range allKinds {
		names := found[kind]
		if len(names) == 0 {
			continue
		}
		// Current archives name files with underscores; a name with spaces
		// is a legacy copy some archives still carry beside it (the 2022
		// "Endorsement Received Info.csv", UTF-16 with redacted rows).
		legacy := func(n string) int {
			if strings.Contains(path.Base(n), " ") {
				return 1
			}
			return 0
		}
		slices.SortStableFunc(names, func(a, b string) int { return legacy(a) - legacy(b) })
		for _, other := range names[1:] {
			exp.Warnings = append(exp.Warnings, mapping.Warning{File: display(other),
				Msg: fmt.Sprintf("ignored: %s was read instead", display(names[0]))})
		}
		f := file{names[0], display(names[0]), kind}
		fi, err := fs.Stat(fsys, f.path) // follows a symlink: its target must be regular too
		if err == nil {
			err = checkRegular(fi)
		}
		if err != nil {
			return nil, &InputError{Archive: archive, File: f.name, Err: err}
		}
		all += fi.Size()
		if kind.isPeople() {
			people += fi.Size()
		}
		switch {
		case kind.isPeople() && people > lim.people:
			return nil, &InputError{Archive: archive, File: f.name, Err: fmt.Errorf(
				"%w: inflates to %d bytes, more than the %d-byte limit for Connections.csv and Contacts.csv together (zip bomb?)", ErrTooLarge, fi.Size(), lim.people)}
		case lim.inflate > 0 && lim.inflated.Load()+all > lim.inflate:
			return nil, &InputError{Archive: archive, File: f.name, Err: fmt.Errorf(
				"%w: inflates to %d bytes, which takes the files read from this archive to %d, more than the %d-byte budget for one export (zip bomb?)",
				ErrTooLarge, fi.Size(), lim.inflated.Load()+all, lim.inflate)}
		}
		files = append(files, f)
	}
	if a.head {
		return exp, nil
	}
	// The people files and the enrichment files are read on two cores,
	// each group in order into an export of its own, then joined in file
	// order: the records, lists and warnings are those of a read in order.
	// Only the archive's inflate budget is shared between the two (the
	// people budgets are the first group's, the kept-bytes budget the
	// second's), so every other limit trips at the same row as before.
	read := func(ctx context.Context, exp *mapping.Export, files []file) error {
		for _, f := range files {
			err := a.readFile(ctx, lim, exp, fsys, f.path, f.name, f.kind)
			var ie *InputError
			if errors.As(err, &ie) {
				ie.Archive = archive
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	split := 0
	for split < len(files) && files[split].kind.isPeople() {
		split++
	}
	if split == len(files) {
		if err := read(ctx, exp, files); err != nil {
			return nil, err
		}
		lim.flushRecords(exp)
		return exp, nil
	}
	rest := &mapping.Export{}
	if a.opt.messageSeconds {
		rest.Messages.KeepSeconds()
	}
	restErr := make(chan error, 1)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { restErr <- read(rctx, rest, files[split:]) }()
	err = read(ctx, exp, files[:split])
	if err != nil {
		cancel() // the read fails anyway: stop the enrichment files promptly
	}
	lim.flushRecords(exp) // the other goroutine never touches the records
	if rerr := <-restErr; err == nil {
		err = rerr // a people file's error comes first, as in a read in order
	}
	if err != nil {
		return nil, err
	}
	exp.Warnings = append(exp.Warnings, rest.Warnings...)
	exp.Messages, exp.Invitations, exp.Notes = rest.Messages, rest.Invitations, rest.Notes
	exp.Endorsements, exp.Recommendations, exp.Follows = rest.Endorsements, rest.Recommendations, rest.Follows
	return exp, nil
}

// readFile streams one file of fsys into exp.
func (a *Archive) readFile(ctx context.Context, lim *limits, exp *mapping.Export, fsys fs.FS, p, name string, kind fileKind) error {
	f, err := fsys.Open(p)
	if err != nil {
		return &InputError{File: name, Err: fmt.Errorf("open: %w", err)}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err == nil {
		err = checkRegular(fi) // it may have been swapped since the check
	}
	if err != nil {
		return &InputError{File: name, Err: err}
	}
	return parseFile(ctx, exp, name, f, kind, lim)
}

// locate finds the files linkport reads by normalised name, at the
// root or up to two folders down (a browser unpacks into "Complete_…(1)/").
// Shallower paths come first.
func locate(fsys fs.FS) (map[fileKind][]string, error) {
	found := map[fileKind][]string{}
	dirs := []string{"."}
	for depth := 0; depth <= 2 && len(dirs) > 0; depth++ {
		var next []string
		for _, d := range dirs {
			entries, err := fs.ReadDir(fsys, d)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				n := e.Name()
				if strings.HasPrefix(n, ".") || n == "__MACOSX" {
					continue // Finder's AppleDouble copies are not CSVs
				}
				p := path.Join(d, n)
				if e.IsDir() {
					next = append(next, p)
				} else if k := kindOf(n); k != kindUnknown {
					found[k] = append(found[k], p)
				}
			}
		}
		slices.Sort(next)
		dirs = next
	}
	return found, nil
}

// kindOf recognises a file by its normalised name across eras
// ("Connections.csv"; "Contacts.csv", 2018 "Imported Contacts.csv";
// "messages.csv", 2018 "Messages.csv"; "Company Follows.csv" …).
func kindOf(name string) fileKind {
	n := strings.ToLower(name)
	if !strings.HasSuffix(n, ".csv") {
		return kindUnknown
	}
	n = strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.TrimSuffix(n, ".csv"))
	return fileNames[n]
}

// fileNames maps normalised file names of every era to their kind.
var fileNames = map[string]fileKind{
	"connections":             kindConnections,
	"contacts":                kindContacts,
	"importedcontacts":        kindContacts,
	"messages":                kindMessages,
	"invitations":             kindInvitations,
	"notes":                   kindNotes,
	"endorsementreceivedinfo": kindEndorsementsReceived,
	"endorsementgiveninfo":    kindEndorsementsGiven,
	"recommendationsreceived": kindRecommendationsReceived,
	"recommendationsgiven":    kindRecommendationsGiven,
	"companyfollows":          kindFollows,
}

// allKinds is the order files are read in: people first.
var allKinds = []fileKind{kindConnections, kindContacts, kindMessages, kindInvitations, kindNotes,
	kindEndorsementsReceived, kindEndorsementsGiven, kindRecommendationsReceived, kindRecommendationsGiven, kindFollows}

// readEntry reads one file of fsys whole (a zip inside the zip, which
// archive/zip needs at hand), refusing one that inflates past limit: the
// declared size is checked first, the bytes actually read second, because
// a zip header can lie.
func readEntry(ctx context.Context, lim *limits, fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat: %w", err)
	}
	if err := checkRegular(fi); err != nil {
		return nil, err
	}
	size := fi.Size()
	if size > limit {
		return nil, fmt.Errorf("%w: inflates to %d bytes, more than the %d-byte limit (zip bomb?)", ErrTooLarge, size, limit)
	}
	var buf bytes.Buffer
	buf.Grow(int(max(size, 0)) + bytes.MinRead)
	n, err := buf.ReadFrom(io.LimitReader(&meter{ctx: ctx, r: f, lim: lim}, limit+1))
	if err != nil {
		if errors.Is(err, ErrTooLarge) || ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("read (truncated or corrupt?): %w", err)
	}
	if n > limit {
		return nil, fmt.Errorf("%w: inflates past the %d-byte limit (zip bomb?)", ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}
