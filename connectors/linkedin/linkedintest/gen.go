// Package linkedintest generates synthetic LinkedIn exports for tests,
// benchmarks and the bundled demo: deterministic for a seed, any size, any
// header era, with the edge cases real exports have. Every name, company,
// address, phone number (fictional ranges) and email (example.* domains) is
// invented.
package linkedintest

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Era is the export's header generation (see linkedin-formats.md §1.1, §2.1).
type Era int

// Eras.
const (
	// Era2018: Connections without URL or preamble, dates "1/2/06, 3:04 PM",
	// "Imported Contacts.csv" with its 15-column header; every connection has an email.
	Era2018 Era = 2018
	// Era2021: the Notes: preamble, no URL column, dates "02 Jan 2006", camelCase Contacts.csv.
	Era2021 Era = 2021
	// Era2024: as Era2021 plus the URL column.
	Era2024 Era = 2024
	// Era2026 is declared in activity.go: Connections as Era2024.
)

// Preamble is the exact Notes: block LinkedIn puts above the Connections header since mid-2021.
const Preamble = "Notes:\n" +
	`"When exporting your connection data, you may notice that some of the email addresses are missing. ` +
	`You will only see email addresses for connections who have allowed their connections to see or download ` +
	`their email address using this setting https://www.linkedin.com/psettings/privacy/email. ` +
	`You can learn more here https://www.linkedin.com/help/linkedin/answer/261"` + "\n\n"

// GenOptions shape a generated export. Zero values take the defaults given.
type GenOptions struct {
	Seed        uint64
	Era         Era // default Era2024
	Connections int // Connections rows, hidden ones included
	Contacts    int // Contacts rows
	// Overlap is how many Contacts rows are also connections, joined half by
	// email and half by profile URL (by email only in eras without URLs).
	// Default Contacts/5; negative for none.
	Overlap int
	// EmailRate is the share of connections with an email: default 0.02
	// (1.0 in Era2018); negative for none.
	EmailRate float64
	// HiddenRate is the share of date-only rows (hidden or closed members):
	// default 0.01; negative for none.
	HiddenRate float64
	// NoPreamble drops the Notes: block, as users who clean the file do.
	NoPreamble bool
	// ExportDate is the newest connection date; default 2024-12-07.
	ExportDate time.Time
	// Activity adds the rest of the archive (Network.Activity): messages,
	// invitations, endorsements, recommendations, company follows and, in
	// Era2026, notes.
	Activity bool
}

// Connection is one Connections.csv row.
type Connection struct {
	FirstName, LastName, URL, Email, Company, Position string
	ConnectedOn                                        time.Time
	Hidden                                             bool // only the date is written
}

// Contact is one Contacts.csv row. Lists are written joined by ", ".
type Contact struct {
	Source, FirstName, LastName, FullName, Companies, Title string
	Emails, Phones                                          []string
	Address                                                 string // free text with commas
	Sites, Profiles                                         []string
	CreatedAt                                               time.Time
}

// Network is a generated export before rendering. Tests change it (directly
// or with the helpers below) and render it again to get "the next export".
type Network struct {
	Era         Era
	Preamble    bool
	Connections []Connection
	Contacts    []Contact
	Activity    *Activity // nil unless GenOptions.Activity
}

// Generate renders a new network: file name → bytes.
func Generate(opt GenOptions) map[string][]byte {
	return New(opt).Files()
}

// SampleOptions are the options of the bundled demo sample
// (configs/sample/Basic_LinkedInDataExport_sample.zip).
func SampleOptions() GenOptions {
	return GenOptions{Seed: 2024, Era: Era2026, Connections: 130, Contacts: 30, Overlap: 8, HiddenRate: 0.03, Activity: true}
}

