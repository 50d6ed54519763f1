package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Cursor returns where the named incremental source resumes ("" when it
// never ran), e.g. the Changelog API's last processedAt.
func (s *Snapshot) Cursor(name string) string { return s.Cursors[name] }

// SetCursor records where the named source resumes; Run calls it only for
// a sync that succeeded, so a failed run reads the same events again.
func (s *Snapshot) SetCursor(name, value string) {
	if s.Cursors == nil {
		s.Cursors = map[string]string{}
	}
	s.Cursors[name] = value
}

// ReadCursor reads one cursor from the state file at path without the lock
// and without loading the rest: a source asks for it before the run takes
// the lock, and the run saves the next one under the lock. A missing state
// file has no cursor.
func ReadCursor(path, name string) (string, error) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read state: %w", err)
	}
	var head struct {
		Version int               `json:"version"`
		Cursors map[string]string `json:"cursors"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.Version < 1 {
		return "", fmt.Errorf("read state %s: not a linkport state file (expected JSON with a \"version\")", path)
	}
	return head.Cursors[name], nil
}
