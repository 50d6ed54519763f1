package linkedin_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
)

// samplePath is the bundled demo export that configs embeds.
var samplePath = filepath.Join("..", "..", "configs", "sample", "Basic_LinkedInDataExport_sample.zip")

func reconcile(t testing.TB, files map[string][]byte) (*mapping.Export, *mapping.Graph) {
	t.Helper()
	exp, err := linkedin.FromZipBytes(mustZip(t, files), "gen.zip", linkedin.Options{}).Read(context.Background())
	if err != nil {
		t.Fatalf("read generated export: %v", err)
	}
	return exp, mapping.Reconcile(exp, mapping.Options{})
}

// TestSample keeps the bundled sample equal to the generator's output
// (go test -update rewrites it) and checks it shows every edge case.
func TestSample(t *testing.T) {
	files := linkedintest.Generate(linkedintest.SampleOptions())
	b := mustZip(t, files)
	if *update {
		if err := os.MkdirAll(filepath.Dir(samplePath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(samplePath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(committed, b) {
		t.Errorf("%s is not the generator's output (run go test ./connectors/linkedin -run TestSample -update)", samplePath)
	}
	exp, g := reconcile(t, files)
	s := g.Stats
	if s.Connections+s.HiddenMembers != 130 || s.Contacts != 30 || s.HiddenMembers < 2 || s.Merged != 8 {
		t.Errorf("stats %+v: want 130 connection rows incl. ≥2 hidden, 30 contacts, 8 merged", s)
	}
	by := map[string]int{}
	for _, m := range g.Merges {
		by[m.By]++
	}
	if by["email"] == 0 || by["profile_url"] == 0 {
		t.Errorf("merges by %v: want some by email and some by profile_url", by)
	}
	conn, cont := string(files["Connections.csv"]), string(files["Contacts.csv"])
	for what, ok := range map[string]bool{
		"preamble":              strings.HasPrefix(conn, "Notes:\n"),
		"quoted comma in name":  strings.Contains(conn, `, PhD"`) || strings.Contains(conn, `, MBA"`) || strings.Contains(conn, `, CPA"`),
		"quoted comma company":  strings.Contains(conn, `"Acme, Inc."`) || strings.Contains(conn, `"Stark Widgets, LLC"`),
		"doubled quote":         strings.Contains(conn, `""`),
		"percent-encoded slug":  strings.Contains(conn, "/in/") && strings.Contains(conn, "%C3%"),
		"hidden row":            strings.Contains(conn, "\n,,,,,,"),
		"non-Latin name":        strings.ContainsAny(conn, "佐藤美咲"),
		"multi-valued emails":   strings.Contains(cont, `@example.com, `) || strings.Contains(cont, `@example.org, `) || strings.Contains(cont, `@example.net, `),
		"multi-valued phones":   strings.Contains(cont, `" +`),
		"address with a comma":  strings.Contains(cont, "Type:HOME"),
		"connection with email": strings.Contains(conn, "@example."),
	} {
		if !ok {
			t.Errorf("sample lacks %s", what)
		}
	}
	if len(exp.Warnings) != 0 {
		t.Errorf("sample reads with warnings: %v", exp.Warnings)
	}
}

// TestGenerateRoundTrip reads generated exports of every era back and
// checks the counts the generator promised.
func TestGenerateRoundTrip(t *testing.T) {
	for _, era := range []linkedintest.Era{linkedintest.Era2018, linkedintest.Era2021, linkedintest.Era2024} {
		t.Run(fmt.Sprint(era), func(t *testing.T) {
			opt := linkedintest.GenOptions{Seed: uint64(era), Era: era, Connections: 2000, Contacts: 300}
			n := linkedintest.New(opt)
			hidden, emails := 0, 0
			for _, c := range n.Connections {
				if c.Hidden {
					hidden++
				}
				if c.Email != "" {
					emails++
				}
			}
			exp, g := reconcile(t, n.Files())
			if len(exp.Records) != 2300 || len(exp.Warnings) != 0 {
				t.Fatalf("%d records, warnings %v; want 2300, none", len(exp.Records), exp.Warnings)
			}
			if g.Stats.HiddenMembers != hidden || hidden == 0 {
				t.Errorf("hidden = %d, generated %d", g.Stats.HiddenMembers, hidden)
			}
			if g.Stats.Merged != 60 {
				t.Errorf("merged = %d, want 60 (Contacts/5)", g.Stats.Merged)
			}
			rate := float64(emails) / float64(2000-hidden)
			if era == linkedintest.Era2018 && rate != 1 || era != linkedintest.Era2018 && (rate < 0.01 || rate > 0.04) {
				t.Errorf("email rate %.3f out of range for %d", rate, era)
			}
			withURL := 0
			for _, r := range exp.Records {
				if r.Kind == mapping.KindConnection && r.ProfileURL != "" {
					withURL++
				}
			}
			if (era >= linkedintest.Era2024) != (withURL > 0) {
				t.Errorf("%d connections with a URL in era %d", withURL, era)
			}
		})
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a := linkedintest.Generate(linkedintest.GenOptions{Seed: 5, Connections: 300, Contacts: 50})
	b := linkedintest.Generate(linkedintest.GenOptions{Seed: 5, Connections: 300, Contacts: 50})
	c := linkedintest.Generate(linkedintest.GenOptions{Seed: 6, Connections: 300, Contacts: 50})
	if !maps.EqualFunc(a, b, bytes.Equal) {
		t.Error("same seed, different output")
	}
	if bytes.Equal(a["Connections.csv"], c["Connections.csv"]) {
		t.Error("different seeds, same output")
	}
}

// TestMutations: the helpers change exactly what they say, as seen through
// the reader and Reconcile.
func TestMutations(t *testing.T) {
	opt := linkedintest.GenOptions{Seed: 9, Connections: 200, Contacts: 20}
	_, before := reconcile(t, linkedintest.Generate(opt))
	company := map[string]string{}
	for _, p := range before.People {
		company[p.ProfileURL] = p.Company
	}

	n := linkedintest.New(opt)
	gone := n.DropConnections(3)
	changed := n.ChangeCompanies(5)
	email := n.AddEmail(changed[1])
	_, after := reconcile(t, n.Files())

	if d := before.Stats.People - after.Stats.People; d != 3 {
		t.Errorf("people shrank by %d, want 3 (dropped %d)", d, len(gone))
	}
	diff, found := 0, false
	for _, p := range after.People {
		if old, ok := company[p.ProfileURL]; ok && p.ProfileURL != "" && old != p.Company {
			diff++
		}
		for _, e := range p.Emails {
			found = found || e == email
		}
	}
	if diff != 5 || !found {
		t.Errorf("%d companies changed (want 5), added email found: %v", diff, found)
	}
}
