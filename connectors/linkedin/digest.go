package linkedin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Digest is the hex SHA-256 of everything Read reads of the export: a zip's
// (or a lone CSV's) bytes, or the name and bytes of every file of a folder
// that Read recognises. Two exports with one digest read alike, so a run
// can know that its input did not change without parsing a row (see
// connectors.Memo); the export's date, which can come from a file time,
// is not in it (ExportedAt says it). Only regular files are opened.
func (a *Archive) Digest(ctx context.Context) (string, error) {
	h := sha256.New()
	var err error
	switch {
	case a.zip != nil:
		h.Write([]byte("zip\x00"))
		h.Write(a.zip)
	case a.fsys != nil:
		err = digestFS(ctx, h, a.fsys)
	default:
		err = digestPath(ctx, h, a.path)
	}
	if err != nil {
		return "", fmt.Errorf("digest export %s: %w", a.where(), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// where names the export in an error.
func (a *Archive) where() string {
	if a.path != "" {
		return a.path
	}
	return a.name
}

func digestPath(ctx context.Context, h hash.Hash, p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return digestFS(ctx, h, os.DirFS(p))
	}
	if err := checkRegular(fi); err != nil {
		return err
	}
	// A lone CSV is read by its name (which says its kind), a zip whole.
	fmt.Fprintf(h, "file\x00%s\x00", filepath.Base(p))
	return digestFile(ctx, h, os.DirFS(filepath.Dir(p)), filepath.Base(p))
}

// digestFS hashes every file locate finds, the one Read reads of each kind
// and the ones it ignores (their names are in its warnings), by path.
func digestFS(ctx context.Context, h hash.Hash, fsys fs.FS) error {
	found, err := locate(fsys)
	if err != nil {
		return err
	}
	var names []string
	for _, ns := range found {
		names = append(names, ns...)
	}
	slices.Sort(names)
	h.Write([]byte("folder\x00"))
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00", n)
		if err := digestFile(ctx, h, fsys, n); err != nil {
			return err
		}
	}
	return nil
}

// digestFile writes the size and bytes of one regular file to h.
func digestFile(ctx context.Context, h hash.Hash, fsys fs.FS, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := fs.Stat(fsys, name) // never open(2) before knowing what it is: a FIFO blocks there
	if err == nil {
		err = checkRegular(fi)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(h, "%d\x00", fi.Size())
	n, err := io.Copy(h, f)
	if err == nil && n != fi.Size() {
		err = fmt.Errorf("%s changed while it was read", name)
	}
	return err
}
