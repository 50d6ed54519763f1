package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/linkport/linkport/connectors/connectortest"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/state"
)

// verify is all a receiver needs to trust a request: the HMAC-SHA256 of
// "webhook-id.webhook-timestamp.body" under the base64-decoded secret must
// match one of the space-separated "v1,<base64>" signatures, and the
// timestamp must be recent (which stops replays of old requests).
func verify(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return errors.New("missing webhook-id or webhook-timestamp")
	}
	if d := time.Since(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside the tolerance")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if v, b64, ok := strings.Cut(sig, ","); ok && v == "v1" && hmac.Equal([]byte(b64), []byte(want)) {
			return nil
		}
	}
	return errors.New("no matching v1 signature")
}

// A receiver verifies the signature, skips ids it has processed (linkport
// delivers at least once), and answers 2xx only once the event is stored.
func Example_receiver() {
	secret := os.Getenv("LINKPORT_WEBHOOK_SECRET") // what `linkport webhook secret` printed
	if secret == "" {
		secret, _ = webhook.NewSecret()
	}
	seen := map[string]bool{} // use a database table in earnest
	handler := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || verify(secret, r.Header, body) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if seen[r.Header.Get("webhook-id")] {
			return // a redelivery: already handled
		}
		var ev webhook.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "not an event", http.StatusBadRequest) // linkport keeps it as a dead letter
			return
		}
		fmt.Println(ev.Type, ev.Data.Name, ev.Data.EmailStatus)
		seen[r.Header.Get("webhook-id")] = true
	}

	srv := httptest.NewServer(http.HandlerFunc(handler))
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "linkport-example")
	defer os.RemoveAll(dir)
	hook, err := webhook.New(webhook.Options{Name: "crm", URL: srv.URL, Secret: webhook.Secret(secret),
		StatePath: filepath.Join(dir, "state.json")}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	c := connectortest.Person(1)
	hook.Put(ctx, c, nil, state.Ref{})
	if err := hook.Close(ctx); err != nil {
		fmt.Println(err)
	}
	// Output: contact.created Person Nummer 1 hidden
}
