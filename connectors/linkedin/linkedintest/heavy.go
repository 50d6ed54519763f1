package linkedintest

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteHeavyMessages writes a heavy user's messages.csv of about size
// bytes (2024–2025 header) to w: conversations with up to 5,000 of the
// network's visible connections, 600-byte bodies of varied words with
// commas, and quotes and line breaks in every fifth, as LinkedIn writes them.
func (n *Network) WriteHeavyMessages(w io.Writer, size int64) error {
	var people []Connection
	for _, c := range n.Connections {
		if !c.Hidden {
			people = append(people, c)
		}
	}
	cw := &countingWriter{w: w}
	cv := csv.NewWriter(cw)
	_ = cv.Write([]string{"CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
		"RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"})
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
		if err := cv.Write([]string{fmt.Sprintf("2-%016x==", k), "", from, fromURL, to, toURL,
			at.Format("2006-01-02 15:04:05 UTC"), "", body.String(), folder, "No", "No"}); err != nil {
			return fmt.Errorf("write messages.csv: %w", err)
		}
	}
	cv.Flush()
	if err := cv.Error(); err != nil {
		return fmt.Errorf("write messages.csv: %w", err)
	}
	return nil
}
