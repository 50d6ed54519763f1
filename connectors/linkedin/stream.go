package linkedin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync/atomic"
	"unicode/utf8"

	"github.com/linkport/linkport/mapping"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Bounds that keep one read within memory whatever the input. They are not
// options: no honest export comes near them.
const (
	// maxRowBytes bounds one line and one CSV row (a quoted cell may span
	// lines): encoding/csv would otherwise build a 100 MB cell whole.
	// LinkedIn's longest cells, message bodies, stay under 100 KiB.
	maxRowBytes = 8 << 20
	// maxPeopleRows bounds the records of Connections.csv and Contacts.csv
	// together: LinkedIn caps a network at 30,000 connections, and a record
	// costs about 300 bytes however short its row.
	maxPeopleRows = 200_000
	// maxKeptBytes bounds what the enrichment files (messages.csv above all)
	// leave in memory: the structs and the strings they keep. Past it the
	// rows are counted, not kept, and a warning says so; the run goes on.
	// A heavy user's 360 MB messages.csv keeps about 60 MiB.
	maxKeptBytes = 96 << 20
	// maxDecodeWarnings: lines decoded as Windows-1252 listed one by one per
	// file; the rest are summed up.
	maxDecodeWarnings = 20
	// readBuffer is the read-ahead of one file.
	readBuffer = 64 << 10
)

// limits are the budgets of one Read, shared by every file it reads (no
// state outside a Read). Only inflated is touched by both groups of files
// read at once (see readFS).
type limits struct {
	people     int64 // Connections.csv and Contacts.csv bytes, together
	peopleUsed int64
	inflate    int64        // every byte read from the archive; 0 outside a zip
	inflated   atomic.Int64 // shared by the two groups of files read at once
	peopleRows int
	kept       int64 // bytes kept from the enrichment files
	// The people files' rows, all of them, for Export.Records
	// (flushRecords). Each is an allocation of its own (Reconcile lets go
	// of them one by one), so growing this slice copies pointers only.
	records []*mapping.Record
}

// flushRecords moves the people rows read so far into exp.Records.
func (l *limits) flushRecords(exp *mapping.Export) {
	exp.Records = append(exp.Records, l.records...)
	l.records = nil
}

func newLimits(opt Options) *limits {
	return &limits{people: opt.maxSize()}
}

// meter counts the bytes of one file against the budgets and ends the read
// when ctx is done, so a long read stops promptly.
type meter struct {
	ctx    context.Context
	r      io.Reader
	lim    *limits
	people bool
}

func (m *meter) Read(p []byte) (int, error) {
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := m.r.Read(p)
	if m.people {
		m.lim.peopleUsed += int64(n)
		if m.lim.peopleUsed > m.lim.people {
			return n, fmt.Errorf("%w: inflates past the %d-byte limit for Connections.csv and Contacts.csv together (zip bomb?)", ErrTooLarge, m.lim.people)
		}
	}
	if m.lim.inflate > 0 {
		if m.lim.inflated.Add(int64(n)) > m.lim.inflate {
			return n, fmt.Errorf("%w: inflates past the %d-byte budget for all the files read from one archive (zip bomb?)", ErrTooLarge, m.lim.inflate)
		}
	}
	return n, err
}

// lineReader feeds encoding/csv one physical line at a time: it strips a
// byte-order mark, converts UTF-16, refuses NUL bytes and over-long lines
// and rows, and decodes each line that is not valid UTF-8 as Windows-1252
// (what Excel writes) while the other lines stay UTF-8, so one stray byte
// garbles one line, not the file. Its errors are *InputError naming the
// file and line.
type lineReader struct {
	name    string
	src     *bufio.Reader
	pending []byte // the decoded line not yet handed out
	long    []byte // a line longer than the buffer, assembled
	buf     []byte // a line decoded from Windows-1252
	err     error  // sticky: io.EOF or the error that ended the read

	line      int   // physical lines read so far
	out       int64 // bytes handed to the CSV reader
	rowStart  int64 // offset where the CSV reader's current row began
	utf8Lines int   // lines with a multi-byte UTF-8 sequence
	bad       []int // lines decoded as Windows-1252 (the first few)
	badCount  int
}

// newLineReader returns a reader of r; name is what errors cite.
func newLineReader(r io.Reader, name string) (*lineReader, error) {
	src := bufio.NewReaderSize(r, readBuffer)
	head, err := src.Peek(3)
	if err != nil && err != io.EOF {
		return nil, readError(name, 1, err)
	}
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		_, _ = src.Discard(len(bomUTF8))
	case bytes.HasPrefix(head, bomUTF16LE):
		src = bufio.NewReaderSize(transform.NewReader(src, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), readBuffer)
	case bytes.HasPrefix(head, bomUTF16BE):
		src = bufio.NewReaderSize(transform.NewReader(src, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), readBuffer)
	}
	return &lineReader{name: name, src: src}, nil
}

// peek returns the start of the file (after any byte-order mark), for sniffing.
func (l *lineReader) peek() []byte {
	b, _ := l.src.Peek(readBuffer)
	return b
}

