package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/state"
)

// webhookCmd holds webhook helpers: `linkport webhook secret`.
func (a *app) webhookCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "webhook", Short: "Webhook helpers"}
	cmd.AddCommand(&cobra.Command{
		Use:   "secret",
		Short: "Print a new whsec_… signing secret for a webhook target",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := webhook.NewSecret()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.stdout, s)
			return err
		},
	})
	return cmd
}

// outboxCmd lists, retries and drops webhook events still waiting.
func (a *app) outboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "outbox",
		Short: "List, retry or drop webhook events still waiting (pending or dead)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withLock(func(cfg *Config) error {
				waiting, err := webhook.List(cfg.State)
				if err != nil {
					return outboxError(err)
				}
				w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "TARGET\tID\tTYPE\tCONTACT\tSTATUS\tADDED\tLAST ERROR")
				for _, ev := range waiting {
					id, typ, contact, added := ev.ID, ev.Type, ev.Contact, "-"
					if ev.Status == "disabled" {
						id, typ, contact = "-", "-", "-"
					} else {
						added = ev.Added.Format("2006-01-02 15:04")
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ev.Target, id, typ, contact, ev.Status,
						added, strings.ReplaceAll(ev.LastError, "\t", " "))
				}
				return w.Flush()
			})
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "retry TARGET [ID...]",
		Short: "Re-enable a target, revive its dead events (or the given ones) and deliver what is pending",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withLock(func(cfg *Config) error {
				tc, ok := cfg.targets[args[0]]
				if !ok || tc.webhook == nil {
					return usageError{fmt.Errorf("outbox retry: %s is not a webhook target in %s", args[0], cfg.where())}
				}
				opt, err := a.webhookOptions(cmd.Context(), args[0], tc.webhook)
				if err != nil {
					return err
				}
				opt.StatePath = cfg.State
				sum, err := webhook.Retry(cmd.Context(), opt, a.log, args[1:]...)
				fmt.Fprintf(a.stdout, "%s: %d delivered, %d pending, %d dead\n", args[0], sum.Delivered, sum.Pending, sum.Dead)
				return outboxError(err)
			})
		},
	}, &cobra.Command{
		Use:   "drop TARGET [ID...]",
		Short: "Forget the given events of a target, or all its pending and dead ones",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withLock(func(cfg *Config) error {
				n, err := webhook.Drop(cfg.State, args[0], args[1:]...)
				fmt.Fprintf(a.stdout, "%s: dropped %d events\n", args[0], n)
				return outboxError(err)
			})
		},
	})
	return cmd
}

// outboxError makes an outbox that cannot be read an input error (exit 2),
// as a damaged state file is.
func outboxError(err error) error {
	if errors.Is(err, webhook.ErrUnreadable) {
		return inputError{err}
	}
	return err
}

// withLock runs fn under the state's lock, as a run would: only one
// process may have the outbox open. A run killed holding it is reported.
func (a *app) withLock(fn func(*Config) error) error {
	cfg, err := loadConfig(&a.g)
	if err != nil {
		return err
	}
	unlock, stale, err := state.Lock(cfg.State)
	if stale != "" {
		a.log.Warn(stale)
	}
	if err != nil {
		return err
	}
	defer unlock()
	return fn(cfg)
}
