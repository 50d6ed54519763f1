package webhook

import (
	"testing"

	"github.com/linkport/linkport/connectors/connectortest"
)

// BenchmarkOpenOutbox30k is reopening (replaying and compacting) an outbox
// that holds LinkedIn's cap of 30,000 delivered events (run with -benchtime 1x).
func BenchmarkOpenOutbox30k(b *testing.B) {
	path := b.TempDir() + "/state.json"
	ob, err := openOutbox(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 30000 {
		ev := outboxEvent{ID: "evt_" + connectortest.Person(i).Name, Contact: connectortest.Person(i).ID,
			Type: "contact.created", Body: []byte(`{"id":"x","data":{"name":"Person Nummer with a body of typical size, about four hundred bytes of canonical contact JSON"}}`)}
		if _, err := ob.add("hook", ev); err != nil {
			b.Fatal(err)
		}
		if err := ob.done("hook", ev.ID); err != nil {
			b.Fatal(err)
		}
	}
	ob.close()
	b.ResetTimer()
	for range b.N {
		ob, err := openOutbox(path)
		if err != nil {
			b.Fatal(err)
		}
		ob.close()
	}
}
