package merchant

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// AuthCacheTTL is how long a successful authentication is remembered, and so
// the longest a revoked credential may keep working in a running process.
const AuthCacheTTL = 5 * time.Second

// maxCachedCredentials bounds the cache; when full it starts over.
const maxCachedCredentials = 10_000

// Authenticator checks merchant credentials and remembers successful checks
// for AuthCacheTTL, so that a busy merchant's every request does not cost a
// database read. Failures are never cached. Only a digest of the credentials
// is kept as the key.
type Authenticator struct {
	db      *store.DB
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedMerchant
}

type cachedMerchant struct {
	merchant Merchant
	until    time.Time
}

// NewAuthenticator returns an Authenticator over db.
func NewAuthenticator(db *store.DB) *Authenticator {
	return &Authenticator{db: db, entries: map[[sha256.Size]byte]cachedMerchant{}}
}

// Authenticate is merchant.Authenticate with a short-lived cache of successes.
func (a *Authenticator) Authenticate(ctx context.Context, username, password string) (Merchant, error) {
	key := sha256.Sum256([]byte(username + "\x00" + password))
	now := a.db.Clock.Now()
	a.mu.Lock()
	c, ok := a.entries[key]
	a.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.merchant, nil
	}
	m, err := Authenticate(ctx, a.db, username, password)
	if err != nil {
		return Merchant{}, err
	}
	a.mu.Lock()
	if len(a.entries) >= maxCachedCredentials {
		a.entries = map[[sha256.Size]byte]cachedMerchant{}
	}
	a.entries[key] = cachedMerchant{merchant: m, until: now.Add(AuthCacheTTL)}
	a.mu.Unlock()
	return m, nil
}
