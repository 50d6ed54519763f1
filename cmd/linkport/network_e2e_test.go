package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/connectors/webhook"
)

// jobReport is the part of a JSON run report about job changes.
type jobReport struct {
	JobChanges []struct {
		Name, On string
		From, To struct{ Title, Company string }
	} `json:"job_changes"`
	Targets []struct {
		Name    string
		Changes []struct{ Op, Name string }
	}
}

// TestNetworkOverTime is the history issue's story end to end, through the
// real reader and three LinkedIn-named archives (2019, 2022, 2025): synced
// one year at a time into a CSV file, a .vcf bundle and a webhook, each job
// change reaches the report, the events and the NOTE block exactly once
// with its date; the hidden email stays; a re-run, and the same archives in
// another order, plan nothing; history and changes tell the story; and a
// state that learns the 2019 archive late keeps every current value.
func TestNetworkOverTime(t *testing.T) {
	dir := env(t)
	_, zips, err := linkedintest.WriteArchives(filepath.Join(dir, "downloads"))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	rcv, srv := newHookReceiver(t, secret)
	csvPath, vcfPath := filepath.Join(dir, "contacts.csv"), filepath.Join(dir, "contacts.vcf")
	config := func(state string, paths ...string) string {
		return writeConfig(t, dir, "source:\n  path: ["+strings.Join(paths, ", ")+"]\nstate: "+state+
			"\ntargets:\n  backup:\n    type: csv\n    path: "+csvPath+
			"\n  cards:\n    type: csv\n    profile: vcard\n    path: "+vcfPath+
			"\n  hooks:\n    type: webhook\n    url: "+srv.URL+"\n    secret_env: LP_TEST_HOOK_SECRET\n")
	}
	state := filepath.Join(dir, "state", "state.json")
	sync := func(cfg string) jobReport {
		t.Helper()
		code, out, errs := runCLI(t, "sync", "-c", cfg, "--format", "json")
		if code != exitOK {
			t.Fatalf("sync exit %d: %s", code, errs)
		}
		var r jobReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("report: %v\n%s", err, out)
		}
		return r
	}
	jobs := func(r jobReport) []string {
		var out []string
		for _, j := range r.JobChanges {
			out = append(out, j.On+" "+j.Name+": "+j.From.Title+" at "+j.From.Company+" → "+j.To.Title+" at "+j.To.Company)
		}
		return out
	}

	// One year at a time, as a user who downloads an archive every few years.
	if r := sync(config(state, zips[0])); len(r.JobChanges) != 0 {
		t.Errorf("2019 alone: job changes %v", jobs(r))
	}
	r := sync(config(state, zips[0], zips[1]))
	want2022 := []string{
		"2022-06-20 Ada Moreau: Software Engineer at Initech → Staff Engineer at Hooli",
		"2022-06-20 Bruno Okafor: Product Manager at Globex Corporation → Senior Product Manager at Globex Corporation",
	}
	if got := jobs(r); !slices.Equal(got, want2022) {
		t.Errorf("2022: job changes\n got %q\nwant %q", got, want2022)
	}
	r = sync(config(state, zips[0], zips[1], zips[2]))
	want2025 := []string{"2025-09-10 Dmitri Tanaka: CTO at Pied Piper → VP Engineering at Massive Dynamic"}
	if got := jobs(r); !slices.Equal(got, want2025) {
		t.Errorf("2025: job changes\n got %q\nwant %q", got, want2025)
	}

	// The CSV and the card keep Chloé's email, hidden since 2022.
	rows := readCSV(t, csvPath)
	chloe := rows[linkedintest.StoryHidden]
	if chloe["email_1"] == "" || chloe["email_status"] != "hidden" || chloe["email_last_seen"] != "2019-03-15" {
		t.Errorf("CSV, %s: %v; want the 2019 email kept, hidden, last seen 2019-03-15", linkedintest.StoryHidden, chloe)
	}
	if ada := rows[linkedintest.StoryMover]; ada["previous_company"] != "Initech" || ada["job_changed_on"] != "2022-06-20" {
		t.Errorf("CSV, %s: %v", linkedintest.StoryMover, ada)
	}
	cards := readCards(t, vcfPath)
	if c := cards[linkedintest.StoryHidden]; !strings.Contains(c, "\r\nEMAIL") {
		t.Errorf("card of %s has no EMAIL:\n%s", linkedintest.StoryHidden, c)
	}
	for name, line := range map[string]string{
		linkedintest.StoryMover:     "Previously: Software Engineer at Initech, until 2022-06",
		linkedintest.StoryPromoted:  "Previously: Product Manager at Globex Corporation, until 2022-06",
		linkedintest.StoryMover2025: "Previously: CTO at Pied Piper, until 2025-09",
	} {
		if n := strings.Count(strings.ReplaceAll(unfold(cards[name]), `\,`, ","), line); n != 1 {
			t.Errorf("NOTE of %s holds %q %d times:\n%s", name, line, n, cards[name])
		}
	}

	// The webhook got one contact.job_changed per job change.
	rcv.mu.Lock()
	var changed []string
	for _, body := range rcv.bodies {
		var ev struct {
			Type string
			Data struct{ Name, On string }
		}
		if json.Unmarshal([]byte(body), &ev) == nil && ev.Type == webhook.TypeJobChanged {
			changed = append(changed, ev.Data.On+" "+ev.Data.Name)
		}
	}
	events := len(rcv.bodies)
	rcv.mu.Unlock()
	slices.Sort(changed)
	if want := []string{"2022-06-20 Ada Moreau", "2022-06-20 Bruno Okafor", "2025-09-10 Dmitri Tanaka"}; !slices.Equal(changed, want) {
		t.Errorf("contact.job_changed events %q, want %q", changed, want)
	}

	// A re-run plans nothing, and so do the archives in another order or by a glob.
	for _, paths := range [][]string{{zips[2], zips[1], zips[0]}, {filepath.Join(dir, "downloads", "*LinkedInDataExport*.zip")}} {
		code, out, errs := runCLI(t, "diff", "-c", config(state, paths...), "--format", "json")
		var d jobReport
		if err := json.Unmarshal([]byte(out), &d); code != exitOK || err != nil {
			t.Fatalf("diff %v: exit %d, %s", paths, code, errs)
		}
		for _, tg := range d.Targets {
			if len(tg.Changes) != 0 || len(d.JobChanges) != 0 {
				t.Errorf("diff %v after the sync plans %+v, job changes %v", paths, tg.Changes, jobs(d))
			}
		}
	}
	sync(config(state, zips[2], zips[0], zips[1]))
	rcv.mu.Lock()
	if n := len(rcv.bodies); n != events {
		t.Errorf("a re-run sent %d events", n-events)
	}
	rcv.mu.Unlock()

	cfg := config(state, zips[0], zips[1], zips[2])
	code, out, errs := runCLI(t, "history", "-c", cfg, linkedintest.StoryMover)
	if code != exitOK || strings.Count(out, "job change: Software Engineer at Initech → Staff Engineer at Hooli") != 1 {
		t.Errorf("history %s (exit %d, %s):\n%s", linkedintest.StoryMover, code, errs, out)
	}
	code, out, _ = runCLI(t, "changes", "-c", cfg, "--since", "2025-01-01")
	if code != exitOK || !strings.Contains(out, linkedintest.StoryMover2025) || strings.Contains(out, linkedintest.StoryMover+" ") ||
		!strings.Contains(out, linkedintest.StoryRemoved) || !strings.Contains(out, linkedintest.StoryReconnected) {
		t.Errorf("changes since 2025-01-01 (exit %d):\n%s", code, out)
	}

	// Another state learns 2019 only after 2022 and 2025: no current value goes back.
	late := filepath.Join(dir, "late", "state.json")
	sync(config(late, zips[1], zips[2]))
	before := readCSV(t, csvPath)
	sync(config(late, zips[0], zips[1], zips[2]))
	after := readCSV(t, csvPath)
	if len(after) != len(before) {
		t.Fatalf("adding 2019 late: %d rows, then %d", len(before), len(after))
	}
	for name, row := range after {
		for _, f := range []string{"id", "first_name", "last_name", "company", "title", "profile_url", "connected_on"} {
			if row[f] != before[name][f] {
				t.Errorf("adding 2019 late changed %s's %s: %q → %q", name, f, before[name][f], row[f])
			}
		}
	}
	if c := after[linkedintest.StoryHidden]; c["email_1"] == "" || c["email_last_seen"] != "2019-03-15" {
		t.Errorf("adding 2019 late: %s's email is not filled in from it: %v", linkedintest.StoryHidden, c)
	}
	if a, b := after[linkedintest.StoryMover], rows[linkedintest.StoryMover]; a["previous_positions"] != b["previous_positions"] {
		t.Errorf("adding 2019 late: %s's positions %q, synced year by year %q", linkedintest.StoryMover, a["previous_positions"], b["previous_positions"])
	}
}

// readCards splits a .vcf bundle into its cards, by FN.
func readCards(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fn := regexp.MustCompile(`(?m)^FN:(.*)\r$`)
	out := map[string]string{}
	for _, c := range strings.SplitAfter(string(b), "END:VCARD\r\n") {
		if m := fn.FindStringSubmatch(unfold(c)); m != nil {
			out[m[1]] = c
		}
	}
	return out
}

// unfold joins folded vCard lines (RFC 6350 §3.2).
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }
