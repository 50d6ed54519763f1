package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

// generate writes the export into dir: Connections.csv and Contacts.csv
// from the test generator, the same export with 1 % of the connections in
// a new job into dir+"-changed" (the night a new export arrives) and, when
// messagesMB > 0, a heavy user's messages.csv of about that many MB
// (linkedintest's WriteHeavyMessages) into dir+"-messages" beside a copy
// of the two people files. It runs in a child process of its own, so the
// parent that measures stays small: Linux carries a parent's peak RSS over
// a vfork+exec into the child's rusage.
func generate(dir string, connections, contacts, messagesMB int) error {
	n := linkedintest.New(linkedintest.GenOptions{Seed: uint64(connections), Connections: connections, Contacts: contacts})
	files := n.Files()
	if err := linkedintest.WriteDir(dir, files); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	changed := linkedintest.New(linkedintest.GenOptions{Seed: uint64(connections), Connections: connections, Contacts: contacts})
	changed.ChangeCompanies(max(connections/100, 1))
	if err := linkedintest.WriteDir(dir+"-changed", changed.Files()); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	if messagesMB <= 0 {
		return nil
	}
	heavy := dir + "-messages"
	if err := linkedintest.WriteDir(heavy, files); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	f, err := os.Create(filepath.Join(heavy, "messages.csv"))
	if err != nil {
		return fmt.Errorf("create messages.csv: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = n.WriteHeavyMessages(w, int64(messagesMB)<<20)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write messages.csv: %w", err)
	}
	return nil
}
