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
	for _, tc := range []struct{ in, raw, e164 string }{
		{" +44 20 7946 0958", "+44 20 7946 0958", "+442079460958"},
		{"0044 (20) 7946-0958", "0044 (20) 7946-0958", "+442079460958"},
		{"020 7946 0958", "020 7946 0958", ""}, // national: ambiguous
		{"+1 555 0100 ext. 7", "+1 555 0100 ext. 7", ""},
		{"+12", "+12", ""}, // too short
	} {
		got := NormalizePhone(tc.in)
		if got.Raw != tc.raw || got.E164 != tc.e164 {
			t.Errorf("NormalizePhone(%q) = %+v, want {%q %q}", tc.in, got, tc.raw, tc.e164)
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
