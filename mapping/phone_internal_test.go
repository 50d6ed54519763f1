package mapping

import (
	"slices"
	"strings"
	"testing"
)

// TestPhoneCache checks the cache answers what NormalizePhone does, for a
// number seen first and again, and that NormalizeName spaces a number as
// strings.Fields did (what NormalizePhone used before).
func TestPhoneCache(t *testing.T) {
	c := phoneCache{}
	for _, tt := range []struct{ s, region string }{
		{"+44 20 7946 0958", ""}, {"  +44 20\t7946 0958 ", ""}, {"(202) 555-0142", "US"}, {"(202) 555-0142", ""},
		{"(202) 555-0142", "gb"}, {"0044 (0)20 7946 0958", "US"}, {"+1 202-555-0142 ext. 7", ""}, {"\u00a0+1\u2003202 555 0142\u0085", ""},
		{"not a number", "GB"}, {"", ""}, {"   ", "US"}, {"+44 20 7946 09\xff58", ""},
	} {
		want := NormalizePhone(tt.s, tt.region)
		for range 2 {
			if got := c.normalize(tt.s, tt.region); got != want {
				t.Errorf("cache(%q, %q) = %+v, want %+v", tt.s, tt.region, got, want)
			}
		}
		if got, old := NormalizeName(tt.s), strings.Join(strings.Fields(tt.s), " "); got != old {
			t.Errorf("NormalizeName(%q) = %q, strings.Fields joined %q", tt.s, got, old)
		}
	}
}

// TestNameKeyInOneGo checks the name key and organisation key built in one
// buffer against NameKey, for ASCII, non-ASCII and oddly spaced names.
func TestNameKeyInOneGo(t *testing.T) {
	for _, tt := range []struct{ first, last, company string }{
		{"Ada", "Quill", "Hooli"}, {"ZOË", "Brandt", "Ærø ApS"}, {"  Jane ", "Doe\tSmith", " Acme  Corp "}, {"İsmail", "KAYA", "ΣΟΦΙΑ"},
		{"", "", ""}, {"Bo", "", ""}, {"x\x01y", "Ⅻ", "ǅemal"}, {strings.Repeat("Long", 40), strings.Repeat("Name", 40), strings.Repeat("Co", 80)},
	} {
		c := new(Contact)
		fromRecord(c, &Record{Kind: KindConnection, FirstName: tt.first, LastName: tt.last, Company: tt.company}, "", newCaches(1))
		want := "name:" + NameKey(c.Name) + "|" + NameKey(c.Company)
		if c.Name != "" && !slices.Contains(c.Keys, want) {
			t.Errorf("keys %q lack %q", c.Keys, want)
		}
		if got := string(appendLower(nil, c.Company)); got != NameKey(c.Company) {
			t.Errorf("appendLower(%q) = %q, NameKey %q", c.Company, got, NameKey(c.Company))
		}
	}
}
