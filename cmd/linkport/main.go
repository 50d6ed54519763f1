// Command linkport keeps a LinkedIn network in places its owner controls:
// it reads a LinkedIn data export, reconciles it into one contact graph,
// diffs that against a state file and pushes only the changes to targets
// (CardDAV, webhook, CSV/vCard files).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
