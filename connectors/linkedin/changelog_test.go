package linkedin_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

const (
	meURN   = "urn:li:person:2qXA98-mVk"
	janeURN = "urn:li:person:kAq_1ptj-v"
	meURL   = "https://www.linkedin.com/in/me-owner"
	janeURL = "https://www.linkedin.com/in/jane-doe"
	bobURL  = "https://www.linkedin.com/in/bob-roe"
	convA   = "2-Y29udkE=" // me and Jane
	convB   = "2-Y29udkI=" // me, Jane and Bob
)

// network is a small snapshot: two connections, two conversations, one
// outgoing invitation that names the owner.
func network() map[string][]map[string]string {
	return map[string][]map[string]string{
		"CONNECTIONS": {
			{"First Name": "Jane", "Last Name": "Doe", "URL": janeURL, "Company": "Acme", "Position": "CTO", "Connected On": "01 Mar 2024"},
			{"First Name": "Bob", "Last Name": "Roe", "URL": bobURL, "Company": "Initech", "Position": "Dev", "Connected On": "02 Mar 2024"},
		},
		"INBOX": {
			{"CONVERSATION ID": convA, "FROM": "Me Owner", "SENDER PROFILE URL": meURL, "TO": "Jane Doe", "RECIPIENT PROFILE URLS": janeURL,
				"DATE": "2026-10-01 09:00:00 UTC", "CONTENT": "hi", "FOLDER": "INBOX"},
			{"CONVERSATION ID": convA, "FROM": "Jane Doe", "SENDER PROFILE URL": janeURL, "TO": "Me Owner", "RECIPIENT PROFILE URLS": meURL,
				"DATE": "2026-10-02 09:00:00 UTC", "CONTENT": "hello", "FOLDER": "INBOX"},
			{"CONVERSATION ID": convB, "FROM": "Bob Roe", "SENDER PROFILE URL": bobURL, "TO": "Me Owner, Jane Doe", "RECIPIENT PROFILE URLS": meURL + "," + janeURL,
				"DATE": "2026-09-01 09:00:00 UTC", "CONTENT": "all", "FOLDER": "INBOX"},
		},
		"INVITATIONS": {
			{"From": "Me Owner", "To": "Jane Doe", "Sent At": "2/28/24, 10:00 AM", "Message": "", "Direction": "OUTGOING",
				"inviterProfileUrl": meURL, "inviteeProfileUrl": janeURL},
		},
	}
}

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

// people reconciles and enriches exp, by profile URL.
func people(exp *mapping.Export) map[string]*mapping.Contact {
	g := mapping.Reconcile(exp, mapping.Options{})
	enrich.Enrich(g, exp)
	out := map[string]*mapping.Contact{}
	for _, p := range g.People {
		out[p.ProfileURL] = p
	}
	return out
}

// TestChangelogPages: the fake's pages, read through: empty, one short
// page, several full ones with next links, startTime sent as given.
func TestChangelogPages(t *testing.T) {
	since := ms("2026-11-20T00:00:00Z")
	for _, tc := range []struct {
		name           string
		events         int
		before         int // events processed before since, never returned
		wantGot, calls int
	}{
		{"no events: one empty page", 0, 0, 0, 1},
		{"one short page", 3, 0, 3, 1},
		{"full pages then a short one", 23, 4, 23, 3},
		{"exactly two full pages then an empty one", 20, 0, 20, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &linkedintest.SnapshotAPI{}
			for i := range tc.before {
				fake.Events = append(fake.Events, linkedintest.InvitationEvent(int64(900+i), meURN, janeURN, since-int64(1000*(i+1))))
			}
			for i := range tc.events {
				fake.Events = append(fake.Events, linkedintest.MessageEvent(int64(i+1), meURN, janeURN, convA, since+int64(i)*1000, since+int64(i)*1000))
			}
			api, logs := fakeAPI(t, fake)
			got, warns, err := api.Changelog(context.Background(), time.UnixMilli(since))
			if err != nil || len(warns) > 0 {
				t.Fatalf("Changelog: %v %v", err, warns)
			}
			if len(got) != tc.wantGot {
				t.Errorf("got %d events, want %d", len(got), tc.wantGot)
			}
			if tc.events > 0 && got[0].ProcessedAt != since { // startTime is inclusive
				t.Errorf("first event processed at %d, want %d", got[0].ProcessedAt, since)
			}
			starts := fake.StartTimes()
			if len(starts) != tc.calls {
				t.Errorf("%d requests (%v), want %d", len(starts), fake.Requests(), tc.calls)
			}
			for _, s := range starts {
				if s != strconv.FormatInt(since, 10) {
					t.Errorf("startTime %q, want %d", s, since)
				}
			}
			noToken(t, "logs", logs.String())
		})
	}
}

