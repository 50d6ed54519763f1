package carddav_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"

	cd "github.com/linkport/linkport/connectors/carddav"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// BenchmarkRadicale syncs N generated people (LINKPORT_BENCH_N, default
// 500) into a real Radicale and reports, from one run: linkport's initial
// push rate against Radicale's raw sequential PUT rate into an equally empty
// collection, and the request counts of a no-op run and of a 1 % run.
// Run with -benchtime=1x.
func BenchmarkRadicale(b *testing.B) {
	n := 500
	if v, err := strconv.Atoi(os.Getenv("LINKPORT_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		s := radicale(b)
		folks := people(n)
		for i, p := range folks { // connectortest.Person IDs only go to 0xff
			p.ID = fmt.Sprintf("%016x", i+1)
		}

		raw := rawPutRate(b, s, folks)

		snap := state.New()
		tg, cnt := open(b, s, func(o *cd.Options) {
			if w, err := strconv.Atoi(os.Getenv("LINKPORT_BENCH_WORKERS")); err == nil && w > 0 {
				o.Concurrency = w
			}
		})
		start := time.Now()
		if _, _, err := run(b, tg, snap, folks); err != nil {
			b.Fatalf("initial sync: %v", err)
		}
		push := float64(n) / time.Since(start).Seconds()

		tg, cnt = open(b, s, nil)
		start = time.Now()
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
		b.ReportMetric(raw, "raw-put-cards/s")
		b.ReportMetric(100*push/raw, "push-%-of-raw")
		b.ReportMetric(float64(noopReq), "noop-requests")
		b.ReportMetric(noopTime.Seconds()*1000, "noop-ms")
		b.ReportMetric(float64(onePct), "1%-requests")
		b.ReportMetric(float64(onePctWrites), "1%-writes")
	}
}

// rawPutRate PUTs the same cards one after another, unconditionally, into
// a fresh collection: the server's own write rate.
func rawPutRate(b *testing.B, s server, folks []*mapping.Contact) float64 {
	book := s.root + "/" + s.user + "/raw/"
	req, _ := http.NewRequest("MKCOL", book, strings.NewReader(`<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>`))
	req.SetBasicAuth(s.user, "x")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("MKCOL raw book: %v %v", err, resp)
	}
	bodies := make([][]byte, len(folks))
	for i, p := range folks {
		var buf bytes.Buffer
		if err := vcard.NewEncoder(&buf).Encode(mapping.VCard(p, "3.0")); err != nil {
			b.Fatal(err)
		}
		bodies[i] = buf.Bytes()
	}
	start := time.Now()
	for i, p := range folks {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPut, book+p.ID+".vcf", bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "text/vcard")
		req.SetBasicAuth(s.user, "x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode >= 300 {
			b.Fatalf("raw PUT: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	return float64(len(folks)) / time.Since(start).Seconds()
}
