package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Config is the whole configuration file, after flags and LINKPORT_* env
// overrides. Targets stay raw here: each is decoded by its type in target.go,
// so that a key one type does not know is an error, not silence.
type Config struct {
	Source      SourceConfig `mapstructure:"source"`
	State       string       `mapstructure:"state"`
	MaxDelete   string       `mapstructure:"max_delete"`
	MaxRename   string       `mapstructure:"max_rename"`
	MergeByName bool         `mapstructure:"merge_by_name"`
	// DefaultRegion is where national phone numbers are read ("GB", "US").
	DefaultRegion string                    `mapstructure:"default_region"`
	Targets       map[string]map[string]any `mapstructure:"targets"`

	file    string                   // where it came from, for messages
	from    string                   // where Source.Path came from, for messages: source.path or --source
	limit   state.Limit              // MaxDelete, parsed
	renames state.Limit              // MaxRename, parsed
	targets map[string]*targetConfig // Targets, decoded by type
}

// SourceConfig says where the LinkedIn data comes from: exports on disk
// (path) or LinkedIn's Member Data Portability API (api).
type SourceConfig struct {
	// Path is one entry or a list; each entry is a zip, an unzipped folder,
	// a Connections.csv or a glob of them (~ and $VARS expanded). Every
	// match is read, oldest export first; the newest is the one synced.
	Path PathList   `mapstructure:"path"`
	API  *APIConfig `mapstructure:"api"`
}

// PathList is source.path: a single string in the config or the
// environment is one entry, never split at its commas.
type PathList []string

// pathListHook decodes a plain string into a one-entry PathList, before
// viper's own hook would split it at commas (paths may hold commas).
func pathListHook(from, to reflect.Type, data any) (any, error) {
	if from.Kind() == reflect.String && to == reflect.TypeOf(PathList(nil)) {
		return PathList{data.(string)}, nil
	}
	return data, nil
}

// APIConfig is source.api: the Member Snapshot API (EU/EEA/Swiss members).
type APIConfig struct {
	TokenEnv     string   `mapstructure:"token_env"`
	TokenFile    string   `mapstructure:"token_file"`
	TokenCommand string   `mapstructure:"token_command"`
	BaseURL      string   `mapstructure:"base_url"`
	Domains      []string `mapstructure:"domains"`
	Version      string   `mapstructure:"version"`
	// Changelog reads the Member Changelog API's events since the last run
	// on top of the last full snapshot (kept in "<state>.api"), instead of
	// a full snapshot every run.
	Changelog bool `mapstructure:"changelog"`
}

// configError is bad configuration: exit code 2.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// defaultConfigPath is $LINKPORT_CONFIG, else $XDG_CONFIG_HOME/linkport/config.yaml.
func defaultConfigPath() string {
	if p := os.Getenv("LINKPORT_CONFIG"); p != "" {
		return p
	}
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "linkport", "config.yaml")
	}
	return filepath.Join(os.Getenv("HOME"), ".config", "linkport", "config.yaml")
}

func defaultStatePath() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "linkport", "state.json")
	}
	return filepath.Join(os.Getenv("HOME"), ".local", "state", "linkport", "state.json")
}

