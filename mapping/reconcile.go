package mapping

import (
	"encoding/binary"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options tune Reconcile.
type Options struct {
	// MergeByName folds a Contacts row into the one person with the same full
	// name when no profile URL or email links them. Off by default: two people
	// may share a name. Every such merge is listed in Graph.Merges.
	MergeByName bool
	// DefaultRegion is the ISO 3166 region ("GB", "US") a national phone
	// number without a country code is read in; "" leaves such numbers
	// without an E.164 form. A Contacts row's own country, when its address
	// names one, wins.
	DefaultRegion string
	// Release lets Reconcile drop each record of the export once its person
	// is built, and leave Export.Records nil: for a caller done with them.
	// The records and the people they become are then never all in memory
	// at once (they are about 12 MB each at 40,000 people).
	Release bool
}

// Graph is the canonical contact graph: people, the organisations they work
// at (the person→organisation edge is the person's Company and Title), how
// records were merged, and what was odd in the input.
type Graph struct {
	// ExportedAt is the export's date (Export.ExportedAt).
	ExportedAt    time.Time
	People        []*Contact
	Organizations []*Organization
	Merges        []Merge
	Warnings      []Warning
	Stats         Stats
}

// Organization is a company named by at least one person.
type Organization struct {
	Name    string
	Members []*Contact
}

// Merge records one source row folded into an existing person.
type Merge struct {
	Into   string `json:"into"`   // the person's display name
	Record string `json:"record"` // file:line of the folded row
	By     string `json:"by"`     // "profile_url", "email" or "name"
}

// Stats are the graph's counts; people = connections + contacts − merged.
type Stats struct {
	People        int `json:"people"`
	Connections   int `json:"connections"`    // Connections rows that became or joined people
	Contacts      int `json:"contacts"`       // Contacts rows
	Merged        int `json:"merged"`         // rows folded into another row's person
	HiddenMembers int `json:"hidden_members"` // date-only Connections rows, not synced
	EmailMissing  int `json:"email_missing"`  // people with no email from any source
	Organizations int `json:"organizations"`
}

// Reconcile turns source records into the canonical graph. Connections come
// first (a first pass over the records, then a second for the rest) so that
// a connection is always the person a Contacts row joins.
// IDs are left empty: the state's identity map assigns them.
func Reconcile(exp *Export, opt Options) *Graph {
	g := &Graph{Warnings: slices.Clone(exp.Warnings), ExportedAt: exp.ExportedAt}
	n := len(exp.Records)
	r := reconciler{g: g, byKey: make(map[string]*Contact, n)}
	if opt.MergeByName { // the name index serves only name merges
		r.byName = make(map[string][]*Contact, n)
	}
	g.People = make([]*Contact, 0, n)
	var ins []*Contact
	var from []origin
	ins, from, r.files = fromRecords(exp.Records, opt.DefaultRegion, opt.Release)
	if opt.Release {
		exp.Records = nil
	}
	for _, connections := range []bool{true, false} {
		for i := range from {
			rec := &from[i]
			switch {
			case rec.connection != connections:
				continue
			case ins[i] == nil:
				g.Stats.HiddenMembers++
				continue
			case rec.connection:
				g.Stats.Connections++
			default:
				g.Stats.Contacts++
			}
			r.add(rec, ins[i], opt)
		}
	}
	for _, p := range g.People {
		finish(p)
		if len(p.Emails) == 0 {
			g.Stats.EmailMissing++
		}
	}
	g.Organizations = organizations(g.People)
	g.Stats.People = len(g.People)
	g.Stats.Organizations = len(g.Organizations)
	return g
}

type reconciler struct {
	g      *Graph
	byKey  map[string]*Contact   // url: and email: keys → person
	byName map[string][]*Contact // name key → people, for opt-in name merges
	files  []string              // the records' files, which origin.file indexes
}

// add folds in, the one-record person built from rec, into the graph.
func (r *reconciler) add(rec *origin, in *Contact, opt Options) {
	var into *Contact
	var by string
	for k := range in.Keys.All() {
		if p := r.byKey[k]; p != nil && isStrong(k) {
			into, by = p, keyKind(k)
			break
		}
	}
	if into == nil && opt.MergeByName && !rec.connection {
		if ps := r.byName[NameKey(in.Name)]; len(ps) == 1 && in.Name != "" {
			into, by = ps[0], "name"
		}
	}
	if into == nil {
		r.g.People = append(r.g.People, in)
		into = in
	} else {
		merge(into, in)
		r.g.Stats.Merged++
		r.g.Merges = append(r.g.Merges, Merge{Into: into.Name, Record: r.files[rec.file] + ":" + strconv.Itoa(rec.line), By: by})
	}
	for k := range in.Keys.All() {
		if isStrong(k) && r.byKey[k] == nil {
			r.byKey[k] = into
		}
	}
	if in == into && in.Name != "" && opt.MergeByName {
		k := NameKey(in.Name)
		r.byName[k] = append(r.byName[k], in)
	}
}

func isStrong(key string) bool { return keyKind(key) == "profile_url" || keyKind(key) == "email" }

func keyKind(key string) string {
	switch {
	case len(key) > 4 && key[:4] == "url:":
		return "profile_url"
	case len(key) > 6 && key[:6] == "email:":
		return "email"
	}
	return "name"
}

// minParallel is the fewest records worth spreading over the cores.
const minParallel = 2048

// peopleBlock is how many people one allocation holds: the people are made
// a block at a time, so that with Options.Release the records they replace
// are let go of while they are built, not after.
const peopleBlock = 1024

// origin is what folding needs of a record once its person is built, in
// 16 bytes instead of 40: the array of them is live through the collection
// that sets a first run's peak, in the middle of Reconcile.
type origin struct {
	line       int
	file       int32 // index in the files fromRecords returns
	connection bool  // else a Contacts row
}

// fromRecords builds each visible record's one-record person (nil for a
// hidden one), on every core: normalising is pure and most of Reconcile's
// time (a phone number alone costs libphonenumber's regular expressions
// some 15 µs), while folding people together must stay in record order.
// With release, each record is dropped from recs once its person is built.
func fromRecords(recs []*Record, region string, release bool) (ins []*Contact, from []origin, files []string) {
	ins, from = make([]*Contact, len(recs)), make([]origin, len(recs))
	index := map[string]int32{}
	for _, rec := range recs { // a file's records are together: the map is read once a file
		if len(files) == 0 || files[len(files)-1] != rec.File {
			if _, ok := index[rec.File]; !ok {
				index[rec.File] = int32(len(files))
				files = append(files, rec.File)
			}
		}
	}
	build := func(lo, hi int) {
		cache := newCaches() // one per core: no lock
		var people []Contact
		for i := lo; i < hi; i++ {
			rec := recs[i]
			from[i] = origin{line: rec.Line, file: index[rec.File], connection: rec.Kind == KindConnection}
			if !rec.Hidden {
				if len(people) == 0 {
					people = make([]Contact, min(peopleBlock, hi-i))
				}
				ins[i], people = &people[0], people[1:]
				fromRecord(ins[i], rec, region, cache)
			}
			if release {
				recs[i] = nil
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(recs)/minParallel)
	if workers <= 1 {
		build(0, len(recs))
		return ins, from, files
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { build(w*len(recs)/workers, (w+1)*len(recs)/workers) })
	}
	wg.Wait()
	return ins, from, files
}

// caches are what one core remembers while it builds people.
type caches struct {
	phones  phoneCache
	days    map[time.Time]string // ConnectedOn → YYYY-MM-DD: a network's dates repeat
	sources map[string]string    // Contacts' Source → "contact:" + Source
	// lists are the one-item Sources, one array per distinct source that
	// every person from it shares: nothing writes to a Sources item, and
	// with room for one item only, a merge that appends to it gets an
	// array of its own.
	lists map[string][]string
}

func newCaches() *caches {
	return &caches{phones: phoneCache{}, days: map[time.Time]string{}, sources: map[string]string{},
		lists: map[string][]string{}}
}

// one returns []string{s}, shared (see lists).
func (c *caches) one(s string) []string {
	if l, ok := c.lists[s]; ok {
		return l
	}
	l := []string{s}
	if len(c.lists) < maxCachedPhones {
		c.lists[s] = l
	}
	return l
}

// source is "contact:" + origin, made once per distinct origin.
func (c *caches) source(origin string) string {
	if s, ok := c.sources[origin]; ok {
		return s
	}
	s := string(KindContact) + ":" + origin
	if len(c.sources) < maxCachedPhones {
		c.sources[origin] = s
	}
	return s
}

// day is t.Format("2006-01-02"), formatted once per distinct t.
func (c *caches) day(t time.Time) string {
	if d, ok := c.days[t]; ok {
		return d
	}
	d := t.Format("2006-01-02")
	if len(c.days) < maxCachedPhones {
		c.days[t] = d
	}
	return d
}

// fromRecord makes c the one-record person of rec; region is the default
// phone region.
func fromRecord(c *Contact, rec *Record, region string, cache *caches) {
	*c = Contact{
		FirstName: NormalizeName(rec.FirstName),
		LastName:  NormalizeName(rec.LastName),
		Company:   NormalizeName(rec.Company),
		Title:     NormalizeName(rec.Title),
	}
	c.Name = NormalizeName(c.FirstName + " " + c.LastName)
	if c.Name == "" {
		c.Name = NormalizeName(rec.FullName)
	}
	var slug string
	c.ProfileURL, slug = NormalizeProfileURL(rec.ProfileURL)
	for _, e := range rec.Emails {
		if e = NormalizeEmail(e); e != "" && !slices.Contains(c.Emails, e) {
			c.Emails = append(c.Emails, e)
		}
	}
	reach := rec.Reaches()
	for _, a := range reach.PostalAddresses {
		if ValidRegion(a.Country) {
			region = a.Country // the row's own country: its numbers are dialled there
			break
		}
	}
	for _, s := range reach.Phones {
		if p := cache.phones.normalize(s, region); p.Raw != "" && !hasPhone(c.Phones, p) {
			c.Phones = append(c.Phones, p)
		}
	}
	addresses, postal, sites := AppendNames(nil, reach.Addresses...), appendAddresses(nil, reach.PostalAddresses...), AppendNames(nil, reach.Sites...)
	if len(addresses)+len(postal)+len(sites) > 0 {
		c.Whereabouts = &Whereabouts{addresses, postal, sites}
	}
	if !rec.ConnectedOn.IsZero() {
		c.ConnectedOn = cache.day(rec.ConnectedOn)
	}
	src := string(rec.Kind)
	if rec.Kind == KindContact && rec.Origin != "" {
		src = cache.source(rec.Origin)
	}
	c.Sources = cache.one(src)
	c.Keys = identityKeys(c, slug)
}

// identityKeys lists a person's identity keys, strongest first.
func identityKeys(c *Contact, slug string) Keys {
	var buf [192]byte // most people's keys, in the one allocation string makes
	b := buf[:0]
	if slug != "" {
		b = appendKey(b, "url:", slug)
	}
	for _, e := range c.Emails {
		b = appendKey(b, "email:", e)
	}
	if c.Name != "" {
		// "name:"+NameKey(c.Name)+"|"+NameKey(c.Company): both are
		// normalised already, so NameKey is their lower case, which may not
		// be as long: the key is made first, then its length is known.
		var kb [128]byte
		k := append(kb[:0], "name:"...)
		k = appendLower(k, c.Name)
		k = append(k, '|')
		k = appendLower(k, c.Company)
		b = append(binary.AppendUvarint(b, uint64(len(k))), k...) // as appendKey
	}
	if len(b) == 0 {
		for _, p := range c.Phones {
			b = appendKey(b, "phone:", p.Raw)
		}
	}
	return Keys(b)
}

// merge folds src into dst: dst's values win, src fills gaps and adds list items.
func merge(dst, src *Contact) {
	fill := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	fill(&dst.Name, src.Name)
	fill(&dst.FirstName, src.FirstName)
	fill(&dst.LastName, src.LastName)
	fill(&dst.ProfileURL, src.ProfileURL)
	fill(&dst.Company, src.Company)
	fill(&dst.Title, src.Title)
	fill(&dst.ConnectedOn, src.ConnectedOn)
	dst.Emails = AppendNames(dst.Emails, src.Emails...)
	for _, p := range src.Phones {
		if !hasPhone(dst.Phones, p) {
			dst.Phones = append(dst.Phones, p)
		}
	}
	if src.Whereabouts != nil { // both are the records' own: dst's is written in place
		if dst.Whereabouts == nil {
			dst.Whereabouts = new(Whereabouts)
		}
		dst.Addresses = AppendNames(dst.Addresses, src.Addresses...)
		dst.PostalAddresses = appendAddresses(dst.PostalAddresses, src.PostalAddresses...)
		dst.Sites = AppendNames(dst.Sites, src.Sites...)
	}
	dst.Sources = AppendNames(dst.Sources, src.Sources...)
	for k := range src.Keys.All() {
		dst.Keys = dst.Keys.With(k)
	}
}

// finish settles the fields that depend on every merged record.
func finish(c *Contact) {
	switch {
	case len(c.Emails) > 0:
		c.EmailStatus = EmailPresent
	case c.IsConnection():
		c.EmailStatus = EmailHidden
	default:
		c.EmailStatus = EmailNone
	}
	if c.Name == "" {
		switch {
		case len(c.Emails) > 0:
			c.Name = c.Emails[0]
		case len(c.Phones) > 0:
			c.Name = c.Phones[0].Raw
		default:
			c.Name = "(no name)"
		}
	}
	// Strongest first, whatever order the records arrived in (a stable
	// sort, without reflection; most people's keys are in order already).
	if !ranked(c.Keys) {
		ks := c.Keys.List()
		slices.SortStableFunc(ks, byRank)
		c.Keys = KeysOf(ks...)
	}
}

func byRank(a, b string) int { return keyRank(a) - keyRank(b) }

// ranked reports whether k is strongest first already.
func ranked(k Keys) bool {
	last := 0
	for key := range k.All() {
		r := keyRank(key)
		if r < last {
			return false
		}
		last = r
	}
	return true
}

func keyRank(k string) int {
	switch keyKind(k) {
	case "profile_url":
		return 0
	case "email":
		return 1
	}
	return 2
}

func organizations(people []*Contact) []*Organization {
	byKey := map[string]*Organization{}
	var orgs []*Organization
	var buf [128]byte
	for _, p := range people {
		if p.Company == "" {
			continue
		}
		// NameKey(p.Company), looked up without allocating: the company is
		// normalised already (fromRecord, merge), so its key is its lower case.
		k := appendLower(buf[:0], p.Company)
		o := byKey[string(k)]
		if o == nil {
			o = &Organization{Name: p.Company}
			byKey[string(k)] = o
			orgs = append(orgs, o)
		}
		o.Members = append(o.Members, p)
	}
	return orgs
}

// appendLower appends strings.ToLower(s) to b, without allocating when s
// is ASCII.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(b, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func hasPhone(ps []Phone, p Phone) bool {
	for _, q := range ps {
		if q.Raw == p.Raw || (p.E164 != "" && q.E164 == p.E164) {
			return true
		}
	}
	return false
}

// appendAddresses appends each of as, its parts normalised, that dst lacks.
func appendAddresses(dst []Address, as ...Address) []Address {
	for _, a := range as {
		a = Address{Street: NormalizeName(a.Street), City: NormalizeName(a.City), Region: NormalizeName(a.Region),
			PostalCode: NormalizeName(a.PostalCode), Country: NormalizeName(a.Country)}
		if !a.IsZero() && !slices.Contains(dst, a) {
			dst = append(dst, a)
		}
	}
	return dst
}
