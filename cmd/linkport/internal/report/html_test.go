package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// runWith is a one-change diff in which a stranger's text s is the name,
// a field value, an organisation, a warning and a job change.
func runWith(s string) *Run {
	c := &mapping.Contact{ID: "0123456789abcdef", Name: s, Company: s, ConnectedOn: "2024-05-01"}
	g := &mapping.Graph{People: []*mapping.Contact{c}, Organizations: []*mapping.Organization{{Name: s, Members: []*mapping.Contact{c}}},
		Warnings: []mapping.Warning{{File: "Connections.csv", Line: 2, Msg: s}}, Merges: []mapping.Merge{{Into: s, Record: "Contacts.csv:2", By: "name"}}}
	o := &connectors.RunOutcome{DryRun: true, JobChanges: []mapping.JobChange{{ID: c.ID, Name: s, From: mapping.Position{Company: s}, To: mapping.Position{Title: s}, On: "2026-01-01"}},
		Targets: []connectors.TargetOutcome{{Name: "book", Type: "carddav", Changes: []connectors.ChangeOutcome{{
			Change: &state.Change{Op: state.OpUpdate, Contact: c, Fields: map[string]mapping.Change{"title": {Old: s, New: s + "!"}}},
			Status: connectors.StatusPlanned}}}}}
	return NewRun(g, o)
}

// Names, values and organisations are strangers' text: the HTML shows
// them as text, never as markup, and isolated so bidi controls cannot
// reorder the page around them.
func TestHTMLEscapesStrangersText(t *testing.T) {
	tests := []struct {
		name, in string
		// want must appear (escaped text); never must not (live markup).
		want, never []string
	}{
		{"script", `<script>alert("x")</script>`, []string{`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`}, []string{"<script>alert"}},
		{"quotes in an attribute", `Ana "Bo" O'Neil`, []string{`data-name="Ana &#34;Bo&#34; O&#39;Neil"`}, []string{`data-name="Ana "Bo"`}},
		{"ampersand", "Smith & Wesson", []string{"Smith &amp; Wesson"}, []string{"Smith & Wesson"}},
		{"closing tags", `</bdi></td><img src=x onerror=alert(1)>`, []string{`&lt;/bdi&gt;&lt;/td&gt;&lt;img src=x onerror=alert(1)&gt;`}, []string{"<img", "onerror=alert(1)>"}},
		{"bidi override", "\u202eevil\u202c Mallory", []string{"<bdi>\u202eevil\u202c Mallory</bdi>"}, nil},
		{"javascript URL", "javascript:alert(1)", []string{"<bdi>javascript:alert(1)</bdi>"}, []string{`href="javascript`}},
		{"template action", "{{.Run}}", []string{"<bdi>{{.Run}}</bdi>"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := runWith(tc.in).Write(&b, "html", Options{}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(out, n) {
					t.Errorf("the page holds %q: a stranger's text became markup", n)
				}
			}
			if n := strings.Count(out, "<script"); n != 2 {
				t.Errorf("%d script elements, want linkport's own 2", n)
			}
			// Every place the text is shown as content is isolated: the
			// name, both field values, the warning, the merge, the job
			// change's name, from and to (SVG labels isolate by style).
			if n := strings.Count(out, "<bdi>"); n < 8 {
				t.Errorf("only %d <bdi> elements: some of the stranger's text is not isolated", n)
			}
			// The text and Markdown reports show bidi controls by name.
			for _, format := range []string{"text", "markdown"} {
				var tb bytes.Buffer
				if err := runWith(tc.in).Write(&tb, format, Options{}); err != nil {
					t.Fatal(err)
				}
				if strings.ContainsAny(tb.String(), "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
					t.Errorf("%s report passes a bidi control through", format)
				}
			}
		})
	}
}

// requestish is whatever would make a page fetch something: an address in
// an attribute, CSS that loads, script that talks to the network.
var requestish = regexp.MustCompile(`(?i)\b(src|href|srcset|action|formaction|poster|data|xlink:href|ping|background)\s*=|url\s*\(|@import|https?:|//[a-z0-9.-]+\.[a-z]{2,}|\bfetch\s*\(|XMLHttpRequest|sendBeacon|WebSocket|EventSource|\bimport\s*\(|new\s+Image|<link|<iframe|<object|<embed|<img|<base`)

// userText matches where the page shows user data, which may well hold
// addresses (a profile URL in a field change) as text.
var userText = regexp.MustCompile(`(?s)<bdi>.*?</bdi>|data-name="[^"]*"|<title>[^<]*</title>`)

