package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Mistakes in the config file get a sentence that says what was meant.
func TestConfigMessages(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{name: "typo at the top", body: "max_delet: 5\n", want: []string{`unknown key "max_delet": did you mean "max_delete"?`}},
		{name: "typo nested", body: "source:\n  pth: x.zip\n", want: []string{`did you mean "source.path"?`}},
		{name: "typo in the API block", body: "source:\n  api:\n    tokn_env: X\n", want: []string{`did you mean "source.api.token_env"?`}},
		{name: "typo in a target", body: "targets:\n  p:\n    type: carddav\n    url: http://x/\n    adressbook: x\n",
			want: []string{`targets.p (carddav)`, `did you mean "addressbook"?`}},
		{name: "typo of a key every target takes", body: "targets:\n  p:\n    type: csv\n    path: x.csv\n    feilds: {exclude: [emails]}\n",
			want: []string{`targets.p (csv)`, `did you mean "fields"?`}},
		{name: "nothing close", body: "colour: blue\n", want: []string{`unknown key "colour" (known here: source, state, max_delete`}},
		{name: "password in a carddav target", body: "targets:\n  p:\n    type: carddav\n    url: http://x/\n    password: hunter2\n",
			want: []string{`"password" is not read`, "password_env", "password_file", "password_command"}},
		{name: "password in a webhook target", body: "targets:\n  h:\n    type: webhook\n    url: http://x/\n    password: hunter2\n",
			want: []string{"secret_env", "secret_file", "secret_command"}},
		{name: "token in the API source", body: "source:\n  api:\n    token: abc\n", want: []string{"token_env", "token_file", "token_command"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			_, err := loadConfig(&globalFlags{config: writeConfig(t, dir, tc.body)})
			if err == nil {
				t.Fatal("loadConfig accepted it")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "abc") {
				t.Errorf("the error repeats the secret: %q", err)
			}
		})
	}
}

// Without a config file, every command that needs one says where it looked
// and how to get one.
func TestNoConfigFile(t *testing.T) {
	dir := env(t)
	want := filepath.Join(dir, "config", "linkport", "config.yaml")
	for _, args := range [][]string{{"sync"}, {"diff"}, {"graph"}, {"sync", "--target", "phone"}, {"fetch", "--output", dir}} {
		code, _, errs := runCLI(t, args...)
		if code != exitUsage || !strings.Contains(errs, want) || !strings.Contains(errs, "linkport init") {
			t.Errorf("%v: exit %d, stderr %q; want 2, the path looked for and linkport init", args, code, errs)
		}
		if strings.Contains(errs, "the configuration (no config file)") {
			t.Errorf("%v: the old wording: %q", args, errs)
		}
	}
	// diff with an export but no config still shows the graph, and says why there are no targets.
	code, out, errs := runCLI(t, "diff", "--source", "testdata/export2024")
	if code != exitOK || !strings.Contains(out, "graph: 6 people") || !strings.Contains(errs, want) {
		t.Errorf("diff --source: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// A --config that does not exist is an error naming it.
	missing := filepath.Join(dir, "nope.yaml")
	if code, _, errs := runCLI(t, "diff", "--config", missing); code != exitUsage || !strings.Contains(errs, "linkport init -c "+missing) {
		t.Errorf("--config missing: exit %d, %q", code, errs)
	}
}
