package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Options say how much a text or Markdown report shows; JSON and HTML are
// always complete.
type Options struct {
	// All lists every change, merge, warning and job change, with field
	// values in full. Without it each kind lists the first SummaryLimit by
	// name and says how many more there are.
	All bool
}

// SummaryLimit is how many changes of each kind a summary lists.
const SummaryLimit = 10

// summaryValue is how many characters of a field value a summary shows:
// one long note must not make a report unreadable or too long for a
// GitHub comment (65,536 characters).
const summaryValue = 100

// Write renders the report as "text", "markdown", "json" or "html".
func (r *Run) Write(w io.Writer, format string, opt Options) error {
	switch format {
	case "json":
		r.listAll()
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		if err := e.Encode(r); err != nil {
			return fmt.Errorf("write JSON report: %w", err)
		}
		return nil
	case "text", "":
		return r.write(w, textStyle, opt)
	case "markdown":
		return r.write(w, markdownStyle, opt)
	case "html":
		return r.writeHTML(w)
	}
	return fmt.Errorf("render report: unknown format %q (want text, json, markdown or html)", format)
}

// Kinds of change, as the report groups them: what was (or would be)
// done per operation, then each way a change did not happen.
const (
	KindCreate        = "create"
	KindUpdate        = "update"
	KindRemove        = "remove"
	KindRemoteDeleted = "remote_deleted"
	KindFailed        = "failed"
	KindHeld          = "held"
	KindNotDone       = "not_done"
	// KindMatched: not created, a card of the user's matches (adopt: suggest).
	KindMatched = "matched"
)

var kindOrder = []string{KindCreate, KindUpdate, KindRemove, KindRemoteDeleted, KindFailed, KindHeld, KindNotDone, KindMatched}

// kindOf is the group a change falls in: its status when it did not
// happen, else its operation.
func kindOf(c *Change) string {
	switch {
	case c.Status == connectors.StatusFailed:
		return KindFailed
	case c.Status == connectors.StatusHeld:
		return KindHeld
	case c.Status == connectors.StatusNotDone:
		return KindNotDone
	case c.Status == connectors.StatusMatched:
		return KindMatched
	case c.RemoteDeleted:
		return KindRemoteDeleted
	}
	return string(c.Op)
}

// kindTitle names a kind as the report's reader sees it: a dry run says
// what is planned, a sync what happened.
func kindTitle(kind string, dryRun bool) string {
	switch kind {
	case KindCreate, KindUpdate, KindRemove:
		if dryRun {
			return "to " + kind
		}
		return kind + "d"
	case KindRemoteDeleted:
		return "deleted on the target by you (left deleted)"
	case KindNotDone:
		return "not done"
	case KindMatched:
		return "already in your book (not created: linkport adopt decides)"
	}
	return kind
}

// group is one kind of change of one target, sorted by name.
type group struct {
	Kind, Title string
	// Total counts the group's changes; Changes holds them all, or the
	// first few when groups was asked for no more.
	Total   int
	Changes []*Change
}

// groups splits t's changes by kind, in kindOrder, each sorted by name
// (then ID), so a summary's first few are the same every run. With first
// > 0 a group holds only its first changes, selected instead of sorted
// and made from the outcome alone (see Target.from): a summary shows no
// more, and sorting every name was a tenth of a first diff.
func (t *Target) groups(dryRun bool, col *collate.Collator, first int) []group {
	var list []Change // every change, when all are grouped
	if first <= 0 {
		list = t.all()
	}
	n, at := t.changes()
	rank := make([]int, n)
	total := make([]int, len(kindOrder))
	for i := range n {
		c := at(i)
		rank[i] = slices.Index(kindOrder, kindOf(&c))
		total[rank[i]]++
	}
	var order []int
	if list == nil {
		order = firstByName(n, first, func(i int) (int, string, string) { c := at(i); return rank[i], c.Name, c.ID }, col)
	} else {
		order = byName(n, func(i int) (int, string, string) { return rank[i], list[i].Name, list[i].ID }, col)
	}
	sorted := make([]*Change, len(order))
	var kept []Change // the selected changes, made once each
	if list == nil {
		kept = make([]Change, len(order))
	}
	var gs []group
	for j, i := range order {
		if list != nil {
			sorted[j] = &list[i]
		} else {
			kept[j] = at(i)
			sorted[j] = &kept[j]
		}
		if j == 0 || rank[i] != rank[order[j-1]] {
			k := kindOrder[rank[i]]
			gs = append(gs, group{Kind: k, Title: kindTitle(k, dryRun), Total: total[rank[i]]})
		}
		g := &gs[len(gs)-1]
		g.Changes = sorted[j-len(g.Changes) : j+1 : j+1]
	}
	return gs
}

