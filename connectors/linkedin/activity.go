package linkedin

import (
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/linkport/linkport/mapping"
)

// Columns of the files that enrich people (messages, invitations, notes,
// endorsements, recommendations, company follows), matched by name.
// Subjects, message bodies and recommendation texts have no column here:
// linkport never reads them.
const (
	aFrom = iota
	aTo
	aFromURL
	aToURL
	aDate
	aEdited
	aConversation
	aFolder
	aDirection
	aDraft
	aText
	aSkill
	aFirst
	aLast
	aURL
	aCompany
	aTitle
	aStatus
	aOrg
	numActivityCols
)

// activityColumns maps normalised header names of every era to columns;
// see linkedin-formats.md §3.1. Notes.csv's header is reported, not
// verified, so the plain spellings are accepted too.
var activityColumns = map[string]int{
	"from": aFrom, "to": aTo,
	"senderprofileurl": aFromURL, "inviterprofileurl": aFromURL,
	"recipientprofileurls": aToURL, "inviteeprofileurl": aToURL,
	"date": aDate, "sentat": aDate, "endorsementdate": aDate, "creationdate": aDate,
	"createdon": aDate, "createdat": aDate, "followedon": aDate,
	"editedon": aEdited, "editedat": aEdited, "updatedon": aEdited,
	"conversationid": aConversation, "folder": aFolder, "direction": aDirection,
	"ismessagedraft": aDraft,
	"message":        aText, "note": aText, "notes": aText,
	"skillname": aSkill,
	"firstname": aFirst, "endorserfirstname": aFirst, "endorseefirstname": aFirst, "connectionfirstname": aFirst,
	"lastname": aLast, "endorserlastname": aLast, "endorseelastname": aLast, "connectionlastname": aLast,
	"endorserpublicurl": aURL, "endorseepublicurl": aURL, "connectionprofileurl": aURL, "profileurl": aURL, "url": aURL,
	"company": aCompany, "jobtitle": aTitle,
	"status": aStatus, "endorsementstatus": aStatus, "displaystatus": -1,
	"organization": aOrg,
}

// activityHeader is how a file's header row is recognised: it holds every
// required (normalised) name.
type activityHeader struct {
	required []string
	example  string // for the "no header" error
}

var activityHeaders = map[fileKind]activityHeader{
	kindMessages:                {[]string{"from", "date"}, `"CONVERSATION ID,…,FROM,…,DATE" or 2018's "From,To,Date"`},
	kindInvitations:             {[]string{"from", "to", "sentat"}, `"From,To,Sent At,Message,Direction"`},
	kindNotes:                   {[]string{"note"}, `"Connection First Name,Connection Last Name,Connection Profile URL,Note"`},
	kindEndorsementsReceived:    {[]string{"skillname", "endorserfirstname"}, `"Endorsement Date,Skill Name,Endorser First Name"`},
	kindEndorsementsGiven:       {[]string{"skillname", "endorseefirstname"}, `"Endorsement Date,Skill Name,Endorsee First Name"`},
	kindRecommendationsReceived: {[]string{"firstname", "lastname"}, `"First Name,Last Name,Company,Job Title,Text"`},
	kindRecommendationsGiven:    {[]string{"firstname", "lastname"}, `"First Name,Last Name,Company,Job Title,Text"`},
	kindFollows:                 {[]string{"organization"}, `"Organization,Followed On"`},
}

func isActivityHeader(row []string, kind fileKind) bool {
	have := make(map[string]bool, len(row))
	for _, h := range row {
		have[normHeader(h)] = true
	}
	req := activityHeaders[kind].required
	if kind == kindNotes && !have["note"] {
		req = []string{"notes"}
	}
	for _, n := range req {
		if !have[n] {
			return false
		}
	}
	return true
}

// activityLayouts are the date shapes of these files (linkedin-formats.md
// §1.6), most common first.
var activityLayouts = []string{
	"2006-01-02 15:04:05 MST",      // messages DATE (2021+), UTC
	"1/2/06, 3:04 PM",              // Invitations Sent At, 2018 messages, Recommendations
	"2006/01/02 15:04:05 MST",      // Endorsement Date
	"Mon Jan 2 15:04:05 MST 2006",  // Company Follows (Java's Date.toString)
	"Mon Jan _2 15:04:05 MST 2006", // the same with a space-padded day
	"2006-01-02T15:04:05",          // messages ~2019/2020
	"2006-01-02 15:04:05",
	time.RFC3339,
	"2006-01-02",
	"02 Jan 2006",
	"1/2/2006",
	"1/2/06",
	"02.01.2006", // Excel re-saves in European locales: day first, dotted
	"2.1.06",
}