var (
	firstNames = []string{"Zoë", "José", "Łukasz", "Søren", "Aiko", "Chloé", "Mátyás", "Ngozi", "Oğuz", "Renée",
		"Björn", "Anaïs", "Siobhán", "Dmitri", "Priya", "Wei", "Amara", "Mateo", "Ingrid", "Kofi", "Yuki", "Liam",
		"Olivia", "Noah", "Emma", "Lucas", "Mia", "Elena", "Omar", "Hana", "Tariq", "Greta", "Pablo", "Leila",
		"Ravi", "Astrid", "Jonas", "Nadia", "Felix", "Iris", "美咲", "Ana-Sofía", "Jean-Luc", "Mary Kate"}
	lastNames = []string{"Abara", "Bergström", "Castellanos", "Dąbrowski", "Eklund", "Fontaine", "García-López",
		"Haddad", "Ivanova", "Jovanović", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "O'Neill", "Petrov",
		"Quintero", "Rossi", "Schäfer", "Tanaka", "Umarov", "van der Berg", "Weiß", "Xu", "Yılmaz", "Zieliński",
		"Okafor", "Brennan", "Duarte", "Halvorsen", "佐藤", "Mbeki-Larsen", "Fairweather", "Quill"}
	suffixes  = []string{", PhD", ", MBA", ", CPA", " Jr.", ", P.Eng."}
	companies = []string{"Acme, Inc.", "Globex Corporation", "Initech", "Umbrella Labs", "Hooli", "Vandelay Industries",
		`Soylent "Green" Foods`, "Müller & Söhne GmbH", "Stark Widgets, LLC", "Wayne Logistics", "Tyrell Systems",
		"Cyberdyne Robotics", "Pied Piper", "Nakatomi Trading", "Oceanic Air", "Gringotts Finance", "Monarch Studio",
		"Blue Sun Corp.", "Wonka Confections", "Aperture Science", "Black Mesa Research", "Dunder Paper Co.",
		"株式会社サンプル", "Bluth Homes", "Prestige Worldwide", "Sirius Cybernetics", "Los Pollos Rápidos",
		"Oscorp", "Massive Dynamic", "Virtucon", "Freelance", "Self-employed"}
	positions = []string{"Software Engineer", "Senior Product Manager", "Head of Sales, EMEA", "CTO", "Founder & CEO",
		"Data Scientist", "UX Researcher", "Recruiter", "Marketing Lead", "Account Executive", "Staff Engineer",
		`Director, "Special" Projects`, "Consultant", "Investor", "Designer", "Operations Manager", "Student",
		"Ingénieure logiciel", "Geschäftsführer"}
	sources = []string{"GOOGLE_CONTACTS", "MOBILE_CONTACTS", "MOBILE_CONTACTS", "YAHOO_CONTACTS"}
	domains = []string{"example.com", "example.org", "example.net"}
	streets = []string{"Example Street", "Sample Road", "Placeholder Ave", "Fictional Lane"}
	cities  = []string{"Springfield", "Shelbyville", "Riverton", "Lakeside"}
)