// loadConfig reads the config file (optional when it is the default one and
// does not exist), applies LINKPORT_* env vars and the flags, and validates.
func loadConfig(g *globalFlags) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	v.SetEnvPrefix("LINKPORT")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	for _, k := range []string{"source.path", "state", "max_delete", "max_rename", "merge_by_name", "default_region"} {
		_ = v.BindEnv(k) // only fails without a key
	}
	v.SetDefault("max_delete", "10%")
	v.SetDefault("max_rename", "5%")

	path, explicit := g.config, g.config != ""
	if !explicit {
		path = defaultConfigPath()
		explicit = os.Getenv("LINKPORT_CONFIG") != ""
	}
	path = expandPath(path)
	cfg := &Config{file: path}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		cfg.file = ""
	case err != nil:
		return nil, configError{fmt.Errorf("read config: %w", err)}
	default:
		defer f.Close()
		if err := v.ReadConfig(f); err != nil {
			return nil, configError{fmt.Errorf("read config %s: %w", path, err)}
		}
	}
	var md mapstructure.Metadata
	if err := v.Unmarshal(cfg, func(dc *mapstructure.DecoderConfig) {
		dc.Metadata = &md
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(pathListHook, dc.DecodeHook)
	}); err != nil {
		return nil, configError{fmt.Errorf("read config %s: %w", path, err)}
	}
	if len(md.Unused) > 0 {
		sort.Strings(md.Unused)
		return nil, configError{fmt.Errorf("config %s: unknown key %q (known: source.path, source.api, state, max_delete, max_rename, merge_by_name, default_region, targets)", path, md.Unused[0])}
	}
	// Per-target env overrides: LINKPORT_TARGETS_<NAME>_<KEY>.
	for name, t := range cfg.Targets {
		prefix := "LINKPORT_TARGETS_" + strings.ToUpper(name) + "_"
		for _, kv := range os.Environ() {
			k, val, _ := strings.Cut(kv, "=")
			if key, ok := strings.CutPrefix(k, prefix); ok {
				t[strings.ToLower(key)] = val
			}
		}
	}
	if len(g.sources) > 0 {
		cfg.Source.Path, cfg.Source.API = g.sources, nil // --source names exports on disk
		cfg.from = "--source"
	}
	if len(cfg.Source.Path) > 0 && cfg.Source.API != nil {
		return nil, configError{fmt.Errorf("config %s: set source.path or source.api, not both", cfg.where())}
	}
	if g.stateFile != "" {
		cfg.State = g.stateFile
	}
	if cfg.State == "" {
		cfg.State = defaultStatePath()
	}
	if cfg.State, err = resolveState(expandPath(cfg.State)); err != nil {
		return nil, configError{fmt.Errorf("config %s: %w", cfg.where(), err)}
	}
	if cfg.limit, err = state.ParseLimit("max_delete", cfg.MaxDelete); err != nil {
		return nil, configError{fmt.Errorf("config %s: %w", cfg.where(), err)}
	}
	if cfg.renames, err = state.ParseLimit("max_rename", cfg.MaxRename); err != nil {
		return nil, configError{fmt.Errorf("config %s: %w", cfg.where(), err)}
	}
	if cfg.DefaultRegion = strings.ToUpper(strings.TrimSpace(cfg.DefaultRegion)); cfg.DefaultRegion != "" && !mapping.ValidRegion(cfg.DefaultRegion) {
		return nil, configError{fmt.Errorf("config %s: default_region %q: expected a two-letter country code such as GB or US", cfg.where(), cfg.DefaultRegion)}
	}
	if cfg.targets, err = parseTargets(cfg); err != nil {
		return nil, err
	}
	for _, name := range g.targets {
		if _, ok := cfg.Targets[name]; !ok {
			return nil, configError{fmt.Errorf("--target %s: no such target in %s (have: %s)", name, cfg.where(), strings.Join(cfg.targetNames(nil), ", "))}
		}
	}
	return cfg, nil
}

// reconcileOptions are the settings mapping.Reconcile reads from the config.
func (c *Config) reconcileOptions() mapping.Options {
	return mapping.Options{MergeByName: c.MergeByName, DefaultRegion: c.DefaultRegion}
}

func (c *Config) where() string {
	if c.file == "" {
		return "the configuration (no config file)"
	}
	return c.file
}