// TestChangelogSource: the first run takes a snapshot; the next applies
// message events to it, moving last-contacted dates and counts, and
// applying them again changes nothing.
func TestChangelogSource(t *testing.T) {
	fake := &linkedintest.SnapshotAPI{Data: network()}
	api, logs := fakeAPI(t, fake, "CONNECTIONS", "INBOX", "INVITATIONS")
	dir := filepath.Join(t.TempDir(), "state.json.api")
	now := time.UnixMilli(ms("2026-11-25T12:00:00Z"))
	clock := func() time.Time { return now }

	first := linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Now: clock})
	exp, err := first.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.Snapshot, "no changelog cursor") || len(fake.StartTimes()) != 0 {
		t.Fatalf("first run: snapshot %q, changelog asked %v", first.Snapshot, fake.StartTimes())
	}
	if !strings.Contains(logs.String(), "taking a full snapshot") {
		t.Errorf("the snapshot is not logged: %s", logs)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("Read wrote the base")
	}
	before := people(exp)
	if p := before[janeURL]; p == nil || p.Extras().LastContacted != "2026-10-02" || p.Extras().MessageCount != 3 {
		t.Fatalf("Jane from the snapshot: %+v", p)
	}
	if err := first.SaveBase(); err != nil {
		t.Fatal(err)
	}
	name, cursor := first.Cursor()
	if name != linkedin.CursorName || cursor != strconv.FormatInt(now.UnixMilli(), 10) {
		t.Fatalf("cursor %s=%s, want the snapshot's start", name, cursor)
	}

	t1, t2 := ms("2026-11-26T08:30:00Z"), ms("2026-11-27T18:00:00Z")
	fake.Events = []map[string]any{
		linkedintest.MessageEvent(1, meURN, janeURN, convA, t1, t1+30000),                             // Jane writes
		linkedintest.MessageEvent(2, meURN, meURN, convB, t2, t2+30000),                               // I write to the group
		linkedintest.MessageEvent(3, meURN, janeURN, convA, ms("2026-10-02T09:00:00Z")+400, t2+40000), // already in the snapshot
		linkedintest.MessageEvent(4, meURN, janeURN, "2-bmV3", t2, t2+50000),                          // a conversation the base lacks
		linkedintest.InvitationEvent(5, meURN, "urn:li:person:A3iH9CIw-n", t2+60000),                  // sent, not accepted
	}
	now = time.UnixMilli(t2 + 3600_000)
	second := linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Cursor: cursor, Now: clock})
	exp, err = second.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if second.Snapshot != "" {
		t.Fatalf("second run took a snapshot: %s", second.Snapshot)
	}
	if st := fake.StartTimes(); len(st) == 0 || st[0] != cursor {
		t.Errorf("changelog asked with startTime %v, want the saved cursor %s", st, cursor)
	}
	after := people(exp)
	jane, bob := after[janeURL], after[bobURL]
	if jane.Extras().LastContacted != "2026-11-27" || jane.Extras().MessageCount != 5 || jane.Extras().LastMessageFrom != "me" {
		t.Errorf("Jane after the events: last %s, %d messages, from %s; want 2026-11-27, 5, me", jane.Extras().LastContacted, jane.Extras().MessageCount, jane.Extras().LastMessageFrom)
	}
	if bob.Extras().LastContacted != "2026-11-27" || bob.Extras().MessageCount != 2 {
		t.Errorf("Bob after the events: last %s, %d messages; want 2026-11-27, 2", bob.Extras().LastContacted, bob.Extras().MessageCount)
	}
	if !hasWarning(exp, "1 message events are in conversations the base snapshot does not have") {
		t.Errorf("no warning for the unknown conversation: %v", exp.Warnings)
	}
	if _, next := second.Cursor(); next != strconv.FormatInt(t2+60000, 10) {
		t.Errorf("next cursor %s, want the newest processedAt %d", next, t2+60000)
	}
	// A twin run read the same base and events: whichever saves second
	// adds nothing.
	twin := linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Cursor: cursor, Now: clock})
	if _, err := twin.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := second.SaveBase(); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(filepath.Join(dir, "messages.csv"))
	if err := twin.SaveBase(); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "messages.csv")); !bytes.Equal(again, saved) || bytes.Count(saved, []byte("\n")) != 6 {
		t.Errorf("messages.csv after two runs saved the same events:\n%s", again)
	}

	// The same events again (a run that failed after saving the base):
	// nothing is counted twice.
	msgs, _ := os.ReadFile(filepath.Join(dir, "messages.csv"))
	third := linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Cursor: cursor, Now: clock})
	exp, err = third.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	again := people(exp)
	if j := again[janeURL]; j.Extras().MessageCount != 5 || j.Extras().LastContacted != "2026-11-27" {
		t.Errorf("Jane after the same events twice: %d messages, last %s", j.Extras().MessageCount, j.Extras().LastContacted)
	}
	if err := third.SaveBase(); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "messages.csv")); !bytes.Equal(now, msgs) {
		t.Errorf("messages.csv grew on the same events:\n%s", now)
	}
	if fi, err := os.Stat(filepath.Join(dir, "messages.csv")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("messages.csv mode: %v %v", fi, err)
	}
}

