package main

import "github.com/spf13/cobra"

// examples are the Example sections of each command's --help, by command
// path. Each line that starts with "linkport" is parsed by a test, so they
// stay runnable as the flags change.
var examples = map[string]string{
	"linkport": `  linkport init --carddav https://dav.example.org/ --username me
  linkport diff
  linkport sync`,
	"linkport diff": `  linkport diff
  linkport diff --source '~/Downloads/*LinkedInDataExport*.zip'    # every archive: the newest is diffed, the older ones fill the history
  linkport diff --source ~/Downloads/Basic_LinkedInDataExport_12-01-2026.zip --format markdown --output plan.md
  linkport diff --target phone --format json`,
	"linkport sync": `  linkport sync
  linkport sync -q --target phone
  linkport sync --force    # after linkport diff showed that the removals it holds back are right`,
	"linkport graph": `  linkport graph --source ~/Downloads/Basic_LinkedInDataExport_12-01-2026.zip
  linkport graph --format graphml --output network.graphml`,
	"linkport export": `  linkport export --list-profiles
  linkport export --profile hubspot --source ~/Downloads/Basic_LinkedInDataExport_12-01-2026.zip --output hubspot.csv
  linkport export --profile google --state ~/linkport-google.json --changes --output google.csv`,
	"linkport demo": `  go run ./cmd/linkport demo
  linkport demo --serve --addr 127.0.0.1:5232`,
	"linkport webhook": `  linkport webhook secret`,
	"linkport webhook secret": `  linkport webhook secret
  export LINKPORT_WEBHOOK_SECRET="$(linkport webhook secret)"`,
	"linkport outbox": `  linkport outbox
  linkport outbox retry hooks`,
	"linkport outbox retry": `  linkport outbox retry hooks
  linkport outbox retry hooks evt_3f2a9c0e1d2a4b5c`,
	"linkport outbox drop": `  linkport outbox drop hooks evt_3f2a9c0e1d2a4b5c
  linkport outbox drop hooks    # every dead or pending event of hooks`,
	"linkport fetch": `  linkport fetch --output ~/linkedin/snapshot    # with source.api (token_env: LINKEDIN_DMA_TOKEN) in the config
  linkport diff --source ~/linkedin/snapshot`,
	"linkport adopt": `  linkport adopt
  linkport adopt --accept 3f2a9c0e1d2a4b5c
  linkport adopt --reject 3f2a9c0e1d2a4b5c 9b8a7c6d5e4f3a2b`,
	"linkport history": `  linkport history
  linkport history "Ada Lovelace"
  linkport history https://www.linkedin.com/in/ada-lovelace --format json`,
	"linkport changes": `  linkport changes --since 30d
  linkport changes --since 2026-11-01 --format markdown --output digest.md`,
	"linkport reconnect": `  linkport reconnect
  linkport reconnect --months 6 --min-messages 10`,
	"linkport forget": `  linkport forget https://www.linkedin.com/in/ada-lovelace
  linkport forget --yes ada@example.org "Charles Babbage"
  linkport forget --list`,
	"linkport unforget": `  linkport unforget https://www.linkedin.com/in/ada-lovelace
  linkport unforget "Ada Lovelace|Analytical Engines"`,
	"linkport help": `  linkport help sync`,
	"linkport completion": `  source <(linkport completion bash)
  linkport completion zsh > "${fpath[1]}/_linkport"
  linkport completion fish > ~/.config/fish/completions/linkport.fish`,
	"linkport completion bash":       `  source <(linkport completion bash)`,
	"linkport completion zsh":        `  linkport completion zsh > "${fpath[1]}/_linkport"`,
	"linkport completion fish":       `  linkport completion fish > ~/.config/fish/completions/linkport.fish`,
	"linkport completion powershell": `  linkport completion powershell | Out-String | Invoke-Expression`,
	"linkport man":                   `  linkport man ./man && man ./man/linkport-sync.1`,
}

// addExamples fills in each command's Example from examples, after cobra's
// own help and completion commands are made, so they get one too.
func addExamples(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if ex, ok := examples[c.CommandPath()]; ok && c.Example == "" {
			c.Example = ex
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
