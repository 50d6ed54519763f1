package mapping

import (
	"bytes"
	"encoding/xml"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// egoFixture is a small reconciled and enriched graph with every edge kind
// and names that would break a careless writer.
func egoFixture() (*Graph, *Ego) {
	exp := &Export{
		Records: []Record{
			{Kind: KindConnection, File: "c", Line: 2, FirstName: `Jane "JD"`, LastName: `Doe\Smith`, ProfileURL: "https://www.linkedin.com/in/jane",
				Company: "Acme & <Co>", Title: "CTO", ConnectedOn: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
			{Kind: KindConnection, File: "c", Line: 3, FirstName: "Omar", LastName: "Haddad\x01", ProfileURL: "https://www.linkedin.com/in/omar", Company: "Acme & <Co>"},
			{Kind: KindContact, File: "k", Line: 2, FirstName: "Bo", LastName: "Ng", Emails: []string{"bo@example.org"}},
		},
		Messages: []Message{
			{FromURL: "https://www.linkedin.com/in/me", From: "Me", ToURLs: []string{"https://www.linkedin.com/in/jane"}, Conversation: "a", Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
			{FromURL: "https://www.linkedin.com/in/jane", From: `Jane "JD" Doe\Smith`, ToURLs: []string{"https://www.linkedin.com/in/me"}, Conversation: "a", Date: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)},
		},
		Invitations:     []Invitation{{From: "Me", FromURL: "https://www.linkedin.com/in/me", ToURL: "https://www.linkedin.com/in/omar", To: "Omar Haddad", Outgoing: true, SentAt: time.Date(2021, 3, 3, 9, 0, 0, 0, time.UTC)}},
		Endorsements:    []Endorsement{{ProfileURL: "www.linkedin.com/in/jane", Skill: "Go"}, {Given: true, ProfileURL: "www.linkedin.com/in/omar", Skill: "SQL"}},
		Recommendations: []Recommendation{{FirstName: "Omar", LastName: "Haddad\x01"}},
		Follows:         []Follow{{Organization: "Globex"}, {Organization: "acme & <co>"}},
	}
	g := Reconcile(exp, Options{})
	return g, Enrich(g, exp)
}

func TestEgoNetwork(t *testing.T) {
	g, ego := egoFixture()
	if ego.Owner.ProfileURL != "https://www.linkedin.com/in/me" {
		t.Fatalf("owner %+v", ego.Owner)
	}
	nodes, edges := EgoNetwork(g, ego)
	if len(nodes) != 1+3+2 { // you, 3 people, Acme and Globex (followed Acme is the same node)
		t.Errorf("%d nodes: %+v", len(nodes), nodes)
	}
	kinds := map[string]int{}
	for _, e := range edges {
		kinds[e.Kind]++
	}
	want := map[string]int{EdgeConnected: 2, EdgeWorksAt: 2, EdgeMessaged: 1, EdgeInvited: 1, EdgeEndorsed: 2, EdgeRecommended: 1, EdgeFollows: 2}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s edges, want %d (all: %v)", kinds[k], k, n, kinds)
		}
	}
	for _, e := range edges {
		if e.Kind == EdgeMessaged && (e.Weight != 2 || e.Date != "2025-01-02") {
			t.Errorf("messaged edge %+v, want weight 2 on 2025-01-02", e)
		}
	}
}

func TestWriteGraphML(t *testing.T) {
	g, ego := egoFixture()
	var b bytes.Buffer
	if err := WriteGraphML(&b, g, ego); err != nil {
		t.Fatal(err)
	}
	var doc gmlDoc
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("GraphML does not parse back: %v\n%s", err, b.String())
	}
	nodes, edges := EgoNetwork(g, ego)
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
	g, ego := egoFixture()
	var b bytes.Buffer
	if err := WriteDOT(&b, g, ego); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	nodes, edges := EgoNetwork(g, ego)
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

// Without the ego (no owner detected, no follows) the owner is "you".
func TestEgoNetworkWithoutEgo(t *testing.T) {
	g, _ := egoFixture()
	nodes, edges := EgoNetwork(g, nil)
	if len(nodes) == 0 || nodes[0].Label != "you" {
		t.Fatalf("first node = %+v, want the owner as \"you\"", nodes)
	}
	for _, e := range edges {
		if e.Kind == "follows" {
			t.Errorf("follows edge %+v without an ego", e)
		}
	}
}
