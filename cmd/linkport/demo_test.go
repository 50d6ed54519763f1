package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/carddav"
)

// demo --serve keeps the server up for a real client until interrupted.
func TestDemoServe(t *testing.T) {
	env(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"demo", "--serve"}, pw, io.Discard)
		pw.Close()
	}()
	var book, example, exampleLine string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "148 cards are in ") {
			book = strings.TrimPrefix(line, "148 cards are in ")
		}
		if name, ok := strings.CutPrefix(line, "For example, the NOTE on "); ok {
			example = strings.TrimSuffix(name, "'s card:")
			if sc.Scan() {
				exampleLine = strings.TrimSpace(sc.Text())
			}
		}
		if strings.HasPrefix(line, "Serving until Ctrl-C") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if book == "" {
		t.Fatal("demo --serve did not say where the cards are")
	}
	client, err := carddav.NewClient(http.DefaultClient, book)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(book)
	files, err := client.ReadDir(ctx, u.Path, false) // PROPFIND Depth 1, as a client subscribing does
	if err != nil {
		t.Fatal(err)
	}
	var cards []string
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".vcf") {
			cards = append(cards, f.Path)
		}
	}
	if len(cards) != 148 {
		t.Fatalf("a CardDAV client sees %d cards, want 148", len(cards))
	}
	obj, err := client.GetAddressObject(ctx, cards[0])
	if err != nil || obj.Card.Value("UID") == "" {
		t.Errorf("GET a card: %v", err)
	}
	// The card the demo quotes carries that enrichment, as a client sees it.
	if example == "" || exampleLine == "" {
		t.Fatal("demo did not show what the archive added to a card")
	}
	found := false
	for _, p := range cards {
		obj, err := client.GetAddressObject(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if obj.Card.Value("FN") == example {
			found = true
			if note := obj.Card.Value("NOTE"); !strings.Contains(note, exampleLine) {
				t.Errorf("%s's card NOTE %q lacks %q", example, note, exampleLine)
			}
		}
	}
	if !found {
		t.Errorf("no card for %s", example)
	}
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("demo --serve exit %d after Ctrl-C, want 0", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo --serve did not stop on cancel")
	}
}
