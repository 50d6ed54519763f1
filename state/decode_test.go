package state

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// stdDecode is decode through encoding/json itself, the reference the
// state's faster decoder must agree with.
func stdDecode(b []byte) (*Snapshot, error) {
	s := New()
	s.Version = 0
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(s); err != nil {
		return nil, err
	}
	return s, nil
}

// FuzzDecode: whatever the state decoder accepts, encoding/json accepts
// too, with the same snapshot; what encoding/json accepts, so does it;
// and the snapshot encodes (appendSnapshot) to json.Marshal's bytes.
func FuzzDecode(f *testing.F) {
	v1, err := os.ReadFile("testdata/state-v1.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(v1)
	s := New()
	s.Identities["url:ada"] = "id1"
	s.Target("crm", "csv").Items["id1"] = &Item{Fingerprint: "fp", Ref: Ref{Href: "/a\u00e9", ETag: `"e"`}, Removed: true}
	s.Cursors = map[string]string{"api": "1"}
	s.Graves = []string{"a,b"}
	b, _ := json.Marshal(s)
	f.Add(b)
	f.Add([]byte(`{"version":2,"identities":{"a":"\u00e9\ud800"},"targets":{}}`))
	f.Add([]byte(`{"version":2,"Identities":{},"targets":{"x":{"type":"csv","items":{"i":{"fingerprint":"f","ref":{"href":"h"}}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := New()
		gerr := decode(b, got)
		want, werr := stdDecode(b)
		if werr == nil && (want.Version < 1 || want.Version > Version) {
			werr = errBadVersion
		}
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("decode error %v, encoding/json's %v for %q", gerr, werr, b)
		}
		if gerr != nil {
			return
		}
		want.Version = Version
		if want.Identities == nil {
			want.Identities = map[string]string{}
		}
		if want.Targets == nil {
			want.Targets = map[string]*Target{}
		}
		if !reflect.DeepEqual(got.Identities, want.Identities) || !reflect.DeepEqual(got.Targets, want.Targets) ||
			!reflect.DeepEqual(got.Cursors, want.Cursors) || got.ForgetKey != want.ForgetKey || !reflect.DeepEqual(got.Graves, want.Graves) {
			t.Fatalf("decode differs from encoding/json for %q:\n%+v\n%+v", b, got, want)
		}
		// What it decoded, Save encodes to json.Marshal's bytes.
		m, merr := json.Marshal(got)
		a, aerr := appendSnapshot(nil, got)
		if merr != nil || aerr != nil || !bytes.Equal(a, m) {
			t.Fatalf("appendSnapshot differs from json.Marshal for %q (%v, %v):\n%s\n%s", b, aerr, merr, a, m)
		}
	})
}

var errBadVersion = bytes.ErrTooLarge // any error: only whether there is one is compared
