package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

// messagesHeader is messages.csv's header in 2024–2025 exports.
var messagesHeader = []string{"CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
	"RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"}

// generate writes the export into dir: Connections.csv and Contacts.csv
// from the test generator, the same export with 1 % of the connections in
// a new job into dir+"-changed" (the night a new export arrives) and,
// when messagesMB > 0, a heavy user's
// messages.csv of about that many MB into dir+"-messages" beside a copy of
// the two people files. It runs in a child process of its own, so the
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
	var people []linkedintest.Connection
	for _, c := range n.Connections {
		if !c.Hidden {
			people = append(people, c)
		}
	}
	return writeMessages(filepath.Join(heavy, "messages.csv"), people, int64(messagesMB)<<20)
}

// writeMessages streams a heavy user's messages.csv of about size bytes:
// conversations with up to 5,000 of the connections, 600-byte bodies of
// varied words with commas, quotes and line breaks, as LinkedIn writes them.
func writeMessages(path string, people []linkedintest.Connection, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create messages.csv: %w", err)
	}
	cw := &countingWriter{w: bufio.NewWriterSize(f, 1<<20)}
	w := csv.NewWriter(cw)
	_ = w.Write(messagesHeader)
	const owner, ownerURL = "Alex Example", "https://www.linkedin.com/in/alex-example-00000000"
	talkers := min(len(people), 5000)
	at := time.Date(2019, 1, 1, 9, 0, 0, 0, time.UTC)
	var body strings.Builder
	for i := 0; cw.n < size && talkers > 0; i++ {
		k := (i * 7919) % talkers
		p := people[k]
		name := strings.TrimSpace(p.FirstName + " " + p.LastName)
		from, fromURL, to, toURL, folder := name, p.URL, owner, ownerURL, "INBOX"
		if i%2 == 0 {
			from, fromURL, to, toURL, folder = owner, ownerURL, name, p.URL, "SENT"
		}
		body.Reset()
		for body.Len() < 600 {
			fmt.Fprintf(&body, "word%d, ", (i+body.Len())%97)
		}
		if i%5 == 0 {
			body.WriteString("\n\"quoted\" on a second line")
		}
		at = at.Add(97 * time.Second)
		if err := w.Write([]string{fmt.Sprintf("2-%016x==", k), "", from, fromURL, to, toURL,
			at.Format("2006-01-02 15:04:05 UTC"), "", body.String(), folder, "No", "No"}); err != nil {
			f.Close()
			return fmt.Errorf("write messages.csv: %w", err)
		}
	}
	w.Flush()
	err = w.Error()
	if err == nil {
		err = cw.w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write messages.csv: %w", err)
	}
	return nil
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
