package enrich_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// TestFoldedEqualsRows reads real and generated exports and checks that
// enriching from the folded messages gives every person, the owner and
// the counts exactly what enriching row by row gives.
func TestFoldedEqualsRows(t *testing.T) {
	type src struct {
		name string
		a    *linkedin.Archive
	}
	var srcs []src
	for _, p := range []string{"../../configs/sample/Basic_LinkedInDataExport_sample.zip", "../../cmd/linkport/testdata/export2021", "../../cmd/linkport/testdata/export2024"} {
		srcs = append(srcs, src{p, linkedin.Open(p, linkedin.Options{})})
	}
	arch := linkedintest.NewArchives()
	for i := range 3 {
		z, err := arch.Zip(i)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src{fmt.Sprint("archives ", i), linkedin.FromZipBytes(z, "a.zip", linkedin.Options{})})
	}
	for _, era := range []linkedintest.Era{linkedintest.Era2018, linkedintest.Era2021, linkedintest.Era2024, linkedintest.Era2026} {
		for seed := range uint64(6) {
			n := linkedintest.New(linkedintest.GenOptions{Seed: seed*10 + uint64(era), Era: era, Connections: 300, Contacts: 40, Activity: true})
			srcs = append(srcs, src{fmt.Sprint("era ", era, " seed ", seed), zipped(t, n.Files())})
		}
	}
	// A heavy user's messages, as the benchmark writes them.
	n := linkedintest.New(linkedintest.GenOptions{Seed: 7, Connections: 3000, Contacts: 100})
	files := n.Files()
	files["messages.csv"] = heavyMessages(n.Connections, 40000)
	srcs = append(srcs, src{"heavy", zipped(t, files)})

	for _, s := range srcs {
		t.Run(s.name, func(t *testing.T) {
			exp, err := s.a.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if exp.Messages.Len() != len(exp.MessageRows) {
				t.Fatalf("%d rows folded, %d kept", exp.Messages.Len(), len(exp.MessageRows))
			}
			g1, g2 := mapping.Reconcile(exp, mapping.Options{}), mapping.Reconcile(exp, mapping.Options{})
			ego1, ego2 := enrich.Enrich(g1, exp), enrich.RefEnrich(g2, exp, exp.MessageRows)
			a, _ := json.Marshal([]any{g1.People, ego1})
			b, _ := json.Marshal([]any{g2.People, ego2})
			if !bytes.Equal(a, b) {
				t.Errorf("folded and row-by-row enrichment differ:\n%s\n%s", a, b)
			}
			enriched := 0
			for _, p := range g1.People {
				if p.MessageCount > 0 {
					enriched++
				}
			}
			t.Logf("%d rows, %d groups, %d pairs; %d people with messages; owner %+v; %+v", exp.Messages.Len(), len(exp.Messages.Groups()), len(exp.Messages.Pairs()), enriched, ego1.Owner, ego1.Stats.Messages)
		})
	}
}

func zipped(t *testing.T, files map[string][]byte) *linkedin.Archive {
	t.Helper()
	b, err := linkedintest.Zip(files)
	if err != nil {
		t.Fatal(err)
	}
	return linkedin.FromZipBytes(b, "gen.zip", linkedin.Options{})
}

// heavyMessages is what cmd/benchmark writes, n rows of it, with group
// conversations, undated rows and rows sent in the same second mixed in.
func heavyMessages(people []linkedintest.Connection, n int) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
		"RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"})
	const owner, ownerURL = "Alex Example", "https://www.linkedin.com/in/alex-example-00000000"
	var talkers []linkedintest.Connection
	for _, c := range people {
		if !c.Hidden {
			talkers = append(talkers, c)
		}
	}
	talkers = talkers[:min(len(talkers), 500)]
	at := time.Date(2019, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		k := (i * 7919) % len(talkers)
		p := talkers[k]
		name := strings.TrimSpace(p.FirstName + " " + p.LastName)
		from, fromURL, to, toURL, folder := name, p.URL, owner, ownerURL, "INBOX"
		if i%2 == 0 {
			from, fromURL, to, toURL, folder = owner, ownerURL, name, p.URL, "SENT"
		}
		conv := fmt.Sprintf("2-%016x==", k)
		if i%11 == 0 { // a group: the owner and two others
			q := talkers[(k+1)%len(talkers)]
			to, toURL = to+", "+strings.TrimSpace(q.FirstName+" "+q.LastName), toURL+","+q.URL
			conv = fmt.Sprintf("2-g%015x==", k)
		}
		if i%3 != 0 {
			at = at.Add(time.Duration(i%5) * time.Second)
		}
		date := at.Format("2006-01-02 15:04:05 UTC")
		if i%97 == 0 {
			date = ""
		}
		_ = w.Write([]string{conv, "", from, fromURL, to, toURL, date, "", "a body, with commas", folder, "No", "No"})
	}
	w.Flush()
	return b.Bytes()
}
