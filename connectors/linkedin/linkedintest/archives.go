package linkedintest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Archives are three exports of one network, made years apart, that tell
// the story the history (issue 16) must keep: emails seen then hidden, job
// changes, a removal and a reconnection. Every export holds the same
// background connections (a fixed seed: the same rows every year, about a
// third of them with an email) plus the six people below, each in the
// header era LinkedIn used that year (linkedin-formats.md §1.1):
//
// 2019, Basic_LinkedInDataExport_03-15-2019.zip, Era2018 (no Notes:
// preamble, no URL column, "3/4/17, 9:05 PM" dates; the last era measured
// before 2020, whose shape is the same but for the date): Ada Moreau,
// Bruno Okafor, Chloé Lindqvist, Dmitri Tanaka, Elena Rossi and Felix
// Brennan, each with an email but Bruno.
//
// 2022, Complete_LinkedInDataExport_06-20-2022.zip, Era2021 (preamble, no
// URL column, "02 Jan 2006"): Ada changed jobs (Initech → Hooli, Software
// Engineer → Staff Engineer); Bruno's title changed within his company
// (Globex Corporation, Product Manager → Senior Product Manager); Chloé's
// email is hidden (the cell is empty); Felix is gone (not a connection
// then).
//
// 2025, Basic_LinkedInDataExport_09-10-2025.zip, Era2024 (preamble and
// URL column; everyone now has a profile URL): Dmitri changed jobs (Pied
// Piper, CTO → Massive Dynamic, VP Engineering); Elena is gone (removed);
// Felix is back, reconnected, with a new Connected On (2024-11-02; it was
// 2016-05-10); Chloé's email is still hidden.
//
// Ada, Dmitri and Felix keep their email wherever they appear, so a reader
// can tie their rows together across a job change in eras without URLs;
// Bruno and Chloé are tied by name and company. Each zip's entries carry
// its export date as their time, so its name and its files agree.
type Archives struct {
	// Names are the zips' file names and Dates their export dates (from
	// the names), oldest first.
	Names [3]string
	Dates [3]time.Time
	// Networks are the three exports before rendering, oldest first.
	Networks [3]*Network
}

// The people whose story the archives tell, by full name as Connections.csv spells it.
const (
	StoryMover       = "Ada Moreau"      // job change in 2022
	StoryPromoted    = "Bruno Okafor"    // title change within Globex Corporation in 2022
	StoryHidden      = "Chloé Lindqvist" // email in 2019, hidden from 2022
	StoryMover2025   = "Dmitri Tanaka"   // job change in 2025
	StoryRemoved     = "Elena Rossi"     // gone in 2025
	StoryReconnected = "Felix Brennan"   // gone in 2022, back in 2025 with a new Connected On
)

// NewArchives builds the three networks; nothing is written.
func NewArchives() *Archives {
	dates := [3]time.Time{
		time.Date(2019, 3, 15, 0, 0, 0, 0, time.UTC),
		time.Date(2022, 6, 20, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 9, 10, 0, 0, 0, 0, time.UTC),
	}
	a := &Archives{Dates: dates, Names: [3]string{
		"Basic_LinkedInDataExport_03-15-2019.zip",
		"Complete_LinkedInDataExport_06-20-2022.zip",
		"Basic_LinkedInDataExport_09-10-2025.zip",
	}}
	// URLs are set on everyone; eras before 2024 do not write them.
	background := New(GenOptions{Seed: 2019, Era: Era2024, Connections: 24, EmailRate: 0.34, HiddenRate: -1, ExportDate: dates[0].AddDate(0, -1, 0)}).Connections
	story := []string{StoryMover, StoryPromoted, StoryHidden, StoryMover2025, StoryRemoved, StoryReconnected}
	background = slices.DeleteFunc(background, func(c Connection) bool { // no namesake of the story's people
		return slices.Contains(story, c.FirstName+" "+strings.Split(c.LastName, ",")[0])
	})
	person := func(first, last, email, company, position string, on time.Time) Connection {
		slug := strings.ToLower(asciiFold(first) + "-" + asciiFold(last) + "-story")
		return Connection{FirstName: first, LastName: last, URL: "https://www.linkedin.com/in/" + slug, Email: email,
			Company: company, Position: position, ConnectedOn: on}
	}
	on := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	ada := person("Ada", "Moreau", "ada.moreau@example.org", "Initech", "Software Engineer", on(2015, 2, 3))
	bruno := person("Bruno", "Okafor", "", "Globex Corporation", "Product Manager", on(2016, 8, 19))
	chloe := person("Chloé", "Lindqvist", "chloe.lindqvist@example.com", "Umbrella Labs", "Data Scientist", on(2017, 1, 9))
	dmitri := person("Dmitri", "Tanaka", "dmitri.tanaka@example.net", "Pied Piper", "CTO", on(2014, 11, 27))
	elena := person("Elena", "Rossi", "elena.rossi@example.org", "Wayne Logistics", "Operations Manager", on(2018, 4, 30))
	felix := person("Felix", "Brennan", "felix.brennan@example.com", "Tyrell Systems", "Designer", on(2016, 5, 10))

	build := func(era Era, people ...Connection) *Network {
		n := &Network{Era: era, Preamble: era >= Era2021, Connections: append(slices.Clone(background), people...)}
		slices.SortStableFunc(n.Connections, func(a, b Connection) int { return b.ConnectedOn.Compare(a.ConnectedOn) })
		return n
	}
	a.Networks[0] = build(Era2018, ada, bruno, chloe, dmitri, elena, felix)

	ada.Company, ada.Position = "Hooli", "Staff Engineer"
	bruno.Position = "Senior Product Manager"
	chloe.Email = ""
	a.Networks[1] = build(Era2021, ada, bruno, chloe, dmitri, elena)

	dmitri.Company, dmitri.Position = "Massive Dynamic", "VP Engineering"
	felix.ConnectedOn = on(2024, 11, 2)
	a.Networks[2] = build(Era2024, ada, bruno, chloe, dmitri, felix)
	return a
}

// Zip renders archive i (0 oldest) as LinkedIn zips it, its entries dated by its export date.
func (a *Archives) Zip(i int) ([]byte, error) {
	return zipAt(a.Networks[i].Files(), a.Dates[i].Add(12*time.Hour))
}

// Write writes the three zips into dir under their names and returns their paths, oldest first.
func (a *Archives) Write(dir string) ([3]string, error) {
	var paths [3]string
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return paths, fmt.Errorf("create folder: %w", err)
	}
	for i := range a.Networks {
		b, err := a.Zip(i)
		if err != nil {
			return paths, err
		}
		paths[i] = filepath.Join(dir, a.Names[i])
		if err := os.WriteFile(paths[i], b, 0o644); err != nil {
			return paths, fmt.Errorf("write %s: %w", a.Names[i], err)
		}
	}
	return paths, nil
}

// WriteArchives writes the three archives of NewArchives into dir and
// returns them with their paths, oldest first.
func WriteArchives(dir string) (*Archives, [3]string, error) {
	a := NewArchives()
	paths, err := a.Write(dir)
	return a, paths, err
}

// Find returns the connection of the network whose full name is name.
func (n *Network) Find(name string) (Connection, bool) {
	for _, c := range n.Connections {
		if strings.TrimSpace(c.FirstName+" "+c.LastName) == name {
			return c, true
		}
	}
	return Connection{}, false
}
