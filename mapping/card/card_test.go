package card

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/mapping"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func encode(t *testing.T, c vcard.Card) string {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, c); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b.String()
}

func decode(t *testing.T, s string) vcard.Card {
	t.Helper()
	c, err := vcard.NewDecoder(strings.NewReader(s)).Decode()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return c
}

func sampleContact() *mapping.Contact {
	return &mapping.Contact{
		ID: "4f1c2a9be0d3a7c1", Name: "Zoë Ångström-Müller", FirstName: "Zoë", LastName: "Ångström-Müller",
		ProfileURL: "https://www.linkedin.com/in/zoe-angstrom", Emails: []string{"zoe@example.org", "z.a@work.example"},
		EmailStatus: mapping.EmailPresent, Phones: []mapping.Phone{{Raw: "+49 30 1234567", E164: "+49301234567"}, {Raw: "030 765 43 ext. 2"}},
		Company: "Acme; Research, Inc.", Title: "Head of R&D",
		Whereabouts: &mapping.Whereabouts{Addresses: []string{"Hauptstr. 1\n10115 Berlin"}, Sites: []string{"https://zoe.example"}},
		ConnectedOn: "2021-07-14", Sources: []string{"connection", "contact:GOOGLE_CONTACTS"},
	}
}

func TestNewGolden(t *testing.T) {
	hidden := &mapping.Contact{ID: "00000000000000ff", Name: "Solo", EmailStatus: mapping.EmailHidden, Sources: []string{"connection"},
		ProfileURL: "https://www.linkedin.com/in/solo", ConnectedOn: "2024-01-02"}
	bad := &mapping.Contact{ID: "badbytes00000000", Name: "Jos\xe9 Doe;Jr", FirstName: "Jos\xe9", LastName: "Doe;Jr",
		EmailStatus: mapping.EmailNone, Company: "A\x00B", Sources: []string{"contact:OUTLOOK"}}
	cases := []struct {
		name    string
		c       *mapping.Contact
		version string
	}{
		{"full-3.0", sampleContact(), "3.0"},
		{"full-4.0", sampleContact(), "4.0"},
		{"hidden-email-3.0", hidden, "3.0"},
		{"invalid-input-3.0", bad, "3.0"},
		{"enriched-3.0", enrichedContact(), "3.0"},
		{"history-3.0", historyContact(), "3.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := encode(t, New(tc.c, tc.version))
			if again := encode(t, New(tc.c, tc.version)); again != got {
				t.Fatalf("two encodings differ:\n%s\n%s", got, again)
			}
			if !utf8.ValidString(got) {
				t.Errorf("card is not valid UTF-8")
			}
			checkWritten(t, got)
			for _, l := range strings.Split(unfold(got), "\r\n") {
				if strings.HasPrefix(l, "N:") && strings.Count(l, ";")-strings.Count(l, `\;`) != 4 {
					t.Errorf("N has %d separators, want 4: %q", strings.Count(l, ";"), l)
				}
				if strings.HasPrefix(l, "ORG:") && strings.Count(l, ";") != strings.Count(l, `\;`) {
					t.Errorf("ORG leaks an unescaped ';': %q", l)
				}
			}
			path := filepath.Join("testdata", tc.name+".vcf")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run with -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("card differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestUID(t *testing.T) {
	u := UID("4f1c2a9be0d3a7c1")
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u) {
		t.Errorf("UID %q is not a v5 urn:uuid", u)
	}
	if u == UID("4f1c2a9be0d3a7c2") {
		t.Error("two IDs share a UID")
	}
	// RFC 4122 appendix B style check against a known v5 value (python uuid.uuid5(NAMESPACE_URL, "urn:linkport:contact:x")).
	if got, want := UID("x"), "urn:uuid:7a2a0854-5248-5088-95da-804dfcfd72f6"; got != want {
		t.Errorf("UID(x) = %s, want %s", got, want)
	}
}

func TestCategories(t *testing.T) {
	c := New(&mapping.Contact{ID: "a", Name: "A B", EmailStatus: mapping.EmailHidden}, "3.0")
	if got := lines(t, c, vcard.FieldCategories); !reflect.DeepEqual(got, []string{"CATEGORIES:LinkedIn,LinkedIn: no email"}) {
		t.Errorf("CATEGORIES lines = %q, want one property, comma-separated", got)
	}
	if got, want := Categories(decode(t, encode(t, c))), []string{CategoryLinkedIn, CategoryNoEmail}; !reflect.DeepEqual(got, want) {
		t.Errorf("categories read back = %q, want %q", got, want)
	}
	AddCategory(c, "Ops, EMEA")
	AddCategory(c, CategoryLinkedIn) // already there
	if got := lines(t, c, vcard.FieldCategories); !reflect.DeepEqual(got, []string{`CATEGORIES:LinkedIn,LinkedIn: no email,Ops\, EMEA`}) {
		t.Errorf("CATEGORIES lines = %q, want a comma inside a value escaped", got)
	}
	old := decode(t, "BEGIN:VCARD\r\nVERSION:3.0\r\nCATEGORIES:LinkedIn\r\nCATEGORIES:LinkedIn: no email\r\nCATEGORIES:Work,Friends\r\nEND:VCARD\r\n")
	if got, want := Categories(old), []string{CategoryLinkedIn, CategoryNoEmail, "Work", "Friends"}; !reflect.DeepEqual(got, want) {
		t.Errorf("categories of an old card = %q, want %q", got, want)
	}
}

// unfold undoes the folding of an encoded card (RFC 6350 §3.2).
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// checkWritten asserts what every card linkport writes holds: lines of at
// most 75 octets, folded on UTF-8 boundaries, exactly one CATEGORIES, and
// a SOCIALPROFILE beside the Apple and Monica forms when there is a profile.
func checkWritten(t *testing.T, encoded string) {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(encoded, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i+1, l)
		}
	}
	if strings.Count(encoded, "\n") != strings.Count(encoded, "\r\n") {
		t.Errorf("a line ends in a bare LF")
	}
	var cats, social, apple int
	for _, l := range strings.Split(unfold(encoded), "\r\n") {
		switch {
		case strings.HasPrefix(l, "CATEGORIES:"), strings.HasPrefix(l, "CATEGORIES;"):
			cats++
		case strings.HasPrefix(l, "SOCIALPROFILE;TYPE=linkedin:"):
			social++
		case strings.HasPrefix(l, "X-SOCIALPROFILE;"):
			apple++
		}
	}
	if cats != 1 {
		t.Errorf("%d CATEGORIES properties, want exactly one", cats)
	}
	if social != apple {
		t.Errorf("%d SOCIALPROFILE;TYPE=linkedin beside %d X-SOCIALPROFILE", social, apple)
	}
}

