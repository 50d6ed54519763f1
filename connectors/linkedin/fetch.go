package linkedin

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/linkport/linkport/state/atomicfile"
)

// Fetch reads every domain of api and saves it in dir as an export-shaped
// folder (Connections.csv with the 2024 header, Contacts.csv, messages.csv,
// Invitations.csv, … named as in LinkedIn's archive), so that the folder
// can be archived, diffed and read back with Open. Each file is replaced
// atomically and Connections.csv last, so a reader never sees a half file.
// Nothing is written when the API fails. Files are private (0600): they
// hold message bodies and addresses. Every file's modification time is set
// to when the fetch began, so the folder read back later is dated by the
// snapshot (Archive.ExportedAt), not by when it was saved or last touched.
func Fetch(ctx context.Context, api *APISource, dir string) error {
	at := time.Now().Truncate(time.Second)
	tables, warns, err := api.tables(ctx)
	if err != nil {
		return fmt.Errorf("fetch snapshot: %w", err)
	}
	for _, w := range warns {
		api.log.Warn("linkedin api: input", "warning", w.String())
	}
	return writeTables(dir, tables, at, api.log)
}

// writeTables saves tables in dir as the export's CSV files, each replaced
// atomically and Connections.csv last, files 0600, dated at (the snapshot's
// time, so the folder reads back dated by it).
func writeTables(dir string, tables []domainTable, at time.Time, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create folder: %w", err)
	}
	tables = slices.Clone(tables)
	slices.SortStableFunc(tables, func(a, b domainTable) int { // Connections.csv last
		return boolInt(a.kind == kindConnections) - boolInt(b.kind == kindConnections)
	})
	for _, t := range tables {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write(t.header) // a bytes.Buffer does not fail
		_ = w.WriteAll(t.rows)
		p := filepath.Join(dir, t.file)
		if err := atomicfile.Write(p, b.Bytes(), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			return fmt.Errorf("date %s: %w", p, err)
		}
		log.Info("linkedin api: saved", "file", p, "rows", len(t.rows))
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
