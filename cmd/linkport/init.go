package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/connectors/csvfile"
	"github.com/linkport/linkport/state/atomicfile"
)

// defaultSource is where a browser saves LinkedIn's export; the glob picks
// the newest download.
const defaultSource = "~/Downloads/Basic_LinkedInDataExport_*.zip"

// initOptions is what `linkport init` writes: one target of one kind.
type initOptions struct {
	Kind                   string // carddav | csv | webhook
	Name                   string // the target's name
	URL, Username, Book    string // carddav; URL also for webhook
	Path, Profile          string // csv
	Source                 string
	PasswordEnv, SecretEnv string
}

func (a *app) initCmd() *cobra.Command {
	var o initOptions
	var carddavURL, csvPath, webhookURL string
	var force bool
	cmd := &cobra.Command{
		Use:   "init [--carddav URL --username U | --csv PATH --profile NAME | --webhook URL]",
		Short: "Write a commented starter config",
		Long: "Write a starter config for one target, with every choice commented, to\n" +
			"$XDG_CONFIG_HOME/linkport/config.yaml (or --config FILE), readable only by you.\n" +
			"Without a flag, on a terminal, it asks. An existing file is never replaced\n" +
			"without --force. Passwords never go in the file: it reads them from an\n" +
			"environment variable, a file or a command (password_env, _file, _command).",
		Example: "  linkport init --carddav https://dav.example.org/ --username me\n" +
			"  linkport init --csv ~/linkedin/hubspot.csv --profile hubspot --source ~/Downloads/Basic_LinkedInDataExport_12-01-2026.zip\n" +
			"  linkport init --webhook https://hooks.example.org/linkport\n" +
			"  linkport init --config ./linkport.yaml --csv contacts.csv --force",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set := 0
			for kind, v := range map[string]string{"carddav": carddavURL, "csv": csvPath, "webhook": webhookURL} {
				if v != "" {
					set++
					o.Kind = kind
				}
			}
			switch {
			case set > 1:
				return usageError{errors.New("init: give one of --carddav, --csv or --webhook (add more targets to the file by hand)")}
			case set == 0 && isTerminal(cmd.InOrStdin()):
				if err := askInit(bufio.NewReader(cmd.InOrStdin()), a.stderr, &o); err != nil {
					return err
				}
			case set == 0:
				return usageError{errors.New("init: say what to sync to: --carddav URL, --csv PATH or --webhook URL (or run it on a terminal to be asked)")}
			default:
				o.URL = carddavURL + webhookURL
				o.Path = csvPath
			}
			switch len(a.g.sources) {
			case 0:
			case 1:
				o.Source = a.g.sources[0]
			default:
				return usageError{errors.New("init: give one --source (list more under source.path in the file it writes)")}
			}
			dest := a.g.config
			if dest == "" {
				dest = defaultConfigPath()
			}
			return a.writeInit(expandPath(dest), o, force)
		},
	}
	f := cmd.Flags()
	f.StringVar(&carddavURL, "carddav", "", "a CardDAV server, principal or address book URL")
	f.StringVar(&o.Username, "username", "", "the CardDAV user name")
	f.StringVar(&o.Book, "addressbook", "LinkedIn", "the CardDAV address book (display name or path segment; created when missing)")
	f.StringVar(&csvPath, "csv", "", "a CRM import file to keep up to date")
	f.StringVar(&o.Profile, "profile", "generic", "the CRM the CSV file is for (linkport export --list-profiles)")
	f.StringVar(&webhookURL, "webhook", "", "a URL to POST signed change events to")
	f.StringVar(&o.Name, "name", "", "the target's name (default phone, crm or hooks)")
	f.BoolVar(&force, "force", false, "replace an existing config file")
	return cmd
}

