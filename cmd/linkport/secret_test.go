package main

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestSecretCommandEnv: a password_command that prints its environment
// sees PATH, HOME and the agent variables, never the other secrets.
func TestSecretCommandEnv(t *testing.T) {
	t.Setenv("LINKPORT_TEST_WEBHOOK_SECRET", "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")
	t.Setenv("LINKEDIN_TOKEN", "AQX-token-value")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
	t.Setenv("HOME", "/home/alice")
	t.Setenv("SSH_AUTH_SOCK", "/run/user/1000/ssh")
	t.Setenv("PASSWORD_STORE_DIR", "/home/alice/.pw")
	t.Setenv("LC_TIME", "de_DE.UTF-8")
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	out, err := secret(context.Background(), "password", "", "", "env")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(out, "\n") {
		k, _, _ := strings.Cut(l, "=")
		names = append(names, k)
	}
	for _, want := range []string{"PATH", "HOME", "SSH_AUTH_SOCK", "PASSWORD_STORE_DIR", "LC_TIME", "XDG_RUNTIME_DIR"} {
		if !slices.Contains(names, want) {
			t.Errorf("the command lacks %s; it saw %v", want, names)
		}
	}
	for _, secret := range []string{"whsec_", "AQX-token-value", "aws-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("the command saw %q:\n%s", secret, out)
		}
	}
}

func TestCommandEnv(t *testing.T) {
	tests := []struct {
		in   string
		keep bool
	}{
		{"PATH=/usr/bin", true},
		{"HOME=/home/a", true},
		{"USER=a", true},
		{"LOGNAME=a", true},
		{"LANG=C.UTF-8", true},
		{"LC_ALL=C", true},
		{"TZ=Europe/Berlin", true},
		{"XDG_CONFIG_HOME=/c", true},
		{"GPG_AGENT_INFO=x", true},
		{"GNUPGHOME=/g", true},
		{"SSH_AUTH_SOCK=/s", true},
		{"PASSWORD_STORE_DIR=/p", true},
		{"DISPLAY=:0", true},
		{"WAYLAND_DISPLAY=wayland-0", true},
		{"DBUS_SESSION_BUS_ADDRESS=unix:path=/b", true},
		{"LINKPORT_WEBHOOK_SECRET=whsec_x", false},
		{"LINKEDIN_TOKEN=t", false},
		{"PATHOLOGICAL=1", false},
		{"MYHOME=/x", false},
		{"GITHUB_TOKEN=t", false},
	}
	for _, tt := range tests {
		got := commandEnv([]string{tt.in})
		if kept := len(got) == 1; kept != tt.keep {
			t.Errorf("commandEnv(%q) = %q, keep %v", tt.in, got, tt.keep)
		}
	}
}
