package connectortest

import "testing"

func TestMemory(t *testing.T) {
	Run(t, func(t *testing.T) Harness {
		m := NewMemory()
		return Harness{Target: m, Contents: func(*testing.T) map[string]string { return m.Names() }}
	})
}
