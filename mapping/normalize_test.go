package mapping

import "testing"

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Jane.Doe@Example.ORG", "jane.doe@example.org"},
		{"  mailto:a@b.co ", "a@b.co"},
		{"<x@y.z>", "x@y.z"},
		{"", ""},
		{"not an email", ""},
		{"a@b.c, d@e.f", ""},
		{"@nolocal.org", ""},
		{"trailing@", ""},
	} {
		if got := NormalizeEmail(tc.in); got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, region, raw, e164 string }{
		{" +44 20 7946 0958", "", "+44 20 7946 0958", "+442079460958"},
		{"0044 (20) 7946-0958", "", "0044 (20) 7946-0958", "+442079460958"},
		{"0044 (20) 7946-0958", "US", "0044 (20) 7946-0958", "+442079460958"}, // 00 is international, whatever the region
		// trunk zeros: dropped from E.164, kept in the raw form
		{"+44 (0)20 7946 0000", "", "+44 (0)20 7946 0000", "+442079460000"},
		{"+49 (0) 30 1234567", "", "+49 (0) 30 1234567", "+49301234567"},
		{"+44 020 7946 0958", "", "+44 020 7946 0958", "+442079460958"},
		{"+33 (0)1 23 45 67 89", "", "+33 (0)1 23 45 67 89", "+33123456789"},
		// no such country
		{"+999 1234 5678", "", "+999 1234 5678", ""},
		{"+999 1234 5678", "GB", "+999 1234 5678", ""},
		// national numbers: only with a region
		{"(202) 555-0142", "US", "(202) 555-0142", "+12025550142"},
		{"(202) 555-0142", "us", "(202) 555-0142", "+12025550142"},
		{"(202) 555-0142", "", "(202) 555-0142", ""},
		{"020 7946 0958", "", "020 7946 0958", ""},
		{"020 7946 0958", "GB", "020 7946 0958", "+442079460958"},
		{"030 1234567", "DE", "030 1234567", "+49301234567"},
		{"030 1234567", "XX", "030 1234567", ""}, // unknown region: as none
		// extensions: out of E.164, not lost from the raw form
		{"+44 20 7946 0958 ext. 12", "", "+44 20 7946 0958 ext. 12", "+442079460958"},
		{"202-555-0142 x123", "US", "202-555-0142 x123", "+12025550142"},
		{"+1 202 555 0142 #9", "", "+1 202 555 0142 #9", "+12025550142"},
		// invalid: too short, wrong length for the country, not a number
		{"+1 555 0100 ext. 7", "", "+1 555 0100 ext. 7", ""},
		{"+12", "", "+12", ""},
		{"+49 30", "", "+49 30", ""},
		{"call me", "GB", "call me", ""},
		{"  ", "GB", "", ""},
	} {
		got := NormalizePhone(tc.in, tc.region)
		if got.Raw != tc.raw || got.E164 != tc.e164 {
			t.Errorf("NormalizePhone(%q, %q) = %+v, want {%q %q}", tc.in, tc.region, got, tc.raw, tc.e164)
		}
	}
}

func TestValidRegion(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{{"GB", true}, {"us", true}, {"DE", true}, {"", false}, {"XX", false}, {"UK", false}, {"GBR", false}} {
		if got := ValidRegion(tc.code); got != tc.want {
			t.Errorf("ValidRegion(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestNormalizeProfileURL(t *testing.T) {
	for _, tc := range []struct{ in, url, slug string }{
		{"https://www.linkedin.com/in/jane-doe", "https://www.linkedin.com/in/jane-doe", "jane-doe"},
		{"http://linkedin.com/in/Jane-Doe/", "https://www.linkedin.com/in/jane-doe", "jane-doe"},
		{"de.linkedin.com/in/jane-doe?trk=x#y", "https://www.linkedin.com/in/jane-doe", "jane-doe"},
		{"https://www.linkedin.com/in/zo%C3%AB-m%C3%BCller", "https://www.linkedin.com/in/zo%C3%AB-m%C3%BCller", "zoë-müller"},
		{"https://www.linkedin.com/in/zoë-müller/", "https://www.linkedin.com/in/zo%C3%AB-m%C3%BCller", "zoë-müller"},
		{"https://www.linkedin.com/company/acme", "", ""},
		{"https://example.com/in/jane", "", ""},
		{"", "", ""},
	} {
		u, s := NormalizeProfileURL(tc.in)
		if u != tc.url || s != tc.slug {
			t.Errorf("NormalizeProfileURL(%q) = %q, %q; want %q, %q", tc.in, u, s, tc.url, tc.slug)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	if got := NormalizeName("  Jane \t  van  der Berg\n"); got != "Jane van der Berg" {
		t.Errorf("NormalizeName = %q", got)
	}
}