// askInit asks for what the flags would have said.
func askInit(in *bufio.Reader, out io.Writer, o *initOptions) error {
	ask := func(q, def string) (string, error) {
		if def != "" {
			fmt.Fprintf(out, "%s [%s]: ", q, def)
		} else {
			fmt.Fprintf(out, "%s: ", q)
		}
		line, err := in.ReadString('\n')
		if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
			return "", usageError{fmt.Errorf("init: no answer to %q", q)}
		}
		if line = strings.TrimSpace(line); line == "" {
			return def, nil
		}
		return line, nil
	}
	fmt.Fprintln(out, "Where should linkport keep your LinkedIn network?\n  1) a CardDAV address book (Nextcloud, Radicale, Fastmail, iCloud…)\n  2) a CSV file a CRM imports\n  3) a webhook")
	var err error
	for o.Kind == "" {
		var choice string
		if choice, err = ask("Choose 1, 2 or 3", "1"); err != nil {
			return err
		}
		o.Kind = map[string]string{"1": "carddav", "2": "csv", "3": "webhook"}[choice]
	}
	switch o.Kind {
	case "carddav":
		for o.URL == "" && err == nil {
			o.URL, err = ask("CardDAV URL (server, principal or address book)", "")
		}
		if err == nil {
			o.Username, err = ask("User name", os.Getenv("USER"))
		}
		if err == nil {
			o.Book, err = ask("Address book", "LinkedIn")
		}
	case "csv":
		if o.Profile, err = ask("CRM ("+strings.Join(csvfile.Profiles(), ", ")+")", "generic"); err == nil {
			o.Path, err = ask("File to write", "~/linkedin/"+o.Profile+".csv")
		}
	case "webhook":
		for o.URL == "" && err == nil {
			o.URL, err = ask("Webhook URL", "")
		}
	}
	if err != nil {
		return err
	}
	o.Source, err = ask("Your LinkedIn export (a zip, a folder or Connections.csv; a glob picks the newest)", defaultSource)
	return err
}

// writeInit renders the config, checks that linkport reads it as meant,
// and writes it at dest, mode 0600.
func (a *app) writeInit(dest string, o initOptions, force bool) error {
	if _, err := os.Lstat(dest); err == nil && !force {
		return usageError{fmt.Errorf("init: %s exists; edit it, or pass --force to replace it (the old file is not kept)", dest)}
	}
	if o.Profile == "" {
		o.Profile = "generic"
	}
	if o.Kind == "csv" {
		if _, err := csvfile.LoadProfile(expandPath(o.Profile)); err != nil {
			return usageError{fmt.Errorf("init: %w", err)}
		}
	}
	if o.Name == "" {
		o.Name = map[string]string{"carddav": "phone", "csv": "crm", "webhook": "hooks"}[o.Kind]
	}
	if o.Source == "" {
		o.Source = defaultSource
	}
	o.Source, o.Path = absPath(o.Source), absPath(o.Path)
	o.PasswordEnv, o.SecretEnv = "LINKPORT_CARDDAV_PASSWORD", "LINKPORT_WEBHOOK_SECRET"
	var b strings.Builder
	if err := starterConfig.Execute(&b, o); err != nil {
		return fmt.Errorf("init: render config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return fmt.Errorf("init: create config directory: %w", err)
	}
	// Read back through the loader before it replaces anything: a URL the
	// loader refuses is said now, not on the first sync.
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".linkport-init-*.yaml")
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := os.WriteFile(tmp.Name(), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("init: write config: %w", err)
	}
	if _, err := loadConfig(&globalFlags{config: tmp.Name()}); err != nil {
		var ce configError
		if errors.As(err, &ce) {
			return usageError{fmt.Errorf("init: %s", strings.ReplaceAll(err.Error(), "config "+tmp.Name()+": ", ""))}
		}
		return err
	}
	if err := atomicfile.Write(dest, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("init: write config: %w", err)
	}
	fmt.Fprintf(a.stdout, "Wrote %s (only you can read it). Next:\n", dest)
	step := 1
	say := func(format string, args ...any) {
		fmt.Fprintf(a.stdout, "  %d. "+format+"\n", append([]any{step}, args...)...)
		step++
	}
	if o.Source == defaultSource {
		say("download your LinkedIn data (Settings, Data privacy, Get a copy of your data) into ~/Downloads")
	}
	switch o.Kind {
	case "carddav":
		say("give it the password: export %s=… (or set password_command in the file)", o.PasswordEnv)
	case "webhook":
		say("make a secret and give it to the receiver too: export %s=$(linkport webhook secret)", o.SecretEnv)
	}
	say("linkport diff     # what a sync would do; writes nothing")
	say("linkport sync")
	return nil
}

