package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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

// input is one export the configured source names.
type input struct {
	name string // the archive's path; "" for the API
	src  connectors.Source
	at   time.Time // its export date (linkedin.Archive.ExportedAt); the API's is known once read
}

// inputs returns the configured exports, oldest first: the API, or every
// archive source.path names, dated without reading a row. Ties (a Basic_
// and a Complete_ archive of one day) go by file name, then path, so the
// newest is the same whatever order the paths were given in — and of one
// day's two LinkedIn archives it is the Complete_ one.
func (a *app) inputs(ctx context.Context, cfg *Config) ([]input, error) {
	if api := cfg.Source.API; api != nil {
		src, err := a.apiSource(ctx, api)
		if err != nil {
			return nil, err
		}
		if !api.Changelog {
			return []input{{src: src}}, nil
		}
		// read without the lock, read-only: the run saves the next cursor under it
		cursor, err := state.ReadCursor(cfg.State, linkedin.CursorName)
		if err != nil {
			return nil, inputError{err}
		}
		return []input{{src: linkedin.NewChangelog(src, linkedin.ChangelogOptions{Dir: cfg.State + ".api", Cursor: cursor})}}, nil
	}
	paths, err := cfg.sourcePaths()
	if err != nil {
		return nil, err
	}
	ins := make([]input, 0, len(paths))
	for _, p := range paths {
		arch := linkedin.Open(p, linkedin.Options{})
		at, err := arch.ExportedAt(ctx)
		if err != nil {
			return nil, sourceError(err)
		}
		ins = append(ins, input{name: p, src: arch, at: at})
	}
	slices.SortFunc(ins, func(x, y input) int {
		return cmp.Or(x.at.Compare(y.at), cmp.Compare(filepath.Base(x.name), filepath.Base(y.name)), cmp.Compare(x.name, y.name))
	})
	return ins, nil
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

// sourceLabel names the export where a CRM has a source column, by the
// date it was exported (the date in the archive's name, else its files';
// the API snapshot's fetch).
func sourceLabel(exp *mapping.Export, api bool) string {
	what := "LinkedIn export"
	if api {
		what = "LinkedIn API"
	}
	if exp.ExportedAt.IsZero() {
		return what
	}
	return what + " " + exp.ExportedAt.Format("2006-01-02")
}

// nameArchive makes every warning say which archive it is about: a file
// inside a zip is cited as zip/file, as a folder's files already are.
func nameArchive(ws []mapping.Warning, archive string) {
	if archive == "" {
		return
	}
	for i := range ws {
		if f := ws[i].File; f != archive && !strings.HasPrefix(f, archive+string(filepath.Separator)) {
			ws[i].File = archive + "/" + f
		}
	}
}
