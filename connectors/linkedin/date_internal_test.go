package linkedin

import (
	"fmt"
	"testing"
	"time"
)

// TestParseUTC holds the fast path for messages.csv's dates to time.Parse:
// the same time (location included) where it answers, and no answer where
// time.Parse fails.
func TestParseUTC(t *testing.T) {
	cases := []string{"2024-06-01 14:03:22 UTC", "0000-01-01 00:00:00 UTC", "9999-12-31 23:59:59 UTC", "2024-02-29 12:00:00 UTC",
		"2023-02-29 12:00:00 UTC", "2024-13-01 00:00:00 UTC", "2024-00-10 00:00:00 UTC", "2024-04-31 00:00:00 UTC", "2024-04-00 00:00:00 UTC",
		"2024-06-01 24:00:00 UTC", "2024-06-01 23:60:00 UTC", "2024-06-01 23:59:60 UTC", "2024-06-01 14:03:22 GMT", "2024-06-01 14:03:22 utc",
		"2024-06-01T14:03:22 UTC", "2024-6-01 14:03:22 UTC", "2024-06-01 14:03:2x UTC", "+024-06-01 14:03:22 UTC", "2024-06-01 14:03:22 UTC ",
		"2024-06-01 14:03:22.5 UTC", "2024-06-01 14:03:22"}
	for y := 1999; y <= 2005; y++ {
		for d := 27; d <= 31; d++ {
			cases = append(cases, fmt.Sprintf("%04d-02-%02d 01:02:03 UTC", y, d), fmt.Sprintf("%04d-11-%02d 01:02:03 UTC", y, d))
		}
	}
	for _, s := range cases {
		want, err := time.Parse(activityLayouts[0], s)
		got, ok := parseUTC(s)
		switch {
		case ok && (err != nil || got != want || got.Location() != want.Location()):
			t.Errorf("parseUTC(%q) = %v, time.Parse %v, %v", s, got, want, err)
		case !ok && err == nil && len(s) == 23 && s[19:] == " UTC":
			t.Errorf("parseUTC(%q) declined what time.Parse reads: %v", s, want)
		}
	}
}

// TestIsASCII checks the eight-at-a-time test against a byte loop, for a
// high byte at every position of lines of every length up to 40.
func TestIsASCII(t *testing.T) {
	for n := range 41 {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(i%26)
		}
		if !isASCII(b) {
			t.Errorf("isASCII(%q) = false", b)
		}
		for i := range n {
			for _, c := range []byte{0x80, 0xC3, 0xFF} {
				c0 := b[i]
				b[i] = c
				if isASCII(b) {
					t.Errorf("isASCII(%q) = true", b)
				}
				b[i] = c0
			}
		}
	}
}
