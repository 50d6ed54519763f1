package main

import (
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
			return a.withOutbox(func(cfg *Config, ob *state.Outbox) error {
				w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "TARGET\tID\tTYPE\tCONTACT\tSTATUS\tADDED\tLAST ERROR")
				for _, t := range ob.Targets() {
					if reason, off := ob.Disabled(t); off {
						fmt.Fprintf(w, "%s\t-\t-\t-\tdisabled\t-\t%s\n", t, reason)
					}
					for _, ev := range append(ob.Pending(t), ob.DeadLetters(t)...) {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t, ev.ID, ev.Type, ev.Contact, ev.Status,
							ev.Added.Format("2006-01-02 15:04"), strings.ReplaceAll(ev.LastError, "\t", " "))
					}
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
			return a.withOutbox(func(cfg *Config, ob *state.Outbox) error {
				tc, ok := cfg.targets[args[0]]
				if !ok || tc.webhook == nil {
					return usageError{fmt.Errorf("outbox retry: %s is not a webhook target in %s", args[0], cfg.where())}
				}
				opt, err := a.webhookOptions(cmd.Context(), args[0], tc.webhook)
				if err != nil {
					return err
				}
				sum, err := webhook.Retry(cmd.Context(), opt, ob, a.log, args[1:]...)
				fmt.Fprintf(a.stdout, "%s: %d delivered, %d pending, %d dead\n", args[0], sum.Delivered, sum.Pending, sum.Dead)
				return err
			})
		},
	}, &cobra.Command{
		Use:   "drop TARGET [ID...]",
		Short: "Forget the given events of a target, or all its pending and dead ones",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withOutbox(func(cfg *Config, ob *state.Outbox) error {
				n, err := ob.Drop(args[0], args[1:]...)
				fmt.Fprintf(a.stdout, "%s: dropped %d events\n", args[0], n)
				return err
			})
		},
	})
	return cmd
}

// withOutbox opens the outbox under the state's lock: only one process may
// have it open.
func (a *app) withOutbox(fn func(*Config, *state.Outbox) error) error {
	cfg, err := loadConfig(&a.g)
	if err != nil {
		return err
	}
	unlock, err := a.lock(cfg)
	if err != nil {
		return err
	}
	defer unlock()
	ob, err := state.OpenOutbox(cfg.State)
	if err != nil {
		return inputError{err}
	}
	defer ob.Close()
	return fn(cfg, ob)
}
