package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// config is what the flags ask for.
type config struct {
	people, messagesMB, runs int
	linkport, against, work  string
	syncs                    bool // also the syncs that write
}

// job is one command measured: its runs' wall times and peak RSS.
type job struct {
	label string
	bin   string
	args  []string
	// watch, when set, is a folder whose files each run must leave alone (a no-op sync).
	watch string
	// reset, when set, puts back what the run starts from (a sync that
	// writes), before each run and outside its time.
	reset func() error
	times []time.Duration
	cpus  []time.Duration // user + system CPU time of each run
	rss   int64
	wrote map[string]bool // files a run changed in watch
}

func (j *job) median() time.Duration { return median(j.times) }

func (j *job) medianCPU() time.Duration { return median(j.cpus) }

func median(ts []time.Duration) time.Duration {
	t := slices.Clone(ts)
	slices.Sort(t)
	return t[len(t)/2]
}

// linkportJobs are the measurements of one linkport binary.
type linkportJobs struct {
	name                          string // "" or "against"
	first, nightly, changed, noop *job
	firstMsgs, nightlyMsgs        *job
	firstSync, changedSync        *job
}

// all are the jobs of the set that were asked for.
func (s *linkportJobs) all() []*job {
	var out []*job
	for _, j := range []*job{s.first, s.nightly, s.changed, s.noop, s.firstMsgs, s.nightlyMsgs, s.firstSync, s.changedSync} {
		if j != nil {
			out = append(out, j)
		}
	}
	return out
}

func bench(ctx context.Context, cfg config, out io.Writer) error {
	work := cfg.work
	if work == "" {
		d, err := os.MkdirTemp("", "linkport-benchmark-")
		if err != nil {
			return fmt.Errorf("make work folder: %w", err)
		}
		defer os.RemoveAll(d)
		work = d
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program: %w", err)
	}
	conns := cfg.people * 3 / 4
	contacts := cfg.people - conns
	export := filepath.Join(work, "export")
	fmt.Fprintf(out, "generating %d connections + %d contacts", conns, contacts)
	if cfg.messagesMB > 0 {
		fmt.Fprintf(out, ", and a %d MB messages.csv", cfg.messagesMB)
	}
	fmt.Fprintln(out, " …")
	if err := runQuiet(ctx, self, modeGenerate, export, fmt.Sprint(conns), fmt.Sprint(contacts), fmt.Sprint(cfg.messagesMB)); err != nil {
		return fmt.Errorf("generate the export: %w", err)
	}
	bin := cfg.linkport
	if bin == "" {
		bin = filepath.Join(work, "bin", "linkport")
		fmt.Fprintln(out, "building ./cmd/linkport …")
		if err := runQuiet(ctx, "go", "build", "-o", bin, "./cmd/linkport"); err != nil {
			return fmt.Errorf("build linkport (run this from the repository's root): %w", err)
		}
	}
	people := []string{filepath.Join(export, "Connections.csv"), filepath.Join(export, "Contacts.csv")}

	goRef := &job{label: "encoding/csv reader (Go)", bin: self, args: append([]string{modeRead}, people...)}
	jobs := []*job{goRef}
	var pyRef *job
	py, pyWhy := python(ctx)
	if py != "" {
		pyRef = &job{label: "csv module (" + filepath.Base(py) + ")", bin: py,
			args: append([]string{"-c", "import csv, sys\nfor f in sys.argv[1:]:\n    for row in csv.reader(open(f, newline='', encoding='utf-8')): pass\n"}, people...)}
		jobs = append(jobs, pyRef)
	}
	var sets []*linkportJobs
	for _, b := range []struct{ name, bin string }{{"", bin}, {"against", cfg.against}} {
		if b.bin == "" {
			continue
		}
		set, err := prepare(ctx, work, b.name, b.bin, export, cfg.messagesMB > 0, cfg.syncs, out)
		if err != nil {
			return err
		}
		sets = append(sets, set)
		jobs = append(jobs, set.all()...)
	}
	fmt.Fprintf(out, "measuring: %d runs of each, round robin …\n", cfg.runs)
	for range cfg.runs { // round robin: noise on the shared machine hits every column alike
		for _, j := range jobs {
			if err := j.once(ctx); err != nil {
				return err
			}
		}
	}
	report(out, cfg, conns, contacts, people, goRef, pyRef, pyWhy, sets)
	return nil
}

