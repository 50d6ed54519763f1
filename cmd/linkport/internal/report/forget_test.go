package report

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRunForgotten: the people a tombstone skipped are counted in every
// format, and not mentioned when there are none.
func TestRunForgotten(t *testing.T) {
	g, p := plan(t)
	for _, n := range []int{0, 2} {
		o := outcome(p, false)
		o.Forgotten = n
		r := NewRun(g, o)
		for format, want := range map[string]string{"text": "forgotten: 2 skipped", "markdown": "forgotten: 2 skipped", "html": "Forgotten: 2 skipped"} {
			var b strings.Builder
			if err := r.Write(&b, format, Options{}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(b.String(), want); got != (n > 0) {
				t.Errorf("%s with %d forgotten: %q shown %v", format, n, want, got)
			}
		}
		var b strings.Builder
		r.Write(&b, "json", Options{})
		var j struct{ Forgotten int }
		if err := json.Unmarshal([]byte(b.String()), &j); err != nil || j.Forgotten != n {
			t.Errorf("json: forgotten %d, want %d (%v)", j.Forgotten, n, err)
		}
	}
}
