package linkedin

import (
	"testing"

	"github.com/linkport/linkport/mapping"
)

// TestFlushRecords checks the people rows come out whole and in order,
// after whatever Export.Records held before (Contacts' records land after
// Connections').
func TestFlushRecords(t *testing.T) {
	for _, tt := range []struct{ before, rows int }{{0, 0}, {0, 20000}, {3, 0}, {3, 20000}} {
		lim := &limits{}
		exp := &mapping.Export{}
		for i := range tt.before {
			exp.Records = append(exp.Records, &mapping.Record{Line: -tt.before + i})
		}
		for i := range tt.rows {
			lim.records = append(lim.records, &mapping.Record{Line: i})
		}
		lim.flushRecords(exp)
		if len(exp.Records) != tt.before+tt.rows || lim.records != nil {
			t.Fatalf("%+v: %d records, want %d; %d left behind", tt, len(exp.Records), tt.before+tt.rows, len(lim.records))
		}
		for i, r := range exp.Records {
			if r.Line != i-tt.before {
				t.Fatalf("%+v: record %d has line %d", tt, i, r.Line)
			}
		}
	}
}
