package linkedin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// rowReader reads the records of one file as encoding/csv does (RFC 4180,
// FieldsPerRecord -1, no lazy quotes, empty lines skipped), straight from
// the lineReader's lines, and makes one string per record of only the
// cells the sheet reads (want): a message body is scanned, never copied.
// A cell that is not wanted reads "" when blank and "x" otherwise, which
// is all the sheets ask of it (whether a row is empty).
//
// A record that is not plain RFC 4180 (a stray quote, a quoted cell open
// at the end of the file: each an error to encoding/csv) is not parsed
// here: that record, as read, and the rest of the file go to encoding/csv,
// so a broken row fails with the very error it gives, citing the same
// line and column.
type rowReader struct {
	lr    *lineReader
	comma byte
	want  []bool // nil: every cell

	lines   int   // physical lines read, as encoding/csv counts them
	offset  int64 // bytes read: encoding/csv's InputOffset
	recLine int   // the line the last record began on

	last  []byte // the line last read, as read
	raw   []byte // the current record's lines as read, once it has two
	multi bool   // raw holds the record (else it is last)
	cur   []byte // a line ending in \r\n, made \n
	buf   []byte // the wanted cells of the current record
	cells []cell
	row   []string

	cr    *csv.Reader // encoding/csv, once handed over
	base  int         // lines before the record handed over
	baseN int64       // bytes before it
}

type cell struct {
	end   int  // in buf
	blank bool // an unwanted cell that is white space only
	want  bool
}

// errIrregular says the record needs encoding/csv.
var errIrregular = errors.New("not plain RFC 4180")

func newRowReader(lr *lineReader, comma rune) *rowReader {
	return &rowReader{lr: lr, comma: byte(comma)}
}

// Read returns the next record (valid until the next call) or an error:
// io.EOF at the end, the lineReader's error, or encoding/csv's.
func (r *rowReader) Read() ([]string, error) {
	if r.cr != nil {
		return r.readCSV()
	}
	row, err := r.record()
	if err == errIrregular {
		r.handOver()
		return r.readCSV()
	}
	return row, err
}

// InputOffset is where the next record begins, as csv.Reader.InputOffset.
func (r *rowReader) InputOffset() int64 {
	if r.cr != nil {
		return r.baseN + r.cr.InputOffset()
	}
	return r.offset
}

// Line is the line the last record began on, as csv.Reader.FieldPos(0).
func (r *rowReader) Line() int {
	if r.cr != nil {
		l, _ := r.cr.FieldPos(0)
		return r.base + l
	}
	return r.recLine
}

// readLine is csv.Reader.readLine over the lineReader: the line with its
// \n, \r\n made \n, a final line's trailing \r dropped. The line, and
// r.last (the line as read), are valid until the next call.
func (r *rowReader) readLine() ([]byte, error) {
	for len(r.lr.pending) == 0 {
		if r.lr.err != nil {
			return nil, r.lr.err
		}
		r.lr.next()
	}
	line := r.lr.pending
	r.lr.pending = nil
	r.last = line
	r.lines++
	r.offset += int64(len(line))
	n := len(line)
	switch {
	case line[n-1] != '\n': // the last line, without a newline
		if line[n-1] == '\r' {
			return line[:n-1], nil
		}
	case n >= 2 && line[n-2] == '\r':
		r.cur = append(append(r.cur[:0], line[:n-2]...), '\n')
		return r.cur, nil
	}
	return line, nil
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

func (r *rowReader) record() ([]string, error) {
	r.multi = false
	start, startLines := r.offset, r.lines
	var line []byte
	for {
		l, err := r.readLine()
		if err != nil {
			return nil, err
		}
		if len(l) == lengthNL(l) {
			start, startLines = r.offset, r.lines
			continue // an empty line
		}
		line = l
		break
	}
	r.baseN, r.base = start, startLines
	r.recLine = r.lines
	r.buf, r.cells = r.buf[:0], r.cells[:0]
	for {
		want := r.want == nil || (len(r.cells) < len(r.want) && r.want[len(r.cells)])
		c := cell{want: want, blank: true}
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, r.comma)
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return nil, errIrregular
			}
			r.add(&c, field)
			r.cells = append(r.cells, c)
			if i >= 0 {
				line = line[i+1:]
				continue
			}
			break
		}
		line = line[1:]
		for {
			if i := bytes.IndexByte(line, '"'); i >= 0 {
				r.add(&c, line[:i])
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					r.add(&c, line[:1])
					line = line[1:]
					continue
				case len(line) > 0 && line[0] == r.comma:
					line = line[1:]
					r.cells = append(r.cells, c)
				case len(line) == lengthNL(line):
					r.cells = append(r.cells, c)
					return r.cut(), nil
				default:
					return nil, errIrregular
				}
				break
			}
			if len(line) == 0 {
				return nil, errIrregular // the file ends inside quotes
			}
			r.add(&c, line)
			if !r.multi { // the first line is about to go: keep it for a handover
				r.raw, r.multi = append(r.raw[:0], r.last...), true
			}
			next, err := r.readLine()
			if err == nil {
				r.raw = append(r.raw, r.last...)
			}
			if err == io.EOF {
				return nil, errIrregular
			}
			if err != nil {
				return nil, err
			}
			line = next
		}
	}
	return r.cut(), nil
}

// add appends part of a cell: its bytes when wanted, else only whether it
// is blank.
func (r *rowReader) add(c *cell, b []byte) {
	if c.want {
		r.buf = append(r.buf, b...)
		c.end = len(r.buf)
		return
	}
	if c.blank && len(bytes.TrimSpace(b)) > 0 {
		c.blank = false
	}
}

// cut cuts the record's one string into its cells.
func (r *rowReader) cut() []string {
	s := string(r.buf)
	r.row = r.row[:0]
	prev := 0
	for _, c := range r.cells {
		switch {
		case c.want:
			r.row = append(r.row, s[prev:c.end])
			prev = c.end
		case c.blank:
			r.row = append(r.row, "")
		default:
			r.row = append(r.row, "x")
		}
	}
	return r.row
}

// handOver gives encoding/csv the current record, as read, and the rest of
// the file.
func (r *rowReader) handOver() {
	raw := r.last
	if r.multi {
		raw = r.raw
	}
	r.cr = csv.NewReader(io.MultiReader(bytes.NewReader(bytes.Clone(raw)), r.lr))
	r.cr.Comma = rune(r.comma)
	r.cr.FieldsPerRecord = -1
	r.cr.ReuseRecord = true
	r.last, r.raw, r.cur, r.buf = nil, nil, nil, nil
}

// readCSV reads a record with encoding/csv, its lines counted from the
// start of the file.
func (r *rowReader) readCSV() ([]string, error) {
	row, err := r.cr.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		shifted := *pe
		shifted.StartLine += r.base
		shifted.Line += r.base
		err = &shifted
	}
	if err != nil || r.want == nil {
		return row, err
	}
	// The cells nobody reads, as the plain path gives them.
	for i := range row {
		if i >= len(r.want) || !r.want[i] {
			if strings.TrimSpace(row[i]) == "" {
				row[i] = ""
			} else {
				row[i] = "x"
			}
		}
	}
	return row, nil
}
