package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestStampVouchesForItsStateOnly: a stamp is read back only while the
// state and history are the bytes it was written beside and no run or
// forget is unfinished; anything else makes it no stamp.
func TestStampVouchesForItsStateOnly(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, statePath string)
		keeps  bool
	}{
		{"nothing changed", func(*testing.T, string) {}, true},
		{"state rewritten", func(t *testing.T, p string) { write(t, p, `{"version":2,"identities":{"x":"y"}}`+"\n") }, false},
		{"history written", func(t *testing.T, p string) { write(t, historyPath(p), "history\n") }, false},
		{"journal left by a killed run", func(t *testing.T, p string) { write(t, journalPath(p), "") }, false},
		{"forget unfinished", func(t *testing.T, p string) { write(t, IntentPath(p), "{}\n") }, false},
		{"stamp damaged", func(t *testing.T, p string) { write(t, StampPath(p), `{"version":1,"key":`) }, false},
		{"stamp of another format", func(t *testing.T, p string) {
			b, _ := os.ReadFile(StampPath(p))
			var m map[string]any
			json.Unmarshal(b, &m)
			m["version"] = 99
			b, _ = json.Marshal(m)
			write(t, StampPath(p), string(b))
		}, false},
		{"state removed", func(t *testing.T, p string) { os.Remove(p) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "state.json")
			s := New()
			if err := s.Save(p); err != nil {
				t.Fatal(err)
			}
			want := Stamp{Key: "k1", Targets: map[string]string{"crm": "w"}, Kept: json.RawMessage(`{"report":1}`)}
			if err := WriteStamp(p, want); err != nil {
				t.Fatal(err)
			}
			tc.change(t, p)
			got := ReadStamp(p)
			if (got != nil) != tc.keeps {
				t.Fatalf("ReadStamp = %+v, want a stamp: %v", got, tc.keeps)
			}
			if got != nil && (got.Key != want.Key || got.Targets["crm"] != "w" || string(got.Kept) != string(want.Kept)) {
				t.Fatalf("ReadStamp = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRemoveStamp(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	if err := New().Save(p); err != nil {
		t.Fatal(err)
	}
	if err := WriteStamp(p, Stamp{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // removing none is no error
		if err := RemoveStamp(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(StampPath(p)); !os.IsNotExist(err) {
		t.Fatalf("stamp still there: %v", err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
