package linkedintest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
)

// Fault is one scripted answer of SnapshotAPI, served instead of a page.
type Fault struct {
	Status     int    // e.g. 429 or 500
	RetryAfter string // the Retry-After header, "" for none
}

// SnapshotAPI is an in-process fake of LinkedIn's Member Snapshot API
// (GET /rest/memberSnapshotData?q=criteria&domain=D&start=N), behaving as
// linkedin-formats.md §5.2 and dma-api-docs.md document: one element of
// PageSize rows per page, a next link on every page that has data, and a
// 404 "No data found" past the end (and for an empty domain). The fields
// below switch on the documentation's other shapes, so a client is tested
// against what LinkedIn says it may send. Serve it with httptest.NewServer.
type SnapshotAPI struct {
	Token   string                         // the bearer token it accepts
	Version string                         // the LinkedIn-Version it wants; "" accepts any
	Data    map[string][]map[string]string // domain → rows
	// PageSize is rows per page (default 10); Overlap repeats that many rows
	// of the previous page at the start of each page, as LinkedIn does.
	PageSize, Overlap int
	// Faults are answered, in order, one per request, before any page.
	Faults []Fault
	// Expired answers every request with 401 EXPIRED_ACCESS_TOKEN (65602);
	// Revoked with 401 REVOKED_ACCESS_TOKEN (65601). A wrong token gets the
	// documented invalid-token answer (65600, no code).
	Expired, Revoked bool
	// EmptyPages are the starts answered with the documentation's "Sample
	// Paginated response": "elements": {}, prev and next links, total 16.
	// The data goes on at the following starts.
	EmptyPages []int
	// NextLinks, when positive, gives only the first NextLinks pages a next
	// link and reports that as total, as when LinkedIn's total leaves out
	// data from offline systems; 0 links every page.
	NextLinks int
	// ObjectElements sends each page's one element as an object
	// ("elements": {…}) instead of an array of one.
	ObjectElements bool

	// Events are the Member Changelog API's events (see changelog.go),
	// served at GET /rest/memberChangeLogs?q=memberAndApplication: those
	// whose processedAt is at or after startTime (inclusive, as documented),
	// count (1..50, default 10) per page from start, a next link on every
	// full page, and an empty "elements" past the end. A startTime that is
	// not epoch milliseconds, or a count outside 1..50, gets the documented 400.
	Events []map[string]any
	// BadEventPage, when positive, answers that page (1-based) of events
	// with a body that is not JSON.
	BadEventPage int

	mu         sync.Mutex
	requests   []string
	startTimes []string
	eventPages int
}

// StartTimes returns the startTime of every changelog request ("" when absent).
func (s *SnapshotAPI) StartTimes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.startTimes...)
}

