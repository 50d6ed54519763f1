package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// forgetCmd removes people from every target and from the state, and
// keeps a tombstone so that later exports skip them.
func (a *app) forgetCmd() *cobra.Command {
	var yes, list bool
	cmd := &cobra.Command{
		Use:   "forget [PERSON...]",
		Short: "Remove people from every target and the state, and skip them in later exports",
		Long: `forget removes each PERSON (a LinkedIn profile URL, an email, a name or a linkport ID)
from every configured target: their CardDAV card is deleted whatever on_remove says (a
card of yours that linkport linked to keeps what you wrote, only linkport's part is taken
off), every file target is rewritten without them (the full file, changes-mode files and
split parts), a webhook receives contact.forgotten with their ID only and the outbox drops
every event about them. Then they are purged from the state, its sent store, journal and
history, and from backup_dir. A tombstone (keyed hashes of their profile URL, emails and
name with company) makes later syncs skip them ("forgotten: 1 skipped") without the state
saying who they were.

People are looked up in the state and in the configured export; forget shows who matches
and asks on a terminal (--yes skips the question; without a terminal it is required). A
name that matches two people is refused: name them by ID or email.

forget is crash-safe like a sync: a forget killed midway is finished by the next
'linkport forget' (with or without people); sync refuses to run until then.
--list prints how many tombstones the state holds; 'linkport unforget' lifts one.`,
		RunE: func(cmd *cobra.Command, people []string) error {
			cfg, err := loadConfig(&a.g)
			if err != nil {
				return err
			}
			if list {
				if len(people) > 0 {
					return usageError{errors.New("forget --list takes no PERSON")}
				}
				return a.listTombstones(cfg)
			}
			var chosen []candidate
			if len(people) > 0 {
				if chosen, err = a.resolve(cmd.Context(), cfg, people); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "forget %d %s everywhere (every target, the state, its history and backups):\n", len(chosen), plural(len(chosen), "person", "people"))
				for _, c := range chosen {
					fmt.Fprintln(a.stderr, "  "+c.String())
				}
				if !yes {
					if !isTerminal(cmd.InOrStdin()) {
						return usageError{errors.New("forget: not on a terminal: add --yes to confirm")}
					}
					if !confirm(cmd.InOrStdin(), a.stderr, "Forget them? This cannot be undone [y/N] ") {
						return usageError{errors.New("forget: not confirmed; nothing was changed")}
					}
				}
			}
			specs, err := a.specs(cmd.Context(), cfg, cfg.targetNames(nil))
			if err != nil {
				return err
			}
			ps := make([]connectors.Person, len(chosen))
			for i, c := range chosen {
				ps[i] = connectors.Person{ID: c.id, Keys: c.keys}
			}
			out, err := connectors.Forget(cmd.Context(), ps, connectors.ForgetOptions{StatePath: cfg.State, Targets: specs, Log: a.log})
			var se *connectors.StateError
			if errors.As(err, &se) {
				return inputError{err}
			}
			if err != nil {
				return fmt.Errorf("forget: %w (run linkport forget again to finish)", err)
			}
			if fi, err := os.Stat(cfg.State + ".api"); err == nil && fi.IsDir() && len(out.IDs) > 0 {
				a.log.Warn("the API changelog base is LinkedIn's copy of your data and is not rewritten: it may still hold them "+
					"(the tombstone keeps them out of every sync; delete the folder to have the next sync fetch it afresh)", "dir", cfg.State+".api")
			}
			switch {
			case len(out.IDs) == 0:
				fmt.Fprintln(a.stdout, "nothing to forget")
			default:
				if out.Resumed {
					fmt.Fprintln(a.stdout, "finished an interrupted forget")
				}
				fmt.Fprintf(a.stdout, "forgot %d %s in %d %s; tombstones: %d\n", len(out.IDs), plural(len(out.IDs), "person", "people"),
					len(specs), plural(len(specs), "target", "targets"), out.Tombstones)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&list, "list", false, "print how many tombstones the state holds")
	return cmd
}

// unforgetCmd lifts tombstones.
func (a *app) unforgetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unforget KEY...",
		Short: "Lift the tombstone of a forgotten person, so the next sync brings them back",
		Long: `unforget lifts the tombstones that KEY matches: a LinkedIn profile URL, an email, or
"name|company" as LinkedIn spells them (a name alone matches a person without a company).
The state cannot say who it forgot, so the key must be given again. The next sync then
treats them as new.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, keys []string) error {
			return a.withLock(func(cfg *Config) error {
				snap, err := state.Load(cfg.State)
				if err != nil {
					return inputError{err}
				}
				if in, err := state.ReadIntent(cfg.State); err != nil || in != nil {
					return inputError{errors.Join(err, connectors.ErrForgetPending)}
				}
				var ks []string
				for _, k := range keys {
					ks = append(ks, keysOfArg(k)...)
				}
				n, err := snap.Lift(ks)
				if err != nil {
					return inputError{err}
				}
				if n == 0 {
					return usageError{fmt.Errorf("unforget: no tombstone matches %s", strings.Join(keys, ", "))}
				}
				if err := snap.Save(cfg.State); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "lifted %d %s; tombstones left: %d\n", n, plural(n, "tombstone", "tombstones"), len(snap.Graves))
				return nil
			})
		},
	}
}

func (a *app) listTombstones(cfg *Config) error {
	snap, err := state.Load(cfg.State)
	if err != nil {
		return inputError{err}
	}
	in, err := state.ReadIntent(cfg.State)
	if err != nil {
		return inputError{err}
	}
	fmt.Fprintf(a.stdout, "tombstones: %d\n", len(snap.Graves))
	if in != nil {
		fmt.Fprintf(a.stdout, "an interrupted forget of %d %s is unfinished: run linkport forget\n", len(in.IDs), plural(len(in.IDs), "person", "people"))
	}
	return nil
}

// keysOfArg is the identity keys an unforget argument stands for.
func keysOfArg(s string) []string {
	s = strings.TrimSpace(s)
	switch {
	case strings.Contains(s, "@"):
		return state.IdentityKeys(&mapping.Contact{Emails: []string{s}})
	case isProfileURL(s):
		return state.IdentityKeys(&mapping.Contact{ProfileURL: s})
	}
	name, company, _ := strings.Cut(s, "|")
	return state.IdentityKeys(&mapping.Contact{Name: name, Company: company})
}

func isProfileURL(s string) bool {
	_, slug := mapping.NormalizeProfileURL(s)
	return slug != "" && strings.Contains(s, "/")
}

// candidate is one person forget may mean, with every value the state
// and the export know of them.
type candidate struct {
	id                  string
	names, emails, urls []string
	company             string
	keys                []string // from the export: tombstoned with the state's
	inState, inExport   bool
	displayName         string
}

func (c *candidate) String() string {
	s := c.id + "  " + cmp.Or(c.displayName, "(no name)")
	if c.company != "" {
		s += ", " + c.company
	}
	if len(c.emails) > 0 {
		s += "  " + c.emails[0]
	}
	if len(c.urls) > 0 {
		s += "  " + c.urls[0]
	}
	if !c.inState {
		s += "  (in the export, never synced)"
	}
	return s
}

func (c *candidate) add(p *mapping.Contact) {
	if p.Name != "" {
		c.names = append(c.names, p.Name)
		c.displayName = p.Name
	}
	if p.Company != "" {
		c.company = p.Company
	}
	for _, e := range p.Emails {
		if e = mapping.NormalizeEmail(e); e != "" && !slices.Contains(c.emails, e) {
			c.emails = append(c.emails, e)
		}
	}
	if p.ProfileURL != "" && !slices.Contains(c.urls, p.ProfileURL) {
		c.urls = append(c.urls, p.ProfileURL)
	}
}

// resolve finds the person each argument names, in the state (the
// copies its targets received, its identities and history) and in the
// configured archive.
func (a *app) resolve(ctx context.Context, cfg *Config, args []string) ([]candidate, error) {
	snap, err := state.Load(cfg.State)
	if err != nil {
		return nil, inputError{err}
	}
	all := map[string]*candidate{}
	get := func(id string) *candidate {
		c := all[id]
		if c == nil {
			c = &candidate{id: id}
			all[id] = c
		}
		return c
	}
	for k, id := range snap.Identities {
		c := get(id)
		c.inState = true
		switch {
		case strings.HasPrefix(k, "email:"):
			c.add(&mapping.Contact{Emails: []string{strings.TrimPrefix(k, "email:")}})
		case strings.HasPrefix(k, "url:"):
			c.urls = append(c.urls, "https://www.linkedin.com/in/"+strings.TrimPrefix(k, "url:"))
		}
	}
	for _, t := range snap.Targets {
		for id, it := range t.Items {
			p, err := snap.Contact(it)
			if err != nil {
				return nil, inputError{err}
			}
			get(id).add(p)
			get(id).inState = true
		}
	}
	h, err := snap.History()
	if err != nil {
		return nil, inputError{err}
	}
	for _, id := range h.IDs() {
		tl := h.Person(id)
		c := get(id)
		c.inState = true
		for _, e := range tl.Field(state.FieldName) {
			c.add(&mapping.Contact{Name: e.Value})
		}
		for _, e := range tl.Field(state.FieldEmails) {
			c.add(&mapping.Contact{Emails: strings.Split(e.Value, "\n")})
		}
		for _, e := range tl.Field(state.FieldProfileURL) {
			c.add(&mapping.Contact{ProfileURL: e.Value})
		}
	}
	if cfg.Source.API == nil { // the API is not asked: forget needs no network but the targets'
		if _, perr := cfg.sourcePaths(); perr == nil {
			g, _, _, err := a.graphs(ctx, cfg, false)
			if err != nil { // the state alone still names everyone synced
				a.log.Warn("forget: the export could not be read; looking in the state only", "err", err)
				g = &mapping.Graph{}
			}
			snap.SkipForgotten(g)
			snap.Identify(g) // in memory only: never saved
			for _, p := range g.People {
				c := get(p.ID)
				c.add(p)
				c.keys = append(c.keys, p.Keys.List()...)
			}
		}
	}
	var out []candidate
	for _, arg := range args {
		m := match(all, arg)
		switch len(m) {
		case 0:
			return nil, usageError{fmt.Errorf("forget: no one in the state or the export matches %q", arg)}
		case 1:
		default:
			var b strings.Builder
			for _, c := range m {
				b.WriteString("\n  " + c.String())
			}
			return nil, usageError{fmt.Errorf("forget: %q matches %d people; name one by ID or email:%s", arg, len(m), b.String())}
		}
		if !slices.ContainsFunc(out, func(c candidate) bool { return c.id == m[0].id }) {
			out = append(out, *m[0])
		}
	}
	return out, nil
}

// match returns the people arg names, sorted by ID: by ID, profile URL,
// email, else by name (compared as identity keys compare them).
func match(all map[string]*candidate, arg string) []*candidate {
	arg = strings.TrimSpace(arg)
	var pred func(*candidate) bool
	switch {
	case all[arg] != nil:
		return []*candidate{all[arg]}
	case strings.Contains(arg, "@"):
		e := mapping.NormalizeEmail(arg)
		pred = func(c *candidate) bool { return slices.Contains(c.emails, e) }
	case isProfileURL(arg):
		_, slug := mapping.NormalizeProfileURL(arg)
		pred = func(c *candidate) bool {
			return slices.ContainsFunc(c.urls, func(u string) bool { _, s := mapping.NormalizeProfileURL(u); return s == slug })
		}
	default:
		k := mapping.NameKey(arg)
		pred = func(c *candidate) bool {
			return slices.ContainsFunc(c.names, func(n string) bool { return mapping.NameKey(n) == k })
		}
	}
	var out []*candidate
	for _, c := range all {
		if pred(c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y *candidate) int { return strings.Compare(x.id, y.id) })
	return out
}

// confirm asks question on w and reads a yes from r.
func confirm(r io.Reader, w io.Writer, question string) bool {
	fmt.Fprint(w, question)
	line, _ := bufio.NewReader(r).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
