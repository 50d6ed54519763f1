package enrich

import (
	"testing"
	"time"

	"github.com/linkport/linkport/mapping"
)

// egoFixture is a small reconciled and enriched graph with every edge kind
// and names that would break a careless writer.
func egoFixture() (*mapping.Graph, *Ego) {
	exp := &mapping.Export{
		Records: []*mapping.Record{
			{Kind: mapping.KindConnection, File: "c", Line: 2, FirstName: `Jane "JD"`, LastName: `Doe\Smith`, ProfileURL: "https://www.linkedin.com/in/jane",
				Company: "Acme & <Co>", Title: "CTO", ConnectedOn: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
			{Kind: mapping.KindConnection, File: "c", Line: 3, FirstName: "Omar", LastName: "Haddad\x01", ProfileURL: "https://www.linkedin.com/in/omar", Company: "Acme & <Co>"},
			{Kind: mapping.KindContact, File: "k", Line: 2, FirstName: "Bo", LastName: "Ng", Emails: []string{"bo@example.org"}},
		},
		Messages: mapping.MessagesOf(
			mapping.Message{FromURL: "https://www.linkedin.com/in/me", From: "Me", ToURLs: []string{"https://www.linkedin.com/in/jane"}, Conversation: "a", Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
			mapping.Message{FromURL: "https://www.linkedin.com/in/jane", From: `Jane "JD" Doe\Smith`, ToURLs: []string{"https://www.linkedin.com/in/me"}, Conversation: "a", Date: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)},
		),
		Invitations:     []mapping.Invitation{{From: "Me", FromURL: "https://www.linkedin.com/in/me", ToURL: "https://www.linkedin.com/in/omar", To: "Omar Haddad", Outgoing: true, SentAt: time.Date(2021, 3, 3, 9, 0, 0, 0, time.UTC)}},
		Endorsements:    []mapping.Endorsement{{ProfileURL: "www.linkedin.com/in/jane", Skill: "Go"}, {Given: true, ProfileURL: "www.linkedin.com/in/omar", Skill: "SQL"}},
		Recommendations: []mapping.Recommendation{{FirstName: "Omar", LastName: "Haddad\x01"}},
		Follows:         []mapping.Follow{{Organization: "Globex"}, {Organization: "acme & <co>"}},
	}
	g := mapping.Reconcile(exp, mapping.Options{})
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
