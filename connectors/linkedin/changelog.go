package linkedin

// The Member Changelog API, as learn.microsoft.com documents it
// (…/member-data-portability/shared/member-changelog-api and
// …/changelog-resource-references/messages and /invitations; see
// dma-api-docs.md and linkedin-formats.md §5.4):
//
//   - GET /rest/memberChangeLogs?q=memberAndApplication&startTime=<ms>&count=<1..50>
//     returns "an array of elements", one event each; startTime is
//     inclusive, and the next startTime is "the latest processedAt from
//     the previous response" (or the same one when there was none), so the
//     last event comes again and events are deduplicated by id;
//   - only the past 28 days are kept;
//   - people are urn:li:person:… (app-scoped ids, no profile URL); a
//     messages event names its thread (urn:li:messagingThread:<id>, whose id
//     is the export's CONVERSATION ID) and its author; an outbound message
//     has actor == owner;
//   - Contacts (address book imports) are "not currently" captured.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
	"github.com/linkport/linkport/state/atomicfile"
)

const (
	changelogPath  = "/rest/memberChangeLogs"
	changelogLabel = "memberChangeLogs" // APIError.Domain of changelog answers
	// changelogCount is the page size: LinkedIn recommends 10 ("to reduce
	// latency"); 50 is its upper bound.
	changelogCount = 10
	// ChangelogRetention is how far back LinkedIn keeps events.
	ChangelogRetention = 28 * 24 * time.Hour
	// CursorName names the changelog's cursor in the state.
	CursorName = "linkedin.changelog"
	// baseMeta is the base folder's record of its snapshot; a dot file,
	// so reading the folder as an export skips it.
	baseMeta = ".linkport-snapshot.json"
)

// Event is one Member Changelog API event. Times are epoch milliseconds, as sent.
type Event struct {
	ID           int64           `json:"id"`
	CapturedAt   int64           `json:"capturedAt"`
	ProcessedAt  int64           `json:"processedAt"`
	Owner        string          `json:"owner"`
	Actor        string          `json:"actor"`
	ResourceName string          `json:"resourceName"`
	ResourceID   string          `json:"resourceId"`
	Method       string          `json:"method"`
	MethodName   string          `json:"methodName"`
	Activity     json.RawMessage `json:"activity"`
}

// changelogPage is one answer of the Changelog API: paging as the
// Snapshot API's, elements an array of events.
type changelogPage struct {
	Paging   paging            `json:"paging"`
	Elements []json.RawMessage `json:"elements"`
}

func hasNext(p *page) bool {
	for _, l := range p.Paging.Links {
		if l.Rel == "next" && l.Href != "" {
			return true
		}
	}
	return false
}

