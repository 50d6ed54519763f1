// Package redact is the one place where text from outside (a server's
// error body, a transport error) is made fit for linkport's errors, logs,
// reports and outbox: known secrets, credential header values and anything
// shaped like a bearer or basic credential are replaced by "[redacted]".
// Every adapter builds its Redactor from the secrets it was configured
// with, so a server that echoes the request cannot put them on screen.
package redact

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask replaces every secret in redacted text.
const Mask = "[redacted]"

// MaxBody is how many bytes of a remote body Body quotes at most.
const MaxBody = 200

// minSecret is the shortest secret value replaced by its value: a shorter
// one would blank out ordinary words; the patterns still catch it in a
// credential header.
const minSecret = 4

var (
	// a credential header and its value, as a raw header line, Go's
	// http.Header print (map[Authorization:[…]]) or JSON ("Cookie": ["…"]).
	headerRE = regexp.MustCompile(`(?i)((?:proxy-)?authorization|(?:set-)?cookie|x-api-key|api[-_]?key|x-auth-token)("?\s*[:=]\s*\[?"?)([^"\]\r\n]*)`)
	// an auth scheme followed by a credential-looking word.
	schemeRE = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/-]{8,}=*)`)
	// a password in a URL's userinfo.
	userinfoRE = regexp.MustCompile(`(://[^/@\s:]*):[^/@\s]*@`)
	// a Standard Webhooks secret.
	whsecRE = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)
)

// Redactor replaces known secrets and credential-shaped text. It is
// immutable, so one may be shared by concurrent writes.
type Redactor struct {
	secrets []string // longest first, so a secret containing another is masked whole
}

// New returns a Redactor for the given secret values. Empty and very short
// values are ignored; each value's base64 forms are masked too, since a
// server echoing a Basic header shows them.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if len(s) < minSecret {
			continue
		}
		r.secrets = append(r.secrets, s,
			base64.StdEncoding.EncodeToString([]byte(s)),
			base64.RawStdEncoding.EncodeToString([]byte(s)),
			base64.URLEncoding.EncodeToString([]byte(s)))
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	r.secrets = slices.Compact(r.secrets)
	return r
}

// BasicAuth is the value a Basic Authorization header carries for user and
// password (base64 of "user:password"), to give New alongside the password.
func BasicAuth(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// String returns s with every secret replaced. A nil Redactor still masks
// credential-shaped text.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, sec := range r.secrets {
			s = strings.ReplaceAll(s, sec, Mask)
		}
	}
	s = headerRE.ReplaceAllString(s, "${1}${2}"+Mask)
	s = schemeRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := schemeRE.FindStringSubmatch(m)
		if isWord(sub[3]) { // "Basic authentication required"
			return m
		}
		return sub[1] + sub[2] + Mask
	})
	s = userinfoRE.ReplaceAllString(s, "${1}:"+Mask+"@")
	return whsecRE.ReplaceAllString(s, "whsec_"+Mask)
}

// Error returns err with its text redacted; errors.Is and errors.As still
// see the original chain, so its class (connectors.Fatal) survives.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := r.String(msg)
	if red == msg {
		return err
	}
	return &redacted{msg: red, err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// Body returns a remote body as one printable line, redacted, then cut to
// at most MaxBody bytes (on a rune boundary, "…" marking a cut). Redaction
// comes first so that a cut cannot leave half a secret unrecognised.
func (r *Redactor) Body(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	s = strings.Map(func(c rune) rune {
		if unicode.IsPrint(c) {
			return c
		}
		return -1
	}, s)
	s = r.String(s)
	if len(s) <= MaxBody {
		return s
	}
	cut := MaxBody
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// isWord reports whether s is a plain lowercase word, which no encoded
// credential or token is.
func isWord(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
