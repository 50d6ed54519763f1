package linkedin

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// readAll reads data as parseFile does, with encoding/csv (plain) or the
// rowReader, and lists what the sheets would see: each record's line,
// where the next begins and its cells (an unwanted cell as the rowReader
// gives it), then the error that ends the file.
func readAll(t *testing.T, data []byte, comma rune, want []bool, plain bool) []string {
	t.Helper()
	lr, err := newLineReader(bytes.NewReader(data), "f.csv")
	if err != nil {
		return []string{"open: " + err.Error()}
	}
	var out []string
	var read func() ([]string, error)
	var line func() int
	var offset func() int64
	if plain {
		cr := csv.NewReader(lr)
		cr.Comma, cr.FieldsPerRecord, cr.ReuseRecord = comma, -1, true
		read, offset = cr.Read, cr.InputOffset
		line = func() int { l, _ := cr.FieldPos(0); return l }
	} else {
		rr := newRowReader(lr, comma)
		rr.want = want
		read, line, offset = rr.Read, rr.Line, rr.InputOffset
	}
	for n := 0; n < 10000; n++ {
		row, err := read()
		lr.mark(offset())
		if lr.err != nil && lr.err != io.EOF {
			return append(out, "line reader: "+lr.err.Error())
		}
		if err == io.EOF {
			return append(out, "EOF")
		}
		if err != nil {
			return append(out, "error: "+csvError("f.csv", err).Error())
		}
		cells := make([]string, len(row))
		for i, c := range row {
			switch {
			case want == nil || (i < len(want) && want[i]):
				cells[i] = c
			case strings.TrimSpace(c) == "":
				cells[i] = ""
			default:
				cells[i] = "x"
			}
		}
		out = append(out, fmt.Sprintf("%d @%d %q", line(), offset(), cells))
	}
	return append(out, "too many records")
}

// TestRowReaderMatchesCSV holds the rowReader to encoding/csv on random
// input: well-formed records of every quoting, the same with a byte
// changed, and byte soup (stray quotes, \r, empty lines, a NUL, bytes
// that are not UTF-8, a file ending inside quotes).
func TestRowReaderMatchesCSV(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 3))
	soup := []string{"a", "b", " ", ",", "\"", "\n", "\r", ";", "\t", "é", "\r\n", "\"\"", "x,y", "\xff"}
	cellOf := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(soup[r.IntN(len(soup))])
		}
		return b.String()
	}
	record := func(comma string) string {
		var cells []string
		for range 1 + r.IntN(5) {
			c := cellOf()
			if strings.ContainsAny(c, "\"\r\n"+comma) || r.IntN(4) == 0 {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			cells = append(cells, c)
		}
		eol := "\n"
		if r.IntN(5) == 0 {
			eol = "\r\n"
		}
		return strings.Join(cells, comma) + eol
	}
	for i := range 20000 {
		comma := []string{",", ";", "\t"}[r.IntN(3)]
		var b strings.Builder
		switch i % 3 {
		case 0, 1:
			for range r.IntN(8) {
				if r.IntN(10) == 0 {
					b.WriteString("\n") // an empty line
				}
				b.WriteString(record(comma))
			}
		default:
			for range r.IntN(60) {
				b.WriteString(soup[r.IntN(len(soup))])
			}
		}
		data := []byte(b.String())
		if i%3 == 1 && len(data) > 0 {
			data[r.IntN(len(data))] = soup[r.IntN(len(soup))][0]
		}
		if r.IntN(3) == 0 && len(data) > 0 && data[len(data)-1] == '\n' {
			data = data[:len(data)-1] // no newline at the end
		}
		if r.IntN(200) == 0 {
			data = append(data, 0)
		}
		var want []bool
		if r.IntN(3) > 0 {
			want = make([]bool, r.IntN(6))
			for j := range want {
				want[j] = r.IntN(2) == 0
			}
		}
		plain, ours := readAll(t, data, rune(comma[0]), want, true), readAll(t, data, rune(comma[0]), want, false)
		if strings.Join(plain, "\n") != strings.Join(ours, "\n") {
			t.Fatalf("input %q (want %v):\nencoding/csv:\n%s\nrowReader:\n%s", data, want, strings.Join(plain, "\n"), strings.Join(ours, "\n"))
		}
	}
}

// FuzzRowReader holds the rowReader to encoding/csv on whatever the
// fuzzer makes: every record's cells, line and offset, and the error that
// ends the file (mask picks the cells a sheet would read).
func FuzzRowReader(f *testing.F) {
	f.Add([]byte("a,b\n\"c,\"\"d\"\"\",e\r\n\n\"f\ng\",h"), byte(','), byte(0b101))
	f.Add([]byte("x;\"y\";\"z\n"), byte(';'), byte(0xff))
	f.Add([]byte("a\tb\"c\t\xff\r"), byte('\t'), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, comma, mask byte) {
		c := rune([]byte{',', ';', '\t'}[int(comma)%3])
		var want []bool
		if mask != 0 {
			for i := range 5 {
				want = append(want, mask&(1<<i) != 0)
			}
		}
		plain, ours := readAll(t, data, c, want, true), readAll(t, data, c, want, false)
		if strings.Join(plain, "\n") != strings.Join(ours, "\n") {
			t.Fatalf("input %q (want %v):\nencoding/csv:\n%s\nrowReader:\n%s", data, want, strings.Join(plain, "\n"), strings.Join(ours, "\n"))
		}
	})
}
