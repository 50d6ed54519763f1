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
	moved := changed
	moved.Fill().Previous = []mapping.Position{{Title: c.Title, Company: c.Company, Until: "2026-02-27"}}
	moved.Fill().EmailLastSeen = "2019-05-01"
	jobChanged, err := newEvent("crm", TypeJobChanged, &moved, c, state.Ref{ETag: created.ID}, now)
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
		{"job_changed.json", jobChanged.Body},
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
	movedUpdate, _ := newEvent("crm", TypeUpdated, &moved, c, state.Ref{ETag: created.ID}, now)
	if jobChanged.ID == movedUpdate.ID {
		t.Errorf("contact.job_changed shares its id %s with its contact.updated", jobChanged.ID)
	}
	if again, _ := newEvent("crm", TypeJobChanged, &moved, c, state.Ref{ETag: created.ID}, now.Add(time.Hour)); again.ID != jobChanged.ID {
		t.Errorf("the same job change planned again got id %s, want %s", again.ID, jobChanged.ID)
	}
	// without a history, on is the day the change was detected
	undated := changed
	if ev, _ := newEvent("crm", TypeJobChanged, &undated, c, state.Ref{}, now); !strings.Contains(string(ev.Body), `"on":"2026-03-01"`) {
		t.Errorf("job change without history: %s; want on the detection day", ev.Body)
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

// TestJobChange: which updates are job changes.
func TestJobChange(t *testing.T) {
	pos := func(title, company string) *mapping.Contact { return &mapping.Contact{Title: title, Company: company} }
	tests := []struct {
		name     string
		base, c  *mapping.Contact
		want     bool
		from, to mapping.Position
	}{
		{"new company", pos("Engineer", "Acme"), pos("Engineer", "Globex"), true,
			mapping.Position{Title: "Engineer", Company: "Acme"}, mapping.Position{Title: "Engineer", Company: "Globex"}},
		{"new company and title: one change", pos("Engineer", "Acme"), pos("CTO", "Globex"), true,
			mapping.Position{Title: "Engineer", Company: "Acme"}, mapping.Position{Title: "CTO", Company: "Globex"}},
		{"new title, same company", pos("Engineer", "Acme"), pos("CTO", "Acme"), true,
			mapping.Position{Title: "Engineer", Company: "Acme"}, mapping.Position{Title: "CTO", Company: "Acme"}},
		{"new company, no titles", pos("", "Acme"), pos("", "Globex"), true,
			mapping.Position{Company: "Acme"}, mapping.Position{Company: "Globex"}},
		{"company learnt", pos("Engineer", ""), pos("Engineer", "Acme"), false, mapping.Position{}, mapping.Position{}},
		{"company lost", pos("Engineer", "Acme"), pos("Engineer", ""), false, mapping.Position{}, mapping.Position{}},
		{"title learnt, same company", pos("", "Acme"), pos("CTO", "Acme"), false, mapping.Position{}, mapping.Position{}},
		{"title lost, same company", pos("CTO", "Acme"), pos("", "Acme"), false, mapping.Position{}, mapping.Position{}},
		{"new title, no company", pos("Student", ""), pos("Engineer", ""), false, mapping.Position{}, mapping.Position{}},
		{"case and space only", pos("engineer", "ACME "), pos("Engineer", "Acme"), false, mapping.Position{}, mapping.Position{}},
		{"nothing changed", pos("Engineer", "Acme"), pos("Engineer", "Acme"), false, mapping.Position{}, mapping.Position{}},
		{"a create", nil, pos("Engineer", "Acme"), false, mapping.Position{}, mapping.Position{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, ok := jobChange(tt.base, tt.c)
			if ok != tt.want {
				t.Fatalf("jobChange = %v, want %v", ok, tt.want)
			}
			if ok && (from != tt.from || to != tt.to) {
				t.Errorf("from %+v to %+v, want %+v to %+v", from, to, tt.from, tt.to)
			}
		})
	}
}
