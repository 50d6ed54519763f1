package state

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	segcpu "github.com/segmentio/asm/cpu"
	"github.com/segmentio/asm/cpu/x86"
)

// segmentio's code runs only behind segjson.go's functions, which turn its
// AVX2 loops off first: a use anywhere else in linkport could run those
// loops and bring back the slowdown noAVX2 describes.
func TestSegmentioOnlyWithoutAVX2(t *testing.T) {
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "..":
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		case path == filepath.Join("..", "state", "segjson.go"):
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			if p, _ := strconv.Unquote(im.Path.Value); strings.HasPrefix(p, "github.com/segmentio/") {
				t.Errorf("%s imports %s: go through state/segjson.go, which turns its AVX2 loops off first", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := parseJSON([]byte(`{"version":2}`), New()); err != nil {
		t.Fatal(err)
	}
	if segcpu.X86.Has(x86.AVX2) {
		t.Error("segmentio's AVX2 loops are still on after a state was decoded")
	}
}
