package main

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

// benchExport writes a 30,000-connection + 10,000-contact export (LinkedIn's
// cap) and a config whose csv target already holds it, as on a nightly run.
func benchExport(b *testing.B) (dir, cfg string) {
	b.Helper()
	dir = b.TempDir()
	files := linkedintest.Generate(linkedintest.GenOptions{Seed: 30, Connections: 30000, Contacts: 10000})
	if err := linkedintest.WriteDir(filepath.Join(dir, "export"), files); err != nil {
		b.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfgPath, []byte("source:\n  path: "+filepath.Join(dir, "export")+"\nstate: "+filepath.Join(dir, "state.json")+
		"\nmax_delete: 100%\ntargets:\n  backup:\n    type: csv\n    path: "+filepath.Join(dir, "out.csv")+"\n"), 0o600)
	if code := run(context.Background(), []string{"sync", "-c", cfgPath, "-q"}, io.Discard, io.Discard); code != 0 {
		b.Fatalf("setup sync exit %d", code)
	}
	return dir, cfgPath
}

// readCSVFiles is the floor: encoding/csv merely reading the same files.
func readCSVFiles(b *testing.B, dir string) {
	for _, name := range []string{"Connections.csv", "Contacts.csv"} {
		f, err := os.Open(filepath.Join(dir, "export", name))
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord, r.ReuseRecord, r.LazyQuotes = -1, true, true // the preamble has 1 field
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
}

// BenchmarkDiff30k times the whole `linkport diff` (read, reconcile, load
// the state, identify, diff, render) in-process, against encoding/csv
// reading the same two files in the same run.
func BenchmarkDiff30k(b *testing.B) {
	dir, cfg := benchExport(b)
	var diff, floor time.Duration
	for b.Loop() {
		start := time.Now()
		if code := run(context.Background(), []string{"diff", "-c", cfg, "-q", "--format", "json"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("diff exit %d", code)
		}
		diff += time.Since(start)
		start = time.Now()
		readCSVFiles(b, dir)
		floor += time.Since(start)
	}
	b.ReportMetric(float64(diff)/float64(floor), "x-encoding/csv")
}

// BenchmarkDiffProcess runs the built binary the way a user does and
// reports its peak RSS (through GNU time: a child forked from this large
// test process would inherit its high-water mark at exec), and its time
// against Python's csv module merely reading the two files (when python3
// is installed), both as processes.
func BenchmarkDiffProcess(b *testing.B) {
	dir, cfg := benchExport(b)
	bin := filepath.Join(b.TempDir(), "linkport")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	py, pyErr := exec.LookPath("python3")
	pyScript := "import csv,sys\nfor f in sys.argv[1:]:\n  for row in csv.reader(open(f, newline='', encoding='utf-8')): pass\n"
	gnuTime, timeErr := exec.LookPath("/usr/bin/time")
	var lp, pyt time.Duration
	var rssKB int
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(bin, "diff", "-c", cfg, "-q", "--format", "json")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		lp += time.Since(start)
		if timeErr == nil {
			c := exec.Command(gnuTime, "-f", "%M", bin, "diff", "-c", cfg, "-q", "--format", "json")
			var rss strings.Builder
			c.Stderr = &rss // GNU time's %M, alone on the last line
			if err := c.Run(); err != nil {
				b.Fatalf("%v: %s", err, rss.String())
			}
			kb, _ := strconv.Atoi(strings.TrimSpace(rss.String()))
			rssKB = max(rssKB, kb)
		}
		if pyErr == nil {
			start = time.Now()
			if out, err := exec.Command(py, "-c", pyScript, filepath.Join(dir, "export", "Connections.csv"),
				filepath.Join(dir, "export", "Contacts.csv")).CombinedOutput(); err != nil {
				b.Fatalf("python: %v\n%s", err, out)
			}
			pyt += time.Since(start)
		}
	}
	if timeErr == nil {
		b.ReportMetric(float64(rssKB)/1024, "peak-RSS-MB")
	}
	if pyErr == nil {
		b.ReportMetric(float64(lp)/float64(pyt), "x-python-csv")
	}
}
