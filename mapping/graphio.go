package mapping

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
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
func EgoNetwork(g *Graph, ego *Ego) (nodes []NetNode, edges []NetEdge) {
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
		k := nameKey(name)
		if id, ok := orgs[k]; ok {
			return id
		}
		id := "o" + strconv.Itoa(len(orgs)+1)
		orgs[k] = id
		nodes = append(nodes, NetNode{ID: id, Kind: "organization", Label: NormalizeName(name)})
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
		id := "p" + strconv.Itoa(i+1)
		nodes = append(nodes, NetNode{ID: id, Kind: "person", Label: p.Name, ProfileURL: p.ProfileURL, Company: p.Company,
			Title: p.Title, ConnectedOn: p.ConnectedOn, LastContacted: p.LastContacted})
		edge := func(from, to, kind string, weight int, date string) {
			edges = append(edges, NetEdge{Source: from, Target: to, Kind: kind, Weight: weight, Date: date})
		}
		if p.IsConnection() {
			edge("you", id, EdgeConnected, 1, p.ConnectedOn)
		}
		if p.Company != "" {
			edge(id, org(p.Company), EdgeWorksAt, 1, "")
		}
		if p.MessageCount > 0 {
			edge("you", id, EdgeMessaged, p.MessageCount, p.LastContacted)
		}
		switch p.InvitedBy {
		case "me":
			edge("you", id, EdgeInvited, 1, p.InvitedOn)
		case "them":
			edge(id, "you", EdgeInvited, 1, p.InvitedOn)
		}
		if len(p.EndorsedYou) > 0 {
			edge(id, "you", EdgeEndorsed, len(p.EndorsedYou), "")
		}
		if len(p.YouEndorsed) > 0 {
			edge("you", id, EdgeEndorsed, len(p.YouEndorsed), "")
		}
		if p.RecommendedYou != "" {
			edge(id, "you", EdgeRecommended, 1, dateOnly(p.RecommendedYou))
		}
		if p.YouRecommended != "" {
			edge("you", id, EdgeRecommended, 1, dateOnly(p.YouRecommended))
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

// WriteDOT writes the ego network for Graphviz: a digraph whose nodes are
// shaped by kind and whose edges carry their kind and weight.
func WriteDOT(w io.Writer, g *Graph, ego *Ego) error {
	nodes, edges := EgoNetwork(g, ego)
	var b strings.Builder
	b.WriteString("digraph linkport {\n  graph [overlap=false];\n  node [fontname=\"Helvetica\"];\n")
	shape := map[string]string{"you": "doublecircle", "person": "ellipse", "organization": "box"}
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %s [label=%s, shape=%s, kind=%s", dotID(n.ID), dotID(n.Label), shape[n.Kind], dotID(n.Kind))
		if n.ProfileURL != "" {
			fmt.Fprintf(&b, ", URL=%s", dotID(n.ProfileURL))
		}
		b.WriteString("];\n")
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s -> %s [kind=%s, label=%s, weight=%d", dotID(e.Source), dotID(e.Target), dotID(e.Kind), dotID(e.Kind), e.Weight)
		if e.Date != "" {
			fmt.Fprintf(&b, ", date=%s", dotID(e.Date))
		}
		b.WriteString("];\n")
	}
	b.WriteString("}\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write graph DOT: %w", err)
	}
	return nil
}

// dotID quotes s as a DOT string: backslashes and quotes escaped, line
// breaks as \n, so no name can end the statement.
func dotID(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", `\n`).Replace(s) + `"`
}

// GraphML document shapes (http://graphml.graphdrawing.org/xmlns).
type (
	gmlDoc struct {
		XMLName xml.Name `xml:"graphml"`
		Xmlns   string   `xml:"xmlns,attr"`
		Keys    []gmlKey `xml:"key"`
		Graph   gmlGraph `xml:"graph"`
	}
	gmlKey struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	}
	gmlGraph struct {
		ID          string    `xml:"id,attr"`
		EdgeDefault string    `xml:"edgedefault,attr"`
		Nodes       []gmlNode `xml:"node"`
		Edges       []gmlEdge `xml:"edge"`
	}
	gmlNode struct {
		ID   string    `xml:"id,attr"`
		Data []gmlData `xml:"data"`
	}
	gmlEdge struct {
		ID     string    `xml:"id,attr"`
		Source string    `xml:"source,attr"`
		Target string    `xml:"target,attr"`
		Data   []gmlData `xml:"data"`
	}
	gmlData struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	}
)

var gmlKeys = []gmlKey{
	{"label", "node", "label", "string"}, {"kind", "node", "kind", "string"},
	{"profile_url", "node", "profile_url", "string"}, {"company", "node", "company", "string"},
	{"title", "node", "title", "string"}, {"connected_on", "node", "connected_on", "string"},
	{"last_contacted", "node", "last_contacted", "string"},
	{"ekind", "edge", "kind", "string"}, {"weight", "edge", "weight", "int"}, {"date", "edge", "date", "string"},
}

// WriteGraphML writes the ego network as GraphML, for Gephi, yEd or
// Cytoscape; node and edge attributes are declared keys.
func WriteGraphML(w io.Writer, g *Graph, ego *Ego) error {
	nodes, edges := EgoNetwork(g, ego)
	doc := gmlDoc{Xmlns: "http://graphml.graphdrawing.org/xmlns", Keys: gmlKeys,
		Graph: gmlGraph{ID: "linkport", EdgeDefault: "directed"}}
	data := func(pairs ...string) []gmlData {
		var d []gmlData
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i+1] != "" {
				d = append(d, gmlData{pairs[i], pairs[i+1]})
			}
		}
		return d
	}
	for _, n := range nodes {
		doc.Graph.Nodes = append(doc.Graph.Nodes, gmlNode{ID: n.ID, Data: data("label", n.Label, "kind", n.Kind,
			"profile_url", n.ProfileURL, "company", n.Company, "title", n.Title, "connected_on", n.ConnectedOn,
			"last_contacted", n.LastContacted)})
	}
	for i, e := range edges {
		doc.Graph.Edges = append(doc.Graph.Edges, gmlEdge{ID: "e" + strconv.Itoa(i+1), Source: e.Source, Target: e.Target,
			Data: data("ekind", e.Kind, "weight", strconv.Itoa(e.Weight), "date", e.Date)})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write GraphML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write GraphML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write GraphML: %w", err)
	}
	return nil
}
