package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/state"
)

func TestLoadConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		env     map[string]string
		flags   globalFlags
		check   func(t *testing.T, c *Config)
		wantErr string
	}{
		{name: "defaults", body: "source:\n  path: ~/x.zip\n", check: func(t *testing.T, c *Config) {
			if !strings.HasSuffix(c.State, filepath.Join("state", "linkport", "state.json")) || c.limit != state.DefaultLimit {
				t.Errorf("state %q limit %+v", c.State, c.limit)
			}
			if len(c.Source.Path) != 1 || c.Source.Path[0] != "~/x.zip" {
				t.Errorf("source path %q, want the one entry", c.Source.Path)
			}
		}},
		{name: "env overrides file", body: "max_delete: 5\ntargets:\n  backup:\n    type: csv\n    path: a.csv\n",
			env: map[string]string{"LINKPORT_MAX_DELETE": "20%", "LINKPORT_TARGETS_BACKUP_PATH": "b.csv", "LINKPORT_MERGE_BY_NAME": "true"},
			check: func(t *testing.T, c *Config) {
				if c.limit.Percent != 20 || c.targets["backup"].csv.Path != "b.csv" || !c.MergeByName {
					t.Errorf("limit %+v path %q merge %v", c.limit, c.targets["backup"].csv.Path, c.MergeByName)
				}
			}},
		{name: "default_region", body: "default_region: gb\n", env: map[string]string{}, check: func(t *testing.T, c *Config) {
			if o := c.reconcileOptions(); o.DefaultRegion != "GB" {
				t.Errorf("reconcile options %+v, want region GB", o)
			}
		}},
		{name: "default_region from env", env: map[string]string{"LINKPORT_DEFAULT_REGION": "US"}, check: func(t *testing.T, c *Config) {
			if c.DefaultRegion != "US" {
				t.Errorf("default_region %q, want US", c.DefaultRegion)
			}
		}},
		{name: "bad default_region", body: "default_region: UK\n", wantErr: `default_region "UK"`},
		{name: "flags override env", body: "state: /a/state.json\n", env: map[string]string{"LINKPORT_STATE": "/b/state.json"},
			flags: globalFlags{stateFile: "/c/state.json"}, check: func(t *testing.T, c *Config) {
				if c.State != "/c/state.json" {
					t.Errorf("state %q", c.State)
				}
			}},
		{name: "unknown nested key", body: "source:\n  api:\n    tokn_env: X\n", wantErr: "tokn_env"},
		{name: "path and api", body: "source:\n  path: x.zip\n  api:\n    token_env: X\n", wantErr: "not both"},
		{name: "bad max_delete", body: "max_delete: lots\n", wantErr: "max_delete"},
		{name: "bad on_remove", body: "targets:\n  d:\n    type: carddav\n    url: http://x\n    on_remove: shred\n", wantErr: `on_remove "shred"`},
		{name: "carddav without url", body: "targets:\n  d:\n    type: carddav\n", wantErr: "url is required"},
		{name: "unknown profile", body: "targets:\n  c:\n    type: csv\n    path: x.csv\n    profile: nosuchcrm\n", wantErr: "nosuchcrm"},
		{name: "unknown --target", body: "targets:\n  c:\n    type: csv\n    path: x.csv\n", flags: globalFlags{targets: []string{"d"}}, wantErr: "no such target"},
		{name: "yaml syntax", body: "targets: [\n", wantErr: "read config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			g := tc.flags
			g.config = writeConfig(t, dir, tc.body)
			c, err := loadConfig(&g)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("loadConfig = %v, want an error with %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "config") && !strings.Contains(err.Error(), "--target") {
					t.Errorf("error %q does not say where", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestSecretSources(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LP_SECRET", "from-env")
	file := writeConfig(t, dir, "from-file\n")
	for _, tc := range []struct {
		name, env, file, command, want, wantErr string
	}{
		{name: "env", env: "LP_SECRET", want: "from-env"},
		{name: "file", file: file, want: "from-file"},
		{name: "command", command: "printf from-command", want: "from-command"},
		{name: "none", want: ""},
		{name: "two", env: "LP_SECRET", file: file, wantErr: "only one"},
		{name: "empty env", env: "LP_UNSET_SECRET", wantErr: "LP_UNSET_SECRET"},
		{name: "failing command", command: "exit 3", wantErr: "password_command failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := secret(t.Context(), "password", tc.env, tc.file, tc.command)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("secret = %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("secret = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// max_rename: 0 allows no rename at all (it is not the default in disguise).
func TestMaxRenameZero(t *testing.T) {
	dir := env(t)
	cfg := writeConfig(t, dir, "max_rename: 0\n")
	c, err := loadConfig(&globalFlags{config: cfg})
	if err != nil || c.renames.Count != 0 || c.renames.Percent != 0 {
		t.Fatalf("max_rename: 0 gives %+v (%v)", c.renames, err)
	}
	if c, _ := loadConfig(&globalFlags{config: writeConfig(t, dir, "{}\n")}); c.renames != state.DefaultRenameLimit {
		t.Errorf("the default max_rename is %+v, want %+v", c.renames, state.DefaultRenameLimit)
	}
}
