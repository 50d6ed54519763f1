package carddavtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Radicale is a radicale process serving temp storage on 127.0.0.1.
type Radicale struct {
	// URL is the server root; User and Password log in (any password
	// without auth).
	URL, User, Password string
	// BookURL is the address book "linkedin" created for the user.
	BookURL string
}

// StartRadicale starts the radicale binary with auth none and filesystem
// storage in t.TempDir(), waits until it answers and stops it at cleanup.
// It skips when radicale is not installed, unless LINKPORT_REQUIRE_SERVERS=1.
func StartRadicale(t testing.TB) *Radicale {
	t.Helper()
	return startRadicale(t, "linkport", "")
}

// StartRadicaleAuth is StartRadicale with htpasswd auth: only user with
// password gets in, as on a real server.
func StartRadicaleAuth(t testing.TB, user, password string) *Radicale {
	t.Helper()
	return startRadicale(t, user, password)
}

func startRadicale(t testing.TB, user, password string) *Radicale {
	t.Helper()
	bin, err := exec.LookPath("radicale")
	if err != nil {
		if os.Getenv("LINKPORT_REQUIRE_SERVERS") == "1" {
			t.Fatalf("radicale not installed, and LINKPORT_REQUIRE_SERVERS=1")
		}
		t.Skip("radicale not installed")
	}
	dir := t.TempDir()
	auth := "type = none\n"
	if password != "" {
		users := filepath.Join(dir, "users")
		if err := os.WriteFile(users, []byte(user+":"+password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		auth = "type = htpasswd\nhtpasswd_filename = " + users + "\nhtpasswd_encryption = plain\ndelay = 0\n"
	}
	var lastErr error
	for range 3 { // the free port can be taken between probe and start
		port, err := freePort()
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		cfg := filepath.Join(dir, "config")
		conf := fmt.Sprintf("[server]\nhosts = 127.0.0.1:%d\n[auth]\n%s[storage]\nfilesystem_folder = %s\n[logging]\nlevel = warning\n",
			port, auth, filepath.Join(dir, "collections"))
		if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, "--config", cfg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatalf("start radicale: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		stop := func() {
			cancel()
			<-exited
		}
		r := &Radicale{URL: fmt.Sprintf("http://127.0.0.1:%d", port), User: user, Password: password}
		if lastErr = r.wait(exited); lastErr != nil {
			stop()
			continue
		}
		t.Cleanup(stop)
		if err := r.mkBook(); err != nil {
			t.Fatalf("create radicale address book: %v", err)
		}
		return r
	}
	t.Fatalf("radicale did not start: %v", lastErr)
	return nil
}

func (r *Radicale) wait(exited <-chan error) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("radicale exited: %v", err)
		default:
		}
		resp, err := http.Get(r.URL + "/.web/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("radicale at %s did not answer within 15 s", r.URL)
}

// mkBook creates the user's address book "linkedin" with an extended MKCOL.
func (r *Radicale) mkBook() error {
	var err error
	r.BookURL, err = r.NewBook("linkedin", "LinkedIn")
	return err
}

// NewBook creates another address book of the user, at name (a path
// segment) with a display name, and returns its URL.
func (r *Radicale) NewBook(name, displayName string) (string, error) {
	u := r.URL + "/" + r.User + "/" + name + "/"
	body := `<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>` +
		`<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>` + displayName + `</D:displayname></D:prop></D:set></D:mkcol>`
	req, err := http.NewRequest("MKCOL", u, stringsReader(body))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(r.User, r.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("MKCOL %s: %s", u, resp.Status)
	}
	return u, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
