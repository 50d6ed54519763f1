package state

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/mapping"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestReportGolden(t *testing.T) {
	s := New()
	a := person("Ana Lima", "https://www.linkedin.com/in/ana", "", "Acme")
	b := person("Bo Chen", "https://www.linkedin.com/in/bo", "bo@example.org", "Initech")
	c := person("Cy Gone", "https://www.linkedin.com/in/cy", "", "Acme")
	g := graph(a, b, c)
	s.Identify(g)
	for _, p := range g.People {
		s.Apply("book", "carddav", Result{Op: OpCreate, ID: p.ID, Sent: p, Ref: Ref{Href: p.ID + ".vcf"}})
	}
	b2 := *b
	b2.Company, b2.Title = "Globex", "CTO"
	d := person("Di New", "https://www.linkedin.com/in/di", "", "")
	g2 := &mapping.Graph{People: []*mapping.Contact{a, &b2, d},
		Stats:    mapping.Stats{People: 3, Connections: 3, Contacts: 1, Merged: 1, EmailMissing: 2, HiddenMembers: 1, Organizations: 2},
		Warnings: []mapping.Warning{{File: "Connections.csv", Line: 9, Msg: `unparseable date "31 Foo 2024"`}},
		Merges:   []mapping.Merge{{Into: "Ana Lima", Record: "Contacts.csv:2", By: "name"}}}
	s.Identify(g2)
	plan, err := Diff(s, "book", "carddav", g2)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		dryRun bool
		format string
	}{
		{"diff.txt", true, "text"},
		{"diff.md", true, "markdown"},
		{"diff.json", true, "json"},
		{"sync.txt", false, "text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReport(g2, tc.dryRun)
			tr := r.AddPlan(plan)
			if !tc.dryRun {
				for _, ch := range plan.Changes {
					res := Result{Op: ch.Op, ID: ch.Contact.ID}
					switch ch.Op {
					case OpUpdate:
						res.Conflicts = []string{"title"}
					case OpRemove:
						res.Err = errors.New("412 Precondition Failed")
					}
					tr.Record(res)
				}
			}
			var buf bytes.Buffer
			if err := r.Write(&buf, tc.format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name)
			if *update {
				os.MkdirAll("testdata", 0o755)
				os.WriteFile(golden, buf.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("report differs from %s:\n%s", golden, buf.String())
			}
		})
	}
	if err := NewReport(g2, true).Write(&bytes.Buffer{}, "yaml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestReportMarkdownEscapesNames(t *testing.T) {
	evil := person("[click me](https://evil.example) <img src=x>", "https://www.linkedin.com/in/evil", "", "")
	g := graph(evil)
	s := New()
	s.Identify(g)
	p, _ := Diff(s, "book", "carddav", g)
	r := NewReport(g, true)
	r.AddPlan(p)
	var buf bytes.Buffer
	r.Write(&buf, "markdown")
	if out := buf.String(); !strings.Contains(out, `\[click me\](https`) || strings.Contains(out, "<img") {
		t.Errorf("markdown report renders a stranger's name as markup:\n%s", out)
	}
}

func TestReportCountsWhatHappened(t *testing.T) {
	a := person("Ana", "https://www.linkedin.com/in/ana", "", "Acme")
	g := graph(a)
	s := New()
	s.Identify(g)
	s.Apply("book", "carddav", Result{Op: OpCreate, ID: a.ID, Sent: a})
	a2 := *a
	a2.Company = "Globex"
	g2 := graph(&a2)
	p, _ := Diff(s, "book", "carddav", g2)
	r := NewReport(g2, false)
	tr := r.AddPlan(p)
	tr.Record(Result{Op: OpUpdate, ID: a.ID, RemoteDeleted: true})
	if tr.Update != 0 || tr.RemoteDeleted != 1 {
		t.Errorf("a card the user deleted counts as update %d, remote_deleted %d; want 0 and 1", tr.Update, tr.RemoteDeleted)
	}
	r.Stopped = "the removal guard"
	var buf bytes.Buffer
	r.Write(&buf, "text")
	if !strings.HasPrefix(buf.String(), "linkport sync stopped before any write: the removal guard") {
		t.Errorf("stopped report starts %q", buf.String()[:60])
	}
}
