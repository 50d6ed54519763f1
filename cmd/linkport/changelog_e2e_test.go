package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/state"
)

// With source.api.changelog, the first sync takes a full snapshot and
// saves the cursor; message events then move a last-contacted date in the
// next diff, asked for from that cursor; a sync with a failed target keeps
// the old cursor, a good one saves the newest processedAt, which the next
// run asks from.
func TestChangelogSyncEndToEnd(t *testing.T) {
	dir := env(t)
	const (
		meURN, janeURN = "urn:li:person:2qXA98-mVk", "urn:li:person:kAq_1ptj-v"
		me, jane       = "https://www.linkedin.com/in/me-owner", "https://www.linkedin.com/in/jane-doe"
		conv           = "2-Y29udkE="
	)
	fake := &linkedintest.SnapshotAPI{Token: "tok-SECRET-123", Data: map[string][]map[string]string{
		"CONNECTIONS": {{"First Name": "Jane", "Last Name": "Doe", "URL": jane, "Company": "Acme", "Position": "CTO", "Connected On": "01 Mar 2024"}},
		"INBOX": {{"CONVERSATION ID": conv, "FROM": "Jane Doe", "SENDER PROFILE URL": jane, "TO": "Me Owner", "RECIPIENT PROFILE URLS": me,
			"DATE": "2026-10-02 09:00:00 UTC", "CONTENT": "hello", "FOLDER": "INBOX"}},
		"INVITATIONS": {{"From": "Me Owner", "To": "Jane Doe", "Sent At": "2/28/24, 10:00 AM", "Direction": "OUTGOING",
			"inviterProfileUrl": me, "inviteeProfileUrl": jane}},
	}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	t.Cleanup(refuse.Close)
	t.Setenv("LP_TEST_LI_TOKEN", "tok-SECRET-123")
	statePath := filepath.Join(dir, "state.json")
	cfg := writeConfig(t, dir, "source:\n  api:\n    token_env: LP_TEST_LI_TOKEN\n    domains: [CONNECTIONS, INBOX, INVITATIONS]\n    changelog: true\n    base_url: "+srv.URL+
		"\nstate: "+statePath+"\ntargets:\n  backup:\n    type: csv\n    path: "+filepath.Join(dir, "out.csv")+
		"\n  phone:\n    type: carddav\n    url: "+refuse.URL+"/dav/\n")
	cursor := func() string {
		t.Helper()
		c, err := state.ReadCursor(statePath, linkedin.CursorName)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	code, _, errs := runCLI(t, "sync", "-c", cfg, "--target", "backup", "-v")
	if code != exitOK || !strings.Contains(errs, "taking a full snapshot") || !strings.Contains(errs, "no changelog cursor") {
		t.Fatalf("first sync: exit %d: %s", code, errs)
	}
	c1 := cursor()
	if c1 == "" || len(fake.StartTimes()) != 0 {
		t.Fatalf("first sync: cursor %q, changelog asked %v", c1, fake.StartTimes())
	}
	if _, err := os.Stat(filepath.Join(statePath+".api", "Connections.csv")); err != nil {
		t.Fatalf("no base snapshot: %v", err)
	}

	c1ms, _ := strconv.ParseInt(c1, 10, 64)
	at := c1ms + 60_000
	fake.Events = []map[string]any{linkedintest.MessageEvent(1, meURN, janeURN, conv, at, at+30_000)}
	wantDay := time.UnixMilli(at).UTC().Format(time.DateOnly)
	code, out, errs := runCLI(t, "diff", "-c", cfg, "--target", "backup", "--format", "json")
	if code != exitOK {
		t.Fatalf("diff: exit %d: %s", code, errs)
	}
	var rep struct {
		Targets []struct {
			Changes []struct {
				Name   string
				Fields map[string]struct{ Old, New string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Targets) != 1 || len(rep.Targets[0].Changes) != 1 || rep.Targets[0].Changes[0].Fields["last_contacted"].New != wantDay ||
		rep.Targets[0].Changes[0].Fields["last_contacted"].Old != "2026-10-02" {
		t.Fatalf("diff after a message event: %s", out)
	}
	if st := fake.StartTimes(); len(st) != 1 || st[0] != c1 {
		t.Errorf("diff asked for events since %v, want the saved cursor %s", st, c1)
	}
	if cursor() != c1 {
		t.Errorf("diff moved the cursor")
	}
	if strings.Contains(out+errs, "tok-SECRET-123") {
		t.Error("the token reached the output")
	}

	if code, _, errs := runCLI(t, "sync", "-c", cfg); code == exitOK || !strings.Contains(errs, "target phone") {
		t.Fatalf("sync with a refusing CardDAV server: exit %d: %s", code, errs)
	}
	if cursor() != c1 {
		t.Errorf("a failed sync saved cursor %s, want %s kept", cursor(), c1)
	}
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--target", "backup"); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errs)
	}
	c2 := strconv.FormatInt(at+30_000, 10)
	if cursor() != c2 {
		t.Errorf("cursor after a good sync %s, want the newest processedAt %s", cursor(), c2)
	}
	if code, out, errs := runCLI(t, "diff", "-c", cfg, "--target", "backup", "--format", "json"); code != exitOK || strings.Contains(out, "last_contacted") {
		t.Fatalf("diff after the sync: exit %d: %s %s", code, out, errs)
	}
	if st := fake.StartTimes(); st[len(st)-1] != c2 {
		t.Errorf("the next run asked from %s, want %s", st[len(st)-1], c2)
	}

	// A malformed page of events: a clear error, and the state, the base
	// and the target stay as they were.
	before := map[string][]byte{}
	for _, p := range []string{statePath, filepath.Join(statePath+".api", "messages.csv"), filepath.Join(dir, "out.csv")} {
		before[p], _ = os.ReadFile(p)
	}
	fake.Events = append(fake.Events, linkedintest.MessageEvent(2, meURN, janeURN, conv, at+120_000, at+150_000))
	fake.BadEventPage = len(fake.StartTimes()) + 1
	code, out, errs = runCLI(t, "sync", "-c", cfg, "--target", "backup")
	if code == exitOK || !strings.Contains(errs, "page 1") || !strings.Contains(errs, "not Changelog API JSON") {
		t.Fatalf("sync on a malformed page: exit %d: %s %s", code, out, errs)
	}
	for p, b := range before {
		if now, _ := os.ReadFile(p); string(now) != string(b) {
			t.Errorf("%s changed after a malformed page", p)
		}
	}
}
