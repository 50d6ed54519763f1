package linkedin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

const token = "AQX-secret-token-9f8e7d6c5b4a"

// fakeAPI serves rows on 127.0.0.1 and returns an API source for it whose
// logs (at debug level) go to the returned buffer.
func fakeAPI(t *testing.T, fake *linkedintest.SnapshotAPI, domains ...string) (*linkedin.APISource, *bytes.Buffer) {
	t.Helper()
	return fakeAPIAt(t, fake, "", 0, domains...)
}

// fakeAPIAt is fakeAPI with the fake mounted under prefix (base_url
// ending in it; every other path is a plain 404) and a page cap. The fake
// accepts the test's token unless it names another.
func fakeAPIAt(t *testing.T, fake *linkedintest.SnapshotAPI, prefix string, maxPages int, domains ...string) (*linkedin.APISource, *bytes.Buffer) {
	t.Helper()
	if fake.Token == "" {
		fake.Token = token
	}
	var h http.Handler = fake
	if prefix != "" {
		mux := http.NewServeMux()
		mux.Handle(prefix+"/", http.StripPrefix(prefix, fake))
		h = mux
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	api := linkedin.NewAPI(linkedin.APIOptions{
		Token: token + "\n", BaseURL: srv.URL + prefix, Domains: domains, HTTPClient: srv.Client(), MaxPages: maxPages,
		Logger:       slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		RetryMax:     3,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
	})
	return api, &logs
}

func noToken(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, token) || strings.Contains(s, token[4:20]) {
		t.Errorf("%s shows the token: %s", what, s)
	}
}

func graphOf(exp *mapping.Export) (*mapping.Graph, *enrich.Ego) {
	g := mapping.Reconcile(exp, mapping.Options{})
	return g, enrich.Enrich(g, exp)
}

