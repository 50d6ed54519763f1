package enrich

import (
	"strconv"

	"github.com/linkport/linkport/mapping"
)

// Edge kinds of the ego network.
const (
	EdgeConnected   = "connected"   // you → a first-degree connection
	EdgeWorksAt     = "works_at"    // person → organisation
	EdgeMessaged    = "messaged"    // you → person, weight = messages
	EdgeInvited     = "invited"     // inviter → invitee
	EdgeEndorsed    = "endorsed"    // endorser → endorsee, weight = skills
	EdgeRecommended = "recommended" // recommender → recommended
	EdgeFollows     = "follows"     // you → organisation
)

// NetNode is one node of the ego network: "you", a person or an organisation.
type NetNode struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"` // you, person, organization
	Label         string `json:"label"`
	ProfileURL    string `json:"profile_url,omitempty"`
	Company       string `json:"company,omitempty"`
	Title         string `json:"title,omitempty"`
	ConnectedOn   string `json:"connected_on,omitempty"`
	LastContacted string `json:"last_contacted,omitempty"`
}

// NetEdge is one directed edge of the ego network.
type NetEdge struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Kind   string `json:"kind"`
	Weight int    `json:"weight"`
	Date   string `json:"date,omitempty"`
}

// EgoNetwork lays g out as nodes and edges around its owner; ego (from
// Enrich) may be nil, then "you" has no name and follows no one. Node IDs
// are "you", "p<n>" for the nth person and "o<n>" for the nth organisation.
func EgoNetwork(g *mapping.Graph, ego *Ego) (nodes []NetNode, edges []NetEdge) {
	you := NetNode{ID: "you", Kind: "you", Label: "you"}
	if ego != nil {
		if ego.Owner.Name != "" {
			you.Label = ego.Owner.Name
		}
		you.ProfileURL = ego.Owner.ProfileURL
	}
	nodes = append(nodes, you)
	orgs := map[string]string{} // name key → node ID
	org := func(name string) string {
		k := mapping.NameKey(name)
		if id, ok := orgs[k]; ok {
			return id
		}
		id := "o" + strconv.Itoa(len(orgs)+1)
		orgs[k] = id
		nodes = append(nodes, NetNode{ID: id, Kind: "organization", Label: mapping.NormalizeName(name)})
		return id
	}
	for _, o := range g.Organizations {
		org(o.Name)
	}
	if ego != nil {
		for _, f := range ego.Follows {
			edges = append(edges, NetEdge{Source: "you", Target: org(f.Organization), Kind: EdgeFollows, Weight: 1, Date: day(f.FollowedOn)})
		}
	}
	for i, p := range g.People {
		id, x := "p"+strconv.Itoa(i+1), p.Extras()
		nodes = append(nodes, NetNode{ID: id, Kind: "person", Label: p.Name, ProfileURL: p.ProfileURL, Company: p.Company,
			Title: p.Title, ConnectedOn: p.ConnectedOn, LastContacted: x.LastContacted})
		edge := func(from, to, kind string, weight int, date string) {
			edges = append(edges, NetEdge{Source: from, Target: to, Kind: kind, Weight: weight, Date: date})
		}
		if p.IsConnection() {
			edge("you", id, EdgeConnected, 1, p.ConnectedOn)
		}
		if p.Company != "" {
			edge(id, org(p.Company), EdgeWorksAt, 1, "")
		}
		if x.MessageCount > 0 {
			edge("you", id, EdgeMessaged, x.MessageCount, x.LastContacted)
		}
		switch x.InvitedBy {
		case "me":
			edge("you", id, EdgeInvited, 1, x.InvitedOn)
		case "them":
			edge(id, "you", EdgeInvited, 1, x.InvitedOn)
		}
		if len(x.EndorsedYou) > 0 {
			edge(id, "you", EdgeEndorsed, len(x.EndorsedYou), "")
		}
		if len(x.YouEndorsed) > 0 {
			edge("you", id, EdgeEndorsed, len(x.YouEndorsed), "")
		}
		if x.RecommendedYou != "" {
			edge(id, "you", EdgeRecommended, 1, dateOnly(x.RecommendedYou))
		}
		if x.YouRecommended != "" {
			edge("you", id, EdgeRecommended, 1, dateOnly(x.YouRecommended))
		}
	}
	return nodes, edges
}

func dateOnly(s string) string {
	if s == "yes" {
		return ""
	}
	return s
}
