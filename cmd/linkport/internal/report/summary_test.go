package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/state"
)

// bigSync is bigRun's sync where not everything went through: every 50th
// update failed, one removal is held and the last 100 creates were cut
// off by an interrupt.
func bigSync() *Run {
	g, o := bigRun(false)
	t := &o.Targets[0]
	creates, updates := 0, 0
	for i := range t.Changes {
		c := &t.Changes[i]
		switch c.Op {
		case state.OpCreate:
			if creates++; creates > bigCounts[KindCreate]-100 {
				c.Status, c.Reason = connectors.StatusNotDone, connectors.ReasonInterrupted
			}
		case state.OpUpdate:
			if updates++; updates%50 == 0 {
				c.Status, c.Err = connectors.StatusFailed, errors.New("412 Precondition Failed")
			}
		case state.OpRemove:
			if c.Contact.Name == "Removed 0007" {
				c.Status, c.Err = connectors.StatusHeld, errors.New("a card linkport did not create is at this href")
			}
		}
	}
	return NewRun(g, o)
}

func TestSummaryGolden(t *testing.T) {
	g, o := bigRun(true)
	diff := NewRun(g, o)
	for _, tc := range []struct {
		name, format string
		run          *Run
	}{
		{"summary.txt", "text", diff},
		{"summary.md", "markdown", diff},
		{"summary-sync.txt", "text", bigSync()},
		{"summary-sync.md", "markdown", bigSync()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.run.Write(&b, tc.format, Options{}); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

// A summary made from the outcome (which lists only the changes it shows)
// reads as one made from the report's JSON, which holds every change.
func TestSummaryFromOutcomeAsFromJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func() *Run
	}{
		{"diff", func() *Run { g, o := bigRun(true); return NewRun(g, o) }},
		{"sync", bigSync},
	} {
		for _, format := range []string{"text", "markdown"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				var want, js, got bytes.Buffer
				if err := tc.run().Write(&want, format, Options{}); err != nil {
					t.Fatal(err)
				}
				if err := tc.run().Write(&js, "json", Options{}); err != nil {
					t.Fatal(err)
				}
				var back Run
				if err := json.Unmarshal(js.Bytes(), &back); err != nil {
					t.Fatal(err)
				}
				if err := back.Write(&got, format, Options{}); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("from the JSON:\n%s\nfrom the outcome:\n%s", got.String(), want.String())
				}
			})
		}
	}
}

// A summary lists SummaryLimit changes of each kind and says how many
// more; --all lists every one, with values in full; JSON is complete.
func TestSummaryAndAll(t *testing.T) {
	g, o := bigRun(true)
	r := NewRun(g, o)
	total := bigCounts[KindCreate] + bigCounts[KindUpdate] + bigCounts[KindRemove]
	first := func(prefix string, n int) []string { // the names a summary lists: the first n by name
		var names []string
		for _, c := range r.Targets[0].all() {
			if strings.HasPrefix(c.Name, prefix) || (prefix == "" && c.Op == state.OpCreate) {
				names = append(names, c.Name)
			}
		}
		col := newCollator()
		slices.SortFunc(names, col.CompareString)
		return names[:n]
	}
	for _, tc := range []struct {
		format, more, item string
	}{
		{"text", "… and 1,190 more (--all lists them)", "%s %-6s %s ("},
		{"markdown", "- … and 1,190 more (`--all` lists them)", "- `%s` %s %s ("},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var sum, all bytes.Buffer
			if err := r.Write(&sum, tc.format, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := r.Write(&all, tc.format, Options{All: true}); err != nil {
				t.Fatal(err)
			}
			s, a := sum.String(), all.String()
			if !strings.Contains(s, tc.more) || !strings.Contains(s, "1,019 more") || !strings.Contains(s, "542 more") {
				t.Errorf("the summary does not say how many more of each kind:\n%s", s)
			}
			if n := strings.Count(s, "create "); n != SummaryLimit+1 { // and "to create (1200)"
				t.Errorf("the summary lists %d creates, want %d", n-1, SummaryLimit)
			}
			for _, name := range first("Removed", SummaryLimit) {
				if !strings.Contains(s, fmt.Sprintf(tc.item, "-", "remove", name)) {
					t.Errorf("the summary lacks %s, one of the first %d by name", name, SummaryLimit)
				}
			}
			if strings.Contains(s, "Removed 0011") {
				t.Errorf("the summary lists the eleventh removal")
			}
			if strings.Contains(a, " more (") {
				t.Errorf("--all still leaves changes out")
			}
			for _, op := range []state.Op{state.OpCreate, state.OpUpdate, state.OpRemove} {
				mark := fmt.Sprintf(strings.TrimSuffix(tc.item, "%s ("), opMark[op], op)
				if tc.format == "markdown" {
					mark = fmt.Sprintf("- `%s` %s ", opMark[op], op)
				}
				if got, want := strings.Count(a, mark), bigCounts[string(op)]; got != want {
					t.Errorf("--all lists %d %q changes, want %d", got, mark, want)
				}
			}
			note := strings.Repeat("A long private note. ", 40)
			if strings.Contains(s, note[:summaryValue+1]) || !strings.Contains(a, note) {
				t.Errorf("the summary should cut a long value, --all show it whole")
			}
		})
	}
	var js bytes.Buffer
	if err := r.Write(&js, "json", Options{}); err != nil {
		t.Fatal(err)
	}
	var back Run
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Targets[0].Changes) != total || len(back.JobChanges) != 25 {
		t.Errorf("JSON holds %d changes and %d job changes (%v), want all %d and 25", len(back.Targets[0].Changes), len(back.JobChanges), err, total)
	}
}