// prepare writes the configs of one binary's runs (each binary has states
// of its own) and runs the syncs that leave the nightly state in place.
func prepare(ctx context.Context, work, name, bin, export string, msgs, syncs bool, out io.Writer) (*linkportJobs, error) {
	dir := filepath.Join(work, "runs", "linkport"+name)
	set := &linkportJobs{name: name}
	// mk writes the config of one kind of run, with a state and a target
	// of its own unless it diffs against another kind's (on).
	mk := func(kind, src string, on ...string) (string, error) {
		d := filepath.Join(dir, kind)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", fmt.Errorf("make %s: %w", d, err)
		}
		sd := d
		if len(on) > 0 {
			sd = filepath.Join(dir, on[0])
		}
		p := filepath.Join(d, "config.yaml")
		body := fmt.Sprintf("source:\n  path: %q\nstate: %q\nmax_delete: 100%%\ntargets:\n  backup:\n    type: csv\n    path: %q\n",
			src, filepath.Join(sd, "state.json"), filepath.Join(sd, "out.csv"))
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			return "", fmt.Errorf("write config: %w", err)
		}
		return p, nil
	}
	lj := func(label, cfg, cmd, watch string) *job {
		if name != "" {
			label += " [" + name + "]"
		}
		return &job{label: label, bin: bin, args: []string{cmd, "-c", cfg}, watch: watch}
	}
	first, err := mk("first", export)
	if err != nil {
		return nil, err
	}
	nightly, err := mk("nightly", export)
	if err != nil {
		return nil, err
	}
	changed, err := mk("changed", export+"-changed", "nightly")
	if err != nil {
		return nil, err
	}
	set.first = lj("linkport diff, first (no state)", first, "diff", "")
	set.nightly = lj("linkport diff, nightly (state)", nightly, "diff", "")
	set.changed = lj("linkport diff, nightly, a new export", changed, "diff", "")
	set.noop = lj("linkport sync, no-op", nightly, "sync", filepath.Dir(nightly))
	nights := []string{nightly}
	if msgs {
		heavy := export + "-messages"
		fm, err := mk("first-messages", heavy)
		if err != nil {
			return nil, err
		}
		nm, err := mk("nightly-messages", heavy)
		if err != nil {
			return nil, err
		}
		set.firstMsgs = lj("linkport diff, first + messages.csv", fm, "diff", "")
		set.nightlyMsgs = lj("linkport diff, nightly + messages.csv", nm, "diff", "")
		nights = append(nights, nm)
	}
	if syncs {
		// The syncs that write, each from the same start every run: no
		// state (everyone is created), and the nightly state with the new
		// export (its job changes are written).
		firstCfg, err := mk("first-sync", export)
		if err != nil {
			return nil, err
		}
		set.firstSync = lj("linkport sync, first (writes everyone)", firstCfg, "sync", "")
		set.firstSync.reset = func() error { return startFrom(filepath.Dir(firstCfg), "") }
		changedCfg, err := mk("changed-sync", export+"-changed")
		if err != nil {
			return nil, err
		}
		set.changedSync = lj("linkport sync, a new export", changedCfg, "sync", "")
		set.changedSync.reset = func() error { return startFrom(filepath.Dir(changedCfg), filepath.Dir(nightly)) }
	}
	// Two nights on the export: the first sync creates everyone, the
	// second changes nothing (and a linkport that remembers such a run
	// can recall it on the nights measured). Between them, the pause a
	// night would more than make: a file's times vouch for its bytes only
	// once they are a few seconds old (csvfile's racyWindow).
	for night := range 2 {
		if night == 1 {
			fmt.Fprintln(out, "waiting 3 s: the night between the two syncs …")
			select {
			case <-time.After(3 * time.Second):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		for _, c := range nights {
			fmt.Fprintf(out, "sync %d of 2 for the nightly state (%s) …\n", night+1, filepath.Base(filepath.Dir(c)))
			if err := runQuiet(ctx, bin, "sync", "-q", "-c", c); err != nil {
				return nil, fmt.Errorf("sync for the nightly state: %w", err)
			}
		}
	}
	return set, nil
}

// startFrom empties dir but for its config and copies into it the state
// and the CSV file of the folder from, if any: the start of a sync that
// writes. The stamp stays behind (a new export is never recalled).
func startFrom(dir, from string) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reset %s: %w", dir, err)
	}
	for _, de := range des {
		if de.Name() != "config.yaml" {
			if err := os.RemoveAll(filepath.Join(dir, de.Name())); err != nil {
				return fmt.Errorf("reset %s: %w", dir, err)
			}
		}
	}
	if from == "" {
		return nil
	}
	for _, name := range []string{"state.json", "state.json.sent", "state.json.history", "out.csv"} {
		if err := copyFile(filepath.Join(dir, name), filepath.Join(from, name)); err != nil {
			return fmt.Errorf("reset %s: %w", dir, err)
		}
	}
	return nil
}

