package main

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/lmittmann/tint"
	"github.com/schollz/progressbar/v3"
)

// newLogger is human-readable lines (tint) on a terminal, drawn around the
// progress bar, and slog's key=value text anywhere else (cron, journald).
func (a *app) newLogger(level slog.Level) *slog.Logger {
	if !isTerminal(a.stderr) {
		return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	}
	a.tty = &terminal{w: a.stderr}
	return slog.New(tint.NewTextHandler(a.tty, &tint.Options{Level: level, TimeFormat: time.TimeOnly}))
}

// terminal is stderr on a terminal, shared by the log and the progress bar
// (schollz/progressbar): a log line clears the bar, is written whole, and
// the bar is drawn again under it, so the two never share a line. Every
// use of the bar happens under mu, the library's own spinner goroutine
// included (it is off: tick drives it).
type terminal struct {
	mu   sync.Mutex
	w    io.Writer
	bar  *progressbar.ProgressBar
	stop chan struct{}
	// The phase: what it is, and for a push (a bar, not a spinner) its counts.
	what        string
	push        bool
	done, total int
	start       time.Time
}

// Write is one log line.
func (t *terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bar != nil {
		_ = t.bar.Clear()
	}
	n, err := t.w.Write(p)
	if t.bar != nil {
		_ = t.bar.RenderBlank()
	}
	return n, err
}

// phase shows what the run is doing: a spinner with the time it has taken
// when total < 0 (reading the export, planning), else a bar with the count,
// the rate and the time left. It ends the phase before it. A nil terminal
// (not a terminal, or -q) shows nothing.
func (t *terminal) phase(what string, total int) {
	if t == nil {
		return
	}
	t.end()
	t.mu.Lock()
	defer t.mu.Unlock()
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(t.w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetSpinnerChangeInterval(0), // tick draws it, under mu
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetWidth(30),
	}
	if total >= 0 {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("contacts"),
			progressbar.OptionSetPredictTime(true))
	} else {
		opts = append(opts, progressbar.OptionClearOnFinish(), progressbar.OptionSpinnerType(14))
	}
	t.bar = progressbar.NewOptions(total, opts...)
	t.what, t.push, t.done, t.total, t.start = what, total >= 0, 0, total, time.Now()
	if !t.push { // a bar is drawn by its first count: at 0 its rate would read "0 contacts/hr"
		_ = t.bar.RenderBlank()
	}
	t.stop = make(chan struct{})
	go t.tick(t.bar, t.stop)
}

// tick redraws the bar four times a second: the spinner turns, the
// elapsed time counts, and a bar a log line cleared comes back.
func (t *terminal) tick(bar *progressbar.ProgressBar, stop chan struct{}) {
	tk := time.NewTicker(250 * time.Millisecond)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tk.C:
			t.mu.Lock()
			if t.bar == bar {
				_ = bar.Add(0)
			}
			t.mu.Unlock()
		}
	}
}

// pushed is a sync's progress callback: done of total writes to target.
// The first call for a target starts its bar.
func (t *terminal) pushed(target string, done, total int) {
	if t == nil {
		return
	}
	t.mu.Lock()
	same := t.bar != nil && t.push && t.what == target
	t.mu.Unlock()
	if !same {
		t.phase(target, total)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bar != nil && t.push {
		t.done = done
		_ = t.bar.Set(done)
	}
}

// end finishes the current phase: a spinner disappears; a push bar leaves
// one line with what was done (not a full bar: a run cut short says so).
func (t *terminal) end() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bar == nil {
		return
	}
	close(t.stop)
	_ = t.bar.Exit()
	_ = t.bar.Clear()
	if t.push {
		took := time.Since(t.start)
		fmt.Fprintf(t.w, "%s: %d/%d contacts in %s (%.0f/s)\n", t.what, t.done, t.total,
			took.Round(100*time.Millisecond), float64(t.done)/max(took.Seconds(), 0.001))
	}
	t.bar = nil
}
