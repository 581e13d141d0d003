package vault

import (
	"crypto/cipher"
	"sync"
)

// keyCache keeps unwrapped data keys in memory, saving the unwrap and the
// key schedule on every Seal and Open. An entry is only used when the
// subject's row, read in the current transaction, still holds exactly the
// wrapped key the entry was made from: a shredded or re-created key never
// matches, so the cache cannot serve a key past the transaction that sees it
// gone. When full, an arbitrary entry makes room (Go's map order).
type keyCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]cacheEntry
}

type cacheEntry struct {
	wrapped string
	aead    cipher.AEAD
}

func newKeyCache(max int) *keyCache {
	return &keyCache{max: max, entries: make(map[string]cacheEntry)}
}

// get returns the subject's key if it was cached from wrapped, or nil.
func (c *keyCache) get(subject, wrapped string) cipher.AEAD {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[subject]
	if !ok || e.wrapped != wrapped {
		return nil
	}
	return e.aead
}

// put caches the subject's key unwrapped from wrapped.
func (c *keyCache) put(subject, wrapped string, aead cipher.AEAD) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[subject]; !ok && len(c.entries) >= c.max {
		for s := range c.entries {
			delete(c.entries, s)
			break
		}
	}
	c.entries[subject] = cacheEntry{wrapped: wrapped, aead: aead}
}

// remove forgets the subject's key.
func (c *keyCache) remove(subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, subject)
}