// TestAPIMatchesExport reads the same network from an export and from the
// fake Snapshot API (paged with overlaps, throttled with and without
// Retry-After, one 500, a 404 at each end), and from the folder Fetch
// saves: all three give the same people with the same fingerprints.
func TestAPIMatchesExport(t *testing.T) {
	n := linkedintest.New(linkedintest.GenOptions{Seed: 7, Era: linkedintest.Era2024, Connections: 60, Contacts: 12, Activity: true})
	files := n.Files()
	delete(files, "Recommendations_Received.csv") // no Snapshot domain tells given from received
	delete(files, "Recommendations_Given.csv")
	exp, _ := reconcile(t, files)
	want, wantEgo := graphOf(exp)

	rows, err := linkedintest.SnapshotRows(files)
	if err != nil {
		t.Fatal(err)
	}
	fake := &linkedintest.SnapshotAPI{Data: rows, Version: linkedin.DefaultAPIVersion, PageSize: 7, Overlap: 2,
		Faults: []linkedintest.Fault{{Status: 429}, {Status: 429, RetryAfter: "1"}, {Status: 500}}}
	domains := append(append([]string{}, linkedin.DefaultDomains...), "ENDORSEMENTS", "COMPANY_FOLLOWS", "PROFILE")
	api, logs := fakeAPI(t, fake, domains...)
	got, err := api.Read(context.Background())
	if err != nil {
		t.Fatalf("read API: %v", err)
	}
	if got.Messages.Len() != exp.Messages.Len() || len(got.Invitations) != len(exp.Invitations) || len(got.Endorsements) != len(exp.Endorsements) {
		t.Errorf("API rows: %d messages, %d invitations, %d endorsements; export: %d, %d, %d (overlaps not removed?)",
			got.Messages.Len(), len(got.Invitations), len(got.Endorsements), exp.Messages.Len(), len(exp.Invitations), len(exp.Endorsements))
	}
	reqs := fake.Requests()
	pages := 0
	for _, d := range domains {
		pages += (len(rows[d])+6)/7 + 1 // every page, then the 404
	}
	if len(reqs) != pages+3 {
		t.Errorf("%d requests, want %d pages and 404s plus 3 retried faults:\n%s", len(reqs), pages, strings.Join(reqs, "\n"))
	}
	sameGraph(t, "API", want, wantEgo, got)

	dir := filepath.Join(t.TempDir(), "snapshot")
	if err := linkedin.Fetch(context.Background(), api, dir); err != nil {
		t.Fatalf("fetch: %v", err)
	}
	saved, err := linkedin.Open(dir, linkedin.Options{}).Read(context.Background())
	if err != nil {
		t.Fatalf("read fetched folder: %v", err)
	}
	sameGraph(t, "fetched folder", want, wantEgo, saved)
	head, err := os.ReadFile(filepath.Join(dir, "Connections.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(head), "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n") {
		t.Errorf("Connections.csv header: %.80q", head)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		noToken(t, e.Name(), string(b))
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	noToken(t, "logs", logs.String())
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("retries not logged:\n%s", logs)
	}
}

func sameGraph(t *testing.T, what string, want *mapping.Graph, wantEgo *enrich.Ego, exp *mapping.Export) {
	t.Helper()
	if len(exp.Warnings) != 0 {
		t.Errorf("%s: warnings %v", what, exp.Warnings)
	}
	g, ego := graphOf(exp)
	if len(g.People) != len(want.People) || g.Stats != want.Stats {
		t.Fatalf("%s: %d people %+v, export %d %+v", what, len(g.People), g.Stats, len(want.People), want.Stats)
	}
	enriched := 0
	for i, p := range g.People {
		if mapping.Fingerprint(p) != mapping.Fingerprint(want.People[i]) {
			t.Errorf("%s: person %d differs:\n%+v\n%+v", what, i, *p, *want.People[i])
		}
		if p.Extras().MessageCount > 0 || p.Extras().InvitedBy != "" {
			enriched++
		}
	}
	if enriched < 10 {
		t.Errorf("%s: only %d people enriched", what, enriched)
	}
	if ego.Owner != wantEgo.Owner || len(ego.Follows) != len(wantEgo.Follows) {
		t.Errorf("%s: owner %+v follows %d, want %+v %d", what, ego.Owner, len(ego.Follows), wantEgo.Owner, len(wantEgo.Follows))
	}
}

func TestAPIErrors(t *testing.T) {
	rows := map[string][]map[string]string{"CONNECTIONS": {{"First Name": "A", "Last Name": "B", "Connected On": "01 Jan 2024"}}}
	tests := []struct {
		name     string
		fake     *linkedintest.SnapshotAPI
		want     error
		msg      string
		requests int
	}{
		{name: "expired token", fake: &linkedintest.SnapshotAPI{Expired: true}, want: linkedin.ErrTokenExpired,
			msg: "token generator", requests: 1},
		{name: "forbidden", fake: &linkedintest.SnapshotAPI{Faults: []linkedintest.Fault{{Status: 403}}}, want: linkedin.ErrAccessDenied,
			msg: "EU/EEA", requests: 1},
		{name: "throttled beyond retries", fake: &linkedintest.SnapshotAPI{Faults: []linkedintest.Fault{{Status: 429, RetryAfter: "1"}, {Status: 429}, {Status: 429, RetryAfter: "2"}, {Status: 429}}},
			msg: "HTTP 429", requests: 4},
		{name: "revoked token", fake: &linkedintest.SnapshotAPI{Revoked: true}, want: linkedin.ErrTokenRevoked,
			msg: "access again", requests: 1},
		{name: "invalid token", fake: &linkedintest.SnapshotAPI{Token: "another-token"}, want: linkedin.ErrTokenInvalid,
			msg: "whole token and nothing else", requests: 1},
		{name: "inactive version", fake: &linkedintest.SnapshotAPI{Version: "209901"}, want: linkedin.ErrVersionInactive,
			msg: "HTTP 426 NONEXISTENT_VERSION: Requested version " + linkedin.DefaultAPIVersion + " is not active", requests: 1},
	}
	sentinels := []error{linkedin.ErrTokenExpired, linkedin.ErrTokenRevoked, linkedin.ErrTokenInvalid,
		linkedin.ErrUnauthorized, linkedin.ErrAccessDenied, linkedin.ErrVersionInactive}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fake.Data = rows
			oneShot := len(tt.fake.Faults) > 0
			api, logs := fakeAPI(t, tt.fake, "CONNECTIONS")
			_, err := api.Read(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range sentinels {
				if errors.Is(err, s) != (s == tt.want) {
					t.Errorf("error %v: errors.Is %q is %v", err, s, !(s == tt.want))
				}
			}
			var ae *linkedin.APIError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "CONNECTIONS") {
				t.Errorf("error %q: want an *APIError naming the domain and %q", err, tt.msg)
			}
			if n := len(tt.fake.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			noToken(t, "error", err.Error())
			noToken(t, "logs", logs.String())
			if oneShot {
				return // the faults are used up: the API works again
			}
			if err := linkedin.Fetch(context.Background(), api, filepath.Join(t.TempDir(), "out")); err == nil {
				t.Error("Fetch succeeded against a failing API")
			}
		})
	}
	if _, err := linkedin.NewAPI(linkedin.APIOptions{Token: " \n"}).Read(context.Background()); !errors.Is(err, linkedin.ErrNoToken) {
		t.Errorf("empty token: %v", err)
	}
}

