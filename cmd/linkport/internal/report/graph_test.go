package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// fixture is a small enriched graph with every edge kind and names that
// would break a careless writer: quotes, a backslash, XML markup and a
// control character.
func fixture() (*mapping.Graph, *enrich.Ego) {
	jane := &mapping.Contact{ID: "jane", Name: `Jane "JD" Doe\Smith`, ProfileURL: "https://www.linkedin.com/in/jane",
		Company: "Acme & <Co>", Title: "CTO", ConnectedOn: "2020-01-02", Sources: []string{"connection"},
		Extra: &mapping.Extra{LastContacted: "2025-01-02", MessageCount: 2, LastMessageFrom: "them", EndorsedYou: []string{"Go"}}}
	omar := &mapping.Contact{ID: "omar", Name: "Omar Haddad\x01", ProfileURL: "https://www.linkedin.com/in/omar",
		Company: "Acme & <Co>", Sources: []string{"connection"},
		Extra: &mapping.Extra{InvitedBy: "me", InvitedOn: "2021-03-03", YouEndorsed: []string{"SQL"}, RecommendedYou: "yes"}}
	bo := &mapping.Contact{ID: "bo", Name: "Bo Ng", Emails: []string{"bo@example.org"}, Sources: []string{"contact:GOOGLE_CONTACTS"}}
	g := &mapping.Graph{
		People:        []*mapping.Contact{jane, omar, bo},
		Organizations: []*mapping.Organization{{Name: "Acme & <Co>", Members: []*mapping.Contact{jane, omar}}},
		Merges:        []mapping.Merge{{Into: "Bo Ng", Record: "Contacts.csv:3", By: "email"}},
		Warnings:      []mapping.Warning{{File: "Connections.csv", Line: 9, Msg: "bad date"}},
		Stats:         mapping.Stats{People: 3, Connections: 2, Contacts: 2, Merged: 1, EmailMissing: 2, Organizations: 1},
	}
	ego := &enrich.Ego{
		Owner:   enrich.Owner{Name: "Me", ProfileURL: "https://www.linkedin.com/in/me", By: "invitations"},
		Follows: []mapping.Follow{{Organization: "Globex"}, {Organization: "acme & <co>"}},
		Stats:   enrich.Stats{Messages: enrich.Matched{Matched: 2}, Invitations: enrich.Matched{Matched: 1, Unmatched: 1}},
	}
	return g, ego
}

func TestWriteGraphGolden(t *testing.T) {
	for _, format := range []string{"text", "json", "dot", "graphml"} {
		t.Run(format, func(t *testing.T) {
			g, ego := fixture()
			var b bytes.Buffer
			if err := WriteGraph(&b, g, ego, format); err != nil {
				t.Fatal(err)
			}
			golden(t, "graph."+format, b.Bytes())
		})
	}
}

func TestWriteGraphErrors(t *testing.T) {
	g, _ := fixture()
	tests := []struct {
		name, format string
		want         error
	}{
		{"unknown format", "svg", ErrGraphFormat},
		{"empty format", "", ErrGraphFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteGraph(&bytes.Buffer{}, g, nil, tt.format)
			if !errors.Is(err, tt.want) {
				t.Errorf("WriteGraph(%q) = %v, want %v", tt.format, err, tt.want)
			}
		})
	}
	// Without an ego (no owner detected) every format still writes.
	for _, format := range []string{"text", "json", "dot", "graphml"} {
		if err := WriteGraph(&bytes.Buffer{}, g, nil, format); err != nil {
			t.Errorf("%s without an ego: %v", format, err)
		}
	}
}

// TestWriteGraphJSON: the JSON output reads back as a GraphSummary with
// the same nodes and edges as the ego network.
func TestWriteGraphJSON(t *testing.T) {
	g, ego := fixture()
	var b bytes.Buffer
	if err := WriteGraph(&b, g, ego, "json"); err != nil {
		t.Fatal(err)
	}
	var s GraphSummary
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	nodes, edges := enrich.EgoNetwork(g, ego)
	if len(s.Nodes) != len(nodes) || len(s.Edges) != len(edges) || s.Owner != ego.Owner || s.Stats != g.Stats {
		t.Errorf("summary %+v does not match the graph (%d nodes, %d edges)", s, len(nodes), len(edges))
	}
}

func TestWriteGraphML(t *testing.T) {
	g, ego := fixture()
	var b bytes.Buffer
	if err := WriteGraphML(&b, g, ego); err != nil {
		t.Fatal(err)
	}
	var doc gmlDoc
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("GraphML does not parse back: %v\n%s", err, b.String())
	}
	nodes, edges := enrich.EgoNetwork(g, ego)
	if doc.Xmlns != "http://graphml.graphdrawing.org/xmlns" || len(doc.Graph.Nodes) != len(nodes) || len(doc.Graph.Edges) != len(edges) {
		t.Fatalf("parsed %d nodes, %d edges, xmlns %q; want %d, %d", len(doc.Graph.Nodes), len(doc.Graph.Edges), doc.Xmlns, len(nodes), len(edges))
	}
	keys, ids := map[string]bool{}, map[string]bool{}
	for _, k := range doc.Keys {
		keys[k.ID] = true
	}
	for _, n := range doc.Graph.Nodes {
		ids[n.ID] = true
		for _, d := range n.Data {
			if !keys[d.Key] {
				t.Errorf("node %s uses undeclared key %q", n.ID, d.Key)
			}
		}
	}
	for _, e := range doc.Graph.Edges {
		if !ids[e.Source] || !ids[e.Target] {
			t.Errorf("edge %s joins unknown nodes %s → %s", e.ID, e.Source, e.Target)
		}
	}
	if !strings.Contains(b.String(), `Jane &#34;JD&#34; Doe\Smith`) || !strings.Contains(b.String(), "Acme &amp; &lt;Co&gt;") {
		t.Errorf("names not escaped as XML:\n%s", b.String())
	}
}

func TestWriteDOT(t *testing.T) {
	g, ego := fixture()
	var b bytes.Buffer
	if err := WriteDOT(&b, g, ego); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	nodes, edges := enrich.EgoNetwork(g, ego)
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if !strings.HasPrefix(s, "digraph linkport {\n") || lines[len(lines)-1] != "}" {
		t.Fatalf("not one digraph:\n%s", s)
	}
	if n := strings.Count(s, " -> "); n != len(edges) {
		t.Errorf("%d edges written, want %d", n, len(edges))
	}
	if n := strings.Count(s, "shape="); n != len(nodes) {
		t.Errorf("%d nodes written, want %d", n, len(nodes))
	}
	if !strings.Contains(s, `label="Jane \"JD\" Doe\\Smith"`) {
		t.Errorf("quote and backslash not escaped:\n%s", s)
	}
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz dot not installed: structure checked, layout not run")
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = &b
	if out, err := cmd.CombinedOutput(); err != nil || !bytes.Contains(out, []byte("<svg")) {
		t.Errorf("dot rejects the graph: %v\n%s", err, out)
	}
}
