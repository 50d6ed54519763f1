package linkedin

import (
	"slices"
	"testing"
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
