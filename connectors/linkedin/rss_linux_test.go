package linkedin_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/linkport/linkport/connectors/linkedin"
)

// childEnv names the export a re-executed test binary reads (see TestMain).
const childEnv = "LINKPORT_READ_CHILD"

// TestMain lets TestPeakRSS re-execute this binary as a child that only
// reads one export, so the child's peak RSS is the reader's alone.
func TestMain(m *testing.M) {
	if p := os.Getenv(childEnv); p != "" {
		exp, err := linkedin.Open(p, linkedin.Options{}).Read(context.Background())
		out := childResult{}
		if err != nil {
			out.Err = err.Error()
		} else {
			out.Records, out.Messages = len(exp.Records), exp.Messages.Len()
			for _, w := range exp.Warnings {
				out.Warnings = append(out.Warnings, w.String())
			}
		}
		out.PeakRSS = peakRSS()
		_ = json.NewEncoder(os.Stdout).Encode(out)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// peakRSS is this process's VmHWM in bytes. Rusage.Maxrss would do, but
// Linux carries the parent's high-water mark across a vfork+exec, so a
// child's Maxrss can never be lower than the test binary's own peak.
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			_, _ = fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	return -1
}

type childResult struct {
	PeakRSS           int64
	Err               string
	Records, Messages int
	Warnings          []string
}

// bombEntry is a zip entry of head followed by chunk repeated: written
// compressed once, copied repeat times, so a GiB costs the test little.
type bombEntry struct {
	name        string
	head, chunk []byte
	repeat      int
}

func deflated(t *testing.T, b []byte, final bool) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(b)
	if final {
		err = w.Close()
	} else {
		err = w.Flush() // a sync flush: independent streams concatenate
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func writeBomb(t *testing.T, path string, entries []bombEntry) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range entries {
		head, chunk, end := deflated(t, e.head, false), deflated(t, e.chunk, false), deflated(t, nil, true)
		crc := crc32.ChecksumIEEE(e.head)
		for range e.repeat {
			crc = crc32.Update(crc, crc32.IEEETable, e.chunk)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64:   uint64(len(head) + e.repeat*len(chunk) + len(end)),
			UncompressedSize64: uint64(len(e.head) + e.repeat*len(e.chunk))})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(head)
		for range e.repeat {
			_, _ = w.Write(chunk)
		}
		if _, err := w.Write(end); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeDistinct writes a zip of conn and a messages.csv of n rows, each in
// a conversation of its own.
func writeDistinct(t *testing.T, path string, conn []byte, n int) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, err := zw.Create("Connections.csv")
	if err == nil {
		_, err = w.Write(conn)
	}
	if err == nil {
		w, err = zw.Create("messages.csv")
	}
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("CONVERSATION ID,FROM,DATE\n")
	for i := range n {
		fmt.Fprintf(bw, "2-conversation-%09d==,Bo,2024-06-01 14:03:22 UTC\n", i)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// repeatTo repeats row to about n bytes.
func repeatTo(row string, n int) []byte { return bytes.Repeat([]byte(row), n/len(row)) }

// TestPeakRSS reads every bomb of issue 10 in a child process and checks
// the child's peak RSS stays under 256 MB, and that each bomb is refused
// with its reason (or, for honest big files, read).
func TestPeakRSS(t *testing.T) {
	const mib = 1 << 20
	dir := t.TempDir()
	conn := []byte(preamble2024 + "Ada,Quill,https://www.linkedin.com/in/ada,,Hooli,CTO,01 Jan 2024\n")
	msgHead := []byte("CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n")
	// An honest heavy user's messages: 2,000 conversations with varied
	// people, ~700-byte rows, repeated to 360 MB.
	var honest bytes.Buffer
	for i := 0; honest.Len() < 4*mib; i++ {
		fmt.Fprintf(&honest, "2-conv%04d==,,Person %d,https://www.linkedin.com/in/person-%d,Ada Quill,https://www.linkedin.com/in/ada,2024-06-%02d 14:03:22 UTC,,\"%s\",INBOX\n",
			i%2000, i%3000, i%3000, i%28+1, strings.Repeat(fmt.Sprintf("word%d ", i%97), 90))
	}
	honestRows := strings.Count(honest.String(), "\n")
	names := []string{"Connections.csv", "Contacts.csv", "messages.csv", "Invitations.csv", "Notes.csv", "Endorsement_Received_Info.csv",
		"Endorsement_Given_Info.csv", "Recommendations_Received.csv", "Recommendations_Given.csv", "Company Follows.csv"}
	tenBig := func(from int) []bombEntry {
		var es []bombEntry
		if from > 0 {
			es = append(es, bombEntry{name: "Connections.csv", head: conn})
		}
		for _, n := range names[from:] {
			es = append(es, bombEntry{name: n, head: []byte("First Name,Last Name,FROM,DATE\n"), chunk: repeatTo("a,b,c,d\n", mib), repeat: 240})
		}
		return es
	}
	zeroDir := filepath.Join(dir, "zero")
	if err := os.MkdirAll(zeroDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(zeroDir, "Connections.csv")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     func() string
		want     string // in the error; "" when the read succeeds
		messages int
		warning  string // in some warning
	}{
		{name: "ten 240 MiB entries", path: func() string { return writeBomb(t, filepath.Join(dir, "ten.zip"), tenBig(0)) },
			want: "ten.zip: Connections.csv: file too large: inflates to 251658271 bytes, more than the 67108864-byte limit for Connections.csv and Contacts.csv together"},
		{name: "eight 240 MiB enrichment entries", path: func() string { return writeBomb(t, filepath.Join(dir, "eight.zip"), tenBig(2)) },
			want: "eight.zip: Endorsement_Given_Info.csv: file too large: inflates to 251658271 bytes, which takes the files read from this archive to"},
		{name: "Connections.csv linked to /dev/zero", path: func() string { return zeroDir }, want: "a device, not a regular file"},
		{name: "100 MB cell in messages.csv", path: func() string {
			return writeBomb(t, filepath.Join(dir, "cell.zip"), []bombEntry{{name: "Connections.csv", head: conn},
				{name: "messages.csv", head: append(bytes.Clone(msgHead), "c,,Bo,,Ada,,2024-06-01 14:03:22 UTC,,"...), chunk: repeatTo("x", mib), repeat: 100}})
		}, want: "cell.zip: messages.csv:2: file too large: a line runs past"},
		{name: "100 MB cell in a lone Connections.csv", path: func() string {
			p := filepath.Join(dir, "lone", "Connections.csv")
			writeFile(t, p, append(append(bytes.Clone(conn), "Bo,"...), repeatTo("x", 100*mib)...))
			return p
		}, want: "Connections.csv: file too large: 104858112 bytes, more than the 67108864-byte limit"},
		{name: "honest 360 MB messages.csv", path: func() string {
			return writeBomb(t, filepath.Join(dir, "honest.zip"), []bombEntry{{name: "Connections.csv", head: conn},
				{name: "messages.csv", head: msgHead, chunk: honest.Bytes(), repeat: 360 * mib / honest.Len()}})
		}, messages: honestRows * (360 * mib / honest.Len())},
		// Rows that repeat who wrote to whom fold into one entry: all are read.
		{name: "300 MiB of tiny messages rows", path: func() string {
			return writeBomb(t, filepath.Join(dir, "tiny.zip"), []bombEntry{{name: "Connections.csv", head: conn},
				{name: "messages.csv", head: []byte("FROM,DATE\n"), chunk: repeatTo("Bo,2024-06-01 14:03:22 UTC\n", mib), repeat: 300}})
		}, messages: 300 * (mib / len("Bo,2024-06-01 14:03:22 UTC\n"))},
		// A conversation each: what is kept grows with the rows, up to the bound.
		{name: "a million conversations", path: func() string {
			return writeDistinct(t, filepath.Join(dir, "distinct.zip"), conn, 1_000_000)
		}, messages: -1, warning: "not kept: the enrichment files may keep 96 MiB in memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.path())
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var res childResult
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("child said %q: %v", out, err)
			}
			rss := res.PeakRSS
			t.Logf("peak RSS %d MB (Maxrss %d MB, with the parent's); error %q; %d messages; %d warnings",
				rss>>20, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss>>10, res.Err, res.Messages, len(res.Warnings))
			if rss <= 0 || rss >= 256<<20 {
				t.Errorf("peak RSS %d MB, want < 256 MB", rss>>20)
			}
			switch {
			case tt.want != "" && !strings.Contains(res.Err, tt.want):
				t.Errorf("error %q does not say %q", res.Err, tt.want)
			case tt.want == "" && res.Err != "":
				t.Errorf("read failed: %s", res.Err)
			case tt.messages > 0 && res.Messages != tt.messages:
				t.Errorf("%d messages, want %d", res.Messages, tt.messages)
			case tt.warning != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), tt.warning):
				t.Errorf("warnings %q do not say %q", res.Warnings, tt.warning)
			}
		})
	}
}
