package linkedin_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// zipAt packs files with the given entry times (zero: the entry carries none).
func zipAt(t *testing.T, files map[string][]byte, times map[string]time.Time) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: times[name]})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exportedAt reads the export's date both ways, which must agree.
func exportedAt(t *testing.T, p string) time.Time {
	t.Helper()
	a := linkedin.Open(p, linkedin.Options{})
	head, err := a.ExportedAt(context.Background())
	if err != nil {
		t.Fatalf("ExportedAt %s: %v", p, err)
	}
	exp, err := a.Read(context.Background())
	if err != nil {
		t.Fatalf("Read %s: %v", p, err)
	}
	if !exp.ExportedAt.Equal(head) {
		t.Errorf("%s: Read dates it %v, ExportedAt %v", p, exp.ExportedAt, head)
	}
	return head
}

// TestExportDateFromName dates an export by the name LinkedIn (or the
// user) gave it, in every form the research found; a name without a date,
// or with a day that does not exist, falls back to the files' times.
func TestExportDateFromName(t *testing.T) {
	files := linkedintest.Generate(linkedintest.GenOptions{Seed: 1, Connections: 5})
	mtime := time.Date(2023, 6, 7, 8, 9, 10, 0, time.UTC) // every entry's time
	times := map[string]time.Time{}
	for n := range files {
		times[n] = mtime
		times["Complete_LinkedInDataExport_09-12-2022/"+n] = mtime
	}
	plain := zipAt(t, files, times)
	inFolder := zipAt(t, prefixed("Complete_LinkedInDataExport_09-12-2022", files), times)
	wrapped := zipAt(t, map[string][]byte{"Basic_LinkedInDataExport_11-20-2026.zip": plain}, nil)
	for _, tt := range []struct {
		name string // the zip's name; a name ending in / is a folder
		body []byte // the zip (plain by default)
		want time.Time
	}{
		{name: "Basic_LinkedInDataExport_11-20-2026.zip", want: day(2026, 11, 20)},
		{name: "Complete_LinkedInDataExport_09-12-2022.zip", want: day(2022, 9, 12)},
		{name: "Initial_LinkedInDataExport_03-05-2017.zip", want: day(2017, 3, 5)},
		{name: "Complete_LinkedInDataExport_11-20-2026.zip (1).zip", want: day(2026, 11, 20)},
		{name: "Basic_LinkedInDataExport_05-09-2026.zip.zip", want: day(2026, 5, 9)},
		{name: "Abhishek-Mathur-Complete_LinkedInDataExport_11-04-2018.zip", want: day(2018, 11, 4)},
		{name: "basic_linkedindataexport_1-2-2024.zip", want: day(2024, 1, 2)},
		{name: "Complete_LinkedInDataExport_09-12-2022 (1)/", want: day(2022, 9, 12)},
		{name: "linkedin-2025-03-01.zip", want: day(2025, 3, 1)},
		{name: "Basic_LinkedInDataExport.zip", want: mtime},
		{name: "Basic_LinkedInDataExport_13-01-2026.zip", want: mtime},
		{name: "Basic_LinkedInDataExport_02-30-2026.zip", want: mtime},
		{name: "export-20250301.zip", want: mtime},
		{name: "export.zip", body: inFolder, want: day(2022, 9, 12)},
		{name: "download.zip", body: wrapped, want: day(2026, 11, 20)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tt.name)
			if tt.name[len(tt.name)-1] == '/' {
				if err := linkedintest.WriteDir(p, files); err != nil {
					t.Fatal(err)
				}
				for n := range files {
					os.Chtimes(filepath.Join(p, n), mtime, mtime)
				}
			} else {
				body := tt.body
				if body == nil {
					body = plain
				}
				writeFile(t, p, body)
			}
			if got := exportedAt(t, p); !got.Equal(tt.want) {
				t.Errorf("dated %v, want %v", got, tt.want)
			}
		})
	}
}

