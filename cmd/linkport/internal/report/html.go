package report

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// The HTML reports are one self-contained file each: the style and the
// scripts are inline, the charts inline SVG, and the page's content
// security policy allows nothing else (no fonts, no images, no requests),
// so opening a report never tells anyone that it was opened.
//
//go:embed html
var htmlFiles embed.FS

// page is what every HTML report shares: the head with its policy, style
// and scripts around a body that each report defines.
type page struct {
	Title, Subtitle string
	CSP             string
	CSS             template.CSS
	Hook, JS        template.JS
	Body            any
}

// htmlPage parses the shared templates and the report's body template
// (file html/<body>.tmpl, which defines "body"). A report of the history
// or of changes adds its own html/<name>.tmpl and renders it with
// writePage; it can use the shared "charts", "bars", "jobchanges",
// "warnings", "merges" and "val" templates and the funcs below.
func htmlPage(body string) (*template.Template, error) {
	t, err := template.New("page").Funcs(template.FuncMap{
		"num":      thousands,
		"join":     func(s []string) string { return strings.Join(s, ", ") },
		"position": positionOrUnknown,
		"byName": func(ms []mapping.Merge) int {
			n := 0
			for _, m := range ms {
				if m.By == "name" {
					n++
				}
			}
			return n
		},
	}).ParseFS(htmlFiles, "html/page.tmpl", "html/"+body+".tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse HTML templates: %w", err)
	}
	return t, nil
}

// writePage renders body's template with data, inside the shared page.
func writePage(w io.Writer, body, title, subtitle string, data any) error {
	t, err := htmlPage(body)
	if err != nil {
		return err
	}
	css, err := htmlFiles.ReadFile("html/style.css")
	if err != nil {
		return fmt.Errorf("read HTML style: %w", err)
	}
	hook, err := htmlFiles.ReadFile("html/hook.js")
	if err != nil {
		return fmt.Errorf("read HTML script: %w", err)
	}
	js, err := htmlFiles.ReadFile("html/enhance.js")
	if err != nil {
		return fmt.Errorf("read HTML script: %w", err)
	}
	p := page{Title: title, Subtitle: subtitle, CSS: template.CSS(css), Hook: template.JS(hook), JS: template.JS(js), Body: data,
		CSP: contentPolicy(css, hook, js)}
	if err := t.ExecuteTemplate(w, "page", p); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// contentPolicy allows exactly the page's own style and scripts, by hash:
// a stranger's name that somehow became markup could run nothing, and
// nothing at all may be fetched.
func contentPolicy(css []byte, scripts ...[]byte) string {
	hash := func(b []byte) string {
		sum := sha256.Sum256(b)
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	var js []string
	for _, s := range scripts {
		js = append(js, hash(s))
	}
	return "default-src 'none'; style-src " + hash(css) + "; script-src " + strings.Join(js, " ") +
		"; img-src data:; base-uri 'none'; form-action 'none'"
}

// htmlRun is what run.tmpl renders.
type htmlRun struct {
	Run        *Run
	Columns    []string
	Targets    []htmlTarget
	JobChanges []mapping.JobChange
	Kinds      []count
	Total      int
	Charts     charts
}

type htmlTarget struct {
	Name, Type, Error string
	Counts            []count
	Groups            []htmlGroup
}

type htmlGroup struct {
	Kind, Title string
	Changes     []htmlChange
}

// htmlChange is a Change as the page shows it; its fields are its own, not
// an embedded Change's, which the template would look up much slower.
type htmlChange struct {
	Kind, Name, ID, Op, Status, Error, Reason string
	Conflicts                                 []string
	RemoteDeleted                             bool
	Fields                                    []htmlField
}

type htmlField struct{ Name, Old, New string }

// count is one figure with the key the page marks it with.
type count struct {
	Key, Title string
	N          int
}

func (r *Run) writeHTML(w io.Writer) error {
	col := newCollator()
	v := htmlRun{Run: r, JobChanges: sortedJobChanges(r.JobChanges, col), Charts: r.charts}
	done := map[bool][3]string{true: {"to create", "to update", "to remove"}, false: {"created", "updated", "removed"}}[r.DryRun]
	v.Columns = []string{done[0], done[1], done[2], "unchanged", "failed", "held", "not done", "conflicts", "deleted by you"}
	kinds := map[string]int{}
	for _, t := range r.Targets {
		ht := htmlTarget{Name: t.Name, Type: t.Type, Error: t.Error, Counts: []count{
			{Key: KindCreate, N: t.Create}, {Key: KindUpdate, N: t.Update}, {Key: KindRemove, N: t.Remove},
			{Key: "unchanged", N: t.Unchanged}, {Key: KindFailed, N: t.Failed}, {Key: KindHeld, N: t.Held},
			{Key: KindNotDone, N: t.NotDone}, {Key: "conflicts", N: t.Conflicts}, {Key: KindRemoteDeleted, N: t.RemoteDeleted}}}
		for _, g := range t.groups(r.DryRun, col, 0) {
			hg := htmlGroup{Kind: g.Kind, Title: g.Title}
			for _, c := range g.Changes {
				hc := htmlChange{Kind: g.Kind, Name: c.Name, ID: c.ID, Op: string(c.Op), Status: string(c.Status), Error: c.Error,
					Reason: c.Reason, Conflicts: c.Conflicts, RemoteDeleted: c.RemoteDeleted}
				for _, f := range sortedKeys(c.Fields) {
					hc.Fields = append(hc.Fields, htmlField{f, c.Fields[f].Old, c.Fields[f].New})
				}
				hg.Changes = append(hg.Changes, hc)
			}
			kinds[g.Kind] += len(g.Changes)
			v.Total += len(g.Changes)
			ht.Groups = append(ht.Groups, hg)
		}
		v.Targets = append(v.Targets, ht)
	}
	for _, k := range kindOrder {
		if kinds[k] > 0 {
			v.Kinds = append(v.Kinds, count{Key: k, Title: kindTitle(k, r.DryRun), N: kinds[k]})
		}
	}
	title, sub := "linkport sync", "What reached each target."
	switch {
	case r.Stopped != "":
		sub = "Stopped before any write: nothing was written."
	case r.DryRun:
		title, sub = "linkport diff", "A dry run: what a sync would do. Nothing was written."
	}
	return writePage(w, "run", title, sub, v)
}

// htmlGraph is what graph.tmpl renders.
type htmlGraph struct {
	GraphSummary
	Enrichment []enrichRow
	Charts     charts
}

type enrichRow struct {
	Name               string
	Matched, Unmatched int
}

// WriteGraphHTML writes the graph's summary as one self-contained HTML
// page: the counts, connections gained over time, the top organisations,
// what the rest of the archive matched, merges and warnings.
func WriteGraphHTML(w io.Writer, g *mapping.Graph, ego *enrich.Ego) error {
	v := htmlGraph{GraphSummary: summarize(g), Charts: newCharts(g)}
	if ego != nil {
		v.Owner = ego.Owner
		st := ego.Stats
		for _, m := range []struct {
			name string
			enrich.Matched
		}{{"messages", st.Messages}, {"invitations", st.Invitations}, {"notes", st.Notes},
			{"endorsements", st.Endorsements}, {"recommendations", st.Recommendations}} {
			v.Enrichment = append(v.Enrichment, enrichRow{m.name, m.Matched.Matched, m.Unmatched})
		}
	}
	return writePage(w, "graph", "linkport graph", "The contact graph your export yields.", v)
}