// copyFile copies src to dst without holding it: this program's own peak
// RSS shows in every child's (see peakRSS).
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// once runs j and records its wall time, peak RSS and, for a watched
// folder, which files it changed.
func (j *job) once(ctx context.Context) error {
	if j.reset != nil {
		if err := j.reset(); err != nil {
			return err
		}
	}
	before := snapshot(j.watch)
	cmd := exec.CommandContext(ctx, j.bin, j.args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("run %s: %w\n%s", j.label, err, tail(stderr.String()))
	}
	j.times = append(j.times, took)
	j.cpus = append(j.cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	j.rss = max(j.rss, peakRSS(cmd.ProcessState))
	if j.watch != "" {
		after := snapshot(j.watch)
		for n, st := range after {
			if before[n] != st {
				if j.wrote == nil {
					j.wrote = map[string]bool{}
				}
				j.wrote[n] = true
			}
		}
	}
	return nil
}

// snapshot is each file's size and modification time under dir.
func snapshot(dir string) map[string]string {
	if dir == "" {
		return nil
	}
	m := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			m[e.Name()] = fmt.Sprint(fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return m
}

// python finds the Python interpreter itself: python3 (or python) on PATH
// is often a shim (pyenv, a venv wrapper) that would add its own start-up,
// so it is asked for sys.executable, and that is what is measured. The
// second result says why there is none.
func python(ctx context.Context) (string, string) {
	for _, name := range []string{"python3", "python"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		b, err := exec.CommandContext(ctx, p, "-c", "import sys; print(sys.executable)").Output()
		if exe := strings.TrimSpace(string(b)); err == nil && exe != "" {
			return exe, ""
		}
	}
	return "", "no Python interpreter found (python3 or python on PATH): the Python column is left out"
}

// runQuiet runs a set-up command, its output shown only when it fails.
func runQuiet(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(string(b)))
	}
	return nil
}