// GitHub refuses a comment over 65,536 characters: the Markdown of a
// 2,781-change diff must fit by default.
func TestMarkdownFitsAGitHubComment(t *testing.T) {
	for name, r := range map[string]*Run{"diff": func() *Run { g, o := bigRun(true); return NewRun(g, o) }(), "sync": bigSync()} {
		var b bytes.Buffer
		if err := r.Write(&b, "markdown", Options{}); err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(b.String())); n >= 65536 {
			t.Errorf("%s: the Markdown summary is %d characters, over GitHub's 65,536", name, n)
		}
		var all bytes.Buffer
		if err := r.Write(&all, "markdown", Options{All: true}); err != nil {
			t.Fatal(err)
		}
		if all.Len() <= 65536 {
			t.Errorf("%s: --all is %d bytes: the fixture is too small to test the limit", name, all.Len())
		}
	}
}

// The job changes section comes before the field-level changes in every
// format, and is not there at all when there are none.
func TestJobChangesSection(t *testing.T) {
	marker := map[string][2]string{
		"text":     {"job changes (", "target phone"},
		"markdown": {"## job changes (", "## target phone"},
		"json":     {`"job_changes"`, `"targets"`},
		"html":     {`id="job-changes"`, `id="changes"`},
	}
	for format, m := range marker {
		t.Run(format, func(t *testing.T) {
			g, o := bigRun(true)
			var b bytes.Buffer
			if err := NewRun(g, o).Write(&b, format, Options{}); err != nil {
				t.Fatal(err)
			}
			s := b.String()
			at, changes := strings.Index(s, m[0]), strings.Index(s, m[1])
			if at < 0 || changes < 0 || at > changes {
				t.Errorf("job changes at %d, changes at %d: want the section first", at, changes)
			}
			if !strings.Contains(s, "CTO") || !strings.Contains(s, "2026-03-01") {
				t.Errorf("the job changes lack their position or date")
			}
			o.JobChanges = nil
			b.Reset()
			if err := NewRun(g, o).Write(&b, format, Options{}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), m[0]) || strings.Contains(strings.ToLower(b.String()), "job change") {
				t.Errorf("a report without job changes has the section")
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 4536: "4,536", 1234567: "1,234,567", -2781: "-2,781"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// firstByName picks, of each group, the items byName puts first, in its
// order: equal names, names equal but for case and accents, equal
// tie-breakers, and k above a group's size among them.
func TestFirstByName(t *testing.T) {
	names := []string{"Émile Zola", "emile zola", "Emile Zola", "Ada", "ada", "Zoë", "Zoe", "", "Ōno", "Bob", "bob", "Ålborg"}
	col := newCollator()
	for _, tc := range []struct {
		n, k, groups int
	}{{0, 3, 1}, {1, 1, 1}, {40, 1, 1}, {40, 3, 2}, {500, 10, 4}, {500, 10, 8}, {30, 50, 3}, {2000, 10, 1}} {
		t.Run(fmt.Sprintf("n%d_k%d_groups%d", tc.n, tc.k, tc.groups), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.k)))
			type item struct {
				group     int
				name, tie string
			}
			items := make([]item, tc.n)
			for i := range items {
				items[i] = item{rng.IntN(tc.groups), names[rng.IntN(len(names))], fmt.Sprint(rng.IntN(3))}
			}
			at := func(i int) (int, string, string) { return items[i].group, items[i].name, items[i].tie }
			var want []int
			seen := map[int]int{}
			for _, i := range byName(tc.n, at, col) {
				if seen[items[i].group] < tc.k {
					seen[items[i].group]++
					want = append(want, i)
				}
			}
			if got := firstByName(tc.n, tc.k, at, col); !slices.Equal(got, want) {
				t.Errorf("firstByName = %v\nwant byName's first %d of each group: %v", got, tc.k, want)
			}
		})
	}
}
