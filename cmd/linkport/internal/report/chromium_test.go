package report

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// findChromium returns a Chromium or Chrome binary. It skips when there is
// none, unless LINKPORT_REQUIRE_SERVERS=1 (CI installs chromium), as the
// Radicale tests do.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if bin, err := exec.LookPath(name); err == nil {
			return bin
		}
	}
	if os.Getenv("LINKPORT_REQUIRE_SERVERS") == "1" {
		t.Fatalf("chromium not installed (apt-get install chromium), and LINKPORT_REQUIRE_SERVERS=1")
	}
	t.Skip("chromium not installed")
	return ""
}

// proxy is an HTTP proxy that answers nothing and writes down the host of
// every request the browser sends it: the browser is told to send it
// everything, so a page that fetched anything would show up here.
type proxy struct {
	addr  string
	mu    sync.Mutex
	hosts []string
}

func startProxy(t *testing.T) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
				line, _ := bufio.NewReader(c).ReadString('\n')
				f := strings.Fields(line) // "CONNECT host:443 HTTP/1.1" or "GET http://host/path HTTP/1.1"
				if len(f) < 2 {
					return
				}
				host := f[1]
				if u, err := url.Parse(f[1]); err == nil && u.Host != "" {
					host = u.Host
				}
				if h, _, err := net.SplitHostPort(host); err == nil {
					host = h
				}
				p.mu.Lock()
				p.hosts = append(p.hosts, host)
				p.mu.Unlock()
			}()
		}
	}()
	return p
}

func (p *proxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}

// browserOwn are the hosts headless Chromium asks by itself (component
// updates, network time, sign-in, connectivity checks) whatever the page,
// flags or not; a web font would be the page's, and fails. A
// report's request would name another host: the page holds no address
// but the people's profile URLs, shown as text.
func browserOwn(host string) bool {
	if strings.HasPrefix(host, "fonts.") {
		return false // a web font would be the page's doing
	}
	for _, d := range []string{".google.com", ".googleapis.com", ".gvt1.com", ".gstatic.com"} {
		if strings.HasSuffix("."+host, d) {
			return true
		}
	}
	return false
}

// chrome runs the browser headless on page with args and returns what it
// wrote on stdout and stderr; console messages (a script error, a policy
// violation) are logged on stderr as "CONSOLE" lines.
func chrome(t *testing.T, bin string, p *proxy, page string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute) // generous: both cores may be busy
	defer cancel()
	args = append([]string{"--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=" + t.TempDir(),
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--proxy-server=http://" + p.addr, "--proxy-bypass-list=<-loopback>",
		"--enable-logging=stderr", "--v=0"}, args...)
	cmd := exec.CommandContext(ctx, bin, append(args, page)...)
	cmd.WaitDelay = 10 * time.Second // a child that keeps the pipes open cannot hang the test
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(bin), err, errs.String())
	}
	return out.String(), errs.String()
}

var (
	changeRow  = regexp.MustCompile(`<tr class="change" data-kind="([a-z_]+)" data-name="([^"]*)"( hidden="")?>`)
	consoleMsg = regexp.MustCompile(`(?m)^.*:CONSOLE.*$`)
)

// checkLoaded fails unless the page's scripts ran to their end, nothing
// went wrong on it and the browser logged no console message.
func checkLoaded(t *testing.T, dom, log string) {
	t.Helper()
	if !strings.Contains(dom, `<html lang="en" data-js="ready"`) {
		t.Errorf("the page's script did not run to its end:\n%.600s", dom)
	}
	if !strings.Contains(dom, `<p id="js-errors" class="js-errors" role="alert" hidden=""></p>`) || strings.Contains(dom, `data-js-errors="`) {
		i := strings.Index(dom, `id="js-errors"`)
		t.Errorf("the page reports an error: %.400s", dom[max(i, 0):])
	}
	if m := consoleMsg.FindAllString(log, 5); m != nil {
		t.Errorf("console messages (a script error or a blocked request): %q", m)
	}
}

// rows counts the change rows of dom by kind, those shown and all.
func rows(dom string) (shown, all map[string]int, first string) {
	shown, all = map[string]int{}, map[string]int{}
	for _, m := range changeRow.FindAllStringSubmatch(dom, -1) {
		all[m[1]]++
		if m[3] == "" {
			shown[m[1]]++
			if first == "" {
				first = m[2]
			}
		}
	}
	return shown, all, first
}

