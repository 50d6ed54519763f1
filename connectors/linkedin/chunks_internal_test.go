package linkedin

import (
	"slices"
	"testing"

	"github.com/linkport/linkport/mapping"
)

// TestChunks checks that rows gathered in blocks come out whole and in
// order, across the block sizes (64 doubling to maxChunk) and onto a slice
// that already holds rows, as Contacts' records land after Connections'.
func TestChunks(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 191, 192, 4096, 9000, 3*maxChunk + 5} {
		var c chunks[int]
		want := []int{-2, -1}
		for i := range n {
			c.add(i)
			want = append(want, i)
		}
		if c.n != n {
			t.Errorf("n = %d after %d adds", c.n, n)
		}
		got := c.appendTo([]int{-2, -1})
		if !slices.Equal(got, want) {
			t.Errorf("%d rows: got %d back, first difference at %d", n, len(got), diffAt(got, want))
		}
		if cap(got) > len(want)+64 && n > 0 && cap(got) > len(want)*5/4 {
			t.Errorf("%d rows: cap %d for %d: grown more than once", n, cap(got), len(want))
		}
		if c.n != 0 || c.cur != nil || c.full != nil {
			t.Errorf("%d rows: not emptied: %+v", n, c.n)
		}
	}
}

func diffAt(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestRecordsEstimated checks the people rows come out whole and in order
// whether the estimate of their number is unknown, too small, right or
// too large, and whatever Export.Records held before.
func TestRecordsEstimated(t *testing.T) {
	for _, tt := range []struct {
		name        string
		rows        int
		total, used int64 // bytes: the people files' size, and read by the estimate
		before      int
	}{
		{"unknown size", 20000, 0, 0, 0},
		{"fewer rows than the estimate waits for", estimateAfter - 1, 1000, 10, 0},
		{"too small", 20000, 15000, 10000, 0},
		{"right", 20000, 20000, 8192, 0},
		{"too large", 20000, 90000, 8192, 0},
		{"rows already there", 20000, 20000, 8192, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lim := &limits{peopleTotal: tt.total, peopleUsed: tt.used}
			exp := &mapping.Export{}
			for i := range tt.before {
				exp.Records = append(exp.Records, mapping.Record{Line: -tt.before + i})
			}
			for i := range tt.rows {
				lim.addRecord(mapping.Record{Line: i})
			}
			lim.flushRecords(exp)
			if len(exp.Records) != tt.before+tt.rows {
				t.Fatalf("%d records, want %d", len(exp.Records), tt.before+tt.rows)
			}
			for i, r := range exp.Records {
				if r.Line != i-tt.before {
					t.Fatalf("record %d has line %d", i, r.Line)
				}
			}
		})
	}
}