// maxInterned bounds the distinct strings one file shares between its rows;
// past it, values are copied without sharing.
const maxInterned = 1 << 16

// activityParser turns rows of one enrichment file into the export's lists.
// It copies out the few cells it keeps, sharing repeated names and URLs, so
// the rows, bodies included, are never retained; messages.csv's rows are
// folded into the export's Messages as they stream.
type activityParser struct {
	exp   *mapping.Export
	name  string
	kind  fileKind
	cols  [numActivityCols]int
	dates dateParser

	strs     map[string]string // interned cells
	toURLs   []string          // scratch: a message's recipients, reused row after row
	lim      *limits           // nil: no bound
	cost     int64             // bytes this row adds to lim.kept
	dropped  int               // rows past maxKeptBytes, counted not kept
	redacted int               // endorsement rows whose person LinkedIn redacted
	first    int               // the first dropped row's line
}

func (p *activityParser) limit(lim *limits) { p.lim = lim }

func (p *activityParser) err() error { return nil } // enrichment never ends a run

// keep returns a copy of s that does not hold on to its row.
func (p *activityParser) keep(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := p.strs[s]; ok {
		return v
	}
	c := strings.Clone(s)
	p.cost += int64(len(c))
	if len(p.strs) < maxInterned {
		p.strs[c] = c
		p.cost += 48 // the map entry
	}
	return c
}

func newActivityParser(exp *mapping.Export, name string, kind fileKind, header []string) *activityParser {
	p := &activityParser{exp: exp, name: name, kind: kind, strs: map[string]string{}}
	for c := range p.cols {
		p.cols[c] = -1
	}
	for i, h := range header {
		if c, ok := activityColumns[normHeader(h)]; ok && c >= 0 && p.cols[c] < 0 {
			p.cols[c] = i
		}
	}
	return p
}

// get returns a cell without surrounding space or bidi controls.
func (p *activityParser) get(row []string, col int) string {
	i := p.cols[col]
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(mapping.StripBidi(row[i]))
}

func (p *activityParser) row(row []string, line int) {
	empty := true
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	if p.lim != nil && p.lim.kept >= maxKeptBytes {
		if p.dropped++; p.dropped == 1 {
			p.first = line
		}
		return
	}
	p.cost = 0
	get := func(c int) string { return p.keep(p.get(row, c)) }
	e := p.exp
	defer p.account()
	switch p.kind {
	case kindMessages:
		if m, ok := p.message(row, line); ok {
			p.cost += p.exp.Messages.Add(&m)
		}
	case kindInvitations:
		e.Invitations = append(e.Invitations, mapping.Invitation{File: p.name, Line: line,
			From: get(aFrom), To: get(aTo), FromURL: get(aFromURL), ToURL: get(aToURL),
			SentAt: p.date(get(aDate), "Sent At", line), Text: get(aText),
			Outgoing: strings.EqualFold(get(aDirection), "OUTGOING")})
	case kindNotes:
		e.Notes = append(e.Notes, mapping.Note{File: p.name, Line: line,
			FirstName: get(aFirst), LastName: get(aLast), ProfileURL: get(aURL), Text: get(aText),
			CreatedOn: p.date(get(aDate), "Created On", line), EditedOn: p.date(get(aEdited), "Edited On", line)})
	case kindEndorsementsReceived, kindEndorsementsGiven:
		if isRedacted(get(aFirst)) || isRedacted(get(aLast)) {
			p.redacted++ // a member who hid themselves: no person, no skill to count
			return
		}
		e.Endorsements = append(e.Endorsements, mapping.Endorsement{File: p.name, Line: line,
			Given: p.kind == kindEndorsementsGiven, Skill: get(aSkill),
			FirstName: get(aFirst), LastName: get(aLast), ProfileURL: get(aURL),
			Date: p.date(get(aDate), "Endorsement Date", line), Status: get(aStatus)})
	case kindRecommendationsReceived, kindRecommendationsGiven:
		e.Recommendations = append(e.Recommendations, mapping.Recommendation{File: p.name, Line: line,
			Given: p.kind == kindRecommendationsGiven, FirstName: get(aFirst), LastName: get(aLast),
			Company: get(aCompany), Title: get(aTitle),
			Date: p.date(get(aDate), "Creation Date", line), Status: get(aStatus)})
	case kindFollows:
		if get(aOrg) != "" {
			e.Follows = append(e.Follows, mapping.Follow{File: p.name, Line: line,
				Organization: get(aOrg), FollowedOn: p.date(get(aDate), "Followed On", line)})
		}
	}
}