// Changelog reads every event processed at or after since (all LinkedIn
// keeps when since is zero), page by page: it follows a next link where the
// page has one, else asks for the next start while pages come full, and
// stops at an empty or short page (or LinkedIn's "No data found"). Events
// repeated across pages are dropped by id. An answer that is not the
// documented JSON, or an event without id or processedAt, is an error: no
// event of the read is used.
func (a *APISource) Changelog(ctx context.Context, since time.Time) ([]Event, []mapping.Warning, error) {
	if a.opt.Token == "" {
		return nil, nil, ErrNoToken
	}
	if a.base == nil || (a.base.Scheme != "https" && a.base.Scheme != "http") || a.base.Host == "" {
		return nil, nil, fmt.Errorf("LinkedIn API: base_url %q: want an http(s) URL", a.opt.BaseURL)
	}
	q := url.Values{"q": {"memberAndApplication"}, "count": {strconv.Itoa(changelogCount)}}
	if !since.IsZero() {
		q.Set("startTime", strconv.FormatInt(since.UnixMilli(), 10))
	}
	next := a.base.ResolveReference(&url.URL{Path: a.base.Path + changelogPath, RawQuery: q.Encode()})
	var events []Event
	var warns []mapping.Warning
	seen := map[int64]bool{}
	pages := newPageGuard(a.opt.MaxPages)
	for {
		capped, err := pages.turn(changelogLabel, next)
		if err != nil {
			return nil, nil, err
		}
		if capped {
			warns = append(warns, mapping.Warning{File: "api:changelog", Msg: fmt.Sprintf(
				"stopped after %d pages of events; the next run goes on from the newest one read", pages.n)})
			a.log.Warn("linkedin changelog: page cap reached", "pages", pages.n)
			break
		}
		body, end, err := a.get(ctx, changelogLabel, next)
		if err != nil {
			return nil, nil, err
		}
		if end {
			break
		}
		var p changelogPage
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, nil, &APIError{Domain: changelogLabel, Status: 200,
				Message: fmt.Sprintf("page %d (%s): answer is not Changelog API JSON (want an \"elements\" array of events): %v", pages.n, next.RequestURI(), err)}
		}
		for i, raw := range p.Elements {
			var e Event
			if err := json.Unmarshal(raw, &e); err != nil || e.ID == 0 || e.ProcessedAt <= 0 {
				why := "no id or processedAt"
				if err != nil {
					why = err.Error()
				}
				return nil, nil, &APIError{Domain: changelogLabel, Status: 200,
					Message: fmt.Sprintf("page %d (%s), event %d: not a changelog event (want numeric id and processedAt): %s", pages.n, next.RequestURI(), i+1, why)}
			}
			if !seen[e.ID] {
				seen[e.ID] = true
				events = append(events, e)
			}
		}
		if len(p.Elements) == 0 {
			break
		}
		pg := &page{Paging: p.Paging}
		if hasNext(pg) {
			if next, err = a.nextLink(changelogLabel, pg, next); err != nil {
				return nil, nil, err
			}
			continue
		}
		if len(p.Elements) < changelogCount {
			break
		}
		nq := next.Query()
		start, _ := strconv.Atoi(nq.Get("start"))
		nq.Set("start", strconv.Itoa(start+len(p.Elements)))
		u := *next
		u.RawQuery = nq.Encode()
		next = &u
	}
	return events, warns, nil
}

// ChangelogOptions configure a ChangelogSource.
type ChangelogOptions struct {
	// Dir is the base: the last full snapshot as an export-shaped folder
	// (as Fetch writes it) plus the messages applied since, kept beside the
	// state (the CLI uses "<state>.api").
	Dir string
	// Cursor is the state's last processedAt (epoch ms); "" when none.
	Cursor string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// ChangelogSource is the API source with source.api.changelog on: it
// implements connectors.Source. Read takes a full snapshot when it must (no
// cursor, a cursor or base older than the 28 days LinkedIn keeps, no base,
// or new connections) and otherwise reads the base and applies the message
// events since the cursor to it. Read writes nothing; SaveBase writes the
// new base, and the run saves Cursor in the state.
type ChangelogSource struct {
	// Snapshot says why Read took a full snapshot; "" when it applied events.
	Snapshot string

	api *APISource
	opt ChangelogOptions

	// What Read found, for SaveBase and Cursor.
	read    bool
	next    string        // the cursor after this read
	full    []domainTable // a new snapshot, to become the base
	takenAt time.Time     // when full was taken
	header  []string      // the base's messages.csv header
	added   [][]string    // message rows to append to it
}

// NewChangelog returns the changelog source reading through api.
func NewChangelog(api *APISource, opt ChangelogOptions) *ChangelogSource {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &ChangelogSource{api: api, opt: opt}
}

// snapshotMeta is the base's own record.
type snapshotMeta struct {
	TakenAt int64 `json:"taken_at"` // epoch ms of the full snapshot
}

// Read returns the export this run syncs; see ChangelogSource.
func (c *ChangelogSource) Read(ctx context.Context) (*mapping.Export, error) {
	now := c.opt.Now()
	cur, err := strconv.ParseInt(c.opt.Cursor, 10, 64)
	meta, metaErr := readMeta(c.opt.Dir)
	var why string
	switch {
	case c.opt.Cursor == "":
		why = "the state has no changelog cursor yet"
	case err != nil || cur <= 0:
		why = fmt.Sprintf("the state's changelog cursor %q is not an epoch-millisecond time", c.opt.Cursor)
	case now.Sub(time.UnixMilli(cur)) > ChangelogRetention:
		why = fmt.Sprintf("the last changelog run (%s) is older than the 28 days of events LinkedIn keeps", day(cur))
	case metaErr != nil:
		why = fmt.Sprintf("no base snapshot in %s (%v)", c.opt.Dir, metaErr)
	case now.Sub(time.UnixMilli(meta.TakenAt)) > ChangelogRetention:
		why = fmt.Sprintf("the base snapshot (%s) is older than 28 days; a new one brings the connections' profile changes", day(meta.TakenAt))
	}
	if why != "" {
		return c.snapshot(ctx, why, now, "")
	}
	events, warns, err := c.api.Changelog(ctx, time.UnixMilli(cur))
	if err != nil {
		return nil, err
	}
	next := cur
	accepted := 0
	for _, e := range events {
		next = max(next, e.ProcessedAt)
		if acceptedInvitation(e) {
			accepted++
		}
	}
	if accepted > 0 {
		// The event names the new connection by URN only: a snapshot
		// brings them with name, company and profile URL, keyed as always.
		return c.snapshot(ctx, fmt.Sprintf("%d accepted invitation(s) since the last run: new connections", accepted), now, strconv.FormatInt(next, 10))
	}
	exp, err := Open(c.opt.Dir, Options{messageSeconds: true}).Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the base snapshot %s (delete the folder to take a new full snapshot): %w", c.opt.Dir, err)
	}
	exp.Warnings = append(exp.Warnings, warns...)
	exp.ExportedAt = time.UnixMilli(meta.TakenAt) // the people's values are the snapshot's
	header, err := messagesHeader(c.opt.Dir)
	if err != nil {
		return nil, err
	}
	st := applyMessages(exp, header, events)
	c.read, c.next, c.header, c.added, c.Snapshot = true, strconv.FormatInt(next, 10), header, st.rows, ""
	if st.unknown > 0 {
		exp.Warnings = append(exp.Warnings, mapping.Warning{File: "api:changelog", Msg: fmt.Sprintf(
			"%d message events are in conversations the base snapshot does not have (their people appear only as urn:li:person:…); the next full snapshot brings them", st.unknown)})
	}
	c.api.log.Info("linkedin changelog: events applied", "since", time.UnixMilli(cur).UTC().Format(time.RFC3339),
		"events", len(events), "messages", len(st.rows), "repeated", st.repeated, "unknown_conversations", st.unknown,
		"not_applied", len(events)-len(st.rows)-st.repeated-st.unknown)
	return exp, nil
}