// Requests returns the request URIs served so far, faults included.
func (s *SnapshotAPI) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *SnapshotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	var fault *Fault
	if len(s.Faults) > 0 {
		fault, s.Faults = &s.Faults[0], s.Faults[1:]
	}
	s.mu.Unlock()
	fail := func(status, code int, name, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		body := map[string]any{"status": status, "message": msg}
		if code != 0 {
			body["serviceErrorCode"] = code
		}
		if name != "" {
			body["code"] = name
		}
		_ = json.NewEncoder(w).Encode(body)
	}
	switch {
	case s.Expired:
		fail(401, 65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
		return
	case s.Revoked:
		fail(401, 65601, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user")
		return
	case r.Header.Get("Authorization") != "Bearer "+s.Token:
		fail(401, 65600, "", "Invalid access token")
		return
	case s.Version != "" && r.Header.Get("LinkedIn-Version") != s.Version:
		fail(426, 0, "NONEXISTENT_VERSION", "Requested version "+r.Header.Get("LinkedIn-Version")+" is not active")
		return
	case fault != nil:
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		fail(fault.Status, 0, "", http.StatusText(fault.Status))
		return
	case r.URL.Path == "/rest/memberChangeLogs" && r.URL.Query().Get("q") == "memberAndApplication":
		s.changelog(w, r, fail)
		return
	case r.URL.Path != "/rest/memberSnapshotData" || r.URL.Query().Get("q") != "criteria":
		fail(400, 0, "", "unknown finder")
		return
	}
	q := r.URL.Query()
	domain := q.Get("domain")
	start, _ := strconv.Atoi(q.Get("start"))
	size := s.PageSize
	if size <= 0 {
		size = 10
	}
	link := func(rel string, start int) map[string]string {
		v := url.Values{"q": {"criteria"}, "domain": {domain}, "count": {strconv.Itoa(size)}, "start": {strconv.Itoa(start)}}
		return map[string]string{"type": "application/json", "rel": rel, "href": "/rest/memberSnapshotData?" + v.Encode()}
	}
	w.Header().Set("Content-Type", "application/json")
	if slices.Contains(s.EmptyPages, start) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"paging":   map[string]any{"start": start, "count": size, "total": 16, "links": []map[string]string{link("prev", start-1), link("next", start+1)}},
			"elements": map[string]any{},
		})
		return
	}
	dataPage := start
	for _, e := range s.EmptyPages {
		if e < start {
			dataPage--
		}
	}
	rows := s.Data[domain]
	from := dataPage * size
	if from >= len(rows) {
		fail(404, 0, "", "No data found for this domain and memberId.")
		return
	}
	pageRows := rows[max(from-s.Overlap, 0):min(from+size, len(rows))]
	total, links := (len(rows)+size-1)/size, []map[string]string{link("next", start+1)}
	if s.NextLinks > 0 {
		total = s.NextLinks
		if dataPage >= s.NextLinks {
			links = []map[string]string{}
		}
	}
	var els any = []map[string]any{{"snapshotDomain": domain, "snapshotData": pageRows}}
	if s.ObjectElements {
		els = map[string]any{"snapshotDomain": domain, "snapshotData": pageRows}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"paging":   map[string]any{"start": start, "count": size, "total": total, "links": links},
		"elements": els,
	})
}

// snapshotDomains maps export file names to the Snapshot API's domains.
var snapshotDomains = map[string]string{
	"Connections.csv": "CONNECTIONS", "Contacts.csv": "CONTACTS", "messages.csv": "INBOX",
	"Invitations.csv": "INVITATIONS", "Company Follows.csv": "COMPANY_FOLLOWS",
	"Endorsement_Received_Info.csv": "ENDORSEMENTS", "Endorsement_Given_Info.csv": "ENDORSEMENTS",
}

