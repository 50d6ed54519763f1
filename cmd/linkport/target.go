package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/csvfile"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping"
)

// targetConfig is one entry under targets:, decoded by its type so that a
// key the type does not know is an error.
type targetConfig struct {
	Type string
	// onMissing is on_missing, every type's key: keep (the default) or clear.
	onMissing string
	// fields is fields, every type's key: what the target is sent.
	fields  connectors.FieldChoice
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
	Adopt           string        `mapstructure:"adopt"` // suggest | link | off
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
		if tc.onMissing, raw, err = onMissing(cfg, name, raw); err != nil {
			return nil, err
		}
		if tc.fields, raw, err = fieldsKey(cfg, name, raw); err != nil {
			return nil, err
		}
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
			if err == nil {
				err = checkURL(cfg, name, tc.webhook.URL)
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

// specs builds the run's targets: an explicit switch on type, no
// registration magic. Everything a target needs that can be checked without
// its server (secrets, files, writable paths) is resolved here, before the
// state is locked, so a mistake exits 2 with nothing written.
func (a *app) specs(ctx context.Context, cfg *Config, names []string) ([]connectors.Spec, error) {
	var out []connectors.Spec
	for _, name := range names {
		tc := cfg.targets[name]
		var open opener
		var look func(context.Context) (connectors.Target, error)
		var witness func(context.Context, string) (string, error)
		var err error
		switch {
		case tc.csv != nil:
			path, mode := expandPath(tc.csv.Path), tc.csv.Mode
			if open, err = a.csvOpener(path, tc.csv.profile, mode); err != nil {
				err = configError{fmt.Errorf("config %s: targets.%s: %w", cfg.where(), name, err)}
			}
			witness = func(_ context.Context, was string) (string, error) { return csvfile.Witness(path, mode, was) }
		case tc.webhook != nil:
			open, err = a.webhookOpener(ctx, cfg, name, tc.webhook)
			witness = func(context.Context, string) (string, error) { return webhook.Witness(cfg.State, name) }
		case tc.carddav != nil:
			open, look, witness, err = a.carddavOpener(ctx, cfg, name, tc.carddav)
		default:
			err = fmt.Errorf("target %s: type %s is not available", name, tc.Type)
		}
		if err != nil {
			return nil, err
		}
		sp := connectors.Spec{Name: name, Type: tc.Type, Open: open, Look: look, Witness: witness}
		if sp.Shape, err = tc.shape(); err != nil {
			return nil, configError{fmt.Errorf("config %s: targets.%s: %w", cfg.where(), name, err)}
		}
		out = append(out, sp)
	}
	return out, nil
}

// commonTargetKeys are the keys every target type takes, read before the
// type's own decoder (which knows them only for its did-you-mean).
var commonTargetKeys = []string{"on_missing", "fields"}

// on_missing values.
const (
	onMissingKeep  = "keep"  // a value a newer export lacks stays, marked as last known
	onMissingClear = "clear" // the target gets the latest export's values only
)

// onMissing reads and checks a target's on_missing key, which every type
// takes, and returns the target's keys without it for the type's decoder.
func onMissing(cfg *Config, name string, raw map[string]any) (string, map[string]any, error) {
	v, ok := raw["on_missing"]
	if !ok {
		return onMissingKeep, raw, nil
	}
	s, _ := v.(string)
	if s != onMissingKeep && s != onMissingClear {
		return "", nil, configError{fmt.Errorf("config %s: targets.%s: on_missing %q: want keep or clear", cfg.where(), name, fmt.Sprint(v))}
	}
	rest := make(map[string]any, len(raw))
	for k, val := range raw {
		if k != "on_missing" {
			rest[k] = val
		}
	}
	return s, rest, nil
}

// shape is what the target is given of each person: on_missing's clear
// first (it reads the last-seen dates the field choice may drop), then
// the fields it is sent.
func (tc *targetConfig) shape() (func(*mapping.Contact) *mapping.Contact, error) {
	fields, err := tc.fields.Shape()
	if err != nil {
		return nil, err
	}
	var clear func(*mapping.Contact) *mapping.Contact
	if tc.onMissing == onMissingClear {
		clear = connectors.ClearLastKnown
	}
	return connectors.ComposeShapes(clear, fields), nil
}

// fieldsKey reads and checks a target's fields key, which every type
// takes ({include: [...]} or {exclude: [...]}, canonical field names), and
// returns the target's keys without it for the type's decoder. A name that
// is no field gets the nearest one.
func fieldsKey(cfg *Config, name string, raw map[string]any) (connectors.FieldChoice, map[string]any, error) {
	var fc connectors.FieldChoice
	v, ok := raw["fields"]
	if !ok {
		return fc, raw, nil
	}
	fail := func(err error) (connectors.FieldChoice, map[string]any, error) {
		return fc, nil, configError{fmt.Errorf("config %s: targets.%s: %w", cfg.where(), name, err)}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fail(errors.New("fields: want include: [field, …] or exclude: [field, …]"))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k != "include" && k != "exclude" {
			return fail(errors.New(unknownKey("fields."+k, []string{"fields.include", "fields.exclude"})))
		}
		var names []string
		switch list := m[k].(type) {
		case []any:
			names = []string{}
			for _, e := range list {
				s, ok := e.(string)
				if !ok {
					return fail(fmt.Errorf("fields.%s: %v is not a field name", k, e))
				}
				names = append(names, s)
			}
		case nil:
			names = []string{}
		default:
			return fail(fmt.Errorf("fields.%s: want a list of field names, as [emails, phones]", k))
		}
		if k == "include" {
			fc.Include = names
		} else {
			fc.Exclude = names
		}
	}
	if _, err := fc.Dropped(); err != nil {
		var fe *connectors.FieldError
		if errors.As(err, &fe) && fe.Unknown {
			if near := nearest(fe.Field, append(connectors.ChoosableFields(), connectors.MandatoryFields()...)); near != "" {
				return fail(fmt.Errorf("fields.%s: unknown field %q: did you mean %q?", fe.Key, fe.Field, near))
			}
		}
		return fail(err)
	}
	rest := make(map[string]any, len(raw))
	for k, val := range raw {
		if k != "fields" {
			rest[k] = val
		}
	}
	return fc, rest, nil
}

// nearest is the name of known closest to s by edit distance, if it is
// close enough to be what was meant; else "".
func nearest(s string, known []string) string {
	best, bestD := "", 0
	for _, k := range known {
		if d := levenshtein.ComputeDistance(strings.ToLower(s), k); best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

// opener is connectors.Spec.Open.
type opener = func(context.Context, func() ([]*mapping.Contact, error)) (connectors.Target, error)

// csvOpener checks that the file at path can be written; a full file
// starts from what earlier runs sent. The source label is read when the
// target opens, after the export that names it.
func (a *app) csvOpener(path string, profile *csvfile.Profile, mode string) (opener, error) {
	if err := checkWritable(path); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	return func(_ context.Context, sent func() ([]*mapping.Contact, error)) (connectors.Target, error) {
		var base []*mapping.Contact // only a full file holds what earlier runs sent
		if mode != csvfile.ModeChanges {
			var err error
			if base, err = sent(); err != nil {
				return nil, err
			}
		}
		return csvfile.New(csvfile.Options{Path: path, Profile: profile, Mode: mode, SourceLabel: a.sourceLabel, Base: base, Log: a.log})
	}, nil
}

// webhookOpener resolves the secret and builds the target, which checks
// its secret and headers and touches no file: its outbox opens at the
// first write, under the state's lock.
func (a *app) webhookOpener(ctx context.Context, cfg *Config, name string, c *webhookConfig) (opener, error) {
	opt, err := a.webhookOptions(ctx, name, c)
	if err != nil {
		return nil, err
	}
	opt.StatePath = cfg.State
	t, err := webhook.New(opt, a.log)
	if err != nil {
		return nil, configError{fmt.Errorf("config %s: targets.%s: %w", cfg.where(), name, err)}
	}
	return func(context.Context, func() ([]*mapping.Contact, error)) (connectors.Target, error) { return t, nil }, nil
}

// carddavOpener resolves the password and checks the files it names; the
// server is first asked when the target opens. look opens it read-only,
// for a diff to match the creates to the user's cards.
// The witness reads the book's getctag or sync-token in one discovery,
// read-only (connectors.Memo).
func (a *app) carddavOpener(ctx context.Context, cfg *Config, name string, c *carddavConfig) (open opener, look func(context.Context) (connectors.Target, error), witness func(context.Context, string) (string, error), _ error) {
	password, err := secret(ctx, "password", c.PasswordEnv, c.PasswordFile, c.PasswordCommand)
	if err != nil {
		return nil, nil, nil, configError{fmt.Errorf("config %s: targets.%s: %w", cfg.where(), name, err)}
	}
	if c.CAFile != "" {
		if _, err := os.ReadFile(expandPath(c.CAFile)); err != nil {
			return nil, nil, nil, configError{fmt.Errorf("config %s: targets.%s: ca_file: %w", cfg.where(), name, err)}
		}
	}
	if c.BackupDir != "" {
		if err := checkWritable(filepath.Join(expandPath(c.BackupDir), "probe")); err != nil {
			return nil, nil, nil, configError{fmt.Errorf("config %s: targets.%s: backup_dir: %w", cfg.where(), name, err)}
		}
	}
	opt := carddav.Options{
		URL: c.URL, AddressBook: c.AddressBook, Username: c.Username, Password: password,
		VCardVersion: c.VCardVersion, OnRemove: c.OnRemove, Conflict: c.Conflict,
		Concurrency: c.Concurrency, BackupDir: expandPath(c.BackupDir), CAFile: expandPath(c.CAFile),
		Timeout: c.Timeout, Adopt: c.Adopt, Region: cfg.DefaultRegion,
	}
	open = func(ctx context.Context, _ func() ([]*mapping.Contact, error)) (connectors.Target, error) {
		return carddav.New(ctx, opt, a.log)
	}
	ro := opt
	ro.ReadOnly = true
	witness = func(ctx context.Context, _ string) (string, error) {
		t, err := carddav.New(ctx, ro, a.log)
		if err != nil {
			return "", err
		}
		defer t.Close(ctx)
		if w := t.Witness(); w != "" {
			return w, nil
		}
		return "", errors.New("the book has no getctag or sync-token to vouch for it")
	}
	if c.Adopt == carddav.AdoptOff {
		return open, nil, witness, nil // nothing to look at: diff stays offline
	}
	return open, func(ctx context.Context) (connectors.Target, error) { return carddav.New(ctx, ro, a.log) }, witness, nil
}

// checkWritable reports whether a file at path could be created: its
// nearest existing ancestor is a directory linkport may write in, and path
// itself, if it exists, is not a directory. The probe file is removed at
// once, so nothing is left behind.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory, want a file", path)
	}
	dir := filepath.Dir(path)
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", dir)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return err
		}
		dir = filepath.Dir(dir)
	}
	f, err := os.CreateTemp(dir, ".linkport-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
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
	case checkURL(cfg, name, c.URL) != nil:
		return checkURL(cfg, name, c.URL)
	case !slices.Contains([]string{"", "auto", "3.0", "4.0"}, c.VCardVersion):
		return bad("vcard_version", c.VCardVersion, "auto, 3.0 or 4.0")
	case !slices.Contains([]string{"", "mark", "delete", "keep"}, c.OnRemove):
		return bad("on_remove", c.OnRemove, "mark, delete or keep")
	case !slices.Contains([]string{"", "keep-remote", "overwrite"}, c.Conflict):
		return bad("conflict", c.Conflict, "keep-remote or overwrite")
	case !slices.Contains([]string{"", "suggest", "link", "off"}, c.Adopt):
		return bad("adopt", c.Adopt, "suggest, link or off")
	case c.Concurrency < 0:
		return bad("concurrency", fmt.Sprint(c.Concurrency), "a positive number")
	}
	return nil
}

// checkURL refuses a target URL that is not absolute http or https: a
// file:// or ftp:// URL is a mistake diff must catch, not a server's.
func checkURL(cfg *Config, name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return configError{fmt.Errorf("config %s: targets.%s: url %q: want an absolute http:// or https:// URL", cfg.where(), name, raw)}
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
