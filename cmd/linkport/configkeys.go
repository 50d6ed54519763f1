package main

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
)

// configKeys lists the dotted keys a config struct accepts, from its
// mapstructure tags: "source", "source.path", "source.api.token_env", …
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		keys = append(keys, prefix+tag)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			keys = append(keys, configKeys(ft, prefix+tag+".")...)
		}
	}
	return keys
}

// secretWords are keys people write for a credential that linkport only
// takes from the environment, a file or a command.
var secretWords = []string{"password", "pass", "passwd", "secret", "token", "api_key", "apikey"}

// unknownKey says that key is not read, and what was probably meant: the
// secret forms for a password or token written in the file, else the
// nearest known key at the same level (by edit distance), else the known
// keys of that level.
func unknownKey(key string, known []string) string {
	parent, leaf := "", key
	if i := strings.LastIndex(key, "."); i >= 0 {
		parent, leaf = key[:i+1], key[i+1:]
	}
	var level []string
	for _, k := range known {
		if rest, ok := strings.CutPrefix(k, parent); ok && !strings.Contains(rest, ".") {
			level = append(level, rest)
		}
	}
	if slices.Contains(secretWords, strings.ToLower(leaf)) {
		for _, base := range []string{leaf, "password", "secret", "token"} {
			if slices.Contains(level, base+"_env") {
				return fmt.Sprintf("%q is not read: a secret is never written in the config; use %[2]s_env (an environment variable), "+
					"%[2]s_file (a file only you can read) or %[2]s_command (a password manager's output, e.g. `pass show linkport`)", key, base)
			}
		}
	}
	best, bestD := "", 0
	for _, k := range level {
		if d := levenshtein.ComputeDistance(strings.ToLower(leaf), k); best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && bestD <= max(2, len(leaf)/3) {
		return fmt.Sprintf("unknown key %q: did you mean %q?", key, parent+best)
	}
	return fmt.Sprintf("unknown key %q (known here: %s)", key, strings.Join(level, ", "))
}
