package logscan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryTestPackageRunsTheScan: the scan covers the whole suite only if
// every directory of the module with tests has a TestMain calling Main, and
// no test builds a logger that bypasses the capture (slog.New with any
// handler but logscan.Handler's).
func TestEveryTestPackageRunsTheScan(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	scanned := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if dir != filepath.Join("internal", "logscan") {
			for _, call := range strings.Split(string(src), "slog.New(")[1:] {
				if !strings.HasPrefix(call, "logscan.Handler(") {
					rel, _ := filepath.Rel(root, path)
					t.Errorf("%s: slog.New(%.40s…: give the code under test logscan.Logger(), logscan.LoggerTo(w) or slog.New(logscan.Handler(h))", rel, call)
				}
			}
		}
		scanned[dir] = scanned[dir] || strings.Contains(string(src), "logscan.Main(m)") ||
			dir == filepath.Join("internal", "logscan") && strings.Contains(string(src), "{ Main(m) }")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(scanned) < 2 {
		t.Fatalf("found only %v", scanned)
	}
	for dir, ok := range scanned {
		if !ok {
			t.Errorf("%s: its tests do not run through logscan.Main; add a logscan_test.go with func TestMain(m *testing.M) { logscan.Main(m) }", dir)
		}
	}
}
