package linkedin_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/linkport/linkport/connectors/linkedin"
)

const connections = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" +
	"Ada,Quill,https://www.linkedin.com/in/ada-quill,,Analytical Engines,Engineer,08 Feb 2026\n"

// A 2022 Complete archive holds the legacy endorsement file (UTF-16, with
// rows whose person LinkedIn redacted) beside the current one: the current
// one is read, and redacted rows never count as skills.
func TestCurrentEndorsementFileWins(t *testing.T) {
	legacy, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(
		"Endorsement Date\tSkill Name\tEndorser First Name\tEndorser Last Name\tEndorser Public Url\tEndorsement Status\n" +
			"2021/03/01 10:00:00 UTC\tCOBOL\tRedacted\tRedacted\t\tACCEPTED\n" +
			"2021/03/02 10:00:00 UTC\tCOBOL\tRedacted\tRedacted\t\tACCEPTED\n")
	if err != nil {
		t.Fatal(err)
	}
	current := "Endorsement Date,Skill Name,Endorser First Name,Endorser Last Name,Endorser Public Url,Endorsement Status\n" +
		"2022/05/01 10:00:00 UTC,Go,Ada,Quill,www.linkedin.com/in/ada-quill,ACCEPTED\n" +
		"2022/05/02 10:00:00 UTC,SQL,Redacted,Redacted,,ACCEPTED\n"
	fsys := fstest.MapFS{
		"Connections.csv":               {Data: []byte(connections)},
		"Endorsement Received Info.csv": {Data: []byte(legacy)},
		"Endorsement_Received_Info.csv": {Data: []byte(current)},
	}
	exp, err := linkedin.FromFS(fsys, "archive", linkedin.Options{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Endorsements) != 1 || exp.Endorsements[0].Skill != "Go" || exp.Endorsements[0].File != "Endorsement_Received_Info.csv" {
		t.Errorf("endorsements = %+v; want only Ada's Go from the current file", exp.Endorsements)
	}
	var ignored, redacted bool
	for _, w := range exp.Warnings {
		ignored = ignored || (w.File == "Endorsement Received Info.csv" && strings.Contains(w.Msg, "ignored"))
		redacted = redacted || strings.Contains(w.Msg, "1 rows skipped: LinkedIn redacted")
	}
	if !ignored || !redacted {
		t.Errorf("warnings %v; want the legacy file ignored and the redacted row counted", exp.Warnings)
	}
}

// Excel in European locales writes dates day first with dots.
func TestDottedDates(t *testing.T) {
	for _, tc := range []struct {
		cell string
		want time.Time
	}{
		{"16.09.2021", time.Date(2021, 9, 16, 0, 0, 0, 0, time.UTC)},
		{"2.1.06", time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"02.01.2006", time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC)},
	} {
		csv := strings.Replace(connections, "08 Feb 2026", tc.cell, 1)
		exp, err := linkedin.FromFS(fstest.MapFS{"Connections.csv": {Data: []byte(csv)}}, "x", linkedin.Options{}).Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := exp.Records[0].ConnectedOn; !got.Equal(tc.want) || len(exp.Warnings) != 0 {
			t.Errorf("%q: connected on %v (warnings %v), want %v", tc.cell, got, exp.Warnings, tc.want)
		}
	}
}