// The page asks for nothing: outside the user's own text (which may hold
// a profile URL, shown as text) there is no address and no way to load
// one, and its policy allows only its own style and scripts, by hash.
func TestHTMLMakesNoRequest(t *testing.T) {
	g, o := bigRun(true)
	var b bytes.Buffer
	if err := NewRun(g, o).Write(&b, "html", Options{}); err != nil {
		t.Fatal(err)
	}
	var gb bytes.Buffer
	if err := WriteGraphHTML(&gb, g, nil); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`<img src=x>`, `<link rel=stylesheet href="a.css">`, `background: url(a.png)`, `@import "a.css"`,
		`fetch("/x")`, `new Image()`, `see https://evil.example`, `//cdn.example.com/x.js`} {
		if !requestish.MatchString(bad) {
			t.Errorf("the check would miss %q", bad)
		}
	}
	for name, page := range map[string]string{"diff": b.String(), "graph": gb.String()} {
		t.Run(name, func(t *testing.T) {
			if name == "diff" && !strings.Contains(page, "https://www.linkedin.com/in/person-") {
				t.Fatal("the fixture shows no profile URL: the test would not see one slip through")
			}
			rest := userText.ReplaceAllString(page, "")
			if m := requestish.FindAllString(rest, 5); m != nil {
				t.Errorf("the page could make a request: %q", m)
			}
			csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindStringSubmatch(page)
			if csp == nil {
				t.Fatal("no Content-Security-Policy meta")
			}
			policy := html.UnescapeString(csp[1])
			if !strings.HasPrefix(policy, "default-src 'none'; ") || strings.Contains(policy, "unsafe") || strings.Contains(policy, "http") {
				t.Errorf("policy %q is not default-src 'none' with hashed inline code only", policy)
			}
			// The hashes are those of the page's own style and scripts, so
			// the browser runs them (the Chromium test sees it) and nothing else.
			for _, m := range regexp.MustCompile(`(?s)<(style|script)>(.*?)</(?:style|script)>`).FindAllStringSubmatch(page, -1) {
				sum := sha256.Sum256([]byte(m[2]))
				if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(policy, h) {
					t.Errorf("the policy does not allow the page's own %s (%s)", m[1], h)
				}
			}
		})
	}
}

func TestGraphHTML(t *testing.T) {
	g, ego := fixture()
	g.People[0].ConnectedOn, g.People[1].ConnectedOn = "2020-01-02", "2021-03-03"
	var b bytes.Buffer
	if err := WriteGraph(&b, g, ego, "html"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`data-count="people">3<`, "Acme &amp; &lt;Co&gt;", "Connections gained per month", "<svg", "Top organisations",
		"You are <bdi>Me</bdi>", `<th scope="row">invitations</th><td class="num">1</td><td class="num">1</td>`} {
		if !strings.Contains(out, want) {
			t.Errorf("the graph page lacks %q", want)
		}
	}
	// 2020-01 to 2021-03: fifteen months, each a bar, empty ones too.
	if n := strings.Count(out, "<rect"); n != 15+1 {
		t.Errorf("%d bars, want 15 months and 1 organisation", n)
	}
}

func TestGainedChart(t *testing.T) {
	at := func(dates ...string) []*mapping.Contact {
		var cs []*mapping.Contact
		for _, d := range dates {
			cs = append(cs, &mapping.Contact{ConnectedOn: d})
		}
		return cs
	}
	tests := []struct {
		name   string
		people []*mapping.Contact
		title  string
		bars   []Bar
	}{
		{"none", at("", "bad", "2024-13-01"), "", nil},
		{"months, gaps drawn", at("2024-01-05", "2024-03-01", "2024-03-30", "x"), "Connections gained per month",
			[]Bar{{Label: "2024-01", Value: 1}, {Label: "2024-02"}, {Label: "2024-03", Value: 2}}},
		{"years past four", at("2010-06-01", "2015-01-01", "2015-12-31"), "Connections gained per year",
			[]Bar{{Label: "2010", Value: 1}, {Label: "2011"}, {Label: "2012"}, {Label: "2013"}, {Label: "2014"}, {Label: "2015", Value: 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := GainedChart(tc.people)
			if tc.bars == nil {
				if c != nil {
					t.Fatalf("a chart of nothing: %+v", c)
				}
				return
			}
			if c == nil || c.Title != tc.title || len(c.Bars) != len(tc.bars) {
				t.Fatalf("chart %+v, want %q with %d bars", c, tc.title, len(tc.bars))
			}
			for i, b := range tc.bars {
				got := c.Bars[i]
				if got.Label != b.Label || got.Value != b.Value || got.X+got.W > c.Width || got.Y+got.H > chartPlot || (b.Value > 0) != (got.H > 0) {
					t.Errorf("bar %d = %+v, want %s: %d inside the plot", i, got, b.Label, b.Value)
				}
			}
		})
	}
}
