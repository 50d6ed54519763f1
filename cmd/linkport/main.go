// Command linkport keeps a LinkedIn network in places its owner controls:
// it reads a LinkedIn data export, reconciles it into one contact graph,
// diffs that against a state file and pushes only the changes to targets
// (CardDAV, webhook, CSV/vCard files).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// exitGrace bounds how long a run may take to stop after Ctrl-C or SIGTERM.
const exitGrace = 3 * time.Second

func main() {
	harden() // before any secret is read
	// The first Ctrl-C or SIGTERM stops a sync between writes: the writes
	// in flight finish, the state is saved and the report says what was done.
	// A second one ends the process at once (the journal covers it).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
		// Whatever holds the run (a hung file system, a server that never
		// answers), it ends soon after the signal; a confirmed write is
		// in the journal already, so exiting here loses nothing.
		time.Sleep(exitGrace)
		fmt.Fprintln(os.Stderr, "linkport: interrupted, and the run did not stop in time: exiting; the journal keeps every confirmed write")
		os.Exit(exitRun)
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
