package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fileStamp is a file's content and modification time.
type fileStamp struct {
	data  []byte
	mtime time.Time
}

// stamps reads every file under the dirs.
func stamps(t *testing.T, dirs ...string) map[string]fileStamp {
	t.Helper()
	out := map[string]fileStamp{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			fi, err := e.Info()
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			out[p] = fileStamp{b, fi.ModTime()}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestNoopSyncWritesNothing: a second sync of the same export into a full
// CSV file leaves every file of the state and the target as it was, its
// modification time too, and only adds the stamp that remembers it; the
// third (recalled) writes nothing at all. Each reports everyone unchanged.
func TestNoopSyncWritesNothing(t *testing.T) {
	dir := env(t)
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	stateDir, outDir := filepath.Join(dir, "state"), filepath.Join(dir, "out")
	cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(stateDir, "state.json")+
		"\ntargets:\n  backup:\n    type: csv\n    profile: generic\n    path: "+filepath.Join(outDir, "contacts.csv")+"\n")
	if code, _, errs := runCLI(t, "sync", "-c", cfg, "--format", "json"); code != exitOK {
		t.Fatalf("first sync exit %d: %s", code, errs)
	}
	before := stamps(t, stateDir, outDir)
	for _, name := range []string{"state.json", "state.json.sent", "contacts.csv"} {
		if !hasFile(before, name) {
			t.Fatalf("after the first sync there is no %s: %v", name, stampNames(before))
		}
	}
	// Coarse file systems keep mtimes in whole seconds: a rewrite must be
	// able to show.
	time.Sleep(1100 * time.Millisecond)

	code, stdout, errs := runCLI(t, "sync", "-c", cfg, "--format", "json")
	if code != exitOK {
		t.Fatalf("second sync exit %d: %s", code, errs)
	}
	if r := decodeReport(t, stdout); len(r.Targets) != 1 || len(r.Targets[0].Changes) != 0 || r.Targets[0].Unchanged != 6 {
		t.Fatalf("second sync report: %+v", r.Targets)
	}
	second := stamps(t, stateDir, outDir)
	unchanged(t, before, second, "state.json.stamp")
	time.Sleep(1100 * time.Millisecond)
	code, text, errs := runCLI(t, "sync", "-c", cfg, "-v")
	if code != exitOK || !strings.Contains(text, "6 unchanged") || !strings.Contains(errs, recalledLine) {
		t.Fatalf("third sync (exit %d) does not say 6 unchanged, recalled:\n%s%s", code, text, errs)
	}
	unchanged(t, second, stamps(t, stateDir, outDir))
}

// unchanged fails for every file of before that changed in after, and for
// every file new in after but those named.
func unchanged(t *testing.T, before, after map[string]fileStamp, mayAppear ...string) {
	t.Helper()
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			t.Errorf("%s is gone", p)
		case !bytes.Equal(a.data, b.data):
			t.Errorf("%s changed", p)
		case !a.mtime.Equal(b.mtime):
			t.Errorf("%s was rewritten (mtime %v, was %v)", p, a.mtime, b.mtime)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok && !slices.Contains(mayAppear, filepath.Base(p)) {
			t.Errorf("%s is new", p)
		}
	}
}

func hasFile(m map[string]fileStamp, name string) bool {
	for p := range m {
		if filepath.Base(p) == name {
			return true
		}
	}
	return false
}

func stampNames(m map[string]fileStamp) []string {
	var out []string
	for p := range m {
		out = append(out, filepath.Base(p))
	}
	return out
}

// BenchmarkNoopSync30k times a sync that has nothing to do (the state of a
// sync of the same export into a CSV file) against the nightly diff, in
// the same run: its goal is at most the diff.
func BenchmarkNoopSync30k(b *testing.B) {
	_, cfg := benchExport(b)
	var syncT, diffT time.Duration
	for b.Loop() {
		start := time.Now()
		if code := run(context.Background(), []string{"sync", "-c", cfg, "-q", "--format", "json"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("sync exit %d", code)
		}
		syncT += time.Since(start)
		start = time.Now()
		if code := run(context.Background(), []string{"diff", "-c", cfg, "-q", "--format", "json"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("diff exit %d", code)
		}
		diffT += time.Since(start)
	}
	b.ReportMetric(float64(syncT)/float64(diffT), "x-diff")
}
