package webhook_test

import (
	"context"
	"testing"

	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/state"
)

// BenchmarkPut is one contact through the outbox (fsync) to a receiver on
// 127.0.0.1 that answers at once: the per-contact cost of a first sync.
func BenchmarkPut(b *testing.B) {
	r := newReceiver(b, nil)
	e := newEnv(b)
	tg := e.target(r.options())
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := tg.Put(ctx, connectortest.Person(i), nil, state.Ref{}); err != nil {
			b.Fatal(err)
		}
	}
	if err := tg.Close(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkOpenOutbox30k is reopening (replaying and compacting) an outbox
// that holds LinkedIn's cap of 30,000 delivered events (run with -benchtime 1x).
func BenchmarkOpenOutbox30k(b *testing.B) {
	path := b.TempDir() + "/state.json"
	ob, err := state.OpenOutbox(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 30000 {
		ev := state.OutboxEvent{ID: "evt_" + connectortest.Person(i).Name, Contact: connectortest.Person(i).ID,
			Type: "contact.created", Body: []byte(`{"id":"x","data":{"name":"Person Nummer with a body of typical size, about four hundred bytes of canonical contact JSON"}}`)}
		if _, err := ob.Add("hook", ev); err != nil {
			b.Fatal(err)
		}
		if err := ob.Done("hook", ev.ID); err != nil {
			b.Fatal(err)
		}
	}
	ob.Close()
	b.ResetTimer()
	for range b.N {
		ob, err := state.OpenOutbox(path)
		if err != nil {
			b.Fatal(err)
		}
		ob.Close()
	}
}
