package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/mapping"
)

// readExport reads the LinkedIn export at path. Whatever is wrong with the
// export is an input error (exit code 2).
func (a *app) readExport(ctx context.Context, path string) (*mapping.Export, error) {
	exp, err := linkedin.Open(path, linkedin.Options{}).Read(ctx)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, inputError{fmt.Errorf("read export: %w", err)}
	}
	return exp, nil
}
