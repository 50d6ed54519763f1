package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// baseKeeper is a source that keeps a base beside the state (the
// changelog source): the sync saves the base before the run and the run
// saves the cursor with the state when it succeeds.
type baseKeeper interface {
	SaveBase() error
	Cursor() (name, value string)
}

// source returns the configured source and a label naming it in CRM files.
func (a *app) source(ctx context.Context, cfg *Config) (connectors.Source, string, error) {
	if api := cfg.Source.API; api != nil {
		label := "LinkedIn API " + time.Now().Format("2006-01-02")
		src, err := a.apiSource(ctx, api)
		if err != nil || !api.Changelog {
			return src, label, err
		}
		// read without the lock, read-only: the run saves the next cursor under it
		cursor, err := state.ReadCursor(cfg.State, linkedin.CursorName)
		if err != nil {
			return nil, "", inputError{err}
		}
		return linkedin.NewChangelog(src, linkedin.ChangelogOptions{Dir: cfg.State + ".api", Cursor: cursor}), label, nil
	}
	path, err := cfg.sourcePath()
	if err != nil {
		return nil, "", err
	}
	return linkedin.Open(path, linkedin.Options{}), sourceLabel(path), nil
}

// apiSource builds the Member Snapshot API source; the token is resolved
// here and goes nowhere but the request header.
func (a *app) apiSource(ctx context.Context, c *APIConfig) (*linkedin.APISource, error) {
	token, err := secret(ctx, "token", c.TokenEnv, c.TokenFile, c.TokenCommand)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, configError{errors.New("source.api: set token_env, token_file or token_command")}
	}
	return linkedin.NewAPI(linkedin.APIOptions{Token: token, BaseURL: c.BaseURL, Domains: c.Domains,
		Version: c.Version, Logger: a.log}), nil
}

// readExport reads the source. A bad export is an input error and a
// rejected token a configuration error (both exit code 2); a failing API
// is a failed run.
func (a *app) readExport(ctx context.Context, src connectors.Source) (*mapping.Export, error) {
	exp, err := src.Read(ctx)
	if err != nil {
		return nil, sourceError(err)
	}
	return exp, nil
}

// sourceError sorts a source's failure into the CLI's exit codes.
func sourceError(err error) error {
	var in *linkedin.InputError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &in):
		return inputError{fmt.Errorf("read export: %w", err)}
	case errors.Is(err, linkedin.ErrTokenExpired), errors.Is(err, linkedin.ErrUnauthorized),
		errors.Is(err, linkedin.ErrAccessDenied), errors.Is(err, linkedin.ErrNoToken), errors.Is(err, linkedin.ErrTokenRevoked), errors.Is(err, linkedin.ErrTokenInvalid), errors.Is(err, linkedin.ErrVersionInactive):
		return configError{fmt.Errorf("read LinkedIn API: %w", err)}
	}
	return fmt.Errorf("read source: %w", err)
}

// exportDate finds the date LinkedIn puts in an archive's name
// (Basic_LinkedInDataExport_11-20-2026.zip).
var exportDate = regexp.MustCompile(`_(\d{2})-(\d{2})-(\d{4})`)

// sourceLabel names the export where a CRM has a source column: the date in
// the archive's name, else the file's modification date.
func sourceLabel(path string) string {
	if m := exportDate.FindStringSubmatch(filepath.Base(path)); m != nil {
		return fmt.Sprintf("LinkedIn export %s-%s-%s", m[3], m[1], m[2])
	}
	if fi, err := os.Stat(path); err == nil {
		return "LinkedIn export " + fi.ModTime().Format("2006-01-02")
	}
	return "LinkedIn export"
}
