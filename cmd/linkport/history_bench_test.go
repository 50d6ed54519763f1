//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHistory30k is the history at LinkedIn's cap: the 30,000
// connections (+ 10,000 contacts) of benchExport, observed in five
// archives (four older ones with moves, emails since hidden and people
// since gone). It reports the history's size on disk and what it adds to
// a nightly diff: the history's work (read the file, observe the export,
// fill last-known values and positions, find new job changes), timed with
// the same exported calls Run makes, serially (Run reads the file while it
// identifies people), against the whole diff's time, which includes it:
// wall time, and the process's CPU time, which the other tenants of a
// shared machine disturb less.
func BenchmarkHistory30k(b *testing.B) {
	dir, cfg := benchExport(b)
	statePath := filepath.Join(dir, "state.json")
	read := func() *mapping.Graph {
		exp, err := linkedin.Open(filepath.Join(dir, "export"), linkedin.Options{}).Read(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		return mapping.Reconcile(exp, mapping.Options{})
	}
	snap, err := state.Load(statePath)
	if err != nil {
		b.Fatal(err)
	}
	g := read()
	snap.Identify(g)
	h, err := snap.History()
	if err != nil {
		b.Fatal(err)
	}
	for k, date := range []string{"2021-06-01", "2022-06-01", "2023-06-01", "2024-06-01"} {
		old := &mapping.Graph{Stats: g.Stats}
		for i, p := range g.People {
			if i%50 == k {
				continue // not yet, or no longer, a connection
			}
			cp := *p
			if i%20 == k {
				cp.Company, cp.Title = fmt.Sprintf("Earlier Employer %d", i%300), "Associate"
			}
			if i%5 == 0 && k < 2 {
				cp.Emails = []string{fmt.Sprintf("person%d@example.org", i)}
			}
			old.People = append(old.People, &cp)
		}
		h.Observe(old, date)
	}
	if err := snap.Save(statePath); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(statePath + ".history")
	if err != nil {
		b.Fatal(err)
	}
	size := fi.Size()

	var diff, hist, load, observe, diffCPU, histCPU time.Duration
	for b.Loop() {
		start, c0 := time.Now(), cpuTime()
		if code := run(context.Background(), []string{"diff", "-c", cfg, "-q", "--format", "json"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("diff exit %d", code)
		}
		diff += time.Since(start)
		diffCPU += cpuTime() - c0

		g := read()
		s, err := state.Load(statePath)
		if err != nil {
			b.Fatal(err)
		}
		s.Identify(g)
		start, c0 = time.Now(), cpuTime()
		h, err := s.History()
		if err != nil {
			b.Fatal(err)
		}
		load += time.Since(start)
		t0 := time.Now()
		obs := h.Observe(g, time.Now().Format(time.DateOnly))
		observe += time.Since(t0)
		for _, p := range g.People {
			if h.Plain(p.ID) {
				continue // as connectors' fill does
			}
			if t := h.Person(p.ID); t != nil {
				h.LastKnown(t, state.FieldEmails)
				h.LastKnown(t, state.FieldPhones)
				p.Fill().Previous = state.Previous(t.Positions())
			}
		}
		for id, before := range obs.Positions {
			state.JobChanges(id, "", before)
			state.JobChanges(id, "", h.Person(id).Positions())
		}
		hist += time.Since(start)
		histCPU += cpuTime() - c0
	}
	b.ReportMetric(float64(size)/1e6, "history-MB") // after b.Loop, which resets the metrics
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(diff), "diff-ms/op")
	b.ReportMetric(ms(load), "load-ms/op")
	b.ReportMetric(ms(observe), "observe-ms/op")
	b.ReportMetric(100*float64(hist)/float64(diff-hist), "%-added-to-diff")
	b.ReportMetric(100*float64(histCPU)/float64(diffCPU-histCPU), "%-cpu-added-to-diff")
	b.ReportMetric(ms(hist), "history-ms/op")
}
