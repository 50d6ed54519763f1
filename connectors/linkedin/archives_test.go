package linkedin_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
)

// TestStoryArchives reads the three archives linkedintest.WriteArchives
// writes through the real reader and checks each holds what its doc
// comment says: header era, date, and every person's row.
func TestStoryArchives(t *testing.T) {
	a, paths, err := linkedintest.WriteArchives(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ company, title, email, connected string }
	gone := row{}
	want := map[string][3]row{
		linkedintest.StoryMover: {{"Initech", "Software Engineer", "ada.moreau@example.org", "2015-02-03"},
			{"Hooli", "Staff Engineer", "ada.moreau@example.org", "2015-02-03"}, {"Hooli", "Staff Engineer", "ada.moreau@example.org", "2015-02-03"}},
		linkedintest.StoryPromoted: {{"Globex Corporation", "Product Manager", "", "2016-08-19"},
			{"Globex Corporation", "Senior Product Manager", "", "2016-08-19"}, {"Globex Corporation", "Senior Product Manager", "", "2016-08-19"}},
		linkedintest.StoryHidden: {{"Umbrella Labs", "Data Scientist", "chloe.lindqvist@example.com", "2017-01-09"},
			{"Umbrella Labs", "Data Scientist", "", "2017-01-09"}, {"Umbrella Labs", "Data Scientist", "", "2017-01-09"}},
		linkedintest.StoryMover2025: {{"Pied Piper", "CTO", "dmitri.tanaka@example.net", "2014-11-27"},
			{"Pied Piper", "CTO", "dmitri.tanaka@example.net", "2014-11-27"}, {"Massive Dynamic", "VP Engineering", "dmitri.tanaka@example.net", "2014-11-27"}},
		linkedintest.StoryRemoved: {{"Wayne Logistics", "Operations Manager", "elena.rossi@example.org", "2018-04-30"},
			{"Wayne Logistics", "Operations Manager", "elena.rossi@example.org", "2018-04-30"}, gone},
		linkedintest.StoryReconnected: {{"Tyrell Systems", "Designer", "felix.brennan@example.com", "2016-05-10"},
			gone, {"Tyrell Systems", "Designer", "felix.brennan@example.com", "2024-11-02"}},
	}
	heads := [3]string{"First Name,Last Name,Email Address,Company,Position,Connected On\n",
		linkedintest.Preamble + "First Name,Last Name,Email Address,Company,Position,Connected On\n",
		linkedintest.Preamble + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"}
	var people [3]int
	for i, p := range paths {
		if filepath.Base(p) != a.Names[i] || !strings.Contains(a.Names[i], "LinkedInDataExport_") {
			t.Errorf("archive %d is %s, named %s", i, p, a.Names[i])
		}
		if !strings.HasPrefix(string(a.Networks[i].Files()["Connections.csv"]), heads[i]) {
			t.Errorf("%s: Connections.csv does not start with its era's header %q", a.Names[i], heads[i])
		}
		arch := linkedin.Open(p, linkedin.Options{})
		exp, err := arch.Read(context.Background())
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		if !exp.ExportedAt.Equal(a.Dates[i]) {
			t.Errorf("%s: dated %v, want %v", a.Names[i], exp.ExportedAt, a.Dates[i])
		}
		g := mapping.Reconcile(exp, mapping.Options{})
		people[i] = len(g.People)
		byName := map[string]*mapping.Contact{}
		for _, c := range g.People {
			byName[c.Name] = c
		}
		for name, rows := range want {
			c, w := byName[name], rows[i]
			if w == gone {
				if c != nil {
					t.Errorf("%s: %s is there, want gone", a.Names[i], name)
				}
				continue
			}
			if c == nil {
				t.Errorf("%s: %s is missing", a.Names[i], name)
				continue
			}
			email := strings.Join(c.Emails, ",")
			got := row{c.Company, c.Title, email, c.ConnectedOn}
			if got != w {
				t.Errorf("%s: %s is %+v, want %+v", a.Names[i], name, got, w)
			}
			if hasURL := c.ProfileURL != ""; hasURL != (i == 2) {
				t.Errorf("%s: %s has profile URL %q; only the 2025 era has the column", a.Names[i], name, c.ProfileURL)
			}
		}
	}
	withEmail := 0
	for _, c := range a.Networks[0].Connections {
		if c.Email != "" {
			withEmail++
		}
	}
	if withEmail < 5 || withEmail == len(a.Networks[0].Connections) {
		t.Errorf("2019: %d of %d connections have an email, want some, not all", withEmail, len(a.Networks[0].Connections))
	}
	if people[1] != people[0]-1 || people[2] != people[1] {
		t.Errorf("people per archive %v: want one fewer in 2022 (Felix gone), as many in 2025 (Elena gone, Felix back)", people)
	}
	if _, ok := a.Networks[2].Find(linkedintest.StoryRemoved); ok {
		t.Errorf("Find: %s is in the 2025 network", linkedintest.StoryRemoved)
	}
	if c, ok := a.Networks[2].Find(linkedintest.StoryReconnected); !ok || c.ConnectedOn.Year() != 2024 {
		t.Errorf("Find(%s) in 2025 = %+v, %v; want the reconnection", linkedintest.StoryReconnected, c, ok)
	}
	// Written again, the archives are byte for byte the same: tests can compare outputs.
	again, err := linkedintest.NewArchives().Zip(2)
	if b, _ := os.ReadFile(paths[2]); err != nil || string(b) != string(again) {
		t.Errorf("the 2025 archive is not deterministic (%v)", err)
	}
}
