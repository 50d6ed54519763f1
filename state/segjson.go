package state

import (
	"sync"

	segcpu "github.com/segmentio/asm/cpu"
	"github.com/segmentio/asm/cpu/x86"
	segjson "github.com/segmentio/encoding/json"
)

// The state's hot JSON goes through segmentio's codec, and only through
// these three functions, which first turn its AVX2 loops off.
//
// Those loops (segmentio/asm's ascii checks, run on every string) return
// without VZEROUPPER. On Intel cores the dirty upper halves of the vector
// registers then slow every legacy-SSE instruction the process runs after
// them: SHA-NI's sha256 of a 6 MB state took 355 ms instead of 5.5, and
// the decode itself 95 ms instead of 35. The loops segmentio falls back to
// (8 bytes at a time) cost less than that. Nothing else in linkport uses
// segmentio/asm, so its one feature bit is the whole switch.
var noAVX2 = sync.OnceFunc(func() { segcpu.X86 &^= x86.CPU(x86.AVX2) })

// parseJSON decodes the one JSON value b starts with into v, refusing
// unknown fields, as encoding/json's Decoder with DisallowUnknownFields
// does; what follows the value is ignored.
func parseJSON(b []byte, v any) error {
	noAVX2()
	_, err := segjson.Parse(b, v, segjson.DisallowUnknownFields)
	return err
}

// unmarshalJSON is json.Unmarshal.
func unmarshalJSON(b []byte, v any) error {
	noAVX2()
	return segjson.Unmarshal(b, v)
}

// appendJSON appends v's encoding/json form to b.
func appendJSON(b []byte, v any) ([]byte, error) {
	noAVX2()
	return segjson.Append(b, v, segjson.EscapeHTML)
}
