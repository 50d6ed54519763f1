package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors/carddav/davmem"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

// TestEchoedSecretsStayHidden: servers that answer 400/500 with the
// request's headers in the body (a misconfigured proxy, a debugging
// receiver) put no secret in stderr, the report (its error) or the state
// directory (state, journal, outbox), even with -v.
func TestEchoedSecretsStayHidden(t *testing.T) {
	const user, pass = "alice", "correct-horse-battery-7"
	const hookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const hookToken = "hook-bearer-token-31a9"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	echo := func(status int, when func(*http.Request) bool, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !when(r) {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			fmt.Fprintf(w, "echo %v\n", r.Header)
			r.Header.Write(w)
		})
	}
	always := func(*http.Request) bool { return true }
	onPut := func(r *http.Request) bool { return r.Method == http.MethodPut }
	dav := func() http.Handler {
		b := davmem.NewBackend()
		b.AddBook("linkedin", "LinkedIn")
		return b.Handler()
	}
	tests := []struct {
		name    string
		handler http.Handler
		target  func(url string) string // the target's config lines
	}{
		{"carddav discovery 400", echo(http.StatusBadRequest, always, nil), func(u string) string {
			return "    type: carddav\n    url: " + u + davmem.HomeSetPath + "linkedin/\n    username: " + user + "\n    password_env: LP_TEST_PASSWORD\n"
		}},
		{"carddav put 500", echo(http.StatusInternalServerError, onPut, dav()), func(u string) string {
			return "    type: carddav\n    url: " + u + davmem.HomeSetPath + "linkedin/\n    username: " + user + "\n    password_env: LP_TEST_PASSWORD\n"
		}},
		{"webhook 400", echo(http.StatusBadRequest, always, nil), func(u string) string {
			return "    type: webhook\n    url: " + u + "/hook\n    secret_env: LP_TEST_HOOK_SECRET\n    max_attempts: 1\n" +
				"    headers:\n      Authorization: Bearer " + hookToken + "\n"
		}},
		{"webhook 500", echo(http.StatusInternalServerError, always, nil), func(u string) string {
			return "    type: webhook\n    url: " + u + "/hook\n    secret_env: LP_TEST_HOOK_SECRET\n    max_attempts: 1\n" +
				"    headers:\n      Authorization: Bearer " + hookToken + "\n"
		}},
	}
	secrets := []string{pass, basic, strings.TrimPrefix(hookSecret, "whsec_"), hookToken}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := env(t)
			t.Setenv("LP_TEST_PASSWORD", pass)
			t.Setenv("LP_TEST_HOOK_SECRET", hookSecret)
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			src := filepath.Join(dir, "export")
			writeExport(t, src, linkedintest.New(linkedintest.GenOptions{Seed: 3, Connections: 4}))
			stateDir := filepath.Join(dir, "st")
			cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(stateDir, "state.json")+
				"\ntargets:\n  t:\n"+tt.target(srv.URL))
			code, stdout, stderr := runCLI(t, "sync", "-c", cfg, "-v", "--format", "json")
			if code == exitOK {
				t.Fatalf("sync against an erroring server exit 0:\n%s", stderr)
			}
			if !strings.Contains(stdout+stderr, "400") && !strings.Contains(stdout+stderr, "500") {
				t.Errorf("neither the report nor stderr names the server's status:\n%s\n%s", stdout, stderr)
			}
			found := 0
			for where, s := range map[string]string{"stdout": stdout, "stderr": stderr, "state dir": readAll(t, stateDir)} {
				for _, sec := range secrets {
					if strings.Contains(s, sec) {
						found++
						t.Errorf("%s holds the secret %.6s…:\n%s", where, sec, s)
					}
				}
			}
			t.Logf("secrets found in outputs: %d", found)
		})
	}
}
