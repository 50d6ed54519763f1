package csvfile

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFullModeUnchangedFileLeftAlone: a full-mode Close with nothing put or
// removed leaves a file that already holds the same bytes as it was, its
// modification time too, and rewrites one that differs, is gone, or has a
// stale part beside it.
func TestFullModeUnchangedFileLeftAlone(t *testing.T) {
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		rowLimit int
		people   int
		spoil    func(t *testing.T, path string)
		rewrite  bool
	}{
		{"unchanged", 0, 3, func(*testing.T, string) {}, false},
		{"unchanged in parts", 2, 5, func(*testing.T, string) {}, false},
		{"edited", 0, 3, func(t *testing.T, p string) { appendTo(t, p, "x") }, true},
		{"truncated", 0, 3, func(t *testing.T, p string) { os.Truncate(p, 10) }, true},
		{"longer", 0, 3, func(t *testing.T, p string) { appendTo(t, p, "Zed,z\r\n") }, true},
		{"deleted", 0, 3, func(t *testing.T, p string) { os.Remove(p) }, true},
		{"a part edited", 2, 5, func(t *testing.T, p string) { appendTo(t, PartPaths(p, 3)[2], "x") }, true},
		{"a stale part", 2, 5, func(t *testing.T, p string) { os.WriteFile(PartPaths(p, 4)[3], []byte("old"), 0o600) }, true},
		{"the unsplit file", 2, 5, func(t *testing.T, p string) { os.WriteFile(p, []byte("old"), 0o600) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustProfile(t, "generic")
			p.RowLimit = tc.rowLimit
			path := filepath.Join(t.TempDir(), "contacts.csv")
			people := many(tc.people)
			if err := Export(context.Background(), people, Options{Path: path, Profile: p}); err != nil {
				t.Fatal(err)
			}
			n := 1
			if tc.rowLimit > 0 {
				n = (tc.people + tc.rowLimit - 1) / tc.rowLimit
			}
			parts := PartPaths(path, n)
			want := map[string][]byte{}
			for _, q := range parts {
				b, err := os.ReadFile(q)
				if err != nil {
					t.Fatal(err)
				}
				want[q] = b
				os.Chtimes(q, old, old)
			}
			tc.spoil(t, path)
			for _, q := range parts {
				if _, err := os.Stat(q); err == nil {
					os.Chtimes(q, old, old)
				}
			}
			tg, err := New(Options{Path: path, Profile: p, Base: people})
			if err != nil {
				t.Fatal(err)
			}
			if err := tg.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, q := range parts {
				b, err := os.ReadFile(q)
				if err != nil || string(b) != string(want[q]) {
					t.Errorf("%s does not hold the people after Close (%v)", filepath.Base(q), err)
				}
			}
			fi, err := os.Stat(parts[len(parts)-1])
			if err != nil {
				t.Fatal(err)
			}
			if rewritten := !fi.ModTime().Equal(old); rewritten != tc.rewrite {
				t.Errorf("rewritten = %v, want %v", rewritten, tc.rewrite)
			}
			for _, q := range []string{PartPaths(path, len(parts)+1)[len(parts)], path} {
				if _, err := os.Stat(q); err == nil && len(parts) > 1 {
					t.Errorf("stale %s left", filepath.Base(q))
				}
			}
		})
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(s)
}