// New generates a network for opt.
func New(opt GenOptions) *Network {
	if opt.Era == 0 {
		opt.Era = Era2024
	}
	if opt.ExportDate.IsZero() {
		opt.ExportDate = time.Date(2024, 12, 7, 0, 0, 0, 0, time.UTC)
	}
	emailRate := rate(opt.EmailRate, 0.02)
	if opt.Era == Era2018 && opt.EmailRate == 0 {
		emailRate = 1
	}
	hiddenRate := rate(opt.HiddenRate, 0.01)
	overlap := opt.Overlap
	if overlap == 0 {
		overlap = opt.Contacts / 5
	}
	overlap = min(max(overlap, 0), opt.Contacts, opt.Connections)

	g := gen{r: rand.New(rand.NewPCG(opt.Seed, 0x6c696e6b706f7274)), slugs: map[string]bool{}}
	n := &Network{Era: opt.Era, Preamble: opt.Era >= Era2021 && !opt.NoPreamble}
	day := 24 * time.Hour
	span := int(opt.ExportDate.Sub(time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC)) / day)
	// Exact counts, placed at random, so even a small sample has its hidden rows and emails.
	hidden := g.choose(opt.Connections, hiddenRate)
	withEmail := g.choose(opt.Connections, emailRate)
	for i := range opt.Connections {
		on := opt.ExportDate.Add(-time.Duration(g.r.IntN(span)) * day)
		if opt.Era == Era2018 {
			on = on.Add(time.Duration(g.r.IntN(24*60)) * time.Minute)
		}
		if hidden[i] {
			n.Connections = append(n.Connections, Connection{Hidden: true, ConnectedOn: on})
			continue
		}
		c := Connection{FirstName: g.pick(firstNames), LastName: g.lastName(), ConnectedOn: on}
		if g.r.IntN(10) > 0 {
			c.Company, c.Position = g.pick(companies), g.pick(positions)
		}
		if opt.Era >= Era2024 {
			c.URL = "https://www.linkedin.com/in/" + g.slug(c.FirstName, c.LastName)
		}
		if withEmail[i] {
			c.Email = g.email(c.FirstName, c.LastName, i)
		}
		n.Connections = append(n.Connections, c)
	}
	slices.SortStableFunc(n.Connections, func(a, b Connection) int { return b.ConnectedOn.Compare(a.ConnectedOn) })

	for i := range opt.Contacts {
		n.Contacts = append(n.Contacts, g.contact(i, opt.ExportDate))
	}
	g.overlap(n, overlap)
	if opt.Activity {
		g.activity(n, opt.ExportDate)
	}
	return n
}

func rate(v, def float64) float64 {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return def
	}
	return v
}

type gen struct {
	r     *rand.Rand
	slugs map[string]bool
}

// choose marks round(n×rate) of n positions at random.
func (g *gen) choose(n int, rate float64) map[int]bool {
	k := int(math.Round(float64(n) * rate))
	set := make(map[int]bool, k)
	for _, i := range g.r.Perm(n)[:k] {
		set[i] = true
	}
	return set
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) lastName() string {
	l := g.pick(lastNames)
	if g.r.IntN(15) == 0 {
		l += g.pick(suffixes) // "Okafor, PhD": a quoted comma
	}
	return l
}

// slug makes a unique profile slug, percent-encoded as LinkedIn serves it
// when the name is not ASCII ("zo%C3%AB-…").
func (g *gen) slug(first, last string) string {
	base := strings.ToLower(strings.Join(strings.FieldsFunc(first+" "+strings.Split(last, ",")[0],
		func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), "-"))
	for {
		s := fmt.Sprintf("%s-%08x", base, g.r.Uint32())
		if !g.slugs[s] {
			g.slugs[s] = true
			return url.PathEscape(s)
		}
	}
}

// email makes a unique example.* address from a name.
func (g *gen) email(first, last string, i int) string {
	local := asciiFold(first) + "." + asciiFold(strings.Split(last, ",")[0])
	if local == "." {
		local = "person"
	}
	return fmt.Sprintf("%s.%d@%s", strings.Trim(local, "."), i, g.pick(domains))
}

// foldRunes spells letters that do not decompose into a base letter and a mark.
var foldRunes = strings.NewReplacer("ß", "ss", "ł", "l", "Ł", "L", "ı", "i", "ø", "o", "Ø", "O", "đ", "d", "æ", "ae")

// asciiFold turns "Zoë Weiß" into "zoeweiss" for email local parts.
func asciiFold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, foldRunes.Replace(s))
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (g *gen) phone() string {
	if g.r.IntN(2) == 0 {
		return fmt.Sprintf("+44 20 7946 %04d", g.r.IntN(1000)) // Ofcom's drama range
	}
	return fmt.Sprintf("+1 202-555-01%02d", g.r.IntN(100)) // North America's fictional range
}

