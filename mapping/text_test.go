package mapping_test

import (
	"testing"

	"github.com/linkport/linkport/mapping"
)

func TestBidiControls(t *testing.T) {
	tests := []struct{ in, strip, clean string }{
		{"Ada", "Ada", "Ada"},
		{"\u202EAda\u202C", "Ada", "Ada"},
		{"Love\u2066lace\u2069; Ltd", "Lovelace; Ltd", "Lovelace; Ltd"}, // the card package escapes ";"
		{"\u202A\u202B\u202D\u2067\u2068x", "x", "x"},
		{"\u200Fx", "\u200Fx", "\u200Fx"}, // a mark, not an override: kept
	}
	for _, tt := range tests {
		if got := mapping.StripBidi(tt.in); got != tt.strip {
			t.Errorf("StripBidi(%q) = %q, want %q", tt.in, got, tt.strip)
		}
		if got := mapping.CleanText(tt.in); got != tt.clean {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.clean)
		}
	}
}
