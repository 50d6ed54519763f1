package carddav_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"

	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/card"
	"github.com/linkport/linkport/state"
)

// BenchmarkRadicale syncs N generated people (LINKPORT_BENCH_N, default
// 500) into a real Radicale and reports, from one run: linkport's initial
// push rate against Radicale's raw sequential PUT rate, and the time and
// request counts of a no-op run and of a 1 % run. Run with -benchtime=1x.
//
// The push and the raw PUTs are measured interleaved, a chunk of cards at a
// time into two books that grow alike (raw first in one pair, linkport first
// in the next): Radicale's cost per write grows with the collection, and the
// machine's load drifts over minutes, so measuring one after the other made
// the ratio depend on when each phase ran.
func BenchmarkRadicale(b *testing.B) {
	n := 500
	if v, err := strconv.Atoi(os.Getenv("LINKPORT_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	chunk := max(n/20, 25)
	for range b.N {
		s := radicale(b)
		folks := people(n)
		for i, p := range folks { // connectortest.Person IDs only go to 0xff
			p.ID = fmt.Sprintf("%016x", i+1)
		}

		raw := newRawBook(b, s, folks)
		snap := state.New()
		tg, _ := open(b, s, func(o *cd.Options) {
			if w, err := strconv.Atoi(os.Getenv("LINKPORT_BENCH_WORKERS")); err == nil && w > 0 {
				o.Concurrency = w
			}
		})
		var rawTime, pushTime time.Duration
		minRatio, maxRatio := math.Inf(1), 0.0
		for i, lo := 0, 0; lo < n; i, lo = i+1, lo+chunk {
			hi := min(lo+chunk, n)
			var r, p time.Duration
			pushChunk := func() {
				start := time.Now()
				if _, _, err := run(b, tg, snap, folks[:hi]); err != nil {
					b.Fatalf("initial sync, cards %d–%d: %v", lo, hi, err)
				}
				p = time.Since(start)
			}
			if i%2 == 0 {
				r = raw.put(b, lo, hi)
				pushChunk()
			} else {
				pushChunk()
				r = raw.put(b, lo, hi)
			}
			rawTime, pushTime = rawTime+r, pushTime+p
			minRatio, maxRatio = min(minRatio, r.Seconds()/p.Seconds()), max(maxRatio, r.Seconds()/p.Seconds())
		}
		push, rawRate := float64(n)/pushTime.Seconds(), float64(n)/rawTime.Seconds()

		tg, cnt := open(b, s, nil)
		start := time.Now()
		if _, _, err := run(b, tg, snap, folks); err != nil {
			b.Fatal(err)
		}
		noopTime := time.Since(start)
		noopReq, _ := cnt.Total()

		for i := 0; i < n; i += 100 {
			c := *folks[i]
			c.Title = "Director"
			folks[i] = &c
		}
		tg, cnt = open(b, s, nil)
		if _, _, err := run(b, tg, snap, folks); err != nil {
			b.Fatal(err)
		}
		onePct, onePctWrites := cnt.Total()

		b.ReportMetric(push, "push-cards/s")
		b.ReportMetric(rawRate, "raw-put-cards/s")
		b.ReportMetric(100*push/rawRate, "push-%-of-raw")
		b.ReportMetric(100*minRatio, "chunk-min-%")
		b.ReportMetric(100*maxRatio, "chunk-max-%")
		b.ReportMetric(float64(noopReq), "noop-requests")
		b.ReportMetric(noopTime.Seconds()*1000, "noop-ms")
		b.ReportMetric(float64(onePct), "1%-requests")
		b.ReportMetric(float64(onePctWrites), "1%-writes")
	}
}

// rawBook PUTs pre-encoded cards one after another, unconditionally, into
// its own collection: the server's own write rate.
type rawBook struct {
	url, user string
	folks     []*mapping.Contact
	bodies    [][]byte
}

func newRawBook(b *testing.B, s server, folks []*mapping.Contact) *rawBook {
	rb := &rawBook{url: s.root + "/" + s.user + "/raw/", user: s.user, folks: folks}
	req, _ := http.NewRequest("MKCOL", rb.url, strings.NewReader(`<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>`))
	req.SetBasicAuth(s.user, "x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("MKCOL raw book: %v %v", err, resp)
	}
	resp.Body.Close()
	for _, p := range folks {
		var buf bytes.Buffer
		if err := vcard.NewEncoder(&buf).Encode(card.New(p, "3.0")); err != nil {
			b.Fatal(err)
		}
		rb.bodies = append(rb.bodies, buf.Bytes())
	}
	return rb
}

// put writes cards lo to hi and returns how long that took.
func (rb *rawBook) put(b *testing.B, lo, hi int) time.Duration {
	start := time.Now()
	for i := lo; i < hi; i++ {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPut, rb.url+rb.folks[i].ID+".vcf", bytes.NewReader(rb.bodies[i]))
		req.Header.Set("Content-Type", "text/vcard")
		req.SetBasicAuth(rb.user, "x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode >= 300 {
			b.Fatalf("raw PUT: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	return time.Since(start)
}
