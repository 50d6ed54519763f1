package carddav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/emersion/go-vcard"

	"github.com/linkport/linkport/connectors"
)

var _ connectors.Forgetter = (*Target)(nil)

// Forget deletes each person's card whatever on_remove says, without a
// backup. A card of the user's that linkport linked to (adopted) is not
// deleted, since it is theirs: only what linkport added to it is taken
// off, as on_remove: delete does. A card at the person's href that
// linkport did not make is left alone. Then every backup_dir file of the
// person (<id>-<time>.vcf) is deleted, the one the unlinking wrote too.
func (t *Target) Forget(ctx context.Context, people []connectors.Forgotten) error {
	var errs []error
	for _, p := range people {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := t.forget(ctx, p); err != nil {
			errs = append(errs, fmt.Errorf("forget %s: %w", p.ID, err))
		}
	}
	if err := t.purgeBackups(people); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (t *Target) forget(ctx context.Context, p connectors.Forgotten) error {
	if p.Ref.Adopted != "" {
		if p.Sent == nil {
			return nil // unlinked by the forget this one finishes
		}
		r, err := t.remote(ctx, p.Ref.Href)
		if err != nil || r == nil {
			return err
		}
		_, err = t.write(ctx, p.Ref.Href, r, p.ID, adopted(p.ID), func(r *remoteCard) (vcard.Card, []string) {
			return mergeAdopted(r.card, p.Sent, nil, p.Ref.Adopted, t.opt.Region, false)
		}, true)
		return err
	}
	href := p.Ref.Href
	if href == "" {
		href = t.href(p.ID) // a forget finishing after the state forgot the href
	}
	u := t.book
	u.Path = href
	for range maxRounds {
		r, err := t.get(ctx, href)
		if err != nil || r == nil {
			return err
		}
		if !ours(r, p.ID) {
			t.log.Warn("forget: the card there is not linkport's; left untouched", "href", href)
			return nil
		}
		ctx2, x := withExchange(ctx)
		x.ifMatch = r.etag
		err = t.dav.RemoveAll(ctx2, href)
		switch {
		case x.ok(), x.status == http.StatusNotFound, x.status == http.StatusGone:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case x.status != http.StatusPreconditionFailed && x.status != 0:
			return t.writeError(x, err, "DELETE", u.String())
		}
	}
	return fmt.Errorf("DELETE %s: the card kept changing on the server (%d attempts)", u.String(), maxRounds)
}

// purgeBackups deletes the people's cards saved in backup_dir.
func (t *Target) purgeBackups(people []connectors.Forgotten) error {
	if t.opt.BackupDir == "" {
		return nil
	}
	var errs []error
	for _, p := range people {
		files, err := filepath.Glob(filepath.Join(t.opt.BackupDir, p.ID+"-*.vcf"))
		if err != nil {
			return fmt.Errorf("forget: list backups: %w", err)
		}
		for _, f := range files {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("forget: remove backup: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}