// newCollator sorts names as a reader expects: case and accents aside
// ("émile" beside "Emile"), not by byte.
func newCollator() *collate.Collator {
	return collate.New(language.Und, collate.IgnoreCase, collate.IgnoreDiacritics)
}

// sortedJobChanges returns the job changes sorted by name, then date.
func sortedJobChanges(js []mapping.JobChange, col *collate.Collator) []mapping.JobChange {
	order := byName(len(js), func(i int) (int, string, string) { return 0, js[i].Name, js[i].On }, col)
	sorted := make([]mapping.JobChange, len(order))
	for n, i := range order {
		sorted[n] = js[i]
	}
	return sorted
}

// byName returns the order of n items by group, then by name in col's
// order, then by a tie-breaker, then by index (so equal items keep theirs).
// Each collation key is made once, into one buffer (comparing names through
// the collator every time took a second for 40,000 people), and the sort
// moves indices, not items.
func byName(n int, at func(i int) (group int, name, tie string), col *collate.Collator) []int {
	var buf collate.Buffer
	keys := make([]byte, 0, 64*n) // key i is keys[ends[i]:ends[i+1]]
	ends := make([]int, n+1)
	order := make([]int, n)
	for i := range n {
		_, name, _ := at(i)
		keys = append(keys, col.KeyFromString(&buf, name)...)
		buf.Reset()
		ends[i+1], order[i] = len(keys), i
	}
	slices.SortFunc(order, func(i, j int) int {
		gi, _, ti := at(i)
		gj, _, tj := at(j)
		return cmp.Or(cmp.Compare(gi, gj), bytes.Compare(keys[ends[i]:ends[i+1]], keys[ends[j]:ends[j+1]]),
			strings.Compare(ti, tj), cmp.Compare(i, j))
	})
	return order
}

// firstByName returns the first k items of each group in byName's order,
// as byName would list them, without sorting all n: each name's collation
// key is made in one reused buffer and kept only while the name is among
// its group's first k.
func firstByName(n, k int, at func(i int) (group int, name, tie string), col *collate.Collator) []int {
	type entry struct {
		group int
		key   []byte
		tie   string
		i     int
	}
	var (
		buf   collate.Buffer
		top   []entry // in byName's order, at most k of each group
		count = map[int]int{}
	)
	for i := range n {
		g, name, tie := at(i)
		key := col.KeyFromString(&buf, name)
		// Items come in index order, so an equal entry already in top
		// stays before this one, as byName's last tie-breaker has it.
		pos, _ := slices.BinarySearchFunc(top, 0, func(e entry, _ int) int {
			return cmp.Or(cmp.Compare(e.group, g), bytes.Compare(e.key, key), strings.Compare(e.tie, tie), -1)
		})
		full := count[g] == k
		if !full || (pos < len(top) && top[pos].group == g) {
			var kept []byte
			if full { // the group's last entry makes way, and lends its key's bytes
				last := pos
				for last+1 < len(top) && top[last+1].group == g {
					last++
				}
				kept = top[last].key[:0]
				top = slices.Delete(top, last, last+1)
			} else {
				count[g]++
			}
			top = slices.Insert(top, pos, entry{group: g, key: append(kept, key...), tie: tie, i: i})
		}
		buf.Reset()
	}
	order := make([]int, len(top))
	for j, e := range top {
		order[j] = e.i
	}
	return order
}

// jobChangeLine is one job change in words.
func jobChangeLine(j mapping.JobChange) string {
	s := fmt.Sprintf("%s (%s): %s → %s", j.Name, j.ID, positionOrUnknown(j.From), positionOrUnknown(j.To))
	if j.On != "" {
		s += ", first seen " + j.On
	}
	return s
}