// mark tells where the CSV reader's next row begins (csv.Reader.InputOffset).
func (l *lineReader) mark(offset int64) { l.rowStart = offset }

func (l *lineReader) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		l.next()
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// next reads and decodes one line into pending, or sets err.
func (l *lineReader) next() {
	line, err := l.readLine()
	if len(line) > 0 {
		l.line++
		switch {
		case l.err != nil:
			return
		case l.out-l.rowStart+int64(len(line)) > maxRowBytes:
			l.err = &InputError{File: l.name, Line: l.line, Err: fmt.Errorf("%w: a CSV row runs past %d bytes (an unclosed quote, or a huge cell?); expected rows of a LinkedIn export", ErrTooLarge, maxRowBytes)}
			return
		case bytes.IndexByte(line, 0) >= 0:
			l.err = &InputError{File: l.name, Line: l.line, Err: errors.New("NUL byte: binary data or UTF-16 without a byte-order mark; expected a UTF-8 CSV")}
			return
		}
		l.pending = l.decode(line)
		l.out += int64(len(l.pending))
	}
	switch {
	case err == io.EOF:
		l.err = io.EOF
	case err != nil:
		l.err = readError(l.name, l.line, err)
	}
}

// readLine returns the next line with its '\n', at most maxRowBytes long.
// The slice is valid until the next call.
func (l *lineReader) readLine() ([]byte, error) {
	l.long = l.long[:0]
	for {
		frag, err := l.src.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			if len(l.long) == 0 {
				return frag, err
			}
			l.long = append(l.long, frag...)
			return l.long, err
		}
		if len(l.long)+len(frag) > maxRowBytes {
			l.err = &InputError{File: l.name, Line: l.line + 1, Err: fmt.Errorf("%w: a line runs past %d bytes (a huge cell, or not a CSV?); expected rows of a LinkedIn export", ErrTooLarge, maxRowBytes)}
			return frag, nil
		}
		l.long = append(l.long, frag...)
	}
}

// decode returns line as UTF-8: as is when it is valid UTF-8, else read as
// Windows-1252 and noted for a warning.
func (l *lineReader) decode(line []byte) []byte {
	if isASCII(line) {
		return line
	}
	if utf8.Valid(line) {
		l.utf8Lines++
		return line
	}
	l.badCount++
	if len(l.bad) < maxDecodeWarnings {
		l.bad = append(l.bad, l.line)
	}
	l.buf = l.buf[:0]
	for _, c := range line {
		if c < utf8.RuneSelf {
			l.buf = append(l.buf, c)
		} else {
			l.buf = utf8.AppendRune(l.buf, charmap.Windows1252.DecodeByte(c))
		}
	}
	return l.buf
}

// isASCII reports whether every byte of b is below 0x80, eight at a time:
// nearly every line of an export is ASCII, and this is once per line.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// warnings say which lines were decoded as Windows-1252. A file in which no
// line holds a multi-byte UTF-8 sequence is Windows-1252 as a whole (an
// Excel re-save) and gets one warning: decoding it line by line gives the
// very text a whole-file decode would. Otherwise the file is UTF-8 and each
// stray line is listed with its number, so nobody is garbled in silence.
func (l *lineReader) warnings() []mapping.Warning {
	switch {
	case l.badCount == 0:
		return nil
	case l.utf8Lines == 0:
		return []mapping.Warning{{File: l.name, Msg: "not UTF-8; decoded as Windows-1252 (re-saved by Excel?)"}}
	}
	var ws []mapping.Warning
	if l.badCount > l.utf8Lines {
		ws = append(ws, mapping.Warning{File: l.name, Msg: fmt.Sprintf(
			"mostly not UTF-8: %d lines decoded as Windows-1252 (re-saved by Excel?), %d lines read as UTF-8", l.badCount, l.utf8Lines)})
	}
	for _, n := range l.bad {
		ws = append(ws, mapping.Warning{File: l.name, Line: n, Msg: "not UTF-8; this line decoded as Windows-1252, the rest of the file as UTF-8"})
	}
	if more := l.badCount - len(l.bad); more > 0 {
		ws = append(ws, mapping.Warning{File: l.name, Msg: fmt.Sprintf("%d more lines decoded as Windows-1252 not listed", more)})
	}
	return ws
}

// readError wraps an error met reading line of name: a cancelled read stays
// a cancellation, anything else is bad input.
func readError(name string, line int, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("read %s: %w", name, err)
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return err
	}
	if !errors.Is(err, ErrTooLarge) {
		err = fmt.Errorf("read (truncated or corrupt?): %w", err)
	}
	return &InputError{File: name, Line: line, Err: err}
}

// checkRegular refuses anything but a regular file, before it is opened: a
// FIFO blocks open(2), a device never ends.
func checkRegular(fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a regular file"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		what = "a device, not a regular file"
	case m&fs.ModeSocket != 0:
		what = "a socket, not a regular file"
	case m&fs.ModeSymlink != 0:
		what = "a symbolic link, not a regular file"
	case m.IsDir():
		what = "a folder, not a file"
	}
	return fmt.Errorf("refuse to read: %s; expected a LinkedIn export CSV", what)
}
