package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/linkport/linkport/mapping"
)

// graphSummary is `linkport graph --format json`: the summary, then the
// ego network (the same nodes and edges as the dot and graphml formats).
type graphSummary struct {
	Stats            mapping.Stats       `json:"graph"`
	TopOrganizations []orgCount          `json:"top_organizations"`
	Merges           []mapping.Merge     `json:"merges"`
	Warnings         []string            `json:"warnings"`
	Owner            mapping.Owner       `json:"owner"`
	Enrichment       mapping.EnrichStats `json:"enrichment"`
	Nodes            []mapping.NetNode   `json:"nodes"`
	Edges            []mapping.NetEdge   `json:"edges"`
}

type orgCount struct {
	Name   string `json:"name"`
	People int    `json:"people"`
}

const topOrgs = 10

func summarizeGraph(g *mapping.Graph) graphSummary {
	s := graphSummary{Stats: g.Stats, Merges: g.Merges, TopOrganizations: []orgCount{}, Warnings: []string{}}
	if s.Merges == nil {
		s.Merges = []mapping.Merge{}
	}
	for _, o := range g.Organizations {
		s.TopOrganizations = append(s.TopOrganizations, orgCount{o.Name, len(o.Members)})
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

func writeGraph(w io.Writer, g *mapping.Graph, ego *mapping.Ego, format string) error {
	s := summarizeGraph(g)
	switch format {
	case "json":
		s.Owner, s.Enrichment = ego.Owner, ego.Stats
		s.Nodes, s.Edges = mapping.EgoNetwork(g, ego)
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(s)
	case "dot":
		return mapping.WriteDOT(w, g, ego)
	case "graphml":
		return mapping.WriteGraphML(w, g, ego)
	case "text":
	default:
		return usageError{fmt.Errorf("graph --format %q: want text, json, dot or graphml", format)}
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
	_, err := io.WriteString(w, b.String())
	return err
}
