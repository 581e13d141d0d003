package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/tillit/tillit/internal/store"
)

// The environment variables a master key is configured by. A key is the
// standard base64 encoding of 32 random bytes (`openssl rand -base64 32`, or
// `tillit keys generate`), given either in the variable itself or in a file
// the _FILE variable names. The _PREVIOUS pair names the key being rotated
// away from, so that a process reads data keys wrapped by either while
// `tillit keys rotate` runs.
const (
	EnvMasterKey             = "TILLIT_MASTER_KEY"
	EnvMasterKeyFile         = "TILLIT_MASTER_KEY_FILE"
	EnvPreviousMasterKey     = "TILLIT_MASTER_KEY_PREVIOUS"
	EnvPreviousMasterKeyFile = "TILLIT_MASTER_KEY_PREVIOUS_FILE"
)

// keySize is the length of master and data keys in bytes (AES-256).
const keySize = 32

// MasterKey is a key-encryption key: it wraps the per-person data keys. Its
// ID is a short hash of the key, safe to store and print; the key itself is
// never printed, logged or stored in the database.
type MasterKey struct {
	id   string
	aead cipher.AEAD
}

// ID returns the key's identifier: 16 hex digits of a SHA-256 of the key.
// Empty for the zero MasterKey.
func (k MasterKey) ID() string { return k.id }

// String names the key by its ID, so that printing a MasterKey by mistake
// shows nothing secret.
func (k MasterKey) String() string { return "master key " + k.id }

// GoString is String, for %#v.
func (k MasterKey) GoString() string { return k.String() }

// LogValue logs the key as its ID only.
func (k MasterKey) LogValue() slog.Value { return slog.StringValue(k.id) }

// masterKeyFromBytes builds a MasterKey from 32 raw bytes.
func masterKeyFromBytes(raw []byte) (MasterKey, error) {
	if len(raw) != keySize {
		return MasterKey{}, fmt.Errorf("vault: a master key must be %d bytes, got %d", keySize, len(raw))
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return MasterKey{}, err
	}
	sum := sha256.Sum256(append([]byte("tillit vault master key id\x00"), raw...))
	return MasterKey{id: hex.EncodeToString(sum[:8]), aead: aead}, nil
}

// newAEAD returns AES-256-GCM under key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return cipher.NewGCM(block)
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	return b
}

// ParseMasterKey decodes a master key from its base64 text (standard or
// URL alphabet, padded or not; surrounding white space is ignored). Errors
// never repeat the text.
func ParseMasterKey(text string) (MasterKey, error) {
	text = strings.TrimSpace(text)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(text); err == nil {
			return masterKeyFromBytes(raw)
		}
	}
	return MasterKey{}, errors.New("vault: a master key must be the base64 encoding of 32 bytes; the value given is not base64")
}

// NewMasterKey returns a fresh random master key that lives only in memory:
// for tests and for callers that store the key themselves.
func NewMasterKey() MasterKey {
	k, err := masterKeyFromBytes(randomBytes(keySize))
	if err != nil {
		panic(err) // unreachable: the length is right
	}
	return k
}

