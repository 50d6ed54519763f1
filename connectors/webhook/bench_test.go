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
