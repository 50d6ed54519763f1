package mapping

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// NormalizeEmail returns the address trimmed, without "mailto:", in lower case,
// or "" when s is not an address. Lower-casing the local part is what every
// CRM and address book does when matching, so linkport matches the same way.
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "mailto:"), "MAILTO:")
	s = strings.Trim(s, "<>")
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t,;") {
		return ""
	}
	return strings.ToLower(s)
}

// NormalizePhone keeps the number as given (trimmed, spaces folded) and
// adds its E.164 form when libphonenumber's metadata says the number is
// valid: a number with its own country code (+ or 00) on its own, a
// national one only with region (an ISO 3166 code such as "GB"; "" for
// none), since "(202) 555-0142" is a different line in every country. A
// trunk zero ("+44 (0)20 …") is dropped from the E.164 form, an extension
// is left out of it and stays in Raw.
func NormalizePhone(s, region string) Phone {
	return normalizePhone(NormalizeName(s), region)
}

// normalizePhone is NormalizePhone of a number already trimmed and
// spaced (NormalizeName: strings.Fields splits on the same white space).
func normalizePhone(raw, region string) Phone {
	p := Phone{Raw: raw}
	if raw == "" {
		return p
	}
	in := raw
	if rest, ok := strings.CutPrefix(in, "00"); ok {
		in = "+" + rest // the international prefix of most of the world, whatever region says
	}
	n, err := phonenumbers.Parse(in, strings.ToUpper(region))
	if err != nil || !validNumber(n) {
		return p
	}
	p.E164 = phonenumbers.Format(n, phonenumbers.E164)
	return p
}

// validNumber is phonenumbers.IsValidNumber(n), which for a country code
// that regions share (+1, +44, +7, …) finds the number's region by working
// out its type, then works the type out again to say it is valid. Here the
// first answer is the last, which halves the check of a +44 or +1 number
// (18 to 9 µs, 10 to 5). TestValidNumber and FuzzValidNumber hold it to
// IsValidNumber.
func validNumber(n *phonenumbers.PhoneNumber) bool {
	regions := phonenumbers.GetRegionCodesForCountryCode(int(n.GetCountryCode()))
	if len(regions) < 2 {
		return phonenumbers.IsValidNumber(n)
	}
	var nsn string
	for _, r := range regions { // as phonenumbers.GetRegionCodeForNumber looks
		if leading := leadingDigits()[r]; leading != nil {
			if nsn == "" {
				nsn = phonenumbers.GetNationalSignificantNumber(n)
			}
			if leading().MatchString(nsn) {
				return phonenumbers.IsValidNumberForRegion(n, r)
			}
		} else if phonenumbers.IsValidNumberForRegion(n, r) {
			return true
		}
	}
	return false
}

// leadingDigits maps each region that has them to its leading-digits
// pattern, which places a number in one of several regions that share a
// country code, compiled at its first use. Like the metadata it is read
// from, which the package loads at its init, it never changes once made.
var leadingDigits = sync.OnceValue(func() map[string]func() *regexp.Regexp {
	m := map[string]func() *regexp.Regexp{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil { // loaded at the package's init, which panics on this
		return m
	}
	for _, md := range coll.GetMetadata() {
		if ld := md.GetLeadingDigits(); ld != "" {
			m[md.GetId()] = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^(?:" + ld + ")") })
		}
	}
	return m
})

// phoneCache remembers NormalizePhone's answers: libphonenumber costs some
// 15 µs a number, and an address book repeats numbers (a switchboard, the
// same person imported twice). Not safe for concurrent use.
type phoneCache map[phoneKey]Phone

type phoneKey struct{ raw, region string }

// maxCachedPhones bounds one cache; past it, numbers are parsed each time.
const maxCachedPhones = 1 << 16

func (c phoneCache) normalize(s, region string) Phone {
	raw := NormalizeName(s)
	k := phoneKey{raw, region}
	if p, ok := c[k]; ok {
		return p
	}
	p := normalizePhone(raw, region)
	if len(c) < maxCachedPhones {
		c[k] = p
	}
	return p
}

// ValidRegion reports whether code is a region libphonenumber knows ("GB",
// "us"), so a configured default region is checked once, not per number.
func ValidRegion(code string) bool {
	return phonenumbers.GetSupportedRegions()[strings.ToUpper(code)]
}

// NormalizeProfileURL returns the canonical form of a LinkedIn member profile
// URL (https://www.linkedin.com/in/<slug>) and its decoded, lower-case slug.
// Scheme, country subdomain, "www.", query, fragment, trailing slash and
// percent-encoding do not matter. Anything that is not a /in/ URL yields "", "".
func NormalizeProfileURL(s string) (canonical, slug string) {
	const prefix = "https://www.linkedin.com/in/"
	if rest, ok := strings.CutPrefix(s, prefix); ok && isPlainSlug(rest) {
		return s, rest // what every export since 2023 holds, without parsing
	} else if ok && strings.IndexAny(rest, "/?#") < 0 {
		// Already canonical but percent-encoded (zo%C3%AB-…): still no parsing.
		if slug, err := url.PathUnescape(rest); err == nil && slug != "" && slug == strings.ToLower(slug) && url.PathEscape(slug) == rest {
			return s, slug
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", ""
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return "", ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "in" || parts[1] == "" {
		return "", ""
	}
	slug = strings.ToLower(parts[1]) // u.Path is already percent-decoded
	return "https://www.linkedin.com/in/" + url.PathEscape(slug), slug
}

// isPlainSlug reports whether s is a slug that needs no decoding or folding.
func isPlainSlug(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// NormalizeName trims a name and folds runs of white space into one space.
func NormalizeName(s string) string {
	if isNormalName(s) {
		return s // the common case, without allocating
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// isNormalName reports whether s is ASCII-spaced already: no leading,
// trailing or doubled spaces and no other white space.
func isNormalName(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case b < ' ' || b >= 0x80:
			if b >= 0x80 {
				return isNormalNameSlow(s)
			}
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

func isNormalNameSlow(s string) bool {
	prevSpace := true
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case unicode.IsSpace(r):
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace
}

// NameKey is the comparison form of a name, normalised and lower-case, so
// every package matches names the same way.
func NameKey(s string) string {
	return strings.ToLower(NormalizeName(s))
}

// AppendNames appends each of names, normalised, that dst lacks: a list of
// names or skills gathered from several rows holds each once.
func AppendNames(dst []string, names ...string) []string {
	for _, s := range names {
		if s = NormalizeName(s); s != "" && !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}
