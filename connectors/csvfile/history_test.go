package csvfile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/linkport/linkport/mapping"
)

// historyFixtures are fixtures() with the history of earlier exports on
// some of them: a job change, two, an email kept from 2019, a phone kept
// from 2022, and a previous title that a spreadsheet would run.
func historyFixtures() []*mapping.Contact {
	people := fixtures()
	for _, c := range people {
		switch c.ID {
		case "0000000000000000":
			c.Fill().Previous = []mapping.Position{{Title: "Analyst", Company: "Globex", Until: "2026-03-01"}}
			c.Fill().EmailLastSeen = "2019-05-01"
		case "several000000001":
			c.Fill().Previous = []mapping.Position{
				{Title: "Partner", Company: "Several & Sons", Until: "2025-01-15"},
				{Title: "Clerk", Company: "Initech", Until: "2019-05-01"},
			}
			c.Fill().PhoneLastSeen = "2022-11-30"
		case "formula0000000001":
			c.Fill().Previous = []mapping.Position{{Title: "=1+1", Company: "@Corp", Until: "2024-02-29"}}
		}
	}
	return people
}

// TestGoldenHistory writes historyFixtures through the generic profile and
// CRM profiles with a free-text column: generic gets the history columns,
// the CRMs their note column's last lines, with the CRMs' column sets as
// they were. The files are compared with testdata/golden/history.
func TestGoldenHistory(t *testing.T) {
	people := historyFixtures()
	for _, name := range []string{"generic", "salesforce", "google"} {
		t.Run(name, func(t *testing.T) {
			p := mustProfile(t, name)
			path := filepath.Join(t.TempDir(), "out.csv")
			if err := Export(context.Background(), people, Options{Path: path, Profile: p, SourceLabel: label}); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", "history", name+".csv")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update and review the diff)", path, golden)
			}
			rows := readParts(t, p, path, 1)
			for _, r := range rows {
				for i, cell := range r {
					if Neutralize(cell) != cell {
						t.Errorf("column %q holds %q, which a spreadsheet would run", p.Columns[i].Header, cell)
					}
				}
			}
		})
	}
}

// TestHistoryCells: what each column says of a person with history.
func TestHistoryCells(t *testing.T) {
	people := historyFixtures()
	var moved, several *mapping.Contact
	for _, c := range people {
		switch c.ID {
		case "0000000000000000":
			moved = c
		case "several000000001":
			several = c
		}
	}
	cell := func(profile, header string, c *mapping.Contact) string {
		p := mustProfile(t, profile)
		i := slices.Index(p.Header(), header)
		if i < 0 {
			t.Fatalf("%s has no column %q", profile, header)
		}
		return p.rower().row(c, label)[i]
	}
	tests := []struct {
		profile, header string
		c               *mapping.Contact
		want            string
	}{
		{"generic", "previous_company", moved, "Globex"},
		{"generic", "previous_title", moved, "Analyst"},
		{"generic", "job_changed_on", moved, "2026-03-01"},
		{"generic", "previous_positions", moved, "Analyst at Globex, until 2026-03-01"},
		{"generic", "email_last_seen", moved, "2019-05-01"},
		{"generic", "phone_last_seen", moved, ""},
		{"generic", "previous_company", several, "Several & Sons"},
		{"generic", "previous_positions", several, "Partner at Several & Sons, until 2025-01-15\nClerk at Initech, until 2019-05-01"},
		{"generic", "phone_last_seen", several, "2022-11-30"},
		{"pipedrive", "Note", moved, label + "\nPreviously: Analyst at Globex, until 2026-03.\nEmail last seen in the 2019-05-01 export."},
		{"zoho", "Description", several, label + "\nPreviously: Partner at Several & Sons, until 2025-01.\n" +
			"Previously: Clerk at Initech, until 2019-05.\nPhone last seen in the 2022-11-30 export."},
		{"salesforce", "Contact Description", moved, "https://www.linkedin.com/in/person-0\n" + label +
			"\nPreviously: Analyst at Globex, until 2026-03.\nEmail last seen in the 2019-05-01 export."},
		{"nimble", "description", moved, label + "\nPreviously: Analyst at Globex, until 2026-03.\nEmail last seen in the 2019-05-01 export."},
	}
	for _, tt := range tests {
		if got := cell(tt.profile, tt.header, tt.c); got != tt.want {
			t.Errorf("%s %s of %s = %q, want %q", tt.profile, tt.header, tt.c.ID, got, tt.want)
		}
	}
}

// TestHistoryLayout: the history's dates take a column layout, as the
// other date fields do.
func TestHistoryLayout(t *testing.T) {
	p, err := ParseProfile([]byte("columns:\n  - {header: Changed, field: job_changed_on, layout: 01/02/2006}\n"+
		"  - {header: Email Seen, field: email_last_seen, layout: 02.01.2006}\n"), "x", "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := &mapping.Contact{Extra: &mapping.Extra{Previous: []mapping.Position{{Company: "Globex", Until: "2026-03-01"}}, EmailLastSeen: "2019-05-01"}}
	if got, want := p.rower().row(c, ""), []string{"03/01/2026", "01.05.2019"}; !slices.Equal(got, want) {
		t.Errorf("Row = %q, want %q", got, want)
	}
	if _, err := ParseProfile([]byte("columns:\n  - {header: P, field: previous_company, layout: 01/02/2006}\n"), "x", "x.yaml"); err == nil {
		t.Error("a layout on previous_company was accepted")
	}
}