// absPath makes a relative path from a flag absolute, so the config means
// the same from any directory; ~ and $VARS stay for the loader.
func absPath(p string) string {
	if p == "" || strings.HasPrefix(p, "~") || strings.HasPrefix(p, "$") || filepath.IsAbs(p) {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// yamlString quotes s as a YAML double-quoted scalar (Go's escapes are YAML's).
func yamlString(s string) string { return strconv.Quote(s) }

var starterConfig = template.Must(template.New("config").Funcs(template.FuncMap{"q": yamlString}).Parse(`# linkport configuration, written by ` + "`linkport init`" + `.
# Every key is explained in the README and in configs/linkport.example.yaml.
# ` + "`linkport diff`" + ` shows what a sync would do and writes nothing.

source:
  # Your LinkedIn export: the ZIP from "Get a copy of your data", an unzipped
  # folder or a Connections.csv. A glob picks the newest match, so next
  # month's download is used without editing this file.
  path: {{q .Source}}

# What each target last received, and the identity map that keeps IDs stable.
# Default: $XDG_STATE_HOME/linkport/state.json (~/.local/state/linkport/state.json).
# state: ~/.local/state/linkport/state.json

# A run that would remove more than this many contacts from a target, or
# rename more than max_rename of them, stops unless --force is given.
max_delete: 10%
max_rename: 5%

# The country national phone numbers are read in, for their +E.164 form.
# default_region: GB

targets:
{{- if eq .Kind "carddav"}}
  {{.Name}}:
    type: carddav
    # A server root, /.well-known/carddav, a principal or the address book URL.
    url: {{q .URL}}
    # Display name or path segment; created when missing.
    addressbook: {{q .Book}}
    username: {{q .Username}}
    # The password is never written here. Best is your password manager:
    #   password_command: "pass show dav/linkport"
    #   password_command: "secret-tool lookup service linkport"
    # or a file only you can read (chmod 600):
    #   password_file: ~/.config/linkport/carddav-password
    # As written, it comes from this environment variable, which the nightly
    # systemd unit (secrets.env) and cron line (secrets.sh) set. Keep one of
    # the three. Use an app password where the server offers them.
    password_env: {{.PasswordEnv}}
    # A contact gone from LinkedIn: mark (category "LinkedIn: removed"), delete or keep.
    on_remove: mark
    # Your edit of a field linkport owns wins (keep-remote), or linkport's (overwrite).
    conflict: keep-remote
    # backup_dir: ~/linkport-backup   # each card saved here before it is overwritten or deleted
{{- else if eq .Kind "csv"}}
  {{.Name}}:
    type: csv
    # The CRM whose importer maps these columns by itself
    # (linkport export --list-profiles), or a path to your own profile YAML.
    profile: {{q .Profile}}
    # Rewritten whole and atomically on every sync.
    path: {{q .Path}}
    # full: everybody each time; changes: a new dated file per sync with changes.
    mode: full
{{- else}}
  {{.Name}}:
    type: webhook
    url: {{q .URL}}
    # The signing secret is never written here: make one with
    # ` + "`linkport webhook secret`" + `, give it to the receiver, and keep it in this
    # environment variable, or use secret_file / secret_command.
    secret_env: {{.SecretEnv}}
    # batch_size: 1      # above 1, a request carries {"events": [...]}
    # max_attempts: 5    # per run; then the events wait in the outbox for the next run
{{- end}}
`))
