package vault_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/vault"
)

// keyText returns the base64 text of a random 32-byte key.
func keyText(t *testing.T) string {
	t.Helper()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// environment returns a getenv over a fixed map.
func environment(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestParseMasterKey(t *testing.T) {
	text := keyText(t)
	k, err := vault.ParseMasterKey(" " + text + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(k.ID()) {
		t.Fatalf("id %q", k.ID())
	}
	raw, _ := base64.StdEncoding.DecodeString(text)
	for _, other := range []string{base64.RawURLEncoding.EncodeToString(raw), base64.URLEncoding.EncodeToString(raw)} {
		if same, err := vault.ParseMasterKey(other); err != nil || same.ID() != k.ID() {
			t.Fatalf("other alphabet: %v %v", same, err)
		}
	}
	if other, _ := vault.ParseMasterKey(keyText(t)); other.ID() == k.ID() {
		t.Fatal("two keys share an id")
	}
	// Printing a key shows its id only.
	for _, printed := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if !strings.Contains(printed, k.ID()) || strings.Contains(printed, text) || strings.Contains(printed, fmt.Sprint(raw)) {
			t.Fatalf("printed %q", printed)
		}
	}
	var logged bytes.Buffer
	slog.New(logscan.Handler(slog.NewJSONHandler(&logged, nil))).Info("key", "k", k)
	if !strings.Contains(logged.String(), `"k":"`+k.ID()+`"`) {
		t.Fatalf("logged %s", logged.String())
	}
	for _, bad := range []string{"", "not base64 at all!", base64.StdEncoding.EncodeToString(raw[:16]), base64.StdEncoding.EncodeToString(append(raw, 1))} {
		_, err := vault.ParseMasterKey(bad)
		if err == nil || (bad != "" && strings.Contains(err.Error(), bad)) {
			t.Errorf("ParseMasterKey(%q): %v", bad, err)
		}
	}
}

func TestLoadMasterKey(t *testing.T) {
	dir := t.TempDir()
	current, previous := keyText(t), keyText(t)
	currentKey, _ := vault.ParseMasterKey(current)
	previousKey, _ := vault.ParseMasterKey(previous)
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	currentFile, previousFile := write("current.key", current+"\n"), write("previous.key", previous)
	badFile, shortFile := write("bad.key", "%%%"), write("short.key", base64.StdEncoding.EncodeToString([]byte("too short")))
	defaultFile := filepath.Join(dir, "unused.master-key")

	for _, c := range []struct {
		name     string
		vars     map[string]string
		current  string
		previous []string
		err      string
	}{
		{"from the environment", map[string]string{vault.EnvMasterKey: current}, currentKey.ID(), nil, ""},
		{"from a file", map[string]string{vault.EnvMasterKeyFile: currentFile}, currentKey.ID(), nil, ""},
		{"with a previous key", map[string]string{vault.EnvMasterKeyFile: currentFile, vault.EnvPreviousMasterKey: previous}, currentKey.ID(), []string{previousKey.ID()}, ""},
		{"with a previous key file", map[string]string{vault.EnvMasterKey: current, vault.EnvPreviousMasterKeyFile: previousFile}, currentKey.ID(), []string{previousKey.ID()}, ""},
		{"previous equal to current", map[string]string{vault.EnvMasterKey: current, vault.EnvPreviousMasterKeyFile: currentFile}, currentKey.ID(), nil, ""},
		{"both variables", map[string]string{vault.EnvMasterKey: current, vault.EnvMasterKeyFile: currentFile}, "", nil, "not both"},
		{"bad base64", map[string]string{vault.EnvMasterKey: "%%%"}, "", nil, "not base64"},
		{"bad base64 in a file", map[string]string{vault.EnvMasterKeyFile: badFile}, "", nil, "not base64"},
		{"wrong length", map[string]string{vault.EnvMasterKeyFile: shortFile}, "", nil, "must be 32 bytes, got 9"},
		{"missing file", map[string]string{vault.EnvMasterKeyFile: filepath.Join(dir, "nope")}, "", nil, "no such file"},
		{"bad previous key", map[string]string{vault.EnvMasterKey: current, vault.EnvPreviousMasterKey: "short"}, "", nil, vault.EnvPreviousMasterKey},
	} {
		keys, err := vault.LoadMasterKey(environment(c.vars), defaultFile)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), current) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case keys.Current.ID() != c.current || fmt.Sprint(keys.IDs()[1:]) != fmt.Sprint(c.previous):
			t.Errorf("%s: keys %v", c.name, keys.IDs())
		}
	}
	if _, err := os.Stat(defaultFile); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("a configured key still created the default file")
	}
	// No key and no default file (PostgreSQL): an error naming the variables.
	if _, err := vault.LoadMasterKey(environment(nil), ""); err == nil || !strings.Contains(err.Error(), vault.EnvMasterKeyFile) {
		t.Fatalf("no key: %v", err)
	}
}

func TestLoadMasterKeyCreatesTheDefaultFile(t *testing.T) {
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(logscan.Handler(slog.NewJSONHandler(&logged, nil))))
	path := filepath.Join(t.TempDir(), "data", "tillit.db.master-key")

	keys, err := vault.LoadMasterKey(environment(nil), path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", info, err)
	}
	text, _ := os.ReadFile(path)
	fromFile, err := vault.ParseMasterKey(string(text))
	if err != nil || fromFile.ID() != keys.Current.ID() {
		t.Fatalf("file holds %v, %v", fromFile, err)
	}
	if !strings.Contains(logged.String(), "created a new master key file") || !strings.Contains(logged.String(), keys.Current.ID()) ||
		!strings.Contains(logged.String(), path) || strings.Contains(logged.String(), strings.TrimSpace(string(text))) {
		t.Fatalf("log %s", logged.String())
	}
	// The next start reuses it, quietly.
	logged.Reset()
	again, err := vault.LoadMasterKey(environment(nil), path)
	if err != nil || again.Current.ID() != keys.Current.ID() || logged.Len() != 0 {
		t.Fatalf("second start: %v, %v, log %s", again.IDs(), err, logged.String())
	}
	// A configured key wins over the default file.
	other := keyText(t)
	configured, err := vault.LoadMasterKey(environment(map[string]string{vault.EnvMasterKey: other}), path)
	if err != nil || configured.Current.ID() == keys.Current.ID() {
		t.Fatalf("configured key: %v, %v", configured.IDs(), err)
	}
}

func TestWriteMasterKeyFileNeverReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.key")
	k, err := vault.WriteMasterKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.WriteMasterKeyFile(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second write: %v", err)
	}
	read, err := vault.ReadMasterKeyFile(path)
	if err != nil || read.ID() != k.ID() {
		t.Fatalf("read back %v, %v", read, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left behind %v", entries)
	}
}

func TestDefaultKeyFile(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "tillit.db.master-key",
		"data/shop.db":                 "data/shop.db.master-key",
		"sqlite:/var/lib/tillit/t.db":  "/var/lib/tillit/t.db.master-key",
		"postgres://u@h/db":            "",
		"postgresql://u@h/db?sslmode=": "",
	} {
		if got := vault.DefaultKeyFile(in); got != want {
			t.Errorf("DefaultKeyFile(%q) = %q, want %q", in, got, want)
		}
	}
}