// account adds what the row just kept to the Read's budget.
func (p *activityParser) account() {
	if p.lim == nil {
		return
	}
	// A message row costs only what Messages.Add newly keeps.
	size := map[fileKind]uintptr{kindInvitations: unsafe.Sizeof(mapping.Invitation{}),
		kindNotes: unsafe.Sizeof(mapping.Note{}), kindEndorsementsReceived: unsafe.Sizeof(mapping.Endorsement{}),
		kindEndorsementsGiven: unsafe.Sizeof(mapping.Endorsement{}), kindRecommendationsReceived: unsafe.Sizeof(mapping.Recommendation{}),
		kindRecommendationsGiven: unsafe.Sizeof(mapping.Recommendation{}), kindFollows: unsafe.Sizeof(mapping.Follow{})}[p.kind]
	p.lim.kept += int64(size) + p.cost
}

func (p *activityParser) done() {
	p.dates.done(p.exp, p.name)
	if p.redacted > 0 {
		p.exp.Warnings = append(p.exp.Warnings, mapping.Warning{File: p.name, Msg: fmt.Sprintf(
			"%d rows skipped: LinkedIn redacted who they name", p.redacted)})
	}
	if p.dropped > 0 {
		p.exp.Warnings = append(p.exp.Warnings, mapping.Warning{File: p.name, Line: p.first, Msg: fmt.Sprintf(
			"%d rows from here on not kept: the enrichment files may keep %d MiB in memory; message counts and last contacts are partial", p.dropped, maxKeptBytes>>20)})
	}
}

// isRedacted recognises the placeholder older archives put where a hidden
// member's name was.
func isRedacted(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "redacted") }

// date parses a date of any layout above; an unknown shape is a warning and
// a zero time, the row is kept.
func (p *activityParser) date(s, column string, line int) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, ok := parseUTC(s); ok {
		// Only activityLayouts[0] reads this shape, and parse would have
		// settled on it.
		p.dates.layout = 0
		return t
	}
	return p.dates.parse(p.exp, p.name, line, s, activityLayouts,
		column+` (expected like "2024-06-01 14:03:22 UTC" or "6/1/24, 2:03 PM"); row kept without a date`)
}

// message reads one messages.csv row; false for a row that is no message
// sent (a draft, spam). Its strings point into row: Messages.Add copies
// what it keeps.
func (p *activityParser) message(row []string, line int) (mapping.Message, bool) {
	raw := func(c int) string { return p.get(row, c) }
	if strings.EqualFold(raw(aDraft), "yes") || strings.EqualFold(raw(aFolder), "spam") {
		return mapping.Message{}, false // never sent, or not a conversation
	}
	dir, folder := strings.ToUpper(raw(aDirection)), strings.ToUpper(raw(aFolder))
	p.toURLs = splitURLs(p.toURLs[:0], raw(aToURL))
	return mapping.Message{File: p.name, Line: line, Date: p.date(raw(aDate), "DATE", line),
		Conversation: raw(aConversation), From: raw(aFrom), FromURL: raw(aFromURL),
		To: raw(aTo), ToURLs: p.toURLs, Outgoing: dir == "OUTGOING" || folder == "SENT"}, true
}

// parseUTC reads messages.csv's "2024-06-01 14:03:22 UTC" (the shape of
// every row since 2021) as time.Parse(activityLayouts[0], s) does, a
// tenth of its cost; false for anything else, a value out of range
// included, which parse then reads (and warns about) as before.
func parseUTC(s string) (time.Time, bool) {
	if len(s) != len("2006-01-02 15:04:05 UTC") || s[4] != '-' || s[7] != '-' || s[10] != ' ' ||
		s[13] != ':' || s[16] != ':' || s[19:] != " UTC" {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false // "2023-02-29": parse says day out of range
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

// splitURLs appends to dst the URLs of a RECIPIENT PROFILE URLS cell,
// joined by "," without a space.
func splitURLs(dst []string, s string) []string {
	for u := range strings.SplitSeq(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			dst = append(dst, u)
		}
	}
	return dst
}
