package linkedin_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/linkport/linkport/connectors/linkedin"
	"github.com/linkport/linkport/connectors/linkedin/linkedintest"
)

var fixedLater = time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)

// TestDigest: an export's digest changes with any byte Read would read,
// or a file it would name, and with nothing else.
func TestDigest(t *testing.T) {
	ctx := context.Background()
	files := linkedintest.New(linkedintest.GenOptions{Seed: 7, Connections: 40, Contacts: 10}).Files()
	digest := func(a *linkedin.Archive) string {
		t.Helper()
		d, err := a.Digest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	folder := func(edit func(dir string)) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "export")
		if err := linkedintest.WriteDir(dir, files); err != nil {
			t.Fatal(err)
		}
		edit(dir)
		return digest(linkedin.Open(dir, linkedin.Options{}))
	}
	put := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base := folder(func(string) {})
	if again := folder(func(string) {}); again != base {
		t.Fatal("the same export in another folder has another digest")
	}
	for _, tc := range []struct {
		name string
		edit func(dir string)
		same bool
	}{
		{"a file Read ignores added", func(d string) { put(filepath.Join(d, "Profile.csv"), "First Name\nAda\n") }, true},
		{"a hidden file added", func(d string) { put(filepath.Join(d, ".Connections.csv"), "x") }, true},
		{"a file time changed", func(d string) {
			os.Chtimes(filepath.Join(d, "Connections.csv"), fixedLater, fixedLater)
		}, true},
		{"a byte of Connections.csv", func(d string) {
			p := filepath.Join(d, "Connections.csv")
			b, _ := os.ReadFile(p)
			b[len(b)-2] ^= 1
			os.WriteFile(p, b, 0o600)
		}, false},
		{"messages.csv edited", func(d string) {
			p := filepath.Join(d, "messages.csv")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, "x\n"...), 0o600)
		}, false},
		{"a legacy copy beside a file (named in a warning)", func(d string) {
			put(filepath.Join(d, "Endorsement Received Info.csv"), "")
		}, false},
		{"a second Connections.csv one folder down", func(d string) {
			os.Mkdir(filepath.Join(d, "old"), 0o755)
			put(filepath.Join(d, "old", "Connections.csv"), "")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := folder(tc.edit); (got == base) != tc.same {
				t.Fatalf("digest unchanged: %v, want %v", got == base, tc.same)
			}
		})
	}

	zip, err := linkedintest.Zip(files)
	if err != nil {
		t.Fatal(err)
	}
	zp := filepath.Join(t.TempDir(), "export.zip")
	if err := os.WriteFile(zp, zip, 0o600); err != nil {
		t.Fatal(err)
	}
	d0, m0 := digest(linkedin.Open(zp, linkedin.Options{})), digest(linkedin.FromZipBytes(zip, "x.zip", linkedin.Options{}))
	zip[len(zip)/2] ^= 1 // a byte of an entry: the zip is read whole
	os.WriteFile(zp, zip, 0o600)
	if d1, m1 := digest(linkedin.Open(zp, linkedin.Options{})), digest(linkedin.FromZipBytes(zip, "x.zip", linkedin.Options{})); d1 == d0 || m1 == m0 {
		t.Fatal("a byte of the zip changed, its digest did not")
	}
	mfs := fstest.MapFS{}
	for n, b := range files {
		mfs[n] = &fstest.MapFile{Data: b}
	}
	if digest(linkedin.FromFS(mfs, "x", linkedin.Options{})) != base {
		t.Fatal("the export in an fs.FS and in a folder read alike but have other digests")
	}
}
