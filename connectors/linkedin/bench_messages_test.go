package linkedin_test

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/mapping/enrich"
)

// heavyExport is the 30k+10k export with a heavy user's 30 MB
// messages.csv, written as cmd/benchmark writes its 120 MB one.
var heavyExport = sync.OnceValue(func() map[string][]byte {
	n := linkedintest.New(linkedintest.GenOptions{Seed: 30000, Connections: 30000, Contacts: 10000})
	files := n.Files()
	var b bytes.Buffer
	if err := n.WriteHeavyMessages(&b, 30<<20); err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	files["messages.csv"] = b.Bytes()
	return files
})

// BenchmarkMessages30k reads the heavy export ("read": and "kept-MB", the
// heap the export holds once read, after a collection: what a run carries
// to its end) and enriches its people from it ("enrich").
func BenchmarkMessages30k(b *testing.B) {
	fsys := fstest.MapFS{}
	for n, d := range heavyExport() {
		fsys[n] = &fstest.MapFile{Data: d}
	}
	read := func(b *testing.B) *mapping.Export {
		exp, err := linkedin.FromFS(fsys, "bench", linkedin.Options{}).Read(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		return exp
	}
	b.Run("read", func(b *testing.B) {
		var kept float64
		b.ReportAllocs()
		for b.Loop() {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			exp := read(b)
			runtime.GC()
			runtime.ReadMemStats(&after)
			kept = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
			runtime.KeepAlive(exp)
		}
		b.ReportMetric(kept, "kept-MB")
	})
	b.Run("messages-only", func(b *testing.B) { // beside a one-person Connections.csv
		small := fstest.MapFS{"messages.csv": fsys["messages.csv"],
			"Connections.csv": &fstest.MapFile{Data: []byte("First Name,Last Name,URL,Email Address,Company,Position,Connected On\nAda,Quill,,,,,01 Jan 2024\n")}}
		b.SetBytes(int64(len(small["messages.csv"].Data)))
		b.ReportAllocs()
		for b.Loop() {
			exp, err := linkedin.FromFS(small, "bench", linkedin.Options{}).Read(context.Background())
			if err != nil || exp.Messages.Len() == 0 {
				b.Fatalf("read: %v", err)
			}
		}
	})
	b.Run("enrich", func(b *testing.B) {
		exp := read(b)
		g := mapping.Reconcile(exp, mapping.Options{})
		b.ReportAllocs()
		for b.Loop() {
			if ego := enrich.Enrich(g, exp); ego.Stats.Messages.Matched == 0 {
				b.Fatal("no message matched")
			}
		}
	})
}
