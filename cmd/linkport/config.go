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
	"runtime"
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
	looked  []string                 // where a config file was looked for
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

// defaultConfigPath is where linkport looks for its config first, and where
// `linkport init` writes one: $LINKPORT_CONFIG, else
// $XDG_CONFIG_HOME/linkport/config.yaml, else ~/.config/linkport/config.yaml.
func defaultConfigPath() string { return configPaths()[0] }

// configPaths lists, in order, where linkport looks for a config file: the
// one path $LINKPORT_CONFIG names, else the XDG path and, on macOS and
// Windows, the system's own config folder (~/Library/Application Support,
// %AppData%) after it.
func configPaths() []string {
	if p := os.Getenv("LINKPORT_CONFIG"); p != "" {
		return []string{p}
	}
	paths := []string{filepath.Join(xdgDir("XDG_CONFIG_HOME", ".config"), "linkport", "config.yaml")}
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		if d, err := os.UserConfigDir(); err == nil {
			if p := filepath.Join(d, "linkport", "config.yaml"); p != paths[0] {
				paths = append(paths, p)
			}
		}
	}
	return paths
}

// xdgDir is $env, else ~/fallback.
func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" {
		return d
	}
	return filepath.Join(homeDir(), fallback)
}

// homeDir is $HOME, or the system's idea of it where HOME is not set (Windows).
func homeDir() string {
	h, _ := os.UserHomeDir()
	return h
}

func defaultStatePath() string {
	return filepath.Join(xdgDir("XDG_STATE_HOME", filepath.Join(".local", "state")), "linkport", "state.json")
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

	cfg, f, err := openConfig(g.config)
	if err != nil {
		return nil, err
	}
	path := cfg.file
	if f != nil {
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
		return nil, configError{fmt.Errorf("config %s: %s", path, unknownKey(md.Unused[0], configKeys(reflect.TypeFor[Config](), "")))}
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
			if cfg.file == "" {
				return nil, configError{fmt.Errorf("--target %s: no config file, so no targets (looked for %s)%s", name, cfg.tried(), initHint)}
			}
			return nil, configError{fmt.Errorf("--target %s: no such target in %s (have: %s)", name, cfg.where(), strings.Join(cfg.targetNames(nil), ", "))}
		}
	}
	return cfg, nil
}

// reconcileOptions are the settings mapping.Reconcile reads from the config.
func (c *Config) reconcileOptions() mapping.Options {
	return mapping.Options{MergeByName: c.MergeByName, DefaultRegion: c.DefaultRegion}
}

// openConfig finds the config file: the one --config or $LINKPORT_CONFIG
// names (an error when missing), else the first of configPaths that exists,
// else none (f is nil and the config is the defaults and the environment).
func openConfig(flag string) (*Config, *os.File, error) {
	paths, explicit := configPaths(), os.Getenv("LINKPORT_CONFIG") != ""
	if flag != "" {
		paths, explicit = []string{flag}, true
	}
	for i := range paths {
		paths[i] = expandPath(paths[i])
	}
	for _, p := range paths {
		f, err := os.Open(p)
		switch {
		case err == nil:
			return &Config{file: p, looked: paths}, f, nil
		case errors.Is(err, fs.ErrNotExist) && !explicit:
			continue
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, configError{fmt.Errorf("read config: %s does not exist: `linkport init -c %[1]s` writes a starter config there", p)}
		default:
			return nil, nil, configError{fmt.Errorf("read config: %w", err)}
		}
	}
	return &Config{looked: paths}, nil, nil
}

// initHint ends a message about a missing config file.
const initHint = ": `linkport init` writes a starter config there, or pass --config FILE"

// where names the config file for messages, or says there is none and
// where linkport looked.
func (c *Config) where() string {
	if c.file == "" {
		return "(no config file: looked for " + c.tried() + "; `linkport init` writes one)"
	}
	return c.file
}

// tried lists the paths looked for a config file, for messages.
func (c *Config) tried() string { return strings.Join(c.looked, " and ") }

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
	if len(c.Source.Path) == 0 && c.file == "" {
		return nil, configError{fmt.Errorf("no source: no config file (looked for %s) and no --source%s", c.tried(), initHint)}
	}
	if len(c.Source.Path) == 0 {
		return nil, configError{fmt.Errorf("no source: set source.path in %s, LINKPORT_SOURCE_PATH, or --source", c.file)}
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
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		p = filepath.Join(homeDir(), p[1:])
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
		if runtime.GOOS == "windows" {
			cmd = exec.CommandContext(ctx, "cmd", "/C", command) // no sh there
		}
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
	if runtime.GOOS == "windows" { // what cmd.exe and a credential helper need to start at all
		keep = append(keep, "SYSTEMROOT", "COMSPEC", "PATHEXT", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "TEMP", "TMP")
	}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if runtime.GOOS == "windows" {
			k = strings.ToUpper(k) // Path, SystemRoot: names are case-insensitive there
		}
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
		return configError{fmt.Errorf("config %s: targets.%s (%v): %s", cfg.where(), name, raw["type"],
			unknownKey(md.Unused[0], append(configKeys(reflect.TypeOf(out).Elem(), ""), commonTargetKeys...)))}
	}
	return nil
}