// tail is the end of a command's output, enough to say why it failed.
func tail(s string) string {
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

// report prints the table: each job's median time and peak RSS, then each
// ratio the issue names beside its goal.
func report(out io.Writer, cfg config, conns, contacts int, people []string, goRef, pyRef *job, pyWhy string, sets []*linkportJobs) {
	size := int64(0)
	for _, p := range people {
		if fi, err := os.Stat(p); err == nil {
			size += fi.Size()
		}
	}
	fmt.Fprintf(out, "\n%d connections + %d contacts (Connections.csv + Contacts.csv: %.1f MB); median of %d runs; %s/%s, %d CPUs\n\n",
		conns, contacts, float64(size)/1e6, cfg.runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	all := []*job{goRef}
	if pyRef != nil {
		all = append(all, pyRef)
	}
	for _, s := range sets {
		all = append(all, s.all()...)
	}
	fmt.Fprintf(out, "%-48s %10s %10s %10s\n", "process", "wall", "CPU", "peak RSS")
	for _, j := range all {
		fmt.Fprintf(out, "%-48s %10s %10s %10s\n", j.label, ms(j.median()), ms(j.medianCPU()), mb(j.rss))
	}
	if pyRef == nil {
		fmt.Fprintf(out, "\n%s\n", pyWhy)
	}
	fmt.Fprintf(out, "\n%-48s %10s %10s %10s\n", "ratio", "wall", "CPU", "goal")
	ratio := func(label string, a, b *job, goal string) {
		if a == nil || b == nil {
			return
		}
		fmt.Fprintf(out, "%-48s %9.2f× %9.2f× %10s\n", label, float64(a.median())/float64(b.median()),
			float64(a.medianCPU())/float64(b.medianCPU()), goal)
	}
	for _, s := range sets {
		tag := ""
		if s.name != "" {
			tag = " [" + s.name + "]"
		}
		ratio("nightly diff / encoding/csv"+tag, s.nightly, goRef, "≤ 3×")
		ratio("nightly diff / Python csv"+tag, s.nightly, pyRef, "≤ 1.0×")
		ratio("nightly diff, a new export / encoding/csv"+tag, s.changed, goRef, "")
		ratio("first diff / encoding/csv"+tag, s.first, goRef, "≤ 4×")
		ratio("first diff / Python csv"+tag, s.first, pyRef, "")
		ratio("no-op sync / nightly diff"+tag, s.noop, s.nightly, "≤ 1×")
		fmt.Fprintf(out, "%-48s %21s %10s\n", "peak RSS, first / nightly diff"+tag, mb(s.first.rss)+" / "+mb(s.nightly.rss), goalRSS(cfg.people))
		fmt.Fprintf(out, "%-48s %21s %10s\n", "peak RSS, nightly diff of a new export"+tag, mb(s.changed.rss), "")
		wrote := "nothing"
		if len(s.noop.wrote) > 0 {
			wrote = strings.Join(slices.Sorted(maps.Keys(s.noop.wrote)), ", ")
		}
		fmt.Fprintf(out, "%-48s %21s %10s\n", "no-op sync wrote"+tag, wrote, "nothing")
		for _, p := range []struct {
			label         string
			with, without *job
		}{{"messages.csv adds to the first diff", s.firstMsgs, s.first}, {"messages.csv adds to the nightly diff", s.nightlyMsgs, s.nightly}} {
			if p.with == nil {
				continue
			}
			fmt.Fprintf(out, "%-48s %10s %10s %10s\n", p.label+tag, fmt.Sprintf("%+.2f s", (p.with.median()-p.without.median()).Seconds()),
				fmt.Sprintf("%+.2f s", (p.with.medianCPU()-p.without.medianCPU()).Seconds()), "≤ 0.5 s")
			fmt.Fprintf(out, "%-48s %21s %10s\n", "", fmt.Sprintf("%+d MB", (p.with.rss-p.without.rss)>>20), "≤ 32 MB")
		}
	}
	fmt.Fprintln(out, "\nwall: median elapsed time; CPU: median user+system time of the process (steadier on a shared machine; above wall when it uses both cores).")
	fmt.Fprintln(out, "peak RSS is the child's rusage maxrss; on Linux it includes this program's own few MB (a vfork+exec carries the parent's high-water mark).")
}

func goalRSS(people int) string {
	if people <= 40000 {
		return "≤ 64 MB"
	}
	return "linear, ≤ 200 MB at 150k"
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func mb(b int64) string {
	if b < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d MB", b>>20)
}