// snapshot takes a full snapshot; next is the cursor after it ("" for the
// snapshot's start: events processed from then on come next time).
func (c *ChangelogSource) snapshot(ctx context.Context, why string, now time.Time, next string) (*mapping.Export, error) {
	c.api.log.Info("linkedin changelog: taking a full snapshot", "why", why)
	tables, warns, err := c.api.tables(ctx)
	if err != nil {
		return nil, err
	}
	if next == "" {
		next = strconv.FormatInt(now.UnixMilli(), 10)
	}
	exp := exportOf(tables, warns, now)
	c.read, c.next, c.full, c.takenAt, c.added, c.Snapshot = true, next, tables, now, nil, why
	return exp, nil
}

// Cursor is the name and value the run saves in the state, after Read.
func (c *ChangelogSource) Cursor() (name, value string) { return CursorName, c.next }

// SaveBase writes what Read found as the next run's base: a new snapshot
// replaces the folder (built beside it, then swapped in), applied messages
// are appended to its messages.csv. Call it for a sync only (never for a
// dry run) after Read and before the run that saves the cursor: applying
// the same events twice changes nothing, so a base ahead of the cursor
// (a run that failed after it) is harmless, and one behind it cannot occur.
func (c *ChangelogSource) SaveBase() error {
	switch {
	case !c.read:
		return errors.New("save base: nothing read")
	case c.full != nil:
		return c.saveSnapshot()
	case len(c.added) == 0:
		return nil
	}
	p := filepath.Join(c.opt.Dir, "messages.csv")
	old, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", p, err)
	}
	rows, err := c.newRows(p, old)
	if err != nil || len(rows) == 0 {
		return err
	}
	var b bytes.Buffer
	b.Write(old)
	w := csv.NewWriter(&b)
	if len(old) == 0 {
		_ = w.Write(c.header)
	} else if old[len(old)-1] != '\n' {
		b.WriteByte('\n')
	}
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	if err := atomicfile.Write(p, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// newRows are the added rows that messages.csv (old, at p) does not hold
// yet, laid out by its header: another run may have appended the same
// events since this one read the base.
func (c *ChangelogSource) newRows(p string, old []byte) ([][]string, error) {
	if len(old) == 0 {
		return c.added, nil
	}
	r := csv.NewReader(bytes.NewReader(old))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, csvError(p, err)
	}
	col := func(header []string, name string) int {
		return slices.IndexFunc(header, func(h string) bool { return normHeader(h) == name })
	}
	head := recs[0]
	hc, hd := col(head, "conversationid"), col(head, "date")
	have := map[[2]string]bool{}
	for _, rec := range recs[1:] {
		if hc >= 0 && hd >= 0 && hc < len(rec) && hd < len(rec) {
			have[[2]string{rec[hc], rec[hd]}] = true
		}
	}
	ac, ad := col(c.header, "conversationid"), col(c.header, "date")
	if ac < 0 || ad < 0 {
		return c.added, nil
	}
	var out [][]string
	for _, row := range c.added {
		if have[[2]string{row[ac], row[ad]}] {
			continue
		}
		cells := make([]string, len(head))
		for i, h := range head {
			if j := slices.Index(c.header, h); j >= 0 {
				cells[i] = row[j]
			}
		}
		out = append(out, cells)
	}
	return out, nil
}

