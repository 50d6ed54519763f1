package configs

import _ "embed"

//go:embed sample/Basic_LinkedInDataExport_sample.zip
var sampleExport []byte

// SampleExport returns the bundled synthetic LinkedIn export (2024 era,
// about 150 invented people with every edge case) that `linkport demo` syncs.
func SampleExport() []byte { return sampleExport }