func positionOrUnknown(p mapping.Position) string {
	if s := p.String(); s != "" {
		return s
	}
	return "(no position)"
}

type style struct {
	heading func(string) string
	group   func(string) string
	item    func(string) string
	detail  func(string) string
	// more says how many a list left out; moreItem and moreDetail place
	// it as an item or as a detail line.
	more                 func(n int) string
	moreItem, moreDetail func(string) string
	// squeeze folds the blank lines headings add in a row into one.
	squeeze bool
}

var (
	textStyle = style{
		heading:    func(s string) string { return s },
		group:      func(s string) string { return s + ":" },
		item:       func(s string) string { return s },
		detail:     func(s string) string { return "    " + s },
		more:       func(n int) string { return "… and " + thousands(n) + " more (--all lists them)" },
		moreItem:   func(s string) string { return s },
		moreDetail: func(s string) string { return "    " + s },
	}
	markdownStyle = style{
		heading:    func(s string) string { return "\n## " + mdEscape(s) + "\n" },
		group:      func(s string) string { return "\n### " + mdEscape(s) + "\n" },
		item:       func(s string) string { return "- `" + s[:1] + "` " + mdEscape(s[2:]) },
		detail:     func(s string) string { return "  - " + mdEscape(s) },
		more:       func(n int) string { return "… and " + thousands(n) + " more (`--all` lists them)" },
		moreItem:   func(s string) string { return "- " + s },
		moreDetail: func(s string) string { return "  - " + s },
		squeeze:    true,
	}
)

// bidiControls are the characters that reorder the text around them: in a
// stranger's name they could make a report line read other than it is
// (Trojan Source), so text and Markdown show them by their code point.
var bidiControls = strings.NewReplacer("\u202a", "<U+202A>", "\u202b", "<U+202B>", "\u202c", "<U+202C>", "\u202d", "<U+202D>",
	"\u202e", "<U+202E>", "\u2066", "<U+2066>", "\u2067", "<U+2067>", "\u2068", "<U+2068>", "\u2069", "<U+2069>")

// visible is a stranger's text as a text or Markdown report shows it.
func visible(s string) string { return bidiControls.Replace(s) }

// mdEscaper neutralises Markdown and HTML in names and values, which
// strangers type: a report must not render a link or an image from them.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`, "!", `\!`)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

var opMark = map[state.Op]string{state.OpCreate: "+", state.OpUpdate: "~", state.OpRemove: "-"}

