// Package vault encrypts personal data at rest (T12): every person (a
// subject) gets a random 256-bit data key, stored only wrapped by a master
// key from configuration, and every piece of their personal data is sealed
// with AES-256-GCM under that data key, bound to the subject and to a
// context naming where the value lives ("authorizations.billing_address").
//
// Destroying a subject's data key (Shred) makes every value sealed for them
// unreadable at once, in every process (crypto-shredding). Master keys are
// rotated by re-wrapping the data keys (Rotate, `tillit keys rotate`); the
// sealed values never change. Equality lookups on personal data do not go
// through the vault: they use keyed hashes (ids.KeyedHash, ids.ConsumerKey).
// See docs/vault.md.
//
// The vault owns the table subject_keys. Seal, Open and Shred run inside the
// caller's transaction, so a value and the key it needs commit together.
package vault

import (
	"bytes"
	"crypto/cipher"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/tillit/tillit/internal/store"
)

// Errors Seal, Open and Shred return; test them with errors.Is.
var (
	// ErrShredded: the subject's data key was destroyed. Open cannot read
	// what was sealed for them, and Seal refuses to give them a new key, so
	// data of an erased person is never silently written again; a person
	// who comes back after erasure needs a new subject id.
	ErrShredded = errors.New("vault: the subject's data key has been shredded")
	// ErrUnreadable: the sealed value is malformed, was altered, was sealed
	// for another subject or context, or its subject has no data key.
	ErrUnreadable = errors.New("vault: the sealed value cannot be opened")
	// ErrMasterKeyUnavailable: the subject's data key is wrapped by a master
	// key this process is not configured with (see docs/vault.md on rotation).
	ErrMasterKeyUnavailable = errors.New("vault: the data key is wrapped by a master key that is not configured")
)

// prefix starts every sealed value and names its format: base64url (no
// padding) of a 12-byte random nonce followed by the AES-256-GCM ciphertext
// and tag, with additional data binding the subject and context.
const prefix = "v1."

// maxSubject bounds a subject id; ids are hashes or UUIDs, not free text.
const maxSubject = 200

// DefaultCacheSize is how many unwrapped data keys a Vault keeps in memory.
const DefaultCacheSize = 10000

// Vault seals and opens personal data. It is safe for concurrent use.
type Vault struct {
	db   *store.DB
	keys MasterKeys
	// cache holds unwrapped data keys; nil disables it.
	cache *keyCache
}

// New returns a vault over db that wraps new data keys with keys.Current and
// unwraps with any of keys.
func New(db *store.DB, keys MasterKeys) *Vault {
	return &Vault{db: db, keys: keys, cache: newKeyCache(DefaultCacheSize)}
}

// Keys returns the master keys the vault was given.
func (v *Vault) Keys() MasterKeys { return v.keys }

// Seal encrypts plaintext for subject under the given context and returns
// the sealed text, which fits a TEXT column on either engine. It creates the
// subject's data key on first use, in tx, so tx must be a write transaction;
// two transactions creating the same subject's key at once conflict and the
// loser is retried by store.DB.Write. It returns ErrShredded for a shredded
// subject and ErrMasterKeyUnavailable when the subject's key is wrapped by an
// unknown master key.
func (v *Vault) Seal(tx *store.Tx, subject, context string, plaintext []byte) (string, error) {
	if err := checkNames(subject, context); err != nil {
		return "", err
	}
	aead, err := v.dataKey(tx, subject, true)
	if err != nil {
		return "", err
	}
	nonce := randomBytes(aead.NonceSize())
	out := aead.Seal(nonce, nonce, plaintext, valueAAD(subject, context))
	return prefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal returned for the same subject and context. It
// returns ErrShredded once the subject's key is destroyed, ErrUnreadable for
// anything malformed, altered or sealed for another subject or context, and
// ErrMasterKeyUnavailable as Seal does. It only reads, so tx may be a read
// transaction.
func (v *Vault) Open(tx *store.Tx, subject, context, sealed string) ([]byte, error) {
	if err := checkNames(subject, context); err != nil {
		return nil, err
	}
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return nil, ErrUnreadable
	}
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, ErrUnreadable
	}
	// The key first: for a shredded subject every value reads as shredded.
	aead, err := v.dataKey(tx, subject, false)
	if err != nil {
		return nil, err
	}
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrUnreadable
	}
	nonce, ciphertext := data[:aead.NonceSize()], data[aead.NonceSize():]
	plaintext, err := aead.Open(nil, nonce, ciphertext, valueAAD(subject, context))
	if err != nil {
		return nil, ErrUnreadable
	}
	return plaintext, nil
}

// SealString is Seal for text.
func (v *Vault) SealString(tx *store.Tx, subject, context, plaintext string) (string, error) {
	return v.Seal(tx, subject, context, []byte(plaintext))
}

// OpenString is Open for text.
func (v *Vault) OpenString(tx *store.Tx, subject, context, sealed string) (string, error) {
	b, err := v.Open(tx, subject, context, sealed)
	return string(b), err
}