// SnapshotRows turns an export's files into the API's rows: each data row
// as an object keyed by its column names. The Notes: preamble (records of
// one field) is skipped; files the API has no domain for are left out.
func SnapshotRows(files map[string][]byte) (map[string][]map[string]string, error) {
	out := map[string][]map[string]string{}
	for _, name := range []string{"Connections.csv", "Contacts.csv", "messages.csv", "Invitations.csv",
		"Company Follows.csv", "Endorsement_Received_Info.csv", "Endorsement_Given_Info.csv"} {
		b, ok := files[name]
		if !ok {
			continue
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		var head []string
		for _, rec := range recs {
			switch {
			case head == nil && len(rec) > 1:
				head = rec
			case head != nil:
				m := make(map[string]string, len(head))
				for i, h := range head {
					if i < len(rec) {
						m[h] = rec[i]
					}
				}
				out[snapshotDomains[name]] = append(out[snapshotDomains[name]], m)
			}
		}
	}
	return out, nil
}

// changelog serves one page of Events.
func (s *SnapshotAPI) changelog(w http.ResponseWriter, r *http.Request, fail func(status, code int, name, msg string)) {
	q := r.URL.Query()
	s.mu.Lock()
	s.startTimes = append(s.startTimes, q.Get("startTime"))
	s.eventPages++
	n := s.eventPages
	s.mu.Unlock()
	var since int64
	if st := q.Get("startTime"); st != "" {
		v, err := strconv.ParseInt(st, 10, 64)
		if err != nil || v < 0 {
			fail(400, 0, "", "Invalid startTime: "+st)
			return
		}
		since = v
	}
	count := 10
	if c := q.Get("count"); c != "" {
		v, err := strconv.Atoi(c)
		if err != nil || v < 1 || v > 50 {
			fail(400, 0, "", "count must be in [1,50]; we recommend count=10")
			return
		}
		count = v
	}
	start, _ := strconv.Atoi(q.Get("start"))
	if s.BadEventPage == n {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"elements": [{"id": 1, "processedAt": 17`))
		return
	}
	var match []map[string]any
	for _, e := range s.Events {
		if p, ok := e["processedAt"].(int64); !ok || p >= since { // a malformed event is served as it is
			match = append(match, e)
		}
	}
	els := match[min(start, len(match)):min(start+count, len(match))]
	links := []map[string]string{}
	if start+count < len(match) {
		v := url.Values{"q": {"memberAndApplication"}, "count": {strconv.Itoa(count)}, "start": {strconv.Itoa(start + count)}}
		if q.Has("startTime") {
			v.Set("startTime", q.Get("startTime"))
		}
		links = append(links, map[string]string{"type": "application/json", "rel": "next", "href": "/rest/memberChangeLogs?" + v.Encode()})
	}
	if els == nil {
		els = []map[string]any{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"paging":   map[string]any{"start": start, "count": count, "links": links},
		"elements": els,
	})
}

// MessageEvent is a changelog event of a message, shaped as the
// documentation's "inbound message activity to personal mailbox" sample
// (outbound when author is owner: actor = owner, as documented). thread is
// the conversation's id (the export's CONVERSATION ID); times are epoch ms.
func MessageEvent(id int64, owner, author, thread string, createdAt, processedAt int64) map[string]any {
	return map[string]any{
		"owner": owner, "resourceId": fmt.Sprintf("0-UzY2%d", id), "configVersion": 1, "method": "CREATE",
		"activity": map[string]any{
			"owner": author, "createdAt": createdAt, "author": author,
			"clientExperience": map[string]any{"clientGeneratedToken": "41453ff9-a796-4259-8b80-e4a5da9f8230"},
			"id":               fmt.Sprintf("0-UzY2%d", id), "thread": "urn:li:messagingThread:" + thread,
			"readAt": createdAt, "deliveredAt": createdAt,
			"content": map[string]any{"format": "TEXT", "fallback": "Hello back to personal inbox", "formatVersion": 1,
				"content": map[string]any{"string": "Hello back to personal inbox"}},
		},
		"resourceName": "messages", "resourceUri": fmt.Sprintf("/messages/0-UzY2%d", id), "actor": author,
		"activityId": fmt.Sprintf("1f9e70cc-925f-4738-a336-%012d", id), "activityStatus": "SUCCESS",
		"processedAt": processedAt, "capturedAt": createdAt + 200, "siblingActivities": []any{}, "id": id,
	}
}

// InvitationEvent is a changelog event of an invitation sent by owner to
// invitee, shaped as the documentation's "Action verifyAndCreate" sample.
func InvitationEvent(id int64, owner, invitee string, processedAt int64) map[string]any {
	return map[string]any{
		"owner": owner, "resourceId": fmt.Sprintf("70308254610855%05d", id),
		"activity": map[string]any{"invitationV2": map[string]any{"inviter": owner, "invitee": invitee, "trackingId": "<>"}},
		"method":   "ACTION", "configVersion": 7, "parentSiblingActivities": []any{}, "methodName": "verifyAndCreate",
		"resourceName": "invitations", "resourceUri": "/invitations", "actor": owner,
		"activityId": fmt.Sprintf("90431a9a-2897-49cc-b0a0-%012d", id), "processedAt": processedAt,
		"activityStatus": "SUCCESS", "capturedAt": processedAt - 30000, "siblingActivities": []any{}, "id": id,
	}
}

// AcceptedInvitationEvent is the member accepting inviter's invitation
// (ACTION inviteeClosingInvitation). The documentation shows only the
// withdraw sample (inviterClosingInvitation, inviterActionType WITHDRAW);
// this one is shaped by analogy, with inviteeActionType ACCEPT.
func AcceptedInvitationEvent(id int64, owner, inviter string, processedAt int64) map[string]any {
	return map[string]any{
		"activity": map[string]any{
			"inviteActionData":  []any{map[string]any{"invitationId": fmt.Sprintf("urn:li:invitation:62301720481576%05d", id), "inviter": inviter}},
			"invitee":           owner,
			"inviteeActionType": "ACCEPT",
		},
		"activityId": fmt.Sprintf("f8b05048-66e4-46bc-8653-%012d", id), "actor": owner,
		"capturedAt": processedAt - 20000, "configVersion": 5, "id": id, "method": "ACTION",
		"methodName": "inviteeClosingInvitation", "owner": owner, "processedAt": processedAt,
		"resourceId": "", "resourceName": "invitations", "resourceUri": "/invitations",
	}
}