// lines returns the card's encoded lines, unfolded, that start with prop (";" or ":" follows).
func lines(t *testing.T, c vcard.Card, prop string) []string {
	var out []string
	for _, l := range strings.Split(unfold(encode(t, c)), "\r\n") {
		if strings.HasPrefix(l, prop+":") || strings.HasPrefix(l, prop+";") {
			out = append(out, l)
		}
	}
	return out
}

func TestMerge(t *testing.T) {
	base := sampleContact()
	userLines := "TEL;TYPE=CELL:+1 555 0100\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\nBDAY:1980-02-29\r\n" +
		"NOTE:met at the conference\\, very nice\r\nitem1.URL:https://blog.example\r\nitem1.X-ABLABEL:blog\r\n"
	onServer := func(edit func(string) string) vcard.Card {
		s := unfold(encode(t, New(base, "3.0")))
		s = strings.Replace(s, "END:VCARD\r\n", userLines+"END:VCARD\r\n", 1)
		if edit != nil {
			s = edit(s)
		}
		return decode(t, s)
	}
	moved := *base
	moved.Company, moved.Title = "Globex", "CTO"
	noEmail := *base
	noEmail.Emails = []string{"zoe@example.org"}
	newPhone := *base
	newPhone.Phones = append(newPhone.Phones, mapping.Phone{Raw: "+44 20 7946 0000", E164: "+442079460000"})

	tests := []struct {
		name      string
		remote    vcard.Card
		base, c   *mapping.Contact
		overwrite bool
		want      map[string][]string // property → values expected in the merge
		conflicts []string
	}{
		{name: "unchanged", remote: onServer(nil), base: base, c: base,
			want: map[string][]string{"ORG": {`Acme\; Research, Inc.`}}},
		{name: "job change applied, user data kept", remote: onServer(nil), base: base, c: &moved,
			want: map[string][]string{"ORG": {"Globex"}, "TITLE": {"CTO"}, "BDAY": {"1980-02-29"}}},
		{name: "user edited title, LinkedIn changed it: keep theirs", base: base, c: &moved,
			remote: onServer(func(s string) string { return strings.Replace(s, "TITLE:Head of R&D", "TITLE:Boss", 1) }),
			want:   map[string][]string{"ORG": {"Globex"}, "TITLE": {"Boss"}}, conflicts: []string{"title"}},
		{name: "same edit, overwrite", base: base, c: &moved, overwrite: true,
			remote: onServer(func(s string) string { return strings.Replace(s, "TITLE:Head of R&D", "TITLE:Boss", 1) }),
			want:   map[string][]string{"TITLE": {"CTO"}}, conflicts: []string{"title"}},
		{name: "user edited title, LinkedIn did not: no conflict", base: base, c: base,
			remote: onServer(func(s string) string { return strings.Replace(s, "TITLE:Head of R&D", "TITLE:Boss", 1) }),
			want:   map[string][]string{"TITLE": {"Boss"}}},
		{name: "LinkedIn dropped an email", remote: onServer(nil), base: base, c: &noEmail,
			want: map[string][]string{"EMAIL": {"zoe@example.org"}}},
		{name: "LinkedIn added a phone, user phone kept", remote: onServer(nil), base: base, c: &newPhone,
			want: map[string][]string{"TEL": {"+49301234567", "030 765 43 ext. 2", "+1 555 0100", "+442079460000"}}},
		{name: "user deleted our phone, LinkedIn added one: conflict", base: base, c: &newPhone,
			remote: onServer(func(s string) string { return strings.Replace(s, "TEL:+49301234567\r\n", "", 1) }),
			want:   map[string][]string{"TEL": {"030 765 43 ext. 2", "+1 555 0100"}}, conflicts: []string{"phones"}},
		{name: "unknown base: ours applied, no conflict", base: nil, c: &moved,
			remote: onServer(func(s string) string { return strings.Replace(s, "TITLE:Head of R&D", "TITLE:Boss", 1) }),
			want:   map[string][]string{"TITLE": {"CTO"}, "TEL": {"+49301234567", "030 765 43 ext. 2", "+1 555 0100"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := encode(t, tt.remote)
			got, conflicts := Merge(tt.remote, tt.base, tt.c, "3.0", tt.overwrite)
			if encode(t, tt.remote) != before {
				t.Error("Merge modified the remote card")
			}
			if !reflect.DeepEqual(conflicts, tt.conflicts) {
				t.Errorf("conflicts = %q, want %q", conflicts, tt.conflicts)
			}
			for prop, want := range tt.want {
				if vals := got.Values(prop); !reflect.DeepEqual(vals, want) {
					t.Errorf("%s = %q, want %q", prop, vals, want)
				}
			}
			// Every property linkport does not own survives as it was.
			for _, prop := range []string{"PHOTO", "BDAY", "X-ABLABEL"} {
				if a, b := lines(t, tt.remote, prop), lines(t, got, prop); !reflect.DeepEqual(a, b) {
					t.Errorf("%s changed: %q → %q", prop, a, b)
				}
			}
			if n := got.Values("NOTE"); len(n) < 1 || n[len(n)-1] != "met at the conference, very nice" {
				t.Errorf("user NOTE lost: %q", n)
			}
			if u := got.Value(vcard.FieldUID); u != UID(base.ID) {
				t.Errorf("UID = %q", u)
			}
		})
	}
}

func TestMergeIdempotent(t *testing.T) {
	moved := *sampleContact()
	moved.Title = "CTO"
	remote := New(sampleContact(), "4.0")
	once, _ := Merge(remote, sampleContact(), &moved, "4.0", false)
	if got, want := encode(t, once), encode(t, New(&moved, "4.0")); got != want {
		t.Errorf("merging into an untouched card should equal the fresh card:\n%s\n%s", got, want)
	}
	twice, conflicts := Merge(once, &moved, &moved, "4.0", false)
	if encode(t, twice) != encode(t, once) || conflicts != nil {
		t.Errorf("second merge changed the card or found conflicts %q", conflicts)
	}
}

func enrichedContact() *mapping.Contact {
	c := sampleContact()
	c.Fill().LastContacted, c.Fill().MessageCount, c.Fill().LastMessageFrom = "2025-06-01", 12, "them"
	c.Fill().InvitedBy, c.Fill().InvitedOn, c.Fill().InvitationText = "me", "2021-07-13", `Hi Zoë, loved your talk; let's "connect"`
	c.Fill().Notes = []string{"Owes me a coffee", "Two kids;\nloves sailing"}
	c.Fill().EndorsedYou, c.Fill().YouEndorsed = []string{"Go", "Public Speaking"}, []string{"Research"}
	c.Fill().RecommendedYou = "2022-03-04"
	return c
}

// TestNoteBlock: the user's own text around linkport's NOTE block, and a
// NOTE of their own, survive Merge; the block follows LinkedIn.
func TestNoteBlock(t *testing.T) {
	base := sampleContact()
	next := enrichedContact()
	block := func(c *mapping.Contact) string { return note(c) }
	withUser := func(b string) string { return "Call after 5pm.\n" + b + "\nBirthday in May, ask about the boat." }
	tests := []struct {
		name      string
		remote    []string // NOTE values on the server
		base, c   *mapping.Contact
		overwrite bool
		want      []string
		conflicts []string
	}{
		{name: "text around the block kept, block updated", remote: []string{withUser(block(base))}, base: base, c: next,
			want: []string{withUser(block(next))}},
		{name: "separate user NOTE kept", remote: []string{block(base), "my own note"}, base: base, c: next,
			want: []string{block(next), "my own note"}},
		{name: "nothing new from LinkedIn: user's edit inside the block kept", base: base, c: base,
			remote: []string{withUser(strings.Replace(block(base), "synced", "SYNCED", 1))},
			want:   []string{withUser(strings.Replace(block(base), "synced", "SYNCED", 1))}},
		{name: "edited inside the block and changed in LinkedIn: conflict", base: base, c: next,
			remote:    []string{withUser(strings.Replace(block(base), "2021-07-14", "2020-01-01", 1))},
			want:      []string{withUser(strings.Replace(block(base), "2021-07-14", "2020-01-01", 1))},
			conflicts: []string{"note"}},
		{name: "same, overwrite", base: base, c: next, overwrite: true,
			remote:    []string{withUser(strings.Replace(block(base), "2021-07-14", "2020-01-01", 1))},
			want:      []string{withUser(block(next))},
			conflicts: []string{"note"}},
		{name: "block deleted by the user, LinkedIn unchanged: stays deleted", base: base, c: base,
			remote: []string{"only mine"}, want: []string{"only mine"}},
		{name: "card from before blocks: old NOTE replaced", base: base, c: next,
			remote: []string{"Connected on LinkedIn on 2021-07-14. Source: LinkedIn export (connection, contact:GOOGLE_CONTACTS), synced by linkport.", "mine"},
			want:   []string{block(next), "mine"}},
		{name: "unknown base: block added beside the user's note", base: nil, c: next,
			remote: []string{"mine"}, want: []string{"mine", block(next)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card := New(base, "3.0")
			delete(card, vcard.FieldNote)
			for _, n := range tt.remote {
				card.Add(vcard.FieldNote, &vcard.Field{Value: n})
			}
			remote := decode(t, encode(t, card)) // as the server would return it
			got, conflicts := Merge(remote, tt.base, tt.c, "3.0", tt.overwrite)
			got = decode(t, encode(t, got))
			if vals := got.Values(vcard.FieldNote); !reflect.DeepEqual(vals, tt.want) {
				t.Errorf("NOTE = %q\nwant %q", vals, tt.want)
			}
			if !reflect.DeepEqual(conflicts, tt.conflicts) {
				t.Errorf("conflicts = %q, want %q", conflicts, tt.conflicts)
			}
			if tt.c == next && got.Value(FieldLinkportLastContacted) != "2025-06-01" {
				t.Errorf("%s = %q", FieldLinkportLastContacted, got.Value(FieldLinkportLastContacted))
			}
		})
	}
}

// TestMonicaSocialProfile: the card carries the LinkedIn profile in the
// property current Monica imports (X-SOCIAL-PROFILE;TYPE=LinkedIn, handle in
// X-USER), beside Apple's X-SOCIALPROFILE, and Merge owns only the value
// linkport wrote.
func TestMonicaSocialProfile(t *testing.T) {
	written := []struct {
		name, url, want string
	}{
		{"plain slug", "https://www.linkedin.com/in/zoe-angstrom",
			"X-SOCIAL-PROFILE;TYPE=LinkedIn;X-USER=zoe-angstrom:https://www.linkedin.com/in/zoe-angstrom"},
		{"non-ASCII slug is a safe parameter value", "https://www.linkedin.com/in/zo%C3%AB-m",
			"X-SOCIAL-PROFILE;TYPE=LinkedIn;X-USER=zoë-m:https://www.linkedin.com/in/zo%C3%AB-m"},
		{"slug with ';': no X-USER", "https://www.linkedin.com/in/a%3Bb",
			"X-SOCIAL-PROFILE;TYPE=LinkedIn:https://www.linkedin.com/in/a%3Bb"},
		{"slug with ':': no X-USER", "https://www.linkedin.com/in/a%3Ab",
			"X-SOCIAL-PROFILE;TYPE=LinkedIn:https://www.linkedin.com/in/a%3Ab"},
		{"not a /in/ URL: no X-USER", "https://www.linkedin.com/company/acme",
			"X-SOCIAL-PROFILE;TYPE=LinkedIn:https://www.linkedin.com/company/acme"},
	}
	for _, tt := range written {
		t.Run(tt.name, func(t *testing.T) {
			c := &mapping.Contact{ID: "m", Name: "M", ProfileURL: tt.url}
			for _, v := range []string{"3.0", "4.0"} {
				card := New(c, v)
				if got := lines(t, card, FieldMonicaSocialProfile); !reflect.DeepEqual(got, []string{tt.want}) {
					t.Errorf("%s: %s lines = %q, want %q", v, FieldMonicaSocialProfile, got, tt.want)
				}
				if got := card.Value(FieldSocialProfile); got != tt.url {
					t.Errorf("%s: %s = %q, want it kept beside Monica's", v, FieldSocialProfile, got)
				}
				back := decode(t, encode(t, card)).Get(FieldMonicaSocialProfile)
				if back == nil || back.Value != tt.url {
					t.Fatalf("%s: decoded %s = %+v", v, FieldMonicaSocialProfile, back)
				}
				if back.Params.Get("X-USER") != profileSlug(tt.url) || back.Params.Get(vcard.ParamType) != "LinkedIn" {
					t.Errorf("%s: decoded params %v", v, back.Params)
				}
			}
		})
	}
	if got := lines(t, New(&mapping.Contact{ID: "n", Name: "N"}, "3.0"), FieldMonicaSocialProfile); got != nil {
		t.Errorf("no profile URL, yet %q", got)
	}

	base := sampleContact()
	moved := *base
	moved.ProfileURL = "https://www.linkedin.com/in/zoe-am"
	const (
		twitter = "X-SOCIAL-PROFILE;TYPE=Twitter;X-USER=zoe:https://twitter.com/zoe\r\n"
		oldLine = "X-SOCIAL-PROFILE;TYPE=LinkedIn;X-USER=zoe-angstrom:https://www.linkedin.com/in/zoe-angstrom\r\n"
		newLine = "X-SOCIAL-PROFILE;TYPE=LinkedIn;X-USER=zoe-am:https://www.linkedin.com/in/zoe-am"
		mine    = "X-SOCIAL-PROFILE;TYPE=LinkedIn:https://www.linkedin.com/in/zoe-private"
	)
	onServer := func(edit func(string) string) vcard.Card {
		s := strings.Replace(unfold(encode(t, New(base, "3.0"))), "END:VCARD\r\n", twitter+"END:VCARD\r\n", 1)
		if edit != nil {
			s = edit(s)
		}
		return decode(t, s)
	}
	merges := []struct {
		name      string
		remote    vcard.Card
		base, c   *mapping.Contact
		overwrite bool
		want      []string // X-SOCIAL-PROFILE lines after the merge
		conflicts []string
	}{
		{name: "unchanged: user's other profile kept", remote: onServer(nil), base: base,
			want: []string{strings.TrimSuffix(oldLine, "\r\n"), strings.TrimSuffix(twitter, "\r\n")}},
		{name: "URL changed: ours replaced, user's other profile kept", remote: onServer(nil), base: base, c: &moved,
			want: []string{strings.TrimSuffix(twitter, "\r\n"), newLine}},
		{name: "user replaced ours, URL changed: theirs kept", base: base, c: &moved,
			remote:    onServer(func(s string) string { return strings.Replace(s, oldLine, mine+"\r\n", 1) }),
			want:      []string{mine, strings.TrimSuffix(twitter, "\r\n")},
			conflicts: []string{"profile_url"}},
		{name: "same, overwrite: ours written back, theirs kept as an added value", base: base, c: &moved, overwrite: true,
			remote:    onServer(func(s string) string { return strings.Replace(s, oldLine, mine+"\r\n", 1) }),
			want:      []string{mine, strings.TrimSuffix(twitter, "\r\n"), newLine},
			conflicts: []string{"profile_url"}},
		{name: "user replaced ours, URL unchanged: theirs kept, no conflict", base: base,
			remote: onServer(func(s string) string { return strings.Replace(s, oldLine, mine+"\r\n", 1) }),
			want:   []string{mine, strings.TrimSuffix(twitter, "\r\n")}},
		{name: "unknown base: ours added beside the user's", base: nil, c: &moved,
			remote: onServer(func(s string) string { return strings.Replace(s, oldLine, "", 1) }),
			want:   []string{strings.TrimSuffix(twitter, "\r\n"), newLine}},
	}
	for _, tt := range merges {
		t.Run("merge/"+tt.name, func(t *testing.T) {
			c := tt.c
			if c == nil {
				c = base
			}
			got, conflicts := Merge(tt.remote, tt.base, c, "3.0", tt.overwrite)
			if !reflect.DeepEqual(conflicts, tt.conflicts) {
				t.Errorf("conflicts = %q, want %q", conflicts, tt.conflicts)
			}
			if l := lines(t, got, FieldMonicaSocialProfile); !reflect.DeepEqual(l, tt.want) {
				t.Errorf("%s lines = %q\nwant %q", FieldMonicaSocialProfile, l, tt.want)
			}
			// Merging the result again, now that base is what was sent, changes nothing.
			again, conflicts := Merge(got, c, c, "3.0", false)
			if a, b := encode(t, again), encode(t, got); a != b || conflicts != nil {
				t.Errorf("re-merge changed the card (conflicts %q):\n%s\n%s", conflicts, b, a)
			}
		})
	}
}

// TestOwnedCoversCard: every property New writes is one Merge owns, so no
// value linkport writes is left for the user to keep forever; the owned set
// comes from mapping's field catalogue, and this keeps the two in step.
func TestOwnedCoversCard(t *testing.T) {
	ownedSet := map[string]bool{}
	for _, o := range owned {
		ownedSet[o.prop] = true
	}
	for _, v := range []string{"3.0", "4.0"} {
		for prop := range New(enrichedContact(), v) {
			if prop != vcard.FieldVersion && !ownedSet[prop] {
				t.Errorf("%s: New writes %s, which Merge does not own", v, prop)
			}
		}
	}
	for _, p := range []string{FieldLinkportID, FieldLinkportEmailStatus, FieldLinkportLastContacted, FieldSocialProfile, FieldMonicaSocialProfile} {
		if !ownedSet[p] {
			t.Errorf("%s is not in the catalogue's card properties", p)
		}
	}
}

func TestWriteAllReadAll(t *testing.T) {
	people := []*mapping.Contact{sampleContact(), enrichedContact(), {ID: "n", Name: "No One"}}
	people[1].ID = "other"
	for _, v := range []string{"3.0", "4.0"} {
		var b bytes.Buffer
		if err := WriteAll(&b, people, v); err != nil {
			t.Fatal(err)
		}
		cards, err := ReadAll(&b)
		if err != nil {
			t.Fatal(err)
		}
		if len(cards) != len(people) {
			t.Fatalf("%s: read %d cards, want %d", v, len(cards), len(people))
		}
		for i, c := range cards {
			if got := c.Value(FieldLinkportID); got != people[i].ID || c.Value(vcard.FieldVersion) != v {
				t.Errorf("%s: card %d is %s version %s", v, i, got, c.Value(vcard.FieldVersion))
			}
		}
	}
	if _, err := ReadAll(strings.NewReader("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n")); err == nil {
		t.Error("a truncated bundle reads without error")
	}
}

// TestWrittenCards: every card WriteAll writes, of both versions, folds at
// 75 octets on character boundaries, has one CATEGORIES and a SOCIALPROFILE
// beside the Apple and Monica forms, and reads back as it was built.
func TestWrittenCards(t *testing.T) {
	long := enrichedContact()
	long.ID, long.Title = "long", strings.Repeat("Ünïcödé ", 20)+"€€€€€€€€€€"
	nameless := &mapping.Contact{ID: "p", Name: "+1 202 555 0199", Phones: []mapping.Phone{{Raw: "+1 202 555 0199"}}, EmailStatus: mapping.EmailNone}
	people := []*mapping.Contact{sampleContact(), long, nameless,
		{ID: "h", Name: "Solo", EmailStatus: mapping.EmailHidden, ProfileURL: "https://www.linkedin.com/in/solo"}}
	for _, v := range []string{"3.0", "4.0"} {
		var b bytes.Buffer
		if err := WriteAll(&b, people, v); err != nil {
			t.Fatal(err)
		}
		cards := strings.SplitAfter(b.String(), "END:VCARD\r\n")
		if cards = cards[:len(cards)-1]; len(cards) != len(people) {
			t.Fatalf("%s: %d cards, want %d", v, len(cards), len(people))
		}
		for i, s := range cards {
			checkWritten(t, s)
			if got, want := decode(t, s), New(people[i], v); encode(t, got) != encode(t, want) {
				t.Errorf("%s: card %d does not read back as built:\n%s", v, i, s)
			}
			if people[i].ProfileURL != "" && !strings.Contains(unfold(s), "\r\nSOCIALPROFILE;TYPE=linkedin:"+people[i].ProfileURL+"\r\n") {
				t.Errorf("%s: card %d has no SOCIALPROFILE:\n%s", v, i, s)
			}
		}
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"ascii", strings.Repeat("a", 200)},
		{"two-byte at the edge", strings.Repeat("a", 69) + strings.Repeat("é", 40)},
		{"three-byte", strings.Repeat("€", 60)},
		{"four-byte", "x" + strings.Repeat("😀", 40)},
		{"exactly 75", strings.Repeat("b", 75-len("NOTE:"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := vcard.Card{vcard.FieldVersion: {{Value: "3.0"}}, vcard.FieldNote: {{Value: tc.value}}}
			s := encode(t, c)
			checkLines(t, s)
			if got := decode(t, s).Value(vcard.FieldNote); got != tc.value {
				t.Errorf("unfolded value = %q, want %q", got, tc.value)
			}
			if tc.name == "exactly 75" && strings.Contains(s, "\r\n ") {
				t.Errorf("a 75-octet line was folded:\n%s", s)
			}
		})
	}
}

func checkLines(t *testing.T, s string) {
	t.Helper()
	for _, l := range strings.Split(s, "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line of %d octets (valid UTF-8 %v): %q", len(l), utf8.ValidString(l), l)
		}
	}
}

