package connectors_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// A source's cursor reaches the state only with a sync that succeeded:
// not with a dry run, a guard stop or a failed write, so the next run
// reads the same events again.
func TestRunSavesCursorsOnlyOnSuccess(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dryRun bool
		limit  state.Limit
		fail   bool
		people int
		want   string
	}{
		{name: "a sync that succeeds saves it", people: 10, limit: state.DefaultLimit, want: "200"},
		{name: "a dry run does not", dryRun: true, people: 10, limit: state.DefaultLimit, want: "100"},
		{name: "a failed write does not", fail: true, people: 10, limit: state.DefaultLimit, want: "100"},
		{name: "a guard stop does not", people: 2, limit: state.Limit{Count: 1}, want: "100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			m := connectortest.NewMemory()
			opt := connectors.RunOptions{StatePath: path, Targets: []connectors.Spec{spec(m)}, Limit: state.DefaultLimit,
				Cursors: map[string]string{"test.cursor": "100"}}
			if _, err := connectors.Run(context.Background(), people(10), opt); err != nil {
				t.Fatal(err)
			}
			if got, err := state.ReadCursor(path, "test.cursor"); err != nil || got != "100" {
				t.Fatalf("first cursor %q, %v", got, err)
			}
			if tc.fail {
				m.FailOn = func(op state.Op, c *mapping.Contact) error { return errors.New("server said no") }
			}
			g := people(tc.people)
			g.People[0].Title = "changed" // one update at least, for the failing write
			opt.DryRun, opt.Limit, opt.Cursors = tc.dryRun, tc.limit, map[string]string{"test.cursor": "200"}
			_, err := connectors.Run(context.Background(), g, opt)
			if (err != nil) != (tc.fail || tc.people < 10) {
				t.Fatalf("second run: %v", err)
			}
			got, err := state.ReadCursor(path, "test.cursor")
			if err != nil || got != tc.want {
				t.Errorf("cursor after the run %q (%v), want %q", got, err, tc.want)
			}
			if s, err := state.Load(path); err != nil || s.Cursor("test.cursor") != tc.want {
				t.Errorf("the state loads with cursor %v (%v)", s, err)
			}
		})
	}
	if got, err := state.ReadCursor(filepath.Join(t.TempDir(), "none.json"), "x"); got != "" || err != nil {
		t.Errorf("a missing state: %q %v", got, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	if _, err := state.ReadCursor(bad, "x"); err == nil {
		t.Error("a corrupt state reads as no cursor")
	}
}
