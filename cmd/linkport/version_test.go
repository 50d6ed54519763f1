package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/linkport/linkport/state"
)

func TestBuildVersion(t *testing.T) {
	for _, tc := range []struct {
		name     string
		version  string
		settings map[string]string
		want     string
	}{
		{name: "go install of a tag", version: "v1.2.3", want: "v1.2.3 (built with go1.26.0, state format N)"},
		{name: "a checkout", version: "(devel)",
			settings: map[string]string{"vcs.revision": "0123456789abcdef0123", "vcs.time": "2026-12-01T10:00:00Z", "vcs.modified": "false"},
			want:     "(devel) (commit 0123456789ab of 2026-12-01T10:00:00Z, built with go1.26.0, state format N)"},
		{name: "a dirty checkout", version: "",
			settings: map[string]string{"vcs.revision": "0123456789abcdef0123", "vcs.modified": "true"},
			want:     "(devel) (commit 0123456789ab, with uncommitted changes, built with go1.26.0, state format N)"},
		{name: "a pseudo-version names its commit once", version: "v0.0.0-20261201100000-0123456789ab",
			settings: map[string]string{"vcs.revision": "0123456789abcdef0123"},
			want:     "v0.0.0-20261201100000-0123456789ab (built with go1.26.0, state format N)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: tc.version}}
			for k, v := range tc.settings {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
			}
			want := strings.Replace(tc.want, "state format N", fmt.Sprintf("state format %d", state.Version), 1)
			if got := buildVersion(bi); got != want {
				t.Errorf("buildVersion = %q, want %q", got, want)
			}
		})
	}
}

// --version and the version command print the same line.
func TestVersionFlag(t *testing.T) {
	env(t)
	c1, flag, _ := runCLI(t, "--version")
	c2, cmd, _ := runCLI(t, "version")
	if c1 != exitOK || c2 != exitOK || flag != cmd || !strings.HasPrefix(flag, "linkport ") || !strings.Contains(flag, "state format") {
		t.Errorf("--version %d %q, version %d %q", c1, flag, c2, cmd)
	}
}
