package linkedin_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
)

// bigExport is LinkedIn's cap: 30,000 connections, plus 10,000 contacts.
var bigExport = sync.OnceValue(func() map[string][]byte {
	return linkedintest.Generate(linkedintest.GenOptions{Seed: 30000, Connections: 30000, Contacts: 10000})
})

// plainCSV is the yardstick: encoding/csv merely reading both files.
func plainCSV(b testing.TB, files map[string][]byte) {
	for _, name := range []string{"Connections.csv", "Contacts.csv"} {
		r := csv.NewReader(bytes.NewReader(files[name]))
		r.FieldsPerRecord, r.ReuseRecord = -1, true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRead30k reads the 30k+10k export. "encoding-csv" is the
// yardstick; "linkedin-fs" is the reader on the same bytes and also reports
// its time as a multiple of the yardstick (x-encoding/csv, goal ≤ 3);
// "linkedin-zip" adds inflating the zip.
func BenchmarkRead30k(b *testing.B) {
	files := bigExport()
	size := int64(len(files["Connections.csv"]) + len(files["Contacts.csv"]))
	fsys := fstest.MapFS{}
	for n, d := range files {
		fsys[n] = &fstest.MapFile{Data: d}
	}
	zipped := mustZip(b, files)
	read := func(b *testing.B, src *linkedin.Archive) {
		exp, err := src.Read(context.Background())
		if err != nil || len(exp.Records) != 40000 {
			b.Fatalf("read: %v", err)
		}
	}

	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			plainCSV(b, files)
		}
	})
	b.Run("linkedin-fs", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			read(b, linkedin.FromFS(fsys, "bench", linkedin.Options{}))
			n++
		}
		ours := b.Elapsed()
		start := time.Now()
		for range n {
			plainCSV(b, files)
		}
		b.ReportMetric(float64(ours)/float64(time.Since(start)), "x-encoding/csv")
	})
	b.Run("linkedin-zip", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			read(b, linkedin.FromZipBytes(zipped, "bench.zip", linkedin.Options{}))
		}
	})
}

// BenchmarkReconcile30k turns the 30k+10k export's records into the graph.
func BenchmarkReconcile30k(b *testing.B) {
	fsys := fstest.MapFS{}
	for n, d := range bigExport() {
		fsys[n] = &fstest.MapFile{Data: d}
	}
	exp, err := linkedin.FromFS(fsys, "bench", linkedin.Options{}).Read(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		g := mapping.Reconcile(exp, mapping.Options{})
		if g.Stats.Contacts != 10000 {
			b.Fatalf("stats %+v", g.Stats)
		}
	}
}
