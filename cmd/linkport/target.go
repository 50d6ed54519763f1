package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/csvfile"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// targetConfig is one entry under targets:, decoded by its type so that a
// key the type does not know is an error.
type targetConfig struct {
	Type    string
	csv     *csvConfig
	carddav *carddavConfig
	webhook *webhookConfig
}

type csvConfig struct {
	Type    string `mapstructure:"type"`
	Profile string `mapstructure:"profile"`
	Path    string `mapstructure:"path"`
	Mode    string `mapstructure:"mode"` // full | changes

	profile *csvfile.Profile
}

type carddavConfig struct {
	Type            string        `mapstructure:"type"`
	URL             string        `mapstructure:"url"`
	AddressBook     string        `mapstructure:"addressbook"`
	Username        string        `mapstructure:"username"`
	PasswordEnv     string        `mapstructure:"password_env"`
	PasswordFile    string        `mapstructure:"password_file"`
	PasswordCommand string        `mapstructure:"password_command"`
	VCardVersion    string        `mapstructure:"vcard_version"`
	OnRemove        string        `mapstructure:"on_remove"`
	Conflict        string        `mapstructure:"conflict"`
	Concurrency     int           `mapstructure:"concurrency"`
	BackupDir       string        `mapstructure:"backup_dir"`
	CAFile          string        `mapstructure:"ca_file"`
	Timeout         time.Duration `mapstructure:"timeout"`
}

type webhookConfig struct {
	Type          string            `mapstructure:"type"`
	URL           string            `mapstructure:"url"`
	SecretEnv     string            `mapstructure:"secret_env"`
	SecretFile    string            `mapstructure:"secret_file"`
	SecretCommand string            `mapstructure:"secret_command"`
	BatchSize     int               `mapstructure:"batch_size"`
	Timeout       time.Duration     `mapstructure:"timeout"`
	Headers       map[string]string `mapstructure:"headers"`
	MaxAttempts   int               `mapstructure:"max_attempts"`
}

// parseTargets decodes and checks every configured target up front, so a
// typo fails diff and sync alike before anything is read or written.
func parseTargets(cfg *Config) (map[string]*targetConfig, error) {
	out := map[string]*targetConfig{}
	for name, raw := range cfg.Targets {
		typ, _ := raw["type"].(string)
		tc := &targetConfig{Type: typ}
		var err error
		switch typ {
		case "csv", "vcf":
			tc.csv = &csvConfig{}
			err = decodeTarget(cfg, name, raw, tc.csv)
			if err == nil && tc.csv.Path == "" {
				err = configError{fmt.Errorf("config %s: targets.%s: path is required", cfg.where(), name)}
			}
			if err == nil {
				err = tc.csv.loadProfile(cfg, name)
			}
		case "carddav":
			tc.carddav = &carddavConfig{}
			err = decodeTarget(cfg, name, raw, tc.carddav)
			if err == nil {
				err = tc.carddav.check(cfg, name)
			}
		case "webhook":
			tc.webhook = &webhookConfig{}
			err = decodeTarget(cfg, name, raw, tc.webhook)
			if err == nil && tc.webhook.URL == "" {
				err = configError{fmt.Errorf("config %s: targets.%s: url is required", cfg.where(), name)}
			}
		default:
			err = configError{fmt.Errorf("config %s: targets.%s: unknown type %q (want csv, vcf, carddav or webhook)", cfg.where(), name, typ)}
		}
		if err != nil {
			return nil, err
		}
		out[name] = tc
	}
	return out, nil
}

