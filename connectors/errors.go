package connectors

import (
	"errors"
	"syscall"
)

// class says what a write's error means for the rest of the run.
type class int

const (
	classFailed class = iota // this write failed; the next may succeed
	classFatal               // the whole target cannot go on
	classHeld                // this contact can never be written as it is
)

type classified struct {
	err   error
	class class
}

func (e *classified) Error() string { return e.err.Error() }
func (e *classified) Unwrap() error { return e.err }

// Fatal marks err as one that stops the whole target at once: a rejected
// credential (401, 403), a full address book (507) or disk. Failing each
// remaining change against it would only repeat it thousands of times.
func Fatal(err error) error {
	if err == nil {
		return nil
	}
	return &classified{err, classFatal}
}

// Held marks err as one that will recur for this contact alone, whatever
// is retried: a foreign card at linkport's href, a card the server refuses
// as malformed. The contact is held and reported every run; unlike an
// ordinary failure, it does not hold back the target's removals.
func Held(err error) error {
	if err == nil {
		return nil
	}
	return &classified{err, classHeld}
}

// IsFatal reports whether err stops its target: marked Fatal, or a full disk.
func IsFatal(err error) bool {
	return classOf(err) == classFatal
}

// IsHeld reports whether err was marked Held.
func IsHeld(err error) bool {
	return classOf(err) == classHeld
}

func classOf(err error) class {
	var c *classified
	switch {
	case err == nil:
		return classFailed
	case errors.As(err, &c):
		return c.class
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return classFatal
	}
	return classFailed
}