func (g *gen) contact(i int, exported time.Time) Contact {
	c := Contact{Source: g.pick(sources), FirstName: g.pick(firstNames), LastName: g.lastName(),
		CreatedAt: exported.Add(-time.Duration(g.r.IntN(5*365*24*60)) * time.Minute).Truncate(time.Minute)}
	switch g.r.IntN(10) {
	case 0:
		c.LastName = "" // address books often hold one name only
	case 1:
		c.FirstName = ""
	}
	if g.r.IntN(3) == 0 {
		c.Companies, c.Title = g.pick(companies), g.pick(positions)
	}
	for range g.r.IntN(3) + g.r.IntN(2) {
		c.Emails = append(c.Emails, g.email(c.FirstName, c.LastName, 100000+i*10+len(c.Emails)))
	}
	for range g.r.IntN(3) {
		c.Phones = append(c.Phones, g.phone())
	}
	if g.r.IntN(6) == 0 {
		c.Address = fmt.Sprintf("%d %s, %s City:%s State: Country:US Postal Code:%05d Type:HOME Primary:true",
			1+g.r.IntN(999), g.pick(streets), g.pick(cities), g.pick(cities), g.r.IntN(100000))
	}
	if g.r.IntN(10) == 0 {
		c.Sites = []string{fmt.Sprintf("https://%s.example.com/", asciiFold(c.FirstName+c.LastName)), "https://blog.example.org/"}
	}
	return c
}

// overlap makes the last k contacts copies of connections: half share an
// email (in another letter case), half the profile URL (another URL spelling).
func (g *gen) overlap(n *Network, k int) {
	var visible []int
	for i, c := range n.Connections {
		if !c.Hidden {
			visible = append(visible, i)
		}
	}
	k = min(k, len(visible))
	withEmail := slices.DeleteFunc(slices.Clone(visible), func(i int) bool { return n.Connections[i].Email == "" })
	for j := range k {
		ct := &n.Contacts[len(n.Contacts)-k+j]
		byURL := j%2 == 1 && n.Era >= Era2024
		var ci int
		switch {
		case byURL:
			ci = visible[len(visible)-1-j*len(visible)/k]
		case len(withEmail) > 0:
			ci, withEmail = withEmail[0], withEmail[1:]
		default:
			ci = visible[j*len(visible)/k]
		}
		conn := &n.Connections[ci]
		ct.FirstName, ct.LastName = conn.FirstName, strings.Split(conn.LastName, ",")[0]
		ct.Emails = nil
		if byURL {
			ct.Profiles = []string{"http://linkedin.com/in/" + conn.URL[len("https://www.linkedin.com/in/"):] + "/"}
			continue
		}
		if conn.Email == "" {
			conn.Email = g.email(conn.FirstName, conn.LastName, 200000+ci)
		}
		ct.Emails = []string{strings.ToUpper(conn.Email[:1]) + conn.Email[1:]} // emails match case-insensitively
		if j%3 == 0 {
			ct.Emails = append(ct.Emails, g.email(ct.FirstName, ct.LastName, 300000+j))
		}
	}
}

// ChangeCompanies gives count visible connections, spread evenly, a new
// employer and returns their indexes.
func (n *Network) ChangeCompanies(count int) []int {
	idx := n.spread(count)
	for _, i := range idx {
		n.Connections[i].Company = "New " + n.Connections[i].Company + " Ltd"
		n.Connections[i].Position = "Principal " + n.Connections[i].Position
	}
	return idx
}

// DropConnections removes count visible connections, spread evenly, as if
// they had disconnected, and returns them.
func (n *Network) DropConnections(count int) []Connection {
	idx := n.spread(count)
	var gone []Connection
	for j := len(idx) - 1; j >= 0; j-- {
		gone = append(gone, n.Connections[idx[j]])
		n.Connections = slices.Delete(n.Connections, idx[j], idx[j]+1)
	}
	return gone
}

// AddEmail lets connection i share an email address and returns it.
func (n *Network) AddEmail(i int) string {
	c := &n.Connections[i]
	c.Email = fmt.Sprintf("%s.%s.added%d@example.com", asciiFold(c.FirstName), asciiFold(c.LastName), i)
	return c.Email
}