// TestADR: an address in parts is written in ADR's components, escaped,
// and reads back into the same parts; free text alone stays in the street.
func TestADR(t *testing.T) {
	a := mapping.Address{Street: "7 Example St; Flat 2\nBack door", City: "Riverton", Region: "MD", PostalCode: "20735", Country: "US"}
	c := &mapping.Contact{ID: "a", Name: "A B", Whereabouts: &mapping.Whereabouts{
		Addresses: []string{"7 Example St, Riverton, MD 20735, US"}, PostalAddresses: []mapping.Address{a}}}
	for _, v := range []string{"3.0", "4.0"} {
		s := encode(t, New(c, v))
		if got := lines(t, New(c, v), vcard.FieldAddress); !reflect.DeepEqual(got, []string{`ADR:;;7 Example St\; Flat 2\, Back door;Riverton;MD;20735;US`}) {
			t.Errorf("%s: ADR = %q", v, got)
		}
		p := splitEscaped(decode(t, s).Value(vcard.FieldAddress), ';')
		if len(p) != 7 {
			t.Fatalf("%s: ADR read back in %d components: %q", v, len(p), p)
		}
		back := mapping.Address{Street: p[2], City: p[3], Region: p[4], PostalCode: p[5], Country: p[6]}
		if want := (mapping.Address{Street: "7 Example St; Flat 2, Back door", City: "Riverton", Region: "MD", PostalCode: "20735", Country: "US"}); back != want {
			t.Errorf("%s: ADR read back as %+v, want %+v", v, back, want)
		}
	}
	free := &mapping.Contact{ID: "f", Name: "F", Whereabouts: &mapping.Whereabouts{Addresses: []string{"Hauptstr. 1\n10115 Berlin"}}}
	if got := lines(t, New(free, "3.0"), vcard.FieldAddress); !reflect.DeepEqual(got, []string{`ADR:;;Hauptstr. 1\, 10115 Berlin;;;;`}) {
		t.Errorf("free-text ADR = %q", got)
	}
}