// TestAPIDocumentedShapes serves the Member Snapshot API page's own shapes
// (dma-api-docs.md): every row must arrive, LinkedIn's 404 "No data
// found" must end each read without an error, and the requests show that
// the client went on where the documentation says to.
func TestAPIDocumentedShapes(t *testing.T) {
	var rows []map[string]string
	for i := range 25 {
		rows = append(rows, map[string]string{"First Name": fmt.Sprintf("P%02d", i), "Last Name": "Doe",
			"URL": fmt.Sprintf("https://www.linkedin.com/in/p%02d", i), "Connected On": "01 Jan 2024"})
	}
	tests := []struct {
		name     string
		fake     *linkedintest.SnapshotAPI
		prefix   string
		maxPages int
		people   int
		requests []string // the starts asked for, in order ("" for the first page)
		warning  string
	}{
		{name: "plain", people: 25, requests: []string{"", "1", "2", "3"}},
		{name: "elements {} between data pages", fake: &linkedintest.SnapshotAPI{EmptyPages: []int{1, 2}},
			people: 25, requests: []string{"", "1", "2", "3", "4", "5"}},
		{name: "elements {} first", fake: &linkedintest.SnapshotAPI{EmptyPages: []int{0}},
			people: 25, requests: []string{"", "1", "2", "3", "4"}},
		{name: "element as an object", fake: &linkedintest.SnapshotAPI{ObjectElements: true},
			people: 25, requests: []string{"", "1", "2", "3"}},
		{name: "total under-reports, no next link after page 1", fake: &linkedintest.SnapshotAPI{NextLinks: 1},
			people: 25, requests: []string{"", "1", "2", "3"}},
		{name: "last data page without a next link", fake: &linkedintest.SnapshotAPI{NextLinks: 2},
			people: 25, requests: []string{"", "1", "2", "3"}},
		{name: "base_url with a path", prefix: "/proxy/linkedin", people: 25, requests: []string{"", "1", "2", "3"}},
		{name: "page cap", maxPages: 2, people: 20, requests: []string{"", "1"}, warning: "stopped after 2 pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := tt.fake
			if fake == nil {
				fake = &linkedintest.SnapshotAPI{}
			}
			fake.Data = map[string][]map[string]string{"CONNECTIONS": rows}
			api, logs := fakeAPIAt(t, fake, tt.prefix, tt.maxPages, "CONNECTIONS")
			exp, err := api.Read(context.Background())
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(exp.Records) != tt.people {
				t.Errorf("%d people, want %d", len(exp.Records), tt.people)
			}
			var starts []string
			for _, r := range fake.Requests() {
				u, err := url.Parse(r)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(u.Path, "/rest/memberSnapshotData") {
					t.Errorf("request %s: not the Snapshot API path", r)
				}
				starts = append(starts, u.Query().Get("start"))
			}
			if !slices.Equal(starts, tt.requests) {
				t.Errorf("starts asked %q, want %q", starts, tt.requests)
			}
			var warns []string
			for _, w := range exp.Warnings {
				warns = append(warns, w.String())
			}
			if got := strings.Join(warns, "; "); (tt.warning == "") != (got == "") || !strings.Contains(got, tt.warning) {
				t.Errorf("warnings %q, want %q", got, tt.warning)
			}
			noToken(t, "logs", logs.String())
		})
	}
}
