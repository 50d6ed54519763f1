package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/linkport/linkport/state/atomicfile"
)

// stampVersion is the stamp file's format; another one is no stamp.
const stampVersion = 1

// Stamp records a sync that changed nothing, so that the next run with
// the same inputs can say so without reading them again (`<state>.stamp`).
// It vouches for exactly the state it was written beside: the hashes of
// the state file and its history are checked on every read, so a run,
// forget or edit that changed either one leaves a stamp that no longer
// counts, whatever wrote it.
type Stamp struct {
	Version int `json:"version"`
	// Key is what the run depended on besides the state: the code, the
	// configuration and the inputs' bytes, hashed by the caller.
	Key string `json:"key"`
	// Targets are each target's witness of its own side as the run left
	// it (its files' hashes, say), by target name.
	Targets map[string]string `json:"targets"`
	// Kept is the caller's, to report the run again: the report of a run
	// that changed nothing.
	Kept json.RawMessage `json:"kept"`
	// State and History are the SHA-256 of the state file and of its
	// history ("" when there is none) when the stamp was written.
	State   string `json:"state"`
	History string `json:"history"`
}

// StampPath is where the stamp of the state at statePath lives.
func StampPath(statePath string) string { return statePath + ".stamp" }

// WriteStamp writes st beside the state at statePath, with the hashes of
// the state and history on disk now. The caller holds the state's lock
// and has just saved it.
func WriteStamp(statePath string, st Stamp) error {
	st.Version = stampVersion
	var err error
	if st.State, st.History, err = stateSums(statePath); err != nil {
		return fmt.Errorf("write stamp: %w", err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("write stamp: %w", err)
	}
	if err := atomicfile.Write(StampPath(statePath), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write stamp: %w", err)
	}
	return nil
}

// ReadStamp returns the stamp beside the state at statePath if it still
// vouches for that state: the state and history on disk are the ones it
// was written with, and no journal or forget intent says that a run or a
// forget is unfinished. Otherwise, or when there is none, it returns nil:
// a stamp is only ever a shortcut, so a damaged one is no error either.
func ReadStamp(statePath string) *Stamp {
	b, err := os.ReadFile(StampPath(statePath))
	if err != nil {
		return nil
	}
	var st Stamp
	if json.Unmarshal(b, &st) != nil || st.Version != stampVersion || st.State == "" {
		return nil
	}
	for _, p := range []string{journalPath(statePath), IntentPath(statePath)} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	sum, hist, err := stateSums(statePath)
	if err != nil || sum != st.State || hist != st.History {
		return nil
	}
	return &st
}

// RemoveStamp removes the stamp beside the state at statePath, if any: a
// forget does, since the report it keeps names people.
func RemoveStamp(statePath string) error {
	if err := os.Remove(StampPath(statePath)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stamp: %w", err)
	}
	return nil
}

// stateSums are the hashes of the state file and of its history ("" when
// there is none).
func stateSums(statePath string) (state, history string, err error) {
	if state, err = FileSum(statePath); err != nil {
		return "", "", err
	}
	history, err = FileSum(historyPath(statePath))
	if errors.Is(err, fs.ErrNotExist) {
		return state, "", nil
	}
	return state, history, err
}

// FileSum is the hex SHA-256 of the file at path.
func FileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
