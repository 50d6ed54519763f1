package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/mapping"
)

const connectionsHead = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"

// networkArchives writes three exports of one network: 2019 with emails;
// 2022 with Ada's move to Babbage Ltd, her email hidden and Cyd gone;
// 2025 with Ada's new title, Bob gone, Cyd back and Dan new. Two people
// are called Sam Same.
func networkArchives(t *testing.T, dir string) map[string]string {
	t.Helper()
	rows := map[string]string{
		"2019-05-01": "Ada,Lovelace,https://www.linkedin.com/in/ada,ada@example.org,Acme,Engineer,02 Jan 2015\n" +
			"Bob,Byte,https://www.linkedin.com/in/bob,bob@example.org,Initech,Analyst,04 Mar 2016\n" +
			"Cyd,Core,https://www.linkedin.com/in/cyd,,Globex,Designer,06 May 2017\n" +
			"Sam,Same,https://www.linkedin.com/in/sam-1,,North,Baker,01 Jan 2018\n" +
			"Sam,Same,https://www.linkedin.com/in/sam-2,,South,Baker,01 Feb 2018\n",
		"2022-03-01": "Ada,Lovelace,https://www.linkedin.com/in/ada,,Babbage Ltd,Engineer,02 Jan 2015\n" +
			"Bob,Byte,https://www.linkedin.com/in/bob,bob@example.org,Initech,Analyst,04 Mar 2016\n" +
			"Sam,Same,https://www.linkedin.com/in/sam-1,,North,Baker,01 Jan 2018\n" +
			"Sam,Same,https://www.linkedin.com/in/sam-2,,South,Baker,01 Feb 2018\n",
		"2025-01-10": "Ada,Lovelace,https://www.linkedin.com/in/ada,,Babbage Ltd,Lead Engineer,02 Jan 2015\n" +
			"Cyd,Core,https://www.linkedin.com/in/cyd,,Globex,Designer,10 Sep 2024\n" +
			"Dan,Dot,https://www.linkedin.com/in/dan,,Umbrella,Chemist,01 Dec 2024\n" +
			"Sam,Same,https://www.linkedin.com/in/sam-1,,North,Baker,01 Jan 2018\n" +
			"Sam,Same,https://www.linkedin.com/in/sam-2,,South,Baker,01 Feb 2018\n",
	}
	out := map[string]string{}
	for date, body := range rows {
		d := filepath.Join(dir, "export-"+date)
		os.MkdirAll(d, 0o755)
		if err := os.WriteFile(filepath.Join(d, "Connections.csv"), []byte(connectionsHead+body), 0o644); err != nil {
			t.Fatal(err)
		}
		out[date] = d
	}
	return out
}