// TestNames: N comes from names only, FN from what there is, and a ";" in
// a name is escaped, not turned into ",".
func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      mapping.Contact
		fn, n  string
		family string
	}{
		{"first and last", mapping.Contact{Name: "Jane O;Brien", FirstName: "Jane", LastName: "O;Brien"}, `FN:Jane O\;Brien`, `N:O\;Brien;Jane;;;`, `O\;Brien`},
		{"full name only", mapping.Contact{Name: "Jane van Doe"}, "FN:Jane van Doe", "N:Doe;Jane van;;;", "Doe"},
		{"phone only", mapping.Contact{Name: "+1 202 555 0199", Phones: []mapping.Phone{{Raw: "+1 202 555 0199"}}}, "FN:+1 202 555 0199", "N:;;;;", ""},
		{"email only", mapping.Contact{Name: "x@example.org", Emails: []string{"x@example.org"}}, "FN:x@example.org", "N:;;;;", ""},
		{"nothing", mapping.Contact{Name: "(no name)"}, "FN:(no name)", "N:;;;;", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ID = "x"
			card := New(&tc.c, "3.0")
			if got := lines(t, card, vcard.FieldFormattedName); !reflect.DeepEqual(got, []string{tc.fn}) {
				t.Errorf("FN = %q, want %q", got, tc.fn)
			}
			if got := lines(t, card, vcard.FieldName); !reflect.DeepEqual(got, []string{tc.n}) {
				t.Errorf("N = %q, want %q", got, tc.n)
			}
			if got := decode(t, encode(t, card)).Value(vcard.FieldName); !strings.HasPrefix(got, tc.family+";") {
				t.Errorf("N read back = %q, want family %q", got, tc.family)
			}
		})
	}
}

// TestMergeCategories: categories are merged value by value whatever the
// number of CATEGORIES lines, the user's survive, an old card's one line
// per value is rewritten as one property, the removed mark goes.
func TestMergeCategories(t *testing.T) {
	hidden := &mapping.Contact{ID: "c", Name: "C D", EmailStatus: mapping.EmailHidden, ProfileURL: "https://www.linkedin.com/in/cd"}
	found := *hidden
	found.EmailStatus, found.Emails = mapping.EmailPresent, []string{"c@example.org"}
	card := func(cats ...string) vcard.Card {
		s := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + UID("c") + "\r\nFN:C D\r\nX-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/cd\r\n"
		for _, c := range cats {
			s += "CATEGORIES:" + c + "\r\n"
		}
		return decode(t, s+"END:VCARD\r\n")
	}
	for _, tc := range []struct {
		name    string
		remote  vcard.Card
		base, c *mapping.Contact
		want    string
	}{
		{"old two-line card, unchanged categories: one line", card("LinkedIn", "LinkedIn: no email", "Work,Friends"), hidden, hidden,
			"CATEGORIES:LinkedIn,LinkedIn: no email,Work,Friends"},
		{"old two-line card, email found: ours dropped, user's kept", card("LinkedIn", "LinkedIn: no email", "Work"), hidden, &found,
			"CATEGORIES:LinkedIn,Work"},
		{"new card, user's category on our line", card("LinkedIn,LinkedIn: no email,Golf"), hidden, &found,
			"CATEGORIES:LinkedIn,Golf"},
		{"removed mark goes when back", card("LinkedIn", "LinkedIn: removed", "Golf"), &found, &found,
			"CATEGORIES:LinkedIn,Golf"},
		{"unknown base", card("Golf"), nil, hidden, "CATEGORIES:Golf,LinkedIn,LinkedIn: no email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, conflicts := Merge(tc.remote, tc.base, tc.c, "3.0", false)
			if l := lines(t, got, vcard.FieldCategories); !reflect.DeepEqual(l, []string{tc.want}) {
				t.Errorf("CATEGORIES = %q, want %q", l, tc.want)
			}
			if slices.Contains(conflicts, "categories") {
				t.Errorf("conflicts %q", conflicts)
			}
			if l := lines(t, got, FieldRFCSocialProfile); !reflect.DeepEqual(l, []string{"SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/cd"}) {
				t.Errorf("SOCIALPROFILE = %q: not added beside the old card's X-SOCIALPROFILE", l)
			}
			checkWritten(t, encode(t, got))
		})
	}
	// The removed mark, as the CardDAV target adds it, stays one property.
	marked := New(hidden, "3.0")
	AddCategory(marked, CategoryRemoved)
	got, _ := MergeCards(card("LinkedIn", "Golf"), New(hidden, "3.0"), marked, true)
	if l := lines(t, got, vcard.FieldCategories); !reflect.DeepEqual(l, []string{"CATEGORIES:LinkedIn,Golf,LinkedIn: no email,LinkedIn: removed"}) {
		t.Errorf("marked CATEGORIES = %q", l)
	}
}