// TestHTMLInChromium opens the report of a 2,781-change diff (and of a
// sync, and a graph) in a real headless Chromium: the page loads with no
// console error and no request, its DOM holds the right counts, the filter
// and the sorting work from the address's #fragment, and a screenshot is made.
func TestHTMLInChromium(t *testing.T) {
	bin := findChromium(t)
	p := startProxy(t)
	dir := t.TempDir()
	write := func(name string, render func(*bytes.Buffer) error) string {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	}
	g, o := bigRun(true)
	diff := write("diff.html", func(b *bytes.Buffer) error { return NewRun(g, o).Write(b, "html", Options{}) })
	total := bigCounts[KindCreate] + bigCounts[KindUpdate] + bigCounts[KindRemove]

	t.Run("diff", func(t *testing.T) {
		dom, log := chrome(t, bin, p, diff, "--dump-dom")
		checkLoaded(t, dom, log)
		shown, all, first := rows(dom)
		for k, n := range bigCounts {
			if shown[k] != n || all[k] != n {
				t.Errorf("%d %s rows (%d shown), want %d", all[k], k, shown[k], n)
			}
			if want := fmt.Sprintf(`data-count="%s">%s</td>`, k, thousands(n)); !strings.Contains(dom, want) {
				t.Errorf("the summary lacks %s", want)
			}
		}
		if first != `&lt;/bdi&gt;&lt;/td&gt;&lt;img src=x onerror=alert(1)&gt;` {
			t.Errorf("first row %q, want the first name in collation order, as text", first)
		}
		if want := fmt.Sprintf("showing %s of %s changes", thousands(total), thousands(total)); !strings.Contains(dom, want) {
			t.Errorf("the page does not say %q", want)
		}
		if !strings.Contains(dom, `<form id="controls" class="controls" role="search">`) {
			t.Errorf("the script did not show the search form")
		}
		if n := strings.Count(dom, `<tr class="job"`); n != len(o.JobChanges) {
			t.Errorf("%d job changes on the page, want %d", n, len(o.JobChanges))
		}
		if n := strings.Count(dom, "<rect"); n != 10+10 { // 2015-01 … 2024-12, by year: 10 bars; 10 organisations
			t.Errorf("%d bars in the charts, want 10 years and 10 organisations", n)
		}
		if strings.Contains(dom, "<img") || strings.Contains(dom, "<script>alert") {
			t.Errorf("a stranger's name became markup in the browser")
		}
	})

	t.Run("filter and sort from the fragment", func(t *testing.T) {
		dom, log := chrome(t, bin, p, diff+"#kind=remove&sort=desc&q=removed%2005", "--dump-dom")
		checkLoaded(t, dom, log)
		shown, all, first := rows(dom)
		if shown[KindRemove] != 53 || shown[KindCreate]+shown[KindUpdate] != 0 || all[KindCreate] != bigCounts[KindCreate] {
			t.Errorf("shown %v of %v, want the 53 removals 0500-0552, which match \"removed 05\"", shown, all)
		}
		if first != "Removed 0552" {
			t.Errorf("first row shown %q, want Removed 0552 (name, Z → A)", first)
		}
		if !strings.Contains(dom, "showing 53 of 2,781 changes") {
			t.Errorf("the page does not count what it shows")
		}
	})

	t.Run("sync", func(t *testing.T) {
		page := write("sync.html", func(b *bytes.Buffer) error { return bigSync().Write(b, "html", Options{}) })
		dom, log := chrome(t, bin, p, page, "--dump-dom")
		checkLoaded(t, dom, log)
		_, all, _ := rows(dom)
		want := map[string]int{KindCreate: 1100, KindUpdate: 1009, KindRemove: 551, KindFailed: 20, KindHeld: 1, KindNotDone: 100}
		for k, n := range want {
			if all[k] != n || !strings.Contains(dom, fmt.Sprintf(`data-count="%s">%s</td>`, k, thousands(n))) {
				t.Errorf("%d %s rows, want %d in the table and the summary", all[k], k, n)
			}
		}
		if !strings.Contains(dom, "<th scope=\"col\" class=\"num\">created</th>") {
			t.Errorf("a sync's summary does not say created")
		}
	})

	t.Run("graph", func(t *testing.T) {
		page := write("graph.html", func(b *bytes.Buffer) error { return WriteGraph(b, g, nil, "html") })
		dom, log := chrome(t, bin, p, page, "--dump-dom")
		checkLoaded(t, dom, log)
		if !strings.Contains(dom, `data-count="people">30,000<`) || !strings.Contains(dom, "Connections gained per year") {
			t.Errorf("the graph page lacks its counts or chart:\n%.2000s", dom)
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(t.TempDir(), "diff.png")
		_, log := chrome(t, bin, p, diff, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
		if m := consoleMsg.FindAllString(log, 5); m != nil {
			t.Errorf("console messages: %q", m)
		}
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("the screenshot is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
			t.Errorf("screenshot %v, want 1280×2000", b)
		}
		if n := colours(img); n < 8 {
			t.Errorf("the screenshot has %d colours: a blank page", n)
		}
	})

	// The control: a page that does fetch is seen by the proxy, so an
	// empty record above means the reports fetched nothing.
	t.Run("the proxy sees a page's request", func(t *testing.T) {
		page := write("canary.html", func(b *bytes.Buffer) error {
			_, err := b.WriteString(`<!DOCTYPE html><title>canary</title><img src="http://linkport-canary.invalid/p.png">`)
			return err
		})
		chrome(t, bin, p, page, "--dump-dom")
		found := false
		for _, h := range p.seen() {
			found = found || h == "linkport-canary.invalid"
		}
		if !found {
			t.Errorf("the proxy did not see the canary's request (saw %q): the request check sees nothing", p.seen())
		}
	})

	for _, h := range p.seen() {
		if h != "linkport-canary.invalid" && !browserOwn(h) {
			t.Errorf("a report page made a request to %s", h)
		}
	}
}

// colours counts the distinct colours of img, up to a hundred.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && len(seen) < 100; y += 7 {
		for x := b.Min.X; x < b.Max.X && len(seen) < 100; x += 5 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}
