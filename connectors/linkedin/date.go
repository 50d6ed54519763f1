package linkedin

import (
	"context"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// linkedInName is the date LinkedIn writes in an export's name, month first:
// Basic_LinkedInDataExport_11-20-2026.zip, Complete_…, the older Initial_…,
// also as the folder an unzip makes ("Complete_LinkedInDataExport_09-12-2022 (1)").
var linkedInName = regexp.MustCompile(`(?i)LinkedInDataExport_(\d{1,2})-(\d{1,2})-(\d{4})`)

// isoName is a date a user wrote in a name they gave the export
// ("linkedin-2025-03-01.zip"): year first, never ambiguous.
var isoName = regexp.MustCompile(`(?:^|\D)(\d{4})-(\d{2})-(\d{2})(?:\D|$)`)

// dateFromName returns the date named by an export's file or folder name
// (midnight UTC: the name carries a day, not a time).
func dateFromName(name string) (time.Time, bool) {
	if m := linkedInName.FindStringSubmatch(name); m != nil {
		return civil(m[3], m[1], m[2])
	}
	if m := isoName.FindStringSubmatch(name); m != nil {
		return civil(m[1], m[2], m[3])
	}
	return time.Time{}, false
}

// civil is the day y-m-d, refused when it does not exist (a 13th month, 31 April).
func civil(y, m, d string) (time.Time, bool) {
	yi, _ := strconv.Atoi(y) // the patterns hold digits only
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di || yi < 2003 { // LinkedIn opened in 2003
		return time.Time{}, false
	}
	return t, true
}

// firstNamedDate tries names innermost first: the folders the export's
// files sit in, then the export itself (an inner zip before the zip that
// wraps it), because the innermost name is the one LinkedIn gave.
func firstNamedDate(names []string) (time.Time, bool) {
	for i := len(names) - 1; i >= 0; i-- {
		if t, ok := dateFromName(names[i]); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// inFolders lists the folders a file of an export sits in, outermost first.
func inFolders(p string) []string {
	d := path.Dir(p)
	if d == "." {
		return nil
	}
	return strings.Split(d, "/")
}

// usableTime is a file time that says something: a zip entry written
// without one reads as the MS-DOS epoch (1980), an embed.FS as zero.
func usableTime(t time.Time) bool { return t.Year() > 1980 }

// ExportedAt returns the date Read files the export under, found without
// reading a row (from a zip's directory or a folder's listing, only an
// inner zip is inflated), so several archives can be put in order before
// any is read: the date in the export's name (LinkedIn's
// LinkedInDataExport_MM-DD-YYYY, or a YYYY-MM-DD the user wrote), else
// the newest modification time of the files linkport reads from it; for a
// lone CSV, its folder's name, else its own modification time. Zero when
// nothing tells. Errors are Read's: the export cannot be opened or holds
// no Connections.csv.
func (a *Archive) ExportedAt(ctx context.Context) (time.Time, error) {
	head := *a
	head.head = true
	exp, err := head.Read(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return exp.ExportedAt, nil
}

// exportDate is the date of an export whose files are listed in found:
// named (names, then the folders Connections.csv sits in), else the newest
// file time in fsys, else zero.
func exportDate(fsys fs.FS, names []string, found map[fileKind][]string) time.Time {
	names = append(names[:len(names):len(names)], inFolders(found[kindConnections][0])...)
	if t, ok := firstNamedDate(names); ok {
		return t
	}
	var newest time.Time
	for _, kind := range allKinds {
		for _, p := range found[kind] {
			if fi, err := fs.Stat(fsys, p); err == nil && usableTime(fi.ModTime()) && fi.ModTime().After(newest) {
				newest = fi.ModTime()
			}
		}
	}
	return newest
}
