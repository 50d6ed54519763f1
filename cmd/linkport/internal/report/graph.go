package report

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// GraphSummary is `linkport graph --format json`: the summary, then the
// ego network (the same nodes and edges as the dot and graphml formats).
// It is exported so that tests and callers can read that output back.
type GraphSummary struct {
	Stats            mapping.Stats    `json:"graph"`
	TopOrganizations []OrgCount       `json:"top_organizations"`
	Merges           []mapping.Merge  `json:"merges"`
	Warnings         []string         `json:"warnings"`
	Owner            enrich.Owner     `json:"owner"`
	Enrichment       enrich.Stats     `json:"enrichment"`
	Nodes            []enrich.NetNode `json:"nodes"`
	Edges            []enrich.NetEdge `json:"edges"`
}

// OrgCount is one organisation of the summary and how many people work there.
type OrgCount struct {
	Name   string `json:"name"`
	People int    `json:"people"`
}

const topOrgs = 10

func summarize(g *mapping.Graph) GraphSummary {
	s := GraphSummary{Stats: g.Stats, Merges: g.Merges, TopOrganizations: []OrgCount{}, Warnings: []string{}}
	if s.Merges == nil {
		s.Merges = []mapping.Merge{}
	}
	for _, o := range g.Organizations {
		s.TopOrganizations = append(s.TopOrganizations, OrgCount{o.Name, len(o.Members)})
	}
	sort.SliceStable(s.TopOrganizations, func(i, j int) bool {
		return s.TopOrganizations[i].People > s.TopOrganizations[j].People
	})
	s.TopOrganizations = s.TopOrganizations[:min(topOrgs, len(s.TopOrganizations))]
	for _, w := range g.Warnings {
		s.Warnings = append(s.Warnings, w.String())
	}
	return s
}

// ErrGraphFormat is WriteGraph's answer to a format it does not know, so the
// CLI can tell the user's mistake (exit 2) from a failed write.
var ErrGraphFormat = errors.New("want text, json, dot, graphml or html")

// WriteGraph writes the reconciled graph g in format: "text" (the summary
// a person reads), "json" (the summary with the ego network), "dot"
// (Graphviz), "graphml" (Gephi, yEd, Cytoscape) or "html" (one
// self-contained page with charts). ego may be nil.
func WriteGraph(w io.Writer, g *mapping.Graph, ego *enrich.Ego, format string) error {
	s := summarize(g)
	switch format {
	case "json":
		if ego != nil {
			s.Owner, s.Enrichment = ego.Owner, ego.Stats
		}
		s.Nodes, s.Edges = enrich.EgoNetwork(g, ego)
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		if err := e.Encode(s); err != nil {
			return fmt.Errorf("write graph JSON: %w", err)
		}
		return nil
	case "dot":
		return WriteDOT(w, g, ego)
	case "graphml":
		return WriteGraphML(w, g, ego)
	case "html":
		return WriteGraphHTML(w, g, ego)
	case "text":
	default:
		return fmt.Errorf("graph --format %q: %w", format, ErrGraphFormat)
	}
	st := s.Stats
	var b strings.Builder
	fmt.Fprintf(&b, "people         %6d\n", st.People)
	fmt.Fprintf(&b, "  connections  %6d\n", st.Connections)
	fmt.Fprintf(&b, "  contacts     %6d\n", st.Contacts)
	fmt.Fprintf(&b, "  merged       %6d\n", st.Merged)
	fmt.Fprintf(&b, "email missing  %6d\n", st.EmailMissing)
	fmt.Fprintf(&b, "hidden members %6d (closed or hidden profiles, not synced)\n", st.HiddenMembers)
	fmt.Fprintf(&b, "organisations  %6d\n", st.Organizations)
	if len(s.TopOrganizations) > 0 {
		fmt.Fprintln(&b, "\ntop organisations:")
		for _, o := range s.TopOrganizations {
			fmt.Fprintf(&b, "  %4d  %s\n", o.People, o.Name)
		}
	}
	if len(s.Merges) > 0 {
		fmt.Fprintln(&b, "\nmerges:")
		for _, m := range s.Merges {
			fmt.Fprintf(&b, "  %s → %s (by %s)\n", m.Record, m.Into, m.By)
		}
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintln(&b, "\nwarnings:")
		for _, wn := range s.Warnings {
			fmt.Fprintln(&b, "  "+wn)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write graph summary: %w", err)
	}
	return nil
}

// WriteDOT writes the ego network for Graphviz: a digraph whose nodes are
// shaped by kind and whose edges carry their kind and weight.
func WriteDOT(w io.Writer, g *mapping.Graph, ego *enrich.Ego) error {
	nodes, edges := enrich.EgoNetwork(g, ego)
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
func WriteGraphML(w io.Writer, g *mapping.Graph, ego *enrich.Ego) error {
	nodes, edges := enrich.EgoNetwork(g, ego)
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
