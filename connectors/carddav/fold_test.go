package carddav_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-vcard"

	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// putRecorder keeps every PUT body on its way to the server.
type putRecorder struct {
	mu     sync.Mutex
	bodies []string
}

func (p *putRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		p.mu.Lock()
		p.bodies = append(p.bodies, string(b))
		p.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestFoldedCardsRoundTrip: what linkport PUTs is folded at 75 octets with
// one CATEGORIES and a SOCIALPROFILE, every server reads it back whole, and
// the next change merges into it without a spurious conflict.
func TestFoldedCardsRoundTrip(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv(t).name, func(t *testing.T) {
			s := srv(t)
			p := connectortest.Person(1)
			p.Name, p.FirstName, p.LastName = "Siobhán O;Brien", "Siobhán", "O;Brien"
			p.Title = strings.Repeat("Directrice générale adjointe — ", 4) + "Ørsted"
			p.EmailStatus, p.Emails = mapping.EmailHidden, nil
			p.ProfileURL = "https://www.linkedin.com/in/siobhan-obrien"
			rec := &putRecorder{}
			tg, _ := open(t, s, func(o *cd.Options) { o.Transport = rec })
			snap := state.New()
			if _, _, err := run(t, tg, snap, []*mapping.Contact{p}); err != nil {
				t.Fatalf("sync: %v", err)
			}
			moved := *p
			moved.Company = "Globex; Ireland"
			if _, res, err := run(t, tg, snap, []*mapping.Contact{&moved}); err != nil || len(res) != 1 || len(res[0].Conflicts) != 0 {
				t.Fatalf("update: results %+v, err %v", res, err)
			}
			if len(rec.bodies) != 2 {
				t.Fatalf("%d PUTs, want 2", len(rec.bodies))
			}
			for _, b := range rec.bodies {
				for _, l := range strings.Split(b, "\r\n") {
					if len(l) > 75 {
						t.Errorf("PUT line of %d octets: %q", len(l), l)
					}
				}
				if n := strings.Count(b, "\r\nCATEGORIES:"); n != 1 || !strings.Contains(b, "\r\nSOCIALPROFILE;TYPE=linkedin:") {
					t.Errorf("PUT body with %d CATEGORIES, SOCIALPROFILE %v:\n%s", n, strings.Contains(b, "SOCIALPROFILE;"), b)
				}
			}
			got := cards(t, s)[p.ID].Card
			want := card.New(&moved, tg.VCardVersion())
			for _, prop := range []string{vcard.FieldTitle, vcard.FieldName, vcard.FieldFormattedName, vcard.FieldOrganization, card.FieldRFCSocialProfile} {
				if g, w := got.Value(prop), want.Value(prop); g != w {
					t.Errorf("%s on the server = %q, want %q", prop, g, w)
				}
			}
			if cats := card.Categories(got); !slices.Equal(cats, []string{card.CategoryLinkedIn, card.CategoryNoEmail}) {
				t.Errorf("categories on the server = %q", cats)
			}
		})
	}
}