// newTarget builds the named target: an explicit switch on its type, no
// registration magic. It returns the target and how many writes may run at once.
func (a *app) newTarget(ctx context.Context, cfg *Config, name string, snap *state.Snapshot) (connectors.Target, int, error) {
	tc := cfg.targets[name]
	switch {
	case tc.csv != nil:
		var base []*mapping.Contact // only a full file holds what earlier runs sent
		if tc.csv.Mode != csvfile.ModeChanges {
			var err error
			if base, err = snap.Sent(name); err != nil {
				return nil, 0, err
			}
		}
		t, err := csvfile.New(csvfile.Options{
			Path:        expandPath(tc.csv.Path),
			Profile:     tc.csv.profile,
			Mode:        tc.csv.Mode,
			SourceLabel: a.sourceLabel,
			Base:        base,
		})
		return t, 1, err
	case tc.webhook != nil:
		opt, err := a.webhookOptions(ctx, name, tc.webhook)
		if err != nil {
			return nil, 0, err
		}
		opt.StatePath = cfg.State // the webhook keeps its outbox beside the state
		t, err := webhook.New(opt, a.log)
		return t, 1, err
	case tc.carddav != nil:
		c := tc.carddav
		password, err := secret(ctx, "password", c.PasswordEnv, c.PasswordFile, c.PasswordCommand)
		if err != nil {
			return nil, 0, err
		}
		t, err := carddav.New(ctx, carddav.Options{
			URL: c.URL, AddressBook: c.AddressBook, Username: c.Username, Password: password,
			VCardVersion: c.VCardVersion, OnRemove: c.OnRemove, Conflict: c.Conflict,
			Concurrency: c.Concurrency, BackupDir: expandPath(c.BackupDir), CAFile: expandPath(c.CAFile),
			Timeout: c.Timeout,
		}, a.log)
		if err != nil {
			return nil, 0, err
		}
		return t, t.Workers(), nil
	}
	return nil, 0, fmt.Errorf("target %s: type %s is not available yet", name, tc.Type)
}

// webhookOptions resolves a webhook target's secret and header values.
func (a *app) webhookOptions(ctx context.Context, name string, c *webhookConfig) (webhook.Options, error) {
	sec, err := secret(ctx, "secret", c.SecretEnv, c.SecretFile, c.SecretCommand)
	if err != nil {
		return webhook.Options{}, err
	}
	if sec == "" {
		return webhook.Options{}, configError{fmt.Errorf("targets.%s: set secret_env, secret_file or secret_command (a whsec_… secret: linkport webhook secret)", name)}
	}
	headers := map[string]string{}
	for k, v := range c.Headers {
		headers[k] = os.ExpandEnv(v) // header values may name env vars: Authorization: Bearer ${TOKEN}
	}
	return webhook.Options{Name: name, URL: c.URL, Secret: webhook.Secret(sec), BatchSize: c.BatchSize,
		Timeout: c.Timeout, Headers: headers, MaxAttempts: c.MaxAttempts}, nil
}

// check validates the keys a diff must not wait for a server to reject.
func (c *carddavConfig) check(cfg *Config, name string) error {
	bad := func(key, val, want string) error {
		return configError{fmt.Errorf("config %s: targets.%s: %s %q: want %s", cfg.where(), name, key, val, want)}
	}
	switch {
	case c.URL == "":
		return configError{fmt.Errorf("config %s: targets.%s: url is required", cfg.where(), name)}
	case !slices.Contains([]string{"", "auto", "3.0", "4.0"}, c.VCardVersion):
		return bad("vcard_version", c.VCardVersion, "auto, 3.0 or 4.0")
	case !slices.Contains([]string{"", "mark", "delete", "keep"}, c.OnRemove):
		return bad("on_remove", c.OnRemove, "mark, delete or keep")
	case !slices.Contains([]string{"", "keep-remote", "overwrite"}, c.Conflict):
		return bad("conflict", c.Conflict, "keep-remote or overwrite")
	case c.Concurrency < 0:
		return bad("concurrency", fmt.Sprint(c.Concurrency), "a positive number")
	}
	return nil
}

// loadProfile resolves the profile: a built-in name or a path to a YAML file.
// A vcf target is the vCard bundle profile.
func (c *csvConfig) loadProfile(cfg *Config, name string) error {
	p := c.Profile
	switch {
	case c.Type == "vcf" && p != "" && p != csvfile.FormatVCard:
		return configError{fmt.Errorf("config %s: targets.%s: a vcf target takes no profile", cfg.where(), name)}
	case c.Type == "vcf":
		p = csvfile.FormatVCard
	case p == "":
		p = "generic"
	}
	var err error
	if c.profile, err = csvfile.LoadProfile(expandPath(p)); err != nil {
		return configError{fmt.Errorf("config %s: targets.%s: %w", cfg.where(), name, err)}
	}
	return nil
}
