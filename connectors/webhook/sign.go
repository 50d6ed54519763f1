package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Standard Webhooks header names.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

const secretPrefix = "whsec_"

// Secret is a Standard Webhooks signing secret: "whsec_" and the base64 of
// 24 to 64 random bytes. It prints as a placeholder, so an Options value
// that ends up in a log or an error does not carry it.
type Secret string

// String hides the secret.
func (Secret) String() string { return secretPrefix + "[redacted]" }

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// LogValue hides the secret from log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// errSecret never quotes the secret it refuses.
var errSecret = errors.New("expected whsec_ followed by the base64 of 24 to 64 random bytes (`linkport webhook secret` prints one)")

// key decodes the secret into the HMAC key.
func (s Secret) key() ([]byte, error) {
	b64, ok := strings.CutPrefix(string(s), secretPrefix)
	if !ok {
		return nil, errSecret
	}
	k, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(k) < 24 || len(k) > 64 {
		return nil, errSecret
	}
	return k, nil
}

// NewSecret returns a fresh signing secret of 32 random bytes, as a plain
// string so that printing it shows it.
func NewSecret() (string, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(k), nil
}

// sign returns the v1 signature of one attempt: an HMAC-SHA256 over
// "id.timestamp.body" (the exact bytes sent), base64-encoded.
func sign(key []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