// spread picks count visible connections evenly across the list.
func (n *Network) spread(count int) []int {
	var visible []int
	for i, c := range n.Connections {
		if !c.Hidden {
			visible = append(visible, i)
		}
	}
	count = min(count, len(visible))
	idx := make([]int, count)
	for j := range idx {
		idx[j] = visible[j*len(visible)/count]
	}
	return idx
}

// Files renders the network as its era writes it: file name → bytes.
func (n *Network) Files() map[string][]byte {
	files := map[string][]byte{"Connections.csv": n.connectionsCSV()}
	if len(n.Contacts) > 0 {
		if n.Era == Era2018 {
			files["Imported Contacts.csv"] = n.contactsCSV()
		} else {
			files["Contacts.csv"] = n.contactsCSV()
		}
	}
	n.activityFiles(files)
	return files
}

func (n *Network) connectionsCSV() []byte {
	var b bytes.Buffer
	if n.Preamble {
		b.WriteString(Preamble)
	}
	w := csv.NewWriter(&b)
	layout := "02 Jan 2006"
	if n.Era == Era2018 {
		layout = "1/2/06, 3:04 PM"
	}
	head := []string{"First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"}
	if n.Era < Era2024 {
		head = slices.Delete(head, 2, 3)
	}
	_ = w.Write(head) // a bytes.Buffer does not fail
	for _, c := range n.Connections {
		row := []string{c.FirstName, c.LastName, c.URL, c.Email, c.Company, c.Position, c.ConnectedOn.Format(layout)}
		if c.Hidden {
			row = []string{"", "", "", "", "", "", row[6]}
		}
		if n.Era < Era2024 {
			row = slices.Delete(row, 2, 3)
		}
		_ = w.Write(row)
	}
	w.Flush()
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")) // LinkedIn ends the file without a newline
}

func (n *Network) contactsCSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if n.Era == Era2018 {
		_ = w.Write([]string{"First Name", "Last Name", "Companies", "Title", "Email Address", "Phone Numbers",
			"Created At", "Instant Message Handles", "Addresses", "Sites", "Full Name", "Birthday", "Location",
			"Bookmarked At", "Profiles"})
	} else {
		_ = w.Write([]string{"Source", "FirstName", "LastName", "Companies", "Title", "Emails", "PhoneNumbers",
			"CreatedAt", "Addresses", "Sites", "InstantMessageHandles", "FullName", "Birthday", "Location",
			"BookmarkedAt", "Profiles"})
	}
	for _, c := range n.Contacts {
		phones := strings.Join(c.Phones, ", ")
		if len(c.Phones) > 1 {
			phones = " " + phones // LinkedIn sometimes starts the cell with a space
		}
		created := c.CreatedAt.Format("1/2/06, 3:04 PM")
		emails, sites, profiles := strings.Join(c.Emails, ", "), strings.Join(c.Sites, ", "), strings.Join(c.Profiles, ", ")
		if n.Era == Era2018 {
			_ = w.Write([]string{c.FirstName, c.LastName, c.Companies, c.Title, emails, phones, created, "",
				c.Address, sites, c.FullName, "", "", "", profiles})
		} else {
			_ = w.Write([]string{c.Source, c.FirstName, c.LastName, c.Companies, c.Title, emails, phones, created,
				c.Address, sites, "", c.FullName, "", "", "", profiles})
		}
	}
	w.Flush()
	return b.Bytes()
}

// fixedTime stamps zip entries so the bytes depend on the content only.
var fixedTime = time.Date(2024, 12, 7, 12, 0, 0, 0, time.UTC)

// Zip packs files (sorted by name, fixed timestamps) into a zip archive.
func Zip(files map[string][]byte) ([]byte, error) { return zipAt(files, fixedTime) }

// zipAt is Zip with every entry dated modified.
func zipAt(files map[string][]byte, modified time.Time) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", name, err)
		}
		if _, err := w.Write(files[name]); err != nil {
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("close zip: %w", err)
	}
	return b.Bytes(), nil
}

// WriteDir writes files into dir (created if missing), as an unzipped export.
func WriteDir(dir string, files map[string][]byte) error {
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("create folder: %w", err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
