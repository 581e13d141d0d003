package store

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements for SQLite.
//
// SQLite compiles every statement it is given; with the pure-Go driver that
// parsing is a large share of each request's cost. A statement cache keeps one
// prepared statement per query text and transactions use it through
// Tx.StmtContext, which reuses the statement already prepared on their
// connection. PostgreSQL needs none of this: pgx caches prepared statements
// per connection itself.
//
// A statement cannot be prepared on the pool while a transaction holds the
// connection it would need (the writer pool has one), so a query first seen
// inside a transaction runs unprepared there and is prepared after the
// transaction has released its connection.

// maxCachedStatements bounds the cache; queries beyond it always run unprepared.
const maxCachedStatements = 512

// stmtCache holds prepared statements of one pool.
type stmtCache struct {
	pool  *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}}
}

// lookup returns the prepared statement for query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stmts[query]
}

// prepare prepares the queries a finished transaction ran unprepared. It must
// be called without holding a connection of the pool. Failures are ignored:
// the query simply keeps running unprepared.
func (c *stmtCache) prepare(queries []string) {
	for _, q := range queries {
		c.mu.RLock()
		_, done := c.stmts[q]
		full := len(c.stmts) >= maxCachedStatements
		c.mu.RUnlock()
		if done || full {
			continue
		}
		stmt, err := c.pool.PrepareContext(context.Background(), q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, dup := c.stmts[q]; dup || len(c.stmts) >= maxCachedStatements {
			stmt.Close()
		} else {
			c.stmts[q] = stmt
		}
		c.mu.Unlock()
	}
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.stmts {
		s.Close()
		delete(c.stmts, q)
	}
}

// statement returns the transaction's handle on the cached statement for
// query, or nil (noting the query for preparation) when there is none yet.
func (t *Tx) statement(query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	if s := t.stmts.lookup(query); s != nil {
		return t.tx.StmtContext(t.statementContext(), s)
	}
	t.unprepared = append(t.unprepared, query)
	return nil
}
