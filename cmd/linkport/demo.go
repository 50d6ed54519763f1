package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/configs"
	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/carddav/davmem"
	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
	"github.com/linkport/linkport/state"
)

// demoCmd syncs the bundled sample export into an in-process CardDAV server
// through the same pipeline as a real sync, twice.
func (a *app) demoCmd() *cobra.Command {
	var serve bool
	var addr, html string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Sync the bundled sample export into an in-process CardDAV server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.demo(cmd.Context(), addr, html, serve)
		},
	}
	cmd.Flags().BoolVar(&serve, "serve", false, "keep the server up for a real client (Thunderbird, DAVx5) until Ctrl-C")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "where the CardDAV server listens")
	cmd.Flags().StringVar(&html, "html", "", "write the first sync's report as an HTML page to this file (open it in a browser)")
	return cmd
}

func (a *app) demo(ctx context.Context, addr, html string, serve bool) error {
	backend := davmem.NewBackend()
	book := backend.AddBook("linkedin", "LinkedIn")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError{fmt.Errorf("demo: listen on %s: %w", addr, err)}
	}
	srv := &http.Server{Handler: backend.Handler()}
	go srv.Serve(ln)
	defer srv.Close()
	bookURL := "http://" + ln.Addr().String() + book

	dir, err := os.MkdirTemp("", "linkport-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	exp, err := linkedin.FromZipBytes(configs.SampleExport(), "Basic_LinkedInDataExport_sample.zip", linkedin.Options{}).Read(ctx)
	if err != nil {
		return fmt.Errorf("demo: read the sample export: %w", err)
	}
	g := mapping.Reconcile(exp, mapping.Options{})
	ego := enrich.Enrich(g, exp)
	spec := connectors.Spec{Name: "demo", Type: "carddav", Shape: connectors.DefaultShape(),
		Open: func(ctx context.Context, _ func() ([]*mapping.Contact, error)) (connectors.Target, error) {
			return carddav.New(ctx, carddav.Options{URL: bookURL}, a.log)
		}}
	opt := connectors.RunOptions{StatePath: filepath.Join(dir, "state.json"), Targets: []connectors.Spec{spec}, Limit: state.DefaultLimit, RenameLimit: state.DefaultRenameLimit}

	fmt.Fprintf(a.stdout, "linkport demo: the bundled sample export (invented people) into the CardDAV address book %s\n\n", bookURL)
	fmt.Fprintln(a.stdout, "== first sync ==")
	first := a.g
	if html != "" {
		a.g.format, a.g.output = "html", html
	}
	err = a.run(ctx, g, opt)
	a.g = first
	if err != nil {
		return err
	}
	if html != "" {
		fmt.Fprintf(a.stdout, "the report of the first sync is in %s\n", html)
	}
	fmt.Fprintln(a.stdout, "\n== second sync: the same export, so nothing changes ==")
	if err := a.run(ctx, g, opt); err != nil {
		return err
	}
	a.demoEnrichment(g, ego)
	n := len(backend.Cards(book))
	if !serve {
		fmt.Fprintf(a.stdout, "\n%d cards were written to the demo server, which stops with the demo.\n", n)
		fmt.Fprintf(a.stdout, "To look at them in Thunderbird or DAVx5, run\n  %s demo --serve\nand add the address book URL it prints (no password); Ctrl-C stops it.\n", selfCommand())
		return nil
	}
	fmt.Fprintf(a.stdout, "\n%d cards are in %s\n", n, bookURL)
	fmt.Fprintln(a.stdout, "Serving until Ctrl-C: add that URL as a CardDAV address book in Thunderbird or DAVx5 (any user name, no password).")
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	return ctx.Err()
}

// demoEnrichment says what the rest of the sample archive added to the
// cards, with the card of the person it says most about as the example.
func (a *app) demoEnrichment(g *mapping.Graph, ego *enrich.Ego) {
	s := ego.Stats
	fmt.Fprintf(a.stdout, "\nThe rest of the archive reached the cards: %d messages, %d invitations, %d notes, %d endorsements, %d recommendations matched people.\n",
		s.Messages.Matched, s.Invitations.Matched, s.Notes.Matched, s.Endorsements.Matched, s.Recommendations.Matched)
	var best *mapping.Contact
	var bestLines []string
	bestScore := 0
	shape := connectors.DefaultShape() // quote the card as it was sent
	for _, c := range g.People {
		c = shape(c)
		lines := mapping.EnrichmentLines(c)
		score := len(lines) // a last contact and a note show the most
		if c.Extras().LastContacted != "" {
			score += 3
		}
		if len(c.Extras().Notes) > 0 {
			score += 2
		}
		if score > bestScore || (score == bestScore && best != nil && c.ID < best.ID) {
			best, bestLines, bestScore = c, lines, score
		}
	}
	if best == nil {
		return
	}
	fmt.Fprintf(a.stdout, "For example, the NOTE on %s's card:\n", best.Name)
	for _, l := range bestLines {
		fmt.Fprintf(a.stdout, "    %s\n", l)
	}
}

// selfCommand is how the user ran linkport, for the next steps a command
// prints: `go run ./cmd/linkport` before any binary is installed.
func selfCommand() string {
	if exe, err := os.Executable(); err == nil && strings.Contains(exe, "go-build") {
		return "go run ./cmd/linkport"
	}
	return "linkport"
}