// Shred destroys subject's data key in tx: the wrapped key is erased and the
// row marked shredded, so that every value sealed for the subject is
// unreadable (ErrShredded) in every process from the moment tx commits, and
// Seal refuses the subject from then on. A subject that never had a key is
// marked too. Shredding twice is not an error. The caller records the erasure
// in the audit log in the same transaction.
func (v *Vault) Shred(tx *store.Tx, subject string) error {
	if err := checkSubject(subject); err != nil {
		return err
	}
	if v.cache != nil {
		v.cache.remove(subject)
	}
	now := store.Micros(tx.Now)
	res, err := tx.Exec(`UPDATE subject_keys SET master_key_id = NULL, wrapped_key = NULL, shredded_at = $2
		WHERE subject = $1 AND shredded_at IS NULL`, subject, now)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	// No live key: leave a shredded row behind so Seal refuses the subject.
	res, err = tx.Exec(`INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES ($1, $2, $2)
		ON CONFLICT (subject) DO NOTHING`, subject, now)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	// The row exists: fine if it is shredded, a race with a new key otherwise.
	var shreddedAt sql.NullInt64
	if err := tx.QueryRow(`SELECT shredded_at FROM subject_keys WHERE subject = $1`, subject).Scan(&shreddedAt); err != nil {
		return err
	}
	if !shreddedAt.Valid {
		return store.ErrConflict
	}
	return nil
}

// dataKey returns the subject's unwrapped data key, reading its row in tx
// every time (so a shred elsewhere takes effect at the next transaction) and
// unwrapping it unless the cache holds the key for exactly that wrapped
// value. With create it makes the key when the subject has none.
func (v *Vault) dataKey(tx *store.Tx, subject string, create bool) (cipher.AEAD, error) {
	var masterID, wrapped sql.NullString
	var shreddedAt sql.NullInt64
	err := tx.QueryRow(`SELECT master_key_id, wrapped_key, shredded_at FROM subject_keys WHERE subject = $1`, subject).
		Scan(&masterID, &wrapped, &shreddedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows) && create:
		return v.createKey(tx, subject)
	case errors.Is(err, sql.ErrNoRows):
		return nil, ErrUnreadable
	case err != nil:
		return nil, err
	case shreddedAt.Valid:
		if v.cache != nil {
			v.cache.remove(subject)
		}
		return nil, ErrShredded
	}
	if v.cache != nil {
		if aead := v.cache.get(subject, wrapped.String); aead != nil {
			return aead, nil
		}
	}
	raw, err := v.unwrap(subject, masterID.String, wrapped.String)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.put(subject, wrapped.String, aead)
	}
	return aead, nil
}

// createKey makes, wraps and stores a new data key for subject. A concurrent
// transaction that stored one first makes this one conflict (and retry).
func (v *Vault) createKey(tx *store.Tx, subject string) (cipher.AEAD, error) {
	master := v.keys.Current
	if master.aead == nil {
		return nil, errors.New("vault: no master key configured")
	}
	raw := randomBytes(keySize)
	wrapped := wrap(master, subject, raw)
	if err := tx.ExecOne(`INSERT INTO subject_keys (subject, master_key_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (subject) DO NOTHING`, subject, master.id, wrapped, store.Micros(tx.Now)); err != nil {
		return nil, err
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.put(subject, wrapped, aead)
	}
	return aead, nil
}

// unwrap decrypts a stored data key with the master key it names, using
// only v's keys.
func (v *Vault) unwrap(subject, masterID, wrapped string) ([]byte, error) {
	master, ok := v.keys.byID(masterID)
	if !ok {
		return nil, fmt.Errorf("%w (master key id %s)", ErrMasterKeyUnavailable, masterID)
	}
	return unwrapWith(master, subject, wrapped)
}

// wrap encrypts a data key under a master key, bound to the subject and the
// master key's id; the result is base64url of nonce and ciphertext.
func wrap(master MasterKey, subject string, dataKey []byte) string {
	nonce := randomBytes(master.aead.NonceSize())
	out := master.aead.Seal(nonce, nonce, dataKey, wrapAAD(subject, master.id))
	return base64.RawURLEncoding.EncodeToString(out)
}

// unwrapWith reverses wrap.
func unwrapWith(master MasterKey, subject, wrapped string) ([]byte, error) {
	data, err := base64.RawURLEncoding.DecodeString(wrapped)
	if err != nil || len(data) < master.aead.NonceSize() {
		return nil, fmt.Errorf("vault: stored data key of a subject is malformed")
	}
	n := master.aead.NonceSize()
	raw, err := master.aead.Open(nil, data[:n], data[n:], wrapAAD(subject, master.id))
	if err != nil || len(raw) != keySize {
		return nil, fmt.Errorf("vault: stored data key does not open under master key %s", master.id)
	}
	return raw, nil
}

// wrapAAD and valueAAD are the additional authenticated data of a wrapped
// key and of a sealed value: a label and the bound names, each length-prefixed
// so that no two different pairs encode alike.
func wrapAAD(subject, masterID string) []byte {
	return aad("tillit/vault/key/v1", subject, masterID)
}

func valueAAD(subject, context string) []byte {
	return aad("tillit/vault/value/v1", subject, context)
}

func aad(parts ...string) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		b.Write(binary.AppendUvarint(nil, uint64(len(p))))
		b.WriteString(p)
	}
	return b.Bytes()
}

// checkNames rejects a bad subject and an empty context.
func checkNames(subject, context string) error {
	if context == "" {
		return errors.New("vault: a context is required")
	}
	return checkSubject(subject)
}

// checkSubject rejects empty and oversized subject ids.
func checkSubject(subject string) error {
	if subject == "" || len(subject) > maxSubject {
		return errors.New("vault: a subject id must be 1 to 200 bytes")
	}
	return nil
}
