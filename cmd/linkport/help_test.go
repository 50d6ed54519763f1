package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commands walks the whole command tree, hidden ones included.
func commands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		out = append(out, commands(sub)...)
	}
	return out
}

// splitWords splits a command line as a shell would for the simple quoting
// examples use.
func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// Every command's --help has an example, and every linkport command line
// in one names commands and flags that exist, with arguments they accept.
func TestExamples(t *testing.T) {
	root := (&app{stdout: io.Discard, stderr: io.Discard}).rootCmd()
	for _, c := range commands(root) {
		if c.Name() == cobra.ShellCompRequestCmd || c.Name() == cobra.ShellCompNoDescRequestCmd {
			continue
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no example in its --help", c.CommandPath())
			continue
		}
		for _, line := range strings.Split(c.Example, "\n") {
			i := strings.Index(line, "linkport ")
			if i < 0 {
				continue
			}
			cmdline := line[i:]
			for _, end := range []string{" #", " >", " |", " &&", ")"} {
				cmdline, _, _ = strings.Cut(cmdline, end)
			}
			args := splitWords(cmdline)[1:]
			fresh := (&app{stdout: io.Discard, stderr: io.Discard}).rootCmd()
			found, rest, err := fresh.Find(args)
			if err != nil {
				t.Errorf("%s example %q: %v", c.CommandPath(), line, err)
				continue
			}
			found.InitDefaultHelpFlag()
			found.InitDefaultVersionFlag()
			if err := found.ParseFlags(rest); err != nil {
				t.Errorf("%s example %q: %v", c.CommandPath(), line, err)
				continue
			}
			if found.Args != nil {
				if err := found.Args(found, found.Flags().Args()); err != nil {
					t.Errorf("%s example %q: %v", c.CommandPath(), line, err)
				}
			}
		}
	}
}

// Flag values complete: --profile from the CRM profiles, --format by
// command, --target from the config file.
func TestCompletion(t *testing.T) {
	dir := env(t)
	cfg := writeConfig(t, dir, "targets:\n  phone:\n    type: carddav\n    url: https://dav.example.org/\n  crm:\n    type: csv\n    path: x.csv\n")
	for _, tc := range []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{name: "profile", args: []string{"export", "--profile", ""}, want: []string{"hubspot", "google", "salesforce-leads", "vcard"}},
		{name: "profile prefix", args: []string{"init", "--profile", "sal"}, want: []string{"salesforce"}},
		{name: "format of diff", args: []string{"diff", "--format", ""}, want: []string{"text", "json", "markdown"}, not: []string{"graphml"}},
		{name: "format of graph", args: []string{"graph", "--format", ""}, want: []string{"dot", "graphml"}, not: []string{"markdown"}},
		{name: "target", args: []string{"sync", "--config", cfg, "--target", ""}, want: []string{"phone\tcarddav", "crm\tcsv"}},
		{name: "target after one", args: []string{"sync", "--config", cfg, "--target", "phone", "--target", ""}, want: []string{"crm\tcsv"}},
		{name: "target without config", args: []string{"sync", "--config", filepath.Join(dir, "none.yaml"), "--target", ""}, not: []string{"phone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{cobra.ShellCompRequestCmd}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			for _, w := range tc.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("completions %q lack %q", lines, w)
				}
			}
			for _, n := range tc.not {
				if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, n) }) {
					t.Errorf("completions %q offer %q", lines, n)
				}
			}
		})
	}
}

// linkport man DIR writes a page per visible command, examples included.
func TestManPages(t *testing.T) {
	env(t)
	dir := filepath.Join(t.TempDir(), "man")
	if code, _, errs := runCLI(t, "man", dir); code != exitOK {
		t.Fatalf("man: exit %d: %s", code, errs)
	}
	for _, page := range []string{"linkport.1", "linkport-sync.1", "linkport-init.1", "linkport-outbox-retry.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Errorf("no %s: %v", page, err)
			continue
		}
		if !strings.Contains(string(b), ".SH EXAMPLE") || !strings.Contains(string(b), ".TH \"LINKPORT\" \"1\"") {
			t.Errorf("%s lacks its header or examples:\n%.400s", page, b)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "linkport-man.1")); err == nil {
		t.Error("the hidden man command has a page")
	}
}
