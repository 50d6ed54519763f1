package webhook

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestSignTestVector checks the signature against the vector published by
// standard-webhooks (libraries/go/webhook_test.go, TestWebhookSign).
func TestSignTestVector(t *testing.T) {
	key, err := Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").key()
	if err != nil {
		t.Fatal(err)
	}
	got := sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("sign = %s, want %s", got, want)
	}
}

func TestSecretKey(t *testing.T) {
	fresh, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		secret string
		ok     bool
	}{
		{fresh, true},
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true}, // 24 bytes, the spec's minimum
		{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false},      // no prefix
		{"whsec_c2hvcnQ=", false},                        // 5 bytes
		{"whsec_not base64!", false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := Secret(tt.secret).key()
		if (err == nil) != tt.ok {
			t.Errorf("key(%q) error = %v, want ok=%v", tt.secret, err, tt.ok)
		}
		if err != nil && tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
	if s := Secret(fresh); strings.Contains(s.String()+s.GoString(), fresh[6:]) {
		t.Error("Secret prints itself")
	}
}

// TestEventGolden pins the payload schema: a change here is a change to
// what every receiver parses.
func TestEventGolden(t *testing.T) {
	now := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	c := connectortest.Person(2)
	c.Phones = []mapping.Phone{{Raw: "+49 30 1234567", E164: "+49301234567"}}
	changed := *c
	changed.Title, changed.Company = "Head of <R&D>", "Other AG"
	created, err := newEvent("crm", TypeCreated, c, nil, state.Ref{}, now)
	if err != nil {
		t.Fatal(err)
	}
	updated, err := newEvent("crm", TypeUpdated, &changed, c, state.Ref{ETag: created.ID}, now)
	if err != nil {
		t.Fatal(err)
	}
	removed, err := newEvent("crm", TypeRemoved, &changed, nil, state.Ref{ETag: updated.ID}, now)
	if err != nil {
		t.Fatal(err)
	}
	_, batch := envelope([]outboxEvent{created, updated, removed})
	tests := []struct {
		file string
		body []byte
	}{
		{"created.json", created.Body},
		{"updated.json", updated.Body},
		{"removed.json", removed.Body},
		{"batch.json", batch},
	}
	for _, tt := range tests {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, tt.body, "", "  "); err != nil {
			t.Fatalf("%s: body is not JSON: %v", tt.file, err)
		}
		pretty.WriteByte('\n')
		path := filepath.Join("testdata", tt.file)
		if *update {
			if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(pretty.Bytes(), want) {
			t.Errorf("%s differs from the golden file:\n%s", tt.file, pretty.Bytes())
		}
	}
	if ids := []string{created.ID, updated.ID, removed.ID}; ids[0] == ids[1] || ids[1] == ids[2] {
		t.Errorf("event ids repeat: %v", ids)
	}
	again, _ := newEvent("crm", TypeCreated, c, nil, state.Ref{}, now.Add(time.Hour))
	if again.ID != created.ID {
		t.Errorf("the same change planned again got id %s, want %s", again.ID, created.ID)
	}
	// changing back gets a new id: the chain moved on
	back, _ := newEvent("crm", TypeUpdated, c, &changed, state.Ref{ETag: updated.ID}, now)
	forth, _ := newEvent("crm", TypeUpdated, &changed, c, state.Ref{ETag: back.ID}, now)
	if forth.ID == updated.ID {
		t.Errorf("a contact changed back and forth reused event id %s", forth.ID)
	}
}
