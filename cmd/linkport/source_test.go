package main

import (
	"encoding/json"
	"encoding/xml"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/cmd/linkport/internal/report"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

// apiConfig serves the generated export through the fake Snapshot API and
// writes a config whose source is that API.
func apiConfig(t *testing.T, dir string, fake *linkedintest.SnapshotAPI) (cfg string, files map[string][]byte) {
	files = linkedintest.Generate(linkedintest.GenOptions{Seed: 9, Connections: 40, Contacts: 8, Activity: true})
	rows, err := linkedintest.SnapshotRows(files)
	if err != nil {
		t.Fatal(err)
	}
	fake.Token, fake.Data, fake.PageSize, fake.Overlap = "tok-SECRET-123", rows, 7, 2
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	t.Setenv("LP_TEST_LI_TOKEN", "tok-SECRET-123")
	cfg = writeConfig(t, dir, "source:\n  api:\n    token_env: LP_TEST_LI_TOKEN\n    domains: [CONNECTIONS, CONTACTS, INBOX, INVITATIONS, ENDORSEMENTS, COMPANY_FOLLOWS]\n    base_url: "+srv.URL+
		"\nstate: "+filepath.Join(dir, "state.json")+"\n")
	return cfg, files
}

func TestAPISourceMatchesExportAndFetch(t *testing.T) {
	dir := env(t)
	cfg, files := apiConfig(t, dir, &linkedintest.SnapshotAPI{})
	export := filepath.Join(dir, "export")
	if err := linkedintest.WriteDir(export, files); err != nil {
		t.Fatal(err)
	}
	code, fromAPI, errs := runCLI(t, "graph", "-c", cfg, "--format", "json", "-v")
	if code != exitOK {
		t.Fatalf("graph from the API: exit %d: %s", code, errs)
	}
	if strings.Contains(errs, "tok-SECRET-123") || strings.Contains(fromAPI, "tok-SECRET-123") {
		t.Fatal("the API token reached the output or the logs")
	}
	_, fromExport, _ := runCLI(t, "graph", "--source", export, "--format", "json")
	var a, b report.GraphSummary
	json.Unmarshal([]byte(fromAPI), &a)
	json.Unmarshal([]byte(fromExport), &b)
	kinds := func(s report.GraphSummary) map[string]int {
		m := map[string]int{}
		for _, e := range s.Edges {
			m[e.Kind]++
		}
		return m
	}
	// The API's RECOMMENDATIONS domain cannot tell given from received, so
	// it is not read: recommendation edges come only from an export.
	fromAPIKinds, fromExportKinds := kinds(a), kinds(b)
	delete(fromExportKinds, "recommended")
	if a.Stats != b.Stats || a.Stats.People == 0 || len(a.Nodes) != len(b.Nodes) || !maps.Equal(fromAPIKinds, fromExportKinds) {
		t.Errorf("API graph %+v (%d nodes, edges %v) != export graph %+v (%d nodes, edges %v)",
			a.Stats, len(a.Nodes), fromAPIKinds, b.Stats, len(b.Nodes), fromExportKinds)
	}

	fetched := filepath.Join(dir, "fetched")
	if code, _, errs := runCLI(t, "fetch", "-c", cfg, "--output", fetched); code != exitOK {
		t.Fatalf("fetch: exit %d: %s", code, errs)
	}
	_, fromFetch, _ := runCLI(t, "graph", "--source", fetched, "--format", "json")
	var c report.GraphSummary
	json.Unmarshal([]byte(fromFetch), &c)
	if c.Stats != a.Stats {
		t.Errorf("the fetched folder reads as %+v, the API as %+v", c.Stats, a.Stats)
	}
}

// A token LinkedIn refuses, or a LinkedIn-Version it no longer serves, is
// the user's to fix: exit 2 with a sentence saying how, the token nowhere in
// the output, no state written.
func TestAPITokenAndVersionErrorsAreConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		fake *linkedintest.SnapshotAPI
		want string
	}{
		{"expired", &linkedintest.SnapshotAPI{Expired: true}, "expired"},
		{"revoked", &linkedintest.SnapshotAPI{Revoked: true}, "revoked"},
		{"version no longer served", &linkedintest.SnapshotAPI{Version: "209901"}, "source.api.version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			cfg, _ := apiConfig(t, dir, tc.fake)
			code, out, errs := runCLI(t, "diff", "-c", cfg)
			if code != exitUsage || !strings.Contains(errs, tc.want) {
				t.Errorf("diff: exit %d, stderr %q; want 2 saying %q", code, errs, tc.want)
			}
			if strings.Contains(out+errs, "tok-SECRET-123") {
				t.Error("the token leaked")
			}
			if _, err := os.Stat(filepath.Join(dir, "state.json")); !os.IsNotExist(err) {
				t.Error("a failed read wrote the state")
			}
		})
	}
}

func TestGraphFormats(t *testing.T) {
	env(t)
	export := filepath.Join(t.TempDir(), "export")
	linkedintest.WriteDir(export, linkedintest.Generate(linkedintest.GenOptions{Seed: 3, Connections: 30, Contacts: 5, Activity: true}))
	code, out, errs := runCLI(t, "graph", "--source", export, "--format", "graphml")
	if code != exitOK {
		t.Fatalf("graphml: %s", errs)
	}
	var doc struct {
		Nodes []struct {
			ID string `xml:"id,attr"`
		} `xml:"graph>node"`
		Edges []struct {
			Source string `xml:"source,attr"`
		} `xml:"graph>edge"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil || len(doc.Nodes) < 30 || len(doc.Edges) < 30 {
		t.Errorf("graphml: %v, %d nodes, %d edges", err, len(doc.Nodes), len(doc.Edges))
	}
	code, out, _ = runCLI(t, "graph", "--source", export, "--format", "dot")
	if code != exitOK || !strings.HasPrefix(out, "digraph") || strings.Count(out, "->") < 30 {
		t.Errorf("dot output (exit %d):\n%.300s", code, out)
	}
	code, out, _ = runCLI(t, "graph", "--source", export)
	if code != exitOK || !strings.Contains(out, "top organisations:") {
		t.Errorf("text summary (exit %d):\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "graph", "--source", export, "--format", "markdown"); code != exitUsage {
		t.Errorf("graph --format markdown: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := runCLI(t, "diff", "--source", export, "--format", "dot"); code != exitUsage {
		t.Errorf("diff --format dot: exit %d, want %d", code, exitUsage)
	}
}
