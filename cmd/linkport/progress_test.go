package main

import (
	"bytes"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lmittmann/tint"
)

// screen is what a terminal shows after it printed b: carriage returns go
// back to the line's start, "\x1b[2K" erases the line, other escapes are
// ignored, and later text overwrites earlier.
func screen(b []byte) []string {
	lines := [][]rune{nil}
	row, col := 0, 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == '\x1b' && len(b) > 1 && b[1] == '[':
			end := 2
			for end < len(b) && (b[end] < '@' || b[end] > '~') {
				end++
			}
			if end < len(b) && b[end] == 'K' {
				lines[row] = nil
			}
			n = end + 1
		case r == '\r':
			col = 0
		case r == '\n':
			row, col = row+1, 0
			if row == len(lines) {
				lines = append(lines, nil)
			}
		default:
			for len(lines[row]) <= col {
				lines[row] = append(lines[row], ' ')
			}
			lines[row][col] = r
			col++
		}
		b = b[n:]
	}
	var out []string
	for _, l := range lines {
		if s := strings.TrimRight(string(l), " "); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Log lines written while the bar is drawn each end up whole on a line of
// their own, and the bar's last word is what was done.
func TestProgressAndLogShareTheTerminal(t *testing.T) {
	var raw bytes.Buffer
	term := &terminal{w: &raw}
	log := slog.New(tint.NewTextHandler(term, &tint.Options{NoColor: true, TimeFormat: "-"}))
	term.phase("reading the export", -1)
	log.Info("read", "file", "Connections.csv")
	for i := 1; i <= 40; i++ {
		term.pushed("pushing to phone", i, 50) // interrupted at 40 of 50
		if i%10 == 0 {
			log.Warn("held", "person", "Ana Lima", "n", i)
			time.Sleep(120 * time.Millisecond) // past the bar's throttle, so it is drawn again between logs
		}
	}
	term.end()
	got := screen(raw.Bytes())
	want := []string{"- INF read file=Connections.csv"}
	for i := 10; i <= 40; i += 10 {
		want = append(want, "- WRN held person=\"Ana Lima\" n="+strconv.Itoa(i))
	}
	if len(got) != len(want)+1 {
		t.Fatalf("the terminal shows %d lines, want %d:\n%s", len(got), len(want)+1, strings.Join(got, "\n"))
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("line %d is %q, want %q", i, got[i], w)
		}
	}
	if last := got[len(got)-1]; !strings.HasPrefix(last, "pushing to phone: 40/50 contacts in ") {
		t.Errorf("the last line is %q; want what was done (40 of 50)", last)
	}
	if !strings.Contains(raw.String(), "/50, ") || !strings.Contains(raw.String(), " contacts/s)") {
		t.Errorf("the bar never showed a count and a rate: %q", raw.String())
	}
}

// Off a terminal (cron, a pipe, CI) there is no bar and the log is slog's
// key=value text.
func TestNoProgressOffATerminal(t *testing.T) {
	env(t)
	code, _, errs := runCLI(t, "diff", "-v", "--source", "testdata/export2024")
	if code != exitOK {
		t.Fatalf("diff: exit %d: %s", code, errs)
	}
	if strings.ContainsAny(errs, "\r\x1b") || strings.Contains(errs, "reading the export") || strings.Contains(errs, "planning") {
		t.Errorf("a bar was drawn off a terminal: %q", errs)
	}
	if !strings.Contains(errs, "level=DEBUG") {
		t.Errorf("the log is not slog text: %q", errs)
	}
}
