package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Background checkpoints for SQLite.
//
// By default SQLite copies the write-ahead log back into the database file
// inside whichever commit pushes the log past its threshold, so one unlucky
// request pays for everyone's writes. Tillit turns that off on the writer and
// runs passive checkpoints from a connection of their own instead: they never
// block the writer, and the log is reused from its start once readers have
// moved on.

// checkpointInterval is how often the background checkpoint runs.
const checkpointInterval = time.Second

// checkpointer runs passive checkpoints until stopped.
type checkpointer struct {
	conn    *sql.DB
	stop    chan struct{}
	stopped sync.WaitGroup
}

func startCheckpointer(conn *sql.DB) *checkpointer {
	c := &checkpointer{conn: conn, stop: make(chan struct{})}
	c.stopped.Add(1)
	go func() {
		defer c.stopped.Done()
		ticker := time.NewTicker(checkpointInterval)
		defer ticker.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-ticker.C:
				_, _ = c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
			}
		}
	}()
	return c
}

// close stops the checkpoints and closes their connection; closing the last
// connection to the file checkpoints what is left.
func (c *checkpointer) close() error {
	close(c.stop)
	c.stopped.Wait()
	return c.conn.Close()
}
