package mapping

import (
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
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
		fromRecord(c, &Record{Kind: KindConnection, FirstName: tt.first, LastName: tt.last, Company: tt.company}, "", newCaches())
		want := "name:" + NameKey(c.Name) + "|" + NameKey(c.Company)
		if c.Name != "" && !c.Keys.Has(want) {
			t.Errorf("keys %q lack %q", c.Keys.List(), want)
		}
		if got := string(appendLower(nil, c.Company)); got != NameKey(c.Company) {
			t.Errorf("appendLower(%q) = %q, NameKey %q", c.Company, got, NameKey(c.Company))
		}
	}
}

// TestValidNumber holds validNumber to phonenumbers.IsValidNumber: every
// region's example number of every type, and each with its last digits
// changed, a digit dropped and one added, which walks the shared country
// codes' regions (+1's 25, +44's 4, +7, +39, …) both ways.
func TestValidNumber(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	var checked, valid, shared int
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			variants := []string{nsn, nsn[:len(nsn)-1], nsn + "7"}
			for d := range 10 {
				variants = append(variants, nsn[:len(nsn)-1]+strconv.Itoa(d), strconv.Itoa(d)+nsn[1:])
			}
			for _, v := range variants {
				n, err := phonenumbers.Parse("+"+strconv.Itoa(int(ex.GetCountryCode()))+v, "")
				if err != nil {
					continue
				}
				want := phonenumbers.IsValidNumber(n)
				if got := validNumber(n); got != want {
					t.Errorf("%s %v +%d %s: validNumber = %v, IsValidNumber = %v", region, typ, ex.GetCountryCode(), v, got, want)
				}
				checked++
				if want {
					valid++
				}
				if len(phonenumbers.GetRegionCodesForCountryCode(int(ex.GetCountryCode()))) > 1 {
					shared++
				}
			}
		}
	}
	// The corpus must reach both answers, and the shared codes.
	if checked < 10000 || valid < checked/10 || valid > checked*9/10 || shared < 1000 {
		t.Errorf("corpus too narrow: %d numbers, %d valid, %d with a shared country code", checked, valid, shared)
	}
}

// FuzzValidNumber holds validNumber to phonenumbers.IsValidNumber for any
// number and default region.
func FuzzValidNumber(f *testing.F) {
	for _, s := range [][2]string{{"+44 20 7946 0958", ""}, {"(202) 555-0142", "US"}, {"+1 268 464 1234", ""},
		{"+7 701 123 4567", ""}, {"+39 06 698 1", ""}, {"+590 690 00 12 34", ""}, {"0044 1624 756789", "GB"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		n, err := phonenumbers.Parse(s, strings.ToUpper(region))
		if err != nil {
			return
		}
		if got, want := validNumber(n), phonenumbers.IsValidNumber(n); got != want {
			t.Errorf("Parse(%q, %q): validNumber = %v, IsValidNumber = %v", s, region, got, want)
		}
	})
}