// dated reads an export and dates it, as a dated archive name would.
func dated(t *testing.T, path, date string) *mapping.Graph {
	t.Helper()
	exp, err := linkedin.Open(path, linkedin.Options{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exp.ExportedAt, _ = time.Parse(time.DateOnly, date)
	return mapping.Reconcile(exp, mapping.Options{})
}

// TestHistoryCommands seeds the history from three dated archives, then
// runs sync, history and changes as a user would.
func TestHistoryCommands(t *testing.T) {
	dir := env(t)
	arch := networkArchives(t, dir)
	statePath := filepath.Join(dir, "state.json")
	out := filepath.Join(dir, "contacts.csv")
	cleared := filepath.Join(dir, "cleared.csv")
	_, err := connectors.Run(context.Background(), dated(t, arch["2025-01-10"], "2025-01-10"), connectors.RunOptions{StatePath: statePath,
		Earlier: []*mapping.Graph{dated(t, arch["2022-03-01"], "2022-03-01"), dated(t, arch["2019-05-01"], "2019-05-01")}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, "source:\n  path: "+arch["2025-01-10"]+"\nstate: "+statePath+
		"\ntargets:\n  backup:\n    type: csv\n    path: "+out+
		"\n  plain:\n    type: csv\n    on_missing: clear\n    path: "+cleared+"\n")

	code, stdout, errs := runCLI(t, "sync", "-c", cfg, "--format", "json")
	if code != exitOK {
		t.Fatalf("sync exit %d: %s", code, errs)
	}
	if r := decodeReport(t, stdout); r.Targets[0].Create != 5 {
		t.Fatalf("sync: %+v", r.Targets)
	}
	rows := readCSV(t, out)
	if ada := rows["Ada Lovelace"]; ada["email_1"] != "ada@example.org" || ada["email_status"] != "hidden" {
		t.Errorf("backup CSV, Ada: %v; want the hidden email kept", ada)
	}
	if ada := readCSV(t, cleared)["Ada Lovelace"]; ada["email_1"] != "" {
		t.Errorf("on_missing: clear CSV, Ada: %v; want no email", ada)
	}
	code, stdout, _ = runCLI(t, "diff", "-c", cfg, "--format", "json")
	if r := decodeReport(t, stdout); code != exitOK || len(r.Targets[0].Changes)+len(r.Targets[1].Changes) != 0 {
		t.Fatalf("diff after sync (exit %d) plans %+v", code, r.Targets)
	}

	code, stdout, errs = runCLI(t, "history", "-c", cfg, "Ada Lovelace")
	for _, want := range []string{
		"2019-05-01  position: Engineer at Acme",
		"2022-03-01  job change: Engineer at Acme → Engineer at Babbage Ltd",
		"2022-03-01  email no longer in the export (kept as last known): ada@example.org",
		"2025-01-10  job change: Engineer at Babbage Ltd → Lead Engineer at Babbage Ltd",
	} {
		if code != exitOK || strings.Count(stdout, want) != 1 {
			t.Errorf("history Ada (exit %d, %s) lacks %q once:\n%s", code, errs, want, stdout)
		}
	}
	for _, q := range []string{"https://linkedin.com/in/ada/", "ADA@example.org"} {
		if code, s, _ := runCLI(t, "history", "-c", cfg, q); code != exitOK || s != stdout {
			t.Errorf("history %s (exit %d) is not Ada's:\n%s", q, code, s)
		}
	}
	code, _, errs = runCLI(t, "history", "-c", cfg, "sam same")
	if code != exitUsage || strings.Count(errs, "Sam Same") != 2 {
		t.Errorf("history of a shared name: exit %d, %s; want 2 listing both", code, errs)
	}

	code, stdout, _ = runCLI(t, "history", "-c", cfg, "--format", "json")
	var n report.Network
	if err := json.Unmarshal([]byte(stdout), &n); code != exitOK || err != nil {
		t.Fatalf("history --format json: exit %d, %v", code, err)
	}
	months := map[string]report.Month{}
	for _, m := range n.Months {
		months[m.Month] = m
	}
	if months["2022-03"].JobChanges != 1 || months["2022-03"].Lost != 1 || months["2025-01"].Lost != 1 ||
		months["2025-01"].Reconnected != 1 || months["2024-12"].Gained != 1 || len(n.MovedTo) != 1 || n.MovedTo[0].Name != "Babbage Ltd" {
		t.Errorf("network timeline: %+v", n)
	}

	code, stdout, _ = runCLI(t, "changes", "-c", cfg, "--since", "2022-01-01", "--format", "json")
	var c report.Changes
	if err := json.Unmarshal([]byte(stdout), &c); code != exitOK || err != nil {
		t.Fatalf("changes: exit %d, %v", code, err)
	}
	if len(c.JobChanges) != 2 || c.JobChanges[0].On != "2022-03-01" || len(c.Removed) != 2 || len(c.Reconnected) != 1 ||
		len(c.EmailsHidden) != 1 || len(c.NewConnections) != 1 || c.NewConnections[0].Name != "Dan Dot" {
		t.Errorf("changes since 2022: %+v", c)
	}
	code, stdout, _ = runCLI(t, "changes", "-c", cfg, "--since", "2024-06-01", "--format", "markdown")
	if code != exitOK || !strings.Contains(stdout, "## job changes (1)\n\n- 2025-01-10  Ada Lovelace") || strings.Contains(stdout, "Acme") {
		t.Errorf("changes since mid-2024 (markdown, exit %d):\n%s", code, stdout)
	}
	if code, _, errs := runCLI(t, "changes", "-c", cfg, "--since", "lately"); code != exitUsage || !strings.Contains(errs, "--since") {
		t.Errorf("changes --since lately: exit %d, %s", code, errs)
	}
}

func TestOnMissingIsChecked(t *testing.T) {
	dir := env(t)
	cfg := writeConfig(t, dir, "source:\n  path: testdata/export2024\nstate: "+filepath.Join(dir, "state.json")+
		"\ntargets:\n  book:\n    type: csv\n    on_missing: forget\n    path: "+filepath.Join(dir, "c.csv")+"\n")
	code, _, errs := runCLI(t, "diff", "-c", cfg)
	if code != exitUsage || !strings.Contains(errs, "targets.book: on_missing \"forget\": want keep or clear") {
		t.Fatalf("diff with on_missing: forget: exit %d, %s", code, errs)
	}
}

// TestReconnect: people written with often and long ago, strongest first;
// the state is only read.
func TestReconnect(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "Connections.csv"), []byte(connectionsHead+
		"Ada,Lovelace,https://www.linkedin.com/in/ada,,Acme,Engineer,02 Jan 2015\n"+
		"Bob,Byte,https://www.linkedin.com/in/bob,,Initech,Analyst,04 Mar 2016\n"+
		"Cyd,Core,https://www.linkedin.com/in/cyd,,Globex,Designer,06 May 2017\n"), 0o644)
	msgs := "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n"
	add := func(conv, who, url, date string, n int) {
		for i := range n {
			from, fromURL, to, toURL := "Me Owner", "https://www.linkedin.com/in/me", who, url
			if i%2 == 1 {
				from, fromURL, to, toURL = who, url, "Me Owner", "https://www.linkedin.com/in/me"
			}
			msgs += conv + ",," + from + "," + fromURL + "," + to + "," + toURL + "," + date + " 10:0" + string(rune('0'+i%10)) + ":00 UTC,,hi,INBOX,No,No\n"
		}
	}
	add("c1", "Ada Lovelace", "https://www.linkedin.com/in/ada", "2020-01-10", 8) // strong, long ago
	add("c2", "Bob Byte", "https://www.linkedin.com/in/bob", "2020-06-10", 6)     // a bit less
	add("c3", "Cyd Core", "https://www.linkedin.com/in/cyd", "2020-01-10", 2)     // too few
	os.WriteFile(filepath.Join(src, "messages.csv"), []byte(msgs), 0o644)

	code, stdout, errs := runCLI(t, "reconnect", "--source", src, "--state", filepath.Join(dir, "state.json"), "--format", "json")
	var r report.Reconnect
	if err := json.Unmarshal([]byte(stdout), &r); code != exitOK || err != nil {
		t.Fatalf("reconnect: exit %d, %v, %s", code, err, errs)
	}
	if len(r.People) != 2 || r.People[0].Name != "Ada Lovelace" || r.People[0].Messages != 8 || r.People[1].Name != "Bob Byte" {
		t.Fatalf("reconnect: %+v", r.People)
	}
	code, stdout, _ = runCLI(t, "reconnect", "--source", src, "--state", filepath.Join(dir, "state.json"), "--min-messages", "7")
	if code != exitOK || !strings.Contains(stdout, "Ada Lovelace  8 messages, last 2020-01-10  (Engineer at Acme)") || strings.Contains(stdout, "Bob") {
		t.Errorf("reconnect --min-messages 7:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err == nil {
		t.Error("reconnect wrote the state")
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{"30d": "2026-11-01", "2w": "2026-11-17", "2025-06-30": "2025-06-30", "0d": "", "soon": "", "-3d": ""} {
		got, err := parseSince(in, now)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("parseSince(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