// targetNames lists configured targets, sorted, limited to only when given.
func (c *Config) targetNames(only []string) []string {
	var names []string
	for n := range c.Targets {
		if len(only) == 0 || slices.Contains(only, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// resolveState follows a symlinked state file to where it points, so the
// state is written there (its journal, lock and sent store beside it) and
// the link stays a link. The file itself may not exist yet (a first run);
// a link into a directory that does not exist is refused.
func resolveState(p string) (string, error) {
	for range 16 { // a chain of links, not a loop
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", fmt.Errorf("read state link %s: %w", p, err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		if _, err := os.Stat(filepath.Dir(target)); err != nil {
			return "", fmt.Errorf("state %s is a symlink to %s, whose directory does not exist: point it at a file, or set state to the real path", p, target)
		}
		p = target
	}
	return "", fmt.Errorf("state %s: too many symlinks", p)
}

// sourcePaths resolves source.path into the exports to read: ~ and $VARS
// expanded, every match of a glob, each file once however many entries
// name it. Every entry must name something: one that matches nothing is a
// typo or a moved folder, and reading the rest would quietly sync less than
// the user listed.
func (c *Config) sourcePaths() ([]string, error) {
	if len(c.Source.Path) == 0 {
		return nil, configError{errors.New("no source: set source.path in the config, LINKPORT_SOURCE_PATH, or --source")}
	}
	var out, missing []string
	var seen []os.FileInfo
	for i, entry := range c.Source.Path {
		p := expandPath(strings.TrimSpace(entry))
		if p == "" {
			return nil, configError{fmt.Errorf("%s entry %d is empty", c.pathOrigin(), i+1)}
		}
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			var err error
			if matches, err = filepath.Glob(p); err != nil {
				return nil, configError{fmt.Errorf("%s %q: %w", c.pathOrigin(), entry, err)}
			}
		}
		found := false
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil {
				continue
			}
			found = true
			if slices.ContainsFunc(seen, func(o os.FileInfo) bool { return os.SameFile(o, fi) }) {
				continue // the same file named twice (two globs, a symlink): read once
			}
			seen = append(seen, fi)
			out = append(out, filepath.Clean(m))
		}
		if !found {
			m := fmt.Sprintf("%q", entry)
			if p != entry {
				m += " (" + p + ")"
			}
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		verb := "matches"
		if len(missing) > 1 {
			verb = "match"
		}
		return nil, configError{fmt.Errorf("%s %s %s no file", c.pathOrigin(), strings.Join(missing, ", "), verb)}
	}
	return out, nil
}

// pathOrigin names where the source paths came from: the config file, or --source.
func (c *Config) pathOrigin() string {
	if c.from != "" {
		return c.from
	}
	return "config " + c.where() + ": source.path"
}

// expandPath expands a leading ~ and $VARS.
func expandPath(p string) string {
	if p == "" {
		return ""
	}
	p = os.Expand(p, os.Getenv)
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = filepath.Join(os.Getenv("HOME"), p[1:])
	}
	return p
}

// secret resolves a secret from exactly one of an env var, a file or a
// command. The value is never logged; messages name only where it came from.
func secret(ctx context.Context, what, env, file, command string) (string, error) {
	set := 0
	for _, s := range []string{env, file, command} {
		if s != "" {
			set++
		}
	}
	switch {
	case set == 0:
		return "", nil
	case set > 1:
		return "", configError{fmt.Errorf("%s: set only one of %[1]s_env, %[1]s_file, %[1]s_command", what)}
	case env != "":
		v := os.Getenv(env)
		if v == "" {
			return "", configError{fmt.Errorf("%s_env: environment variable %s is empty or unset", what, env)}
		}
		return v, nil
	case file != "":
		b, err := os.ReadFile(expandPath(file))
		if err != nil {
			return "", configError{fmt.Errorf("%s_file: %w", what, err)}
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	default:
		cmd := exec.CommandContext(ctx, "sh", "-c", command)
		cmd.Env = commandEnv(os.Environ())
		out, err := cmd.Output()
		if err != nil {
			return "", configError{fmt.Errorf("%s_command failed: %w", what, err)}
		}
		return strings.TrimRight(string(out), "\r\n"), nil
	}
}

// commandEnv is the environment a *_command runs with: what a password
// manager (pass, gpg with its pinentry, an SSH agent, a desktop keyring)
// needs, and nothing else, so that a password_command never sees the
// webhook secret or the API token that sit in linkport's own environment.
func commandEnv(environ []string) []string {
	keep := []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ",
		"GPG_AGENT_INFO", "GPG_TTY", "GNUPGHOME", "SSH_AUTH_SOCK",
		"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
	prefixes := []string{"LC_", "XDG_", "PASSWORD_STORE_"}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if slices.Contains(keep, k) || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			out = append(out, kv)
		}
	}
	return out
}

// decodeTarget decodes one target's raw map into its typed config, refusing keys it does not know.
func decodeTarget(cfg *Config, name string, raw map[string]any, out any) error {
	var md mapstructure.Metadata
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		Result: out, Metadata: &md, WeaklyTypedInput: true,
		DecodeHook: mapstructure.StringToTimeDurationHookFunc(),
	})
	if err != nil {
		return err
	}
	if err := dec.Decode(raw); err != nil {
		return configError{fmt.Errorf("config %s: targets.%s: %w", cfg.where(), name, err)}
	}
	if len(md.Unused) > 0 {
		sort.Strings(md.Unused)
		return configError{fmt.Errorf("config %s: targets.%s: unknown key %q for type %v", cfg.where(), name, md.Unused[0], raw["type"])}
	}
	return nil
}