func (c *ChangelogSource) saveSnapshot() error {
	dir := filepath.Clean(c.opt.Dir)
	tmp, old := dir+".new", dir+".old"
	for _, d := range []string{tmp, old} {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("remove %s: %w", d, err)
		}
	}
	if err := writeTables(tmp, c.full, c.takenAt.Truncate(time.Second), c.api.log); err != nil {
		return err
	}
	meta, _ := json.Marshal(snapshotMeta{TakenAt: c.takenAt.UnixMilli()})
	if err := atomicfile.Write(filepath.Join(tmp, baseMeta), meta, 0o600); err != nil {
		return fmt.Errorf("write base snapshot: %w", err)
	}
	// A crash between the two renames leaves no base: the next run takes a new snapshot.
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("replace base snapshot: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("replace base snapshot: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove %s: %w", old, err)
	}
	return nil
}

func readMeta(dir string) (snapshotMeta, error) {
	var m snapshotMeta
	b, err := os.ReadFile(filepath.Join(dir, baseMeta))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil || m.TakenAt <= 0 {
		return m, fmt.Errorf("%s: not a base snapshot record", baseMeta)
	}
	return m, nil
}

// messagesHeader is the header of the base's messages.csv, or the API's when it has none.
func messagesHeader(dir string) ([]string, error) {
	p := filepath.Join(dir, "messages.csv")
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return slices.Clone(domainFiles["INBOX"].header), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	if err != nil {
		return nil, csvError(p, err)
	}
	return h, nil
}

func day(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.DateOnly) }

// acceptedInvitation reports an event of the member accepting an
// invitation (ACTION inviteeClosingInvitation, inviteeActionType ACCEPT):
// a new connection. The documentation shows the withdraw sample only
// (inviterActionType WITHDRAW); the accept one is read by analogy.
func acceptedInvitation(e Event) bool {
	if e.ResourceName != "invitations" || e.MethodName != "inviteeClosingInvitation" {
		return false
	}
	var a struct {
		Type string `json:"inviteeActionType"`
	}
	_ = json.Unmarshal(e.Activity, &a)
	return strings.EqualFold(a.Type, "ACCEPT")
}

// messageActivity is what linkport reads of a messages event's activity.
type messageActivity struct {
	Author    string `json:"author"`
	Thread    string `json:"thread"`
	CreatedAt int64  `json:"createdAt"`
}

type applied struct {
	rows              [][]string
	repeated, unknown int
}

// conversation is what the base says about one conversation.
type conversation struct {
	people []string          // participants' profile URLs, the owner's included
	names  map[string]string // profile URL → display name
	at     map[int64]bool    // the seconds of the messages applied to it
}

