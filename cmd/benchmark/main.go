// Command benchmark measures linkport the way the performance issue asks:
// it generates an export, builds the linkport binary and times, side by
// side in one run and each several times (the median is kept), a Go
// reference reader (encoding/csv) and the Python interpreter's csv module
// merely reading Connections.csv and Contacts.csv, then `linkport diff`
// without and with a state, and a no-op `linkport sync` into a CSV target.
// It prints each ratio with its goal and every process's peak RSS.
//
//	go run ./cmd/benchmark                    # 30,000 connections + 10,000 contacts
//	go run ./cmd/benchmark -people 150000     # linear growth
//	go run ./cmd/benchmark -messages 120      # plus a heavy user's 120 MB messages.csv
//	go run ./cmd/benchmark -syncs             # plus a first sync and the sync of a new export
//	go run ./cmd/benchmark -against old/linkport   # a second binary, measured in the same run
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
)

// Internal modes: the same binary re-executed as a child, so what is
// measured (and generating the export) never shares the measuring process.
const (
	modeGenerate = "internal-generate"
	modeRead     = "internal-read-csv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		slog.Error("benchmark", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case modeRead:
			return readCSV(args[1:])
		case modeGenerate:
			if len(args) != 5 {
				return errors.New("internal-generate: want dir connections contacts messagesMB")
			}
			var n [3]int
			for i, a := range args[2:] {
				v, err := strconv.Atoi(a)
				if err != nil {
					return fmt.Errorf("internal-generate: %w", err)
				}
				n[i] = v
			}
			dir, conns, contacts, mb := args[1], n[0], n[1], n[2]
			return generate(dir, conns, contacts, mb)
		}
	}
	fs := flag.NewFlagSet("benchmark", flag.ContinueOnError)
	var cfg config
	fs.IntVar(&cfg.people, "people", 40000, "people in the export, three quarters connections and a quarter contacts (LinkedIn's cap is 40000: 30,000 connections + 10,000 contacts)")
	fs.IntVar(&cfg.messagesMB, "messages", 0, "also measure with a heavy user's messages.csv of this many MB (120, 360)")
	fs.IntVar(&cfg.runs, "runs", 5, "runs of each measurement; the median is kept")
	fs.StringVar(&cfg.linkport, "linkport", "", "the linkport binary to measure (default: go build ./cmd/linkport into a temporary folder)")
	fs.StringVar(&cfg.against, "against", "", "a second linkport binary (an older build, say) measured side by side in the same run")
	fs.BoolVar(&cfg.syncs, "syncs", false, "also time the syncs that write: a first sync, and the sync of the new export, each from the same start every run")
	fs.StringVar(&cfg.work, "dir", "", "work folder for the export, configs and states (default: a temporary folder, removed after)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.runs < 1 || cfg.people < 4 {
		return errors.New("-runs must be at least 1 and -people at least 4")
	}
	return bench(ctx, cfg, stdout)
}
