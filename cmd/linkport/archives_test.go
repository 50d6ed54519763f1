package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
)

func TestSourceLabel(t *testing.T) {
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		exp  *mapping.Export
		api  bool
		want string
	}{
		{&mapping.Export{ExportedAt: at}, false, "LinkedIn export 2026-11-20"},
		{&mapping.Export{ExportedAt: at}, true, "LinkedIn API 2026-11-20"},
		{&mapping.Export{}, false, "LinkedIn export"},
	} {
		if got := sourceLabel(tc.exp, tc.api); got != tc.want {
			t.Errorf("sourceLabel(%v, api %v) = %q, want %q", tc.exp.ExportedAt, tc.api, got, tc.want)
		}
	}
}

// TestSourcePaths resolves source.path as a string or a list, globs and
// ~ expanded, each file once, and refuses an entry that matches nothing,
// naming it.
func TestSourcePaths(t *testing.T) {
	dir := env(t) // HOME
	dl := filepath.Join(dir, "Downloads")
	a := writeFileAt(t, filepath.Join(dl, "Basic_LinkedInDataExport_03-15-2019.zip"))
	b := writeFileAt(t, filepath.Join(dl, "Complete_LinkedInDataExport_06-20-2022.zip"))
	c := writeFileAt(t, filepath.Join(dir, "old, kept", "Basic_LinkedInDataExport_09-10-2025.zip"))
	link := filepath.Join(dir, "latest.zip")
	if err := os.Symlink(c, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		body    string // the config's source: block
		env     string // LINKPORT_SOURCE_PATH
		flags   []string
		want    []string
		wantErr []string
	}{
		{name: "one string", body: "  path: ~/Downloads/Basic_LinkedInDataExport_03-15-2019.zip\n", want: []string{a}},
		{name: "a glob reads every match", body: "  path: ~/Downloads/*LinkedIn*.zip\n", want: []string{a, b}},
		{name: "a list of globs and paths, each file once", body: "  path:\n    - ~/Downloads/*LinkedIn*.zip\n    - ~/Downloads/Basic_*.zip\n    - $HOME/old, kept/*.zip\n    - ~/latest.zip\n",
			want: []string{a, b, c}},
		{name: "the environment: one path, commas and all", env: filepath.Join(dir, "old, kept", "*.zip"), want: []string{c}},
		{name: "--source repeated wins over the file", body: "  path: ~/Downloads/*.zip\n", flags: []string{"~/latest.zip", a}, want: []string{link, a}},
		{name: "a pattern that matches nothing", body: "  path: [~/Downloads/*.zip, ~/Dowloads/*.zip]\n",
			wantErr: []string{`"~/Dowloads/*.zip"`, filepath.Join(dir, "Dowloads"), "matches no file"}},
		{name: "nothing matches", body: "  path: [~/nope/*.zip, " + filepath.Join(dir, "gone.zip") + "]\n",
			wantErr: []string{`"~/nope/*.zip"`, "gone.zip", "match no file"}},
		{name: "an empty entry", body: "  path: [~/Downloads/*.zip, \"\"]\n", wantErr: []string{"source.path entry 2 is empty"}},
		{name: "a bad glob", body: "  path: ~/Downloads/[.zip\n", wantErr: []string{"source.path", "syntax error"}},
		{name: "none", wantErr: []string{"no source"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LINKPORT_SOURCE_PATH", tc.env)
			body := "state: " + filepath.Join(dir, "state.json") + "\n"
			if tc.body != "" {
				body += "source:\n" + tc.body
			}
			cfg, err := loadConfig(&globalFlags{config: writeConfig(t, dir, body), sources: tc.flags})
			if err != nil {
				t.Fatalf("load config: %v", err)
			}
			got, err := cfg.sourcePaths()
			if tc.wantErr != nil {
				var ce configError
				if err == nil || !errors.As(err, &ce) {
					t.Fatalf("got %v, %v; want a config error", got, err)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("paths %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func writeFileAt(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// quietApp is an app whose output goes nowhere, for calling its methods.
func quietApp(sources ...string) *app {
	return &app{stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler), g: globalFlags{sources: sources}}
}

// graphsJSON reads sources as diff does and renders what it built.
func graphsJSON(t *testing.T, sources ...string) (newest string, earlier []string, label string) {
	t.Helper()
	a := quietApp(sources...)
	cfg, err := loadConfig(&a.g)
	if err != nil {
		t.Fatal(err)
	}
	g, _, gs, err := a.graphs(context.Background(), cfg, true)
	if err != nil {
		t.Fatalf("graphs %v: %v", sources, err)
	}
	enc := func(g *mapping.Graph) string {
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, e := range gs {
		earlier = append(earlier, enc(e))
	}
	return enc(g), earlier, a.sourceLabel
}

// TestArchivesInAnyOrder gives the three archives in every order, and
// through a glob: the same archives are read oldest first and the same
// graphs built, the newest synced and the others earlier; of two archives
// of one day, the Complete_ one is the newest whatever the order.
func TestArchivesInAnyOrder(t *testing.T) {
	dir := env(t)
	story, paths, err := linkedintest.WriteArchives(filepath.Join(dir, "dl"))
	if err != nil {
		t.Fatal(err)
	}
	p0, p1, p2 := paths[0], paths[1], paths[2]
	want, wantEarlier, label := graphsJSON(t, p0, p1, p2)
	if label != "LinkedIn export 2025-09-10" || len(wantEarlier) != 2 {
		t.Fatalf("label %q, %d earlier graphs; want the 2025 archive's date and two earlier", label, len(wantEarlier))
	}
	for i, g := range append(wantEarlier, want) {
		var got mapping.Graph
		json.Unmarshal([]byte(g), &got)
		if !got.ExportedAt.Equal(story.Dates[i]) {
			t.Errorf("graph %d is dated %v, want %v (oldest first)", i, got.ExportedAt, story.Dates[i])
		}
	}
	for _, order := range [][]string{{p0, p2, p1}, {p1, p0, p2}, {p1, p2, p0}, {p2, p0, p1}, {p2, p1, p0},
		{filepath.Join(dir, "dl", "*.zip")}, {p2, filepath.Join(dir, "dl", "*_LinkedInDataExport_*"), p0}} {
		got, gotEarlier, gotLabel := graphsJSON(t, order...)
		if got != want || strings.Join(gotEarlier, "\n") != strings.Join(wantEarlier, "\n") || gotLabel != label {
			t.Errorf("%v: other graphs than in date order (label %q)", order, gotLabel)
		}
	}

	// Basic_ and Complete_ of one day: Complete_ (LinkedIn's full archive) is the newest.
	b, _ := os.ReadFile(p2)
	complete := filepath.Join(dir, "other", "Complete_LinkedInDataExport_09-10-2025.zip")
	os.MkdirAll(filepath.Dir(complete), 0o755)
	os.WriteFile(complete, b, 0o644)
	for _, order := range [][]string{{complete, p2}, {p2, complete}} {
		a := quietApp(order...)
		cfg, _ := loadConfig(&a.g)
		ins, err := a.inputs(context.Background(), cfg)
		if err != nil || len(ins) != 2 || ins[1].name != complete {
			t.Errorf("%v: inputs %+v, %v; want the Complete_ archive last", order, ins, err)
		}
	}
}

// TestBadArchiveAmongSeveral: one broken archive among good ones stops the
// run before anything is written, and the error names that archive, its
// file and line.
func TestBadArchiveAmongSeveral(t *testing.T) {
	good := linkedintest.NewArchives()
	files := good.Networks[1].Files()
	conns := string(files["Connections.csv"])
	lines := strings.Split(conns, "\n")
	lines[7] = `Zoë,Quill,,"Acme,Eng,01 Jan 2020` // an unclosed quote, line 8
	files["Connections.csv"] = []byte(strings.Join(lines, "\n"))
	broken, err := linkedintest.Zip(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		body       []byte
		want       []string
	}{
		{"a broken row", "Complete_LinkedInDataExport_06-20-2022.zip", broken, []string{"Complete_LinkedInDataExport_06-20-2022.zip", "Connections.csv:8"}},
		{"not a zip", "Basic_LinkedInDataExport_01-01-2021.zip", []byte("PK\x03\x04 truncated"), []string{"Basic_LinkedInDataExport_01-01-2021.zip", "zip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			_, paths, err := linkedintest.WriteArchives(filepath.Join(dir, "dl"))
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(paths[1])
			bad := filepath.Join(dir, "dl", tc.file)
			os.WriteFile(bad, tc.body, 0o644)
			out := filepath.Join(dir, "out.csv")
			statePath := filepath.Join(dir, "state.json")
			cfg := writeConfig(t, dir, "source:\n  path: "+filepath.Join(dir, "dl", "*.zip")+"\nstate: "+statePath+
				"\ntargets:\n  t:\n    type: csv\n    path: "+out+"\n")
			for _, cmd := range []string{"diff", "sync"} {
				code, _, errs := runCLI(t, cmd, "-c", cfg)
				if code != exitUsage {
					t.Errorf("%s: exit %d, want %d: %s", cmd, code, exitUsage, errs)
				}
				for _, w := range append(tc.want, bad) {
					if !strings.Contains(errs, w) {
						t.Errorf("%s: stderr %q does not name %q", cmd, errs, w)
					}
				}
			}
			for _, p := range []string{out, statePath} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s was written", p)
				}
			}
		})
	}
}

// TestDiffSeveralArchives: `linkport diff` with source.path a list diffs
// the newest archive (its people, its values, its label in the CRM file)
// whatever order the list is in; the older ones reach the engine as
// Earlier, and a warning from any archive names it.
func TestDiffSeveralArchives(t *testing.T) {
	dir := env(t)
	story, paths, err := linkedintest.WriteArchives(filepath.Join(dir, "Downloads"))
	if err != nil {
		t.Fatal(err)
	}
	// The 2019 archive gains a row with a date nobody can read: a warning.
	old := story.Networks[0].Files()
	old["Connections.csv"] = append(old["Connections.csv"], []byte("\nYuki,Halvorsen,,Initech,CTO,someday")...)
	b, _ := linkedintest.Zip(old)
	os.WriteFile(paths[0], b, 0o644)

	out := filepath.Join(dir, "backup.csv")
	state := "state: " + filepath.Join(dir, "state.json") + "\ntargets:\n  backup:\n    type: csv\n    path: " + out + "\n"
	reports := map[string]string{}
	for _, list := range []string{
		"  path:\n    - ~/Downloads/Basic_*.zip\n    - " + paths[1] + "\n    - ~/Downloads/*.zip\n",
		"  path: [" + paths[2] + ", " + paths[0] + ", " + paths[1] + "]\n",
	} {
		cfg := writeConfig(t, dir, "source:\n"+list+state)
		code, rep, errs := runCLI(t, "diff", "-c", cfg, "--format", "json")
		if code != exitOK {
			t.Fatalf("diff: exit %d: %s", code, errs)
		}
		reports[list] = rep
	}
	var rep string
	for _, r := range reports {
		if rep != "" && r != rep {
			t.Errorf("the order of source.path changed the report:\n%s\n%s", rep, r)
		}
		rep = r
	}
	var r struct {
		jsonReport
		Warnings []string
	}
	if err := json.Unmarshal([]byte(rep), &r); err != nil {
		t.Fatal(err)
	}
	people := len(story.Networks[2].Connections)
	if r.Graph.People != people || len(r.Targets) != 1 || r.Targets[0].Create != people {
		t.Errorf("diff plans %+v for %d people; want the 2025 archive's %d people created", r.Targets, r.Graph.People, people)
	}
	warned := false
	for _, w := range r.Warnings {
		warned = warned || strings.HasPrefix(w, paths[0]+"/Connections.csv:") && strings.Contains(w, "someday")
	}
	if !warned {
		t.Errorf("warnings %q: want the 2019 archive's, naming it", r.Warnings)
	}

	cfg := writeConfig(t, dir, "source:\n  path: ~/Downloads/*LinkedIn*.zip\n"+state)
	if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
		t.Fatalf("sync: %s", errs)
	}
	rows := readCSV(t, out)
	if _, ok := rows[linkedintest.StoryRemoved]; ok || len(rows) != people {
		t.Errorf("%d rows, %s among them; want the 2025 archive's %d people", len(rows), linkedintest.StoryRemoved, people)
	}
	for name, want := range map[string][2]string{
		linkedintest.StoryMover2025:   {"company", "Massive Dynamic"},
		linkedintest.StoryReconnected: {"connected_on", "2024-11-02"},
		linkedintest.StoryMover:       {"source", "LinkedIn export 2025-09-10"},
	} {
		if got := rows[name][want[0]]; got != want[1] {
			t.Errorf("%s: %s %q, want %q (the newest archive)", name, want[0], got, want[1])
		}
	}
	code, again, errs := runCLI(t, "diff", "-c", cfg, "--format", "json")
	if r := decodeReport(t, again); code != exitOK || r.Targets[0].Create+r.Targets[0].Update+r.Targets[0].Remove != 0 {
		t.Errorf("diff after sync: exit %d, plans %+v: %s", code, r.Targets, errs)
	}

	// graph reads only the newest archive, and says which with -v.
	code, g, errs := runCLI(t, "graph", "-c", cfg, "--format", "json", "-v")
	if code != exitOK || !bytes.Contains([]byte(g), []byte(`"people": `)) || !strings.Contains(errs, "Basic_LinkedInDataExport_09-10-2025.zip") || strings.Contains(errs, "someday") {
		t.Errorf("graph: exit %d, stderr %s", code, errs)
	}
}