func hasWarning(exp *mapping.Export, s string) bool {
	for _, w := range exp.Warnings {
		if strings.Contains(w.String(), s) {
			return true
		}
	}
	return false
}

// TestChangelogFallsBackToASnapshot: each reason a run takes a full
// snapshot instead of reading events, and says so at Info.
func TestChangelogFallsBackToASnapshot(t *testing.T) {
	now := time.UnixMilli(ms("2026-11-25T12:00:00Z"))
	recent := strconv.FormatInt(now.Add(-24*time.Hour).UnixMilli(), 10)
	for _, tc := range []struct {
		name, cursor string
		base         bool
		events       []map[string]any
		want         string
		asked        bool // the changelog was read first
	}{
		{"cursor older than 28 days", strconv.FormatInt(now.Add(-29*24*time.Hour).UnixMilli(), 10), true, nil, "older than the 28 days", false},
		{"no base", recent, false, nil, "no base snapshot", false},
		{"not a cursor", "yesterday", true, nil, "not an epoch-millisecond time", false},
		{"an accepted invitation", recent, true,
			[]map[string]any{linkedintest.AcceptedInvitationEvent(7, meURN, "urn:li:person:A3iH9CIw-n", now.Add(-time.Hour).UnixMilli())},
			"1 accepted invitation(s)", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &linkedintest.SnapshotAPI{Data: network()}
			api, logs := fakeAPI(t, fake, "CONNECTIONS", "INBOX", "INVITATIONS")
			dir := filepath.Join(t.TempDir(), "state.json.api")
			clock := func() time.Time { return now }
			if tc.base {
				s := linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Now: clock})
				if _, err := s.Read(context.Background()); err != nil {
					t.Fatal(err)
				}
				if err := s.SaveBase(); err != nil {
					t.Fatal(err)
				}
			}
			fake.Events = tc.events
			logs.Reset()
			s := linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Cursor: tc.cursor, Now: clock})
			exp, err := s.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(s.Snapshot, tc.want) || !strings.Contains(logs.String(), "level=INFO msg=\"linkedin changelog: taking a full snapshot\"") {
				t.Errorf("snapshot reason %q (want %q); logs:\n%s", s.Snapshot, tc.want, logs)
			}
			if asked := len(fake.StartTimes()) > 0; asked != tc.asked {
				t.Errorf("changelog asked: %v, want %v", asked, tc.asked)
			}
			if len(people(exp)) != 2 {
				t.Errorf("the snapshot has %d people, want 2", len(people(exp)))
			}
			_, next := s.Cursor()
			want := strconv.FormatInt(now.UnixMilli(), 10)
			if tc.asked {
				want = strconv.FormatInt(now.Add(-time.Hour).UnixMilli(), 10)
			}
			if next != want {
				t.Errorf("next cursor %s, want %s", next, want)
			}
		})
	}
}