// write renders text or Markdown: the counts per target in full, and of
// each kind of change the first SummaryLimit by name unless opt.All.
func (r *Run) write(w io.Writer, st style, opt Options) error {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	// list writes the first few of n items (all with opt.All), then how
	// many more, placed by wrap.
	list := func(n int, wrap func(string) string, each func(i int)) {
		shown := n
		if !opt.All {
			shown = min(n, SummaryLimit)
		}
		for i := range shown {
			each(i)
		}
		if shown < n {
			line(wrap(st.more(n - shown)))
		}
	}
	value := func(s string) string {
		if !opt.All && utf8.RuneCountInString(s) > summaryValue {
			rs := []rune(s)
			return strconv.Quote(string(rs[:summaryValue])) + "…"
		}
		return strconv.Quote(s)
	}
	col := newCollator()
	g := r.Graph
	title := "linkport sync"
	switch {
	case r.Stopped != "":
		title = "linkport sync stopped before any write: " + r.Stopped
	case r.DryRun:
		title = "linkport diff (dry run: nothing was written)"
	}
	line(st.heading(title))
	line(fmt.Sprintf("graph: %d people from %d connections and %d contacts (%d merged); %d without email; %d hidden members skipped; %d organisations",
		g.People, g.Connections, g.Contacts, g.Merged, g.EmailMissing, g.HiddenMembers, g.Organizations))
	if r.Forgotten > 0 {
		line(fmt.Sprintf("forgotten: %d skipped (linkport forget; linkport unforget lifts it)", r.Forgotten))
	}
	var byName []mapping.Merge
	for _, m := range r.Merges {
		if m.By == "name" {
			byName = append(byName, m)
		}
	}
	list(len(byName), st.moreDetail, func(i int) {
		line(st.detail(visible(fmt.Sprintf("merged by name: %s into %s", byName[i].Record, byName[i].Into))))
	})
	if len(r.Warnings) > 0 {
		line(st.heading(fmt.Sprintf("warnings (%d)", len(r.Warnings))))
		list(len(r.Warnings), st.moreDetail, func(i int) { line(st.detail(visible(r.Warnings[i]))) })
	}
	if len(r.JobChanges) > 0 {
		js := sortedJobChanges(r.JobChanges, col)
		line(st.heading(fmt.Sprintf("job changes (%d)", len(js))))
		list(len(js), st.moreDetail, func(i int) { line(st.detail(visible(jobChangeLine(js[i])))) })
	}
	verb := map[bool][3]string{true: {"to create", "to update", "to remove"}, false: {"created", "updated", "removed"}}[r.DryRun]
	for _, t := range r.Targets {
		line(st.heading(fmt.Sprintf("target %s (%s): %d %s, %d %s, %d %s, %d unchanged",
			visible(t.Name), t.Type, t.Create, verb[0], t.Update, verb[1], t.Remove, verb[2], t.Unchanged)))
		if t.Conflicts+t.RemoteDeleted+t.Failed+t.Held+t.NotDone > 0 {
			line(fmt.Sprintf("  %d conflicts, %d deleted on the target by you (left deleted), %d failed, %d held, %d not done",
				t.Conflicts, t.RemoteDeleted, t.Failed, t.Held, t.NotDone))
		}
		if t.MatchedCertain+t.MatchedPossible+t.Adopted > 0 {
			line(fmt.Sprintf("  already in your book: %d certain, %d possible (not created: linkport adopt); %d %s your cards",
				t.MatchedCertain, t.MatchedPossible, t.Adopted, map[bool]string{true: "to link to", false: "linked to"}[r.DryRun]))
		}
		list(len(t.RemoteChanged), st.moreDetail, func(i int) {
			rc := t.RemoteChanged[i]
			line(st.detail(visible(fmt.Sprintf("changed on the target since the last run: %s (%s)", rc.Name,
				map[bool]string{true: "deleted", false: "edited"}[rc.Deleted]))))
		})
		if t.Error != "" {
			line(st.detail("error: " + t.Error))
		}
		first := SummaryLimit // list shows no more
		if opt.All {
			first = 0
		}
		for _, gr := range t.groups(r.DryRun, col, first) {
			line(st.group(fmt.Sprintf("%s (%d)", gr.Title, gr.Total)))
			list(gr.Total, st.moreItem, func(i int) {
				c := gr.Changes[i]
				if c.Status == connectors.StatusMatched {
					line(st.item(fmt.Sprintf("= %-6s %s (%s)", "in book", visible(c.Name), c.ID)))
					line(st.detail(visible(c.Error) + " (linkport adopt --accept " + c.ID + " links it)"))
					return
				}
				line(st.item(fmt.Sprintf("%s %-6s %s (%s)", opMark[c.Op], c.Op, visible(c.Name), c.ID)))
				for _, f := range sortedKeys(c.Fields) {
					ch := c.Fields[f]
					line(st.detail(fmt.Sprintf("%s: %s → %s", f, value(ch.Old), value(ch.New))))
				}
				if len(c.Conflicts) > 0 {
					line(st.detail("conflict, kept your edit on the target: " + strings.Join(c.Conflicts, ", ")))
				}
				if c.RemoteDeleted {
					line(st.detail("you deleted it on the target: left deleted"))
				}
				switch c.Status {
				case connectors.StatusFailed:
					line(st.detail("failed: " + c.Error))
				case connectors.StatusHeld:
					line(st.detail("held: " + c.Error))
				case connectors.StatusNotDone:
					line(st.detail("not done: " + c.Reason))
				}
			})
		}
	}
	out := b.String()
	for st.squeeze && strings.Contains(out, "\n\n\n") {
		out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
	}
	if _, err := io.WriteString(w, out); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func sortedKeys(m map[string]mapping.Change) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// thousands writes n with a comma between each group of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
