package linkedin

import "slices"

// maxChunk is the most items one block of a chunks holds.
const maxChunk = 4096

// chunks collects a file's rows in blocks, so a growing file is never
// copied as it grows (append's 1.25× growth copied 40,000 records some
// twenty times over, and left each old copy to the collector); the blocks
// are copied once, into a slice of exactly the right size.
type chunks[T any] struct {
	full [][]T
	cur  []T
	n    int
}

func (c *chunks[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		next := 64
		if c.cur != nil {
			c.full = append(c.full, c.cur)
			next = min(2*cap(c.cur), maxChunk)
		}
		c.cur = make([]T, 0, next)
	}
	c.cur = append(c.cur, v)
	c.n++
}

// each calls f on every item in order, dropping each block once it is
// done, so the blocks are freed while f builds what replaces them.
func (c *chunks[T]) each(f func(*T)) {
	for i, b := range c.full {
		for j := range b {
			f(&b[j])
		}
		c.full[i] = nil
	}
	for j := range c.cur {
		f(&c.cur[j])
	}
	*c = chunks[T]{}
}

// appendTo appends every item to dst, growing it once, and empties c.
func (c *chunks[T]) appendTo(dst []T) []T {
	dst = slices.Grow(dst, c.n)
	c.each(func(v *T) { dst = append(dst, *v) })
	return dst
}