// TestExportDateFromFileTimes: without a date in the name, an export is
// dated by the newest file linkport reads from it (a zip entry's time, a
// file's mtime), a lone CSV by its folder's name or its own mtime, and a
// zip whose entries carry no time is undated.
func TestExportDateFromFileTimes(t *testing.T) {
	files := linkedintest.Generate(linkedintest.GenOptions{Seed: 1, Connections: 5, Activity: true})
	older, newer := time.Date(2021, 3, 4, 10, 0, 0, 0, time.UTC), time.Date(2021, 3, 5, 8, 30, 0, 0, time.UTC)
	times := map[string]time.Time{}
	for n := range files {
		times[n] = older
	}
	times["messages.csv"] = newer
	dir := t.TempDir()

	zipped := writeFile(t, filepath.Join(dir, "export.zip"), zipAt(t, files, times))
	if got := exportedAt(t, zipped); !got.Equal(newer) {
		t.Errorf("zip dated %v, want its newest entry's time %v", got, newer)
	}
	undated := writeFile(t, filepath.Join(dir, "undated.zip"), zipAt(t, files, nil))
	if got := exportedAt(t, undated); !got.IsZero() {
		t.Errorf("a zip without entry times is dated %v, want zero (unknown)", got)
	}

	folder := filepath.Join(dir, "unzipped")
	if err := linkedintest.WriteDir(folder, files); err != nil {
		t.Fatal(err)
	}
	for n := range files {
		os.Chtimes(filepath.Join(folder, n), times[n], times[n])
	}
	if got := exportedAt(t, folder); !got.Equal(newer) {
		t.Errorf("folder dated %v, want its newest file's mtime %v", got, newer)
	}

	lone := writeFile(t, filepath.Join(dir, "csv", "Connections.csv"), files["Connections.csv"])
	os.Chtimes(lone, older, older)
	if got := exportedAt(t, lone); !got.Equal(older) {
		t.Errorf("lone CSV dated %v, want its mtime %v", got, older)
	}
	named := writeFile(t, filepath.Join(dir, "Basic_LinkedInDataExport_11-20-2026", "Connections.csv"), files["Connections.csv"])
	if got := exportedAt(t, named); !got.Equal(day(2026, 11, 20)) {
		t.Errorf("lone CSV in a dated folder dated %v, want 2026-11-20", got)
	}
}

// TestExportDateOfAPISnapshot: the API's export is dated when the fetch
// began, and the folder Fetch saves reads back dated when its fetch began
// (every file carries that time), not when each file was written.
func TestExportDateOfAPISnapshot(t *testing.T) {
	files := linkedintest.Generate(linkedintest.GenOptions{Seed: 2, Connections: 12, Contacts: 3})
	rows, err := linkedintest.SnapshotRows(files)
	if err != nil {
		t.Fatal(err)
	}
	api, _ := fakeAPI(t, &linkedintest.SnapshotAPI{Data: rows, Version: linkedin.DefaultAPIVersion}, "CONNECTIONS", "CONTACTS")
	before := time.Now().Truncate(time.Second)
	exp, err := api.Read(context.Background())
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if exp.ExportedAt.Before(before) || exp.ExportedAt.After(after) {
		t.Errorf("API export dated %v, want between %v and %v", exp.ExportedAt, before, after)
	}

	dir := filepath.Join(t.TempDir(), "snapshot")
	before = time.Now().Truncate(time.Second)
	if err := linkedin.Fetch(context.Background(), api, dir); err != nil {
		t.Fatal(err)
	}
	after = time.Now()
	saved := exportedAt(t, dir)
	if saved.Before(before) || saved.After(after) {
		t.Errorf("fetched folder dated %v, want the fetch's start, between %v and %v", saved, before, after)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, _ := e.Info(); !fi.ModTime().Equal(saved) {
			t.Errorf("%s: mtime %v, want the snapshot's %v", e.Name(), fi.ModTime(), saved)
		}
	}
}