// ReadMasterKeyFile reads a master key from a file holding its base64 text.
func ReadMasterKeyFile(path string) (MasterKey, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return MasterKey{}, fmt.Errorf("vault: read master key file: %w", err)
	}
	k, err := ParseMasterKey(string(text))
	if err != nil {
		return MasterKey{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return k, nil
}

// WriteMasterKeyFile creates a new random master key in a new file at path,
// readable by its owner only (mode 0600). It never replaces an existing file:
// when path exists it fails with an error that wraps fs.ErrExist. The file
// appears whole or not at all, so a process reading it concurrently never
// sees half a key.
func WriteMasterKeyFile(path string) (MasterKey, error) {
	raw := randomBytes(keySize)
	k, err := masterKeyFromBytes(raw)
	if err != nil {
		return MasterKey{}, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return MasterKey{}, fmt.Errorf("vault: create directory for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".tillit-master-key-*")
	if err != nil {
		return MasterKey{}, fmt.Errorf("vault: create master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return MasterKey{}, fmt.Errorf("vault: write master key file: %w", err)
	}
	// A hard link is atomic and never replaces an existing file.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return MasterKey{}, fmt.Errorf("vault: master key file %s: %w", path, fs.ErrExist)
		}
		return MasterKey{}, fmt.Errorf("vault: write master key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return k, nil
}

// MasterKeys are the master keys a process holds: Current wraps every new
// data key; Previous (during a rotation) only unwraps data keys that
// `tillit keys rotate` has not re-wrapped yet.
type MasterKeys struct {
	Current  MasterKey
	Previous []MasterKey
}

// byID returns the configured key with the given ID.
func (m MasterKeys) byID(id string) (MasterKey, bool) {
	if m.Current.aead != nil && m.Current.id == id {
		return m.Current, true
	}
	for _, k := range m.Previous {
		if k.aead != nil && k.id == id {
			return k, true
		}
	}
	return MasterKey{}, false
}

// IDs returns the IDs of the configured keys, the current one first.
func (m MasterKeys) IDs() []string {
	var out []string
	if m.Current.aead != nil {
		out = append(out, m.Current.id)
	}
	for _, k := range m.Previous {
		if k.aead != nil {
			out = append(out, k.id)
		}
	}
	return out
}

// DefaultKeyFile returns where the master key of the embedded SQLite
// database named by databaseURL (as TILLIT_DATABASE_URL takes it) is kept
// when no key is configured: next to the database file, with ".master-key"
// appended to its name. For PostgreSQL it returns "": a shared database needs
// a key every process is given, so one must be configured.
func DefaultKeyFile(databaseURL string) string {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return ""
	}
	path := strings.TrimPrefix(databaseURL, "sqlite:")
	if path == "" {
		path = store.DefaultSQLitePath
	}
	return path + ".master-key"
}

// LoadMasterKey reads the master keys from the environment through getenv:
// the current key from TILLIT_MASTER_KEY or TILLIT_MASTER_KEY_FILE (not
// both), and optionally the previous one from TILLIT_MASTER_KEY_PREVIOUS or
// TILLIT_MASTER_KEY_PREVIOUS_FILE. When no current key is configured it uses
// defaultFile (DefaultKeyFile of the database), creating it with a new random
// key, mode 0600, on first start and saying so in the log (slog.Default(),
// the key's ID and file only); an empty defaultFile makes a missing key an
// error. The key itself is never logged.
func LoadMasterKey(getenv func(string) string, defaultFile string) (MasterKeys, error) {
	current, ok, err := keyFromEnv(getenv, EnvMasterKey, EnvMasterKeyFile)
	if err != nil {
		return MasterKeys{}, err
	}
	if !ok {
		if defaultFile == "" {
			return MasterKeys{}, fmt.Errorf("vault: no master key: set %s or %s (see docs/vault.md)", EnvMasterKey, EnvMasterKeyFile)
		}
		if current, err = defaultKey(defaultFile); err != nil {
			return MasterKeys{}, err
		}
	}
	keys := MasterKeys{Current: current}
	previous, ok, err := keyFromEnv(getenv, EnvPreviousMasterKey, EnvPreviousMasterKeyFile)
	if err != nil {
		return MasterKeys{}, err
	}
	if ok && previous.id != current.id {
		keys.Previous = []MasterKey{previous}
	}
	return keys, nil
}

// keyFromEnv reads a key from the variable valueVar or from the file fileVar
// names; ok is false when neither is set.
func keyFromEnv(getenv func(string) string, valueVar, fileVar string) (MasterKey, bool, error) {
	value, file := strings.TrimSpace(getenv(valueVar)), strings.TrimSpace(getenv(fileVar))
	switch {
	case value != "" && file != "":
		return MasterKey{}, false, fmt.Errorf("vault: set %s or %s, not both", valueVar, fileVar)
	case value != "":
		k, err := ParseMasterKey(value)
		if err != nil {
			return MasterKey{}, false, fmt.Errorf("%w (in %s)", err, valueVar)
		}
		return k, true, nil
	case file != "":
		k, err := ReadMasterKeyFile(file)
		return k, err == nil, err
	}
	return MasterKey{}, false, nil
}

// defaultKey reads the default key file, creating it on first start.
func defaultKey(path string) (MasterKey, error) {
	k, err := ReadMasterKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	k, err = WriteMasterKeyFile(path)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first.
		return ReadMasterKeyFile(path)
	}
	if err != nil {
		return MasterKey{}, err
	}
	slog.Default().Warn("created a new master key file for the embedded database; back it up apart from the database, without it the encrypted personal data cannot be read",
		slog.String("file", path), slog.String("master_key_id", k.id))
	return k, nil
}