// TestChangelogBadAnswers: a malformed page or event, or a token error,
// fails the read with a clear error and the base stays as it was.
func TestChangelogBadAnswers(t *testing.T) {
	now := time.UnixMilli(ms("2026-11-25T12:00:00Z"))
	cursor := strconv.FormatInt(now.Add(-time.Hour).UnixMilli(), 10)
	var many []map[string]any
	for i := range 15 {
		many = append(many, linkedintest.MessageEvent(int64(i+1), meURN, janeURN, convA, now.UnixMilli()+int64(i), now.UnixMilli()+int64(i)))
	}
	noID := linkedintest.MessageEvent(99, meURN, janeURN, convA, now.UnixMilli(), now.UnixMilli())
	delete(noID, "processedAt")
	for _, tc := range []struct {
		name    string
		fake    *linkedintest.SnapshotAPI
		want    string
		wantErr error
	}{
		{"page 2 is not JSON", &linkedintest.SnapshotAPI{Events: many, BadEventPage: 2}, "page 2 (/rest/memberChangeLogs?count=10&q=memberAndApplication&start=10&startTime=" + cursor + "): answer is not Changelog API JSON", nil},
		{"an event without processedAt", &linkedintest.SnapshotAPI{Events: []map[string]any{noID}}, "event 1: not a changelog event (want numeric id and processedAt)", nil},
		{"expired token", &linkedintest.SnapshotAPI{Expired: true}, "expired", linkedin.ErrTokenExpired},
		{"revoked token", &linkedintest.SnapshotAPI{Revoked: true}, "revoked", linkedin.ErrTokenRevoked},
		{"invalid token", &linkedintest.SnapshotAPI{Token: "other"}, "does not know the access token", linkedin.ErrTokenInvalid},
		{"inactive version", &linkedintest.SnapshotAPI{Version: "209901"}, "source.api.version", linkedin.ErrVersionInactive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := &linkedintest.SnapshotAPI{Data: network()}
			api, _ := fakeAPI(t, good, "CONNECTIONS", "INBOX", "INVITATIONS")
			dir := filepath.Join(t.TempDir(), "state.json.api")
			s := linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Now: func() time.Time { return now }})
			if _, err := s.Read(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveBase(); err != nil {
				t.Fatal(err)
			}
			base := readDir(t, dir)

			bad := tc.fake
			bad.Data = network()
			api, logs := fakeAPI(t, bad, "CONNECTIONS", "INBOX", "INVITATIONS")
			s = linkedin.NewChangelog(api, linkedin.ChangelogOptions{Dir: dir, Cursor: cursor, Now: func() time.Time { return now }})
			_, err := s.Read(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("error %v, want one with %q (%v)", err, tc.want, tc.wantErr)
			}
			noToken(t, "error", err.Error())
			noToken(t, "logs", logs.String())
			if err := s.SaveBase(); err == nil {
				t.Error("SaveBase after a failed Read saved something")
			}
			if after := readDir(t, dir); !equalFiles(base, after) {
				t.Error("the base changed after a failed read")
			}
		})
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func equalFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
