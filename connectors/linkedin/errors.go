package linkedin

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors, wrapped in an *InputError, for callers that branch on the cause.
var (
	// ErrNoConnections: a zip or folder without a Connections.csv.
	ErrNoConnections = errors.New("no Connections.csv found (looked in the top two folder levels); expected a LinkedIn data export")
	// ErrNoHeader: a CSV whose first rows hold no LinkedIn header.
	ErrNoHeader = errors.New("no LinkedIn header found")
	// ErrTooLarge: a file that inflates past Options.MaxFileSize (a zip bomb, or not an export).
	ErrTooLarge = errors.New("file too large")
)

// InputError is bad input: a path that is not a LinkedIn export, a corrupt
// archive, a file without LinkedIn's header or a row that cannot be read.
// The CLI maps it to exit code 2 with errors.As.
type InputError struct {
	Archive string // the zip the file sits in; "" for a folder or a lone CSV
	File    string // the file as in mapping.Record.File (the archive itself for archive-wide problems)
	Line    int    // 1-based line; 0 when the problem is the whole file
	Err     error
}

func (e *InputError) Error() string {
	var b strings.Builder
	if e.Archive != "" && e.Archive != e.File {
		b.WriteString(e.Archive)
		b.WriteString(": ")
	}
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *InputError) Unwrap() error { return e.Err }