// applyMessages turns the message events (method CREATE) into rows of the
// base's messages.csv and parses them into exp, so enrich counts them and
// moves the last-contacted dates as for any message. An event reaches the
// people of its conversation as the base knows them (thread id = CONVERSATION
// ID): the events name people by URN only. A message already in the base
// (same conversation, same second) is not added again, which makes applying
// events idempotent. Edits (UPDATE) change no date or count; deletions
// (DELETE) cannot be matched to a base message and are left: the next
// snapshot corrects the count.
func applyMessages(exp *mapping.Export, header []string, events []Event) applied {
	var st applied
	convs := map[string]*conversation{}
	// Each conversation's groups in the order their rows first came name
	// its people as the rows did; the seconds are the base's (KeepSeconds).
	msgs, ids := exp.Messages.Groups(), exp.Messages.Conversations()
	for _, pair := range exp.Messages.Pairs() {
		m, id := &msgs[pair.Group], ids[pair.Conv]
		if id == "" {
			continue
		}
		cv := convs[id]
		if cv == nil {
			cv = &conversation{names: map[string]string{}, at: map[int64]bool{}}
			convs[id] = cv
		}
		add := func(u, name string) {
			if c, s := mapping.NormalizeProfileURL(u); s != "" {
				if !slices.Contains(cv.people, c) {
					cv.people = append(cv.people, c)
				}
				if name != "" && cv.names[c] == "" {
					cv.names[c] = name
				}
			}
		}
		add(m.FromURL, m.From)
		names := strings.Split(m.To, ", ")
		for j, u := range m.ToURLs {
			name := ""
			if len(names) == len(m.ToURLs) {
				name = names[j]
			}
			add(u, name)
		}
	}
	owner := enrich.DetectOwner(exp)
	ownerURL, ownerSlug := mapping.NormalizeProfileURL(owner.ProfileURL)
	col := map[string]int{}
	for i, h := range header {
		col[normHeader(h)] = i
	}
	var rows [][]string
	for _, e := range events {
		if e.ResourceName != "messages" || e.Method != "CREATE" {
			continue
		}
		var a messageActivity
		_ = json.Unmarshal(e.Activity, &a)
		id, ok := strings.CutPrefix(a.Thread, "urn:li:messagingThread:")
		cv := convs[id]
		if !ok || cv == nil {
			st.unknown++
			continue
		}
		at := a.CreatedAt
		if at <= 0 {
			at = e.CapturedAt // LinkedIn recommends capturedAt where an activity has no time
		}
		if sec := time.UnixMilli(at).Unix(); at <= 0 || cv.at[sec] || exp.Messages.HasSecond(id, sec) {
			st.repeated++
			continue
		}
		cv.at[time.UnixMilli(at).Unix()] = true
		var others []string
		for _, u := range cv.people {
			if _, s := mapping.NormalizeProfileURL(u); s != ownerSlug || ownerSlug == "" {
				others = append(others, u)
			}
		}
		v := map[string]string{"conversationid": id, "folder": "INBOX",
			"date": time.UnixMilli(at).UTC().Format("2006-01-02 15:04:05") + " UTC"}
		switch {
		case e.Actor != "" && e.Actor == e.Owner: // outbound, as the documentation tells them apart
			v["from"], v["senderprofileurl"] = owner.Name, ownerURL
			v["to"], v["recipientprofileurls"] = joinNames(others, cv.names), strings.Join(others, ",")
		case len(others) == 1: // inbound in a two-person conversation: the other one wrote
			v["from"], v["senderprofileurl"] = cv.names[others[0]], others[0]
			v["to"], v["recipientprofileurls"] = owner.Name, ownerURL
		default: // inbound in a group: the author is a URN only; it counts for everyone, from "other"
			v["to"], v["recipientprofileurls"] = joinNames(cv.people, cv.names), strings.Join(cv.people, ",")
		}
		row := make([]string, len(header))
		for k, val := range v {
			if i, ok := col[k]; ok {
				row[i] = val
			}
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		s := newSheet(exp, "api:changelog", kindMessages, header)
		for i, r := range rows {
			s.row(r, i+1)
		}
		s.done()
	}
	st.rows = rows
	return st
}

func joinNames(urls []string, names map[string]string) string {
	var out []string
	for _, u := range urls {
		if n := names[u]; n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}
