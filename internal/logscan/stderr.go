package logscan

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// stderrKey is the key of the one field a line read from the process's
// standard error is captured as.
const stderrKey = "stderr"

// stderrTee stands in for os.Stderr while the tests run: every line written
// to it goes on to the real standard error and is captured as a record.
type stderrTee struct {
	real *os.File
	w    *os.File
	done chan struct{}
}

// teeStderr replaces os.Stderr with a pipe read into rec. Loggers a test
// cannot hand a capturing logger to (the command line's, which it builds
// from os.Stderr) are scanned this way, as plain text.
func teeStderr(rec *recorder) (*stderrTee, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reading standard error: %w", err)
	}
	t := &stderrTee{real: os.Stderr, w: w, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		defer r.Close()
		lines := bufio.NewReader(r)
		for {
			line, err := lines.ReadString('\n')
			if line != "" {
				t.real.WriteString(line)
				rec.add(record{fields: []field{{key: stderrKey, value: strings.TrimSuffix(line, "\n"), text: true}}})
			}
			if err != nil {
				return
			}
		}
	}()
	os.Stderr = w
	return t, nil
}

// stop puts the real standard error back and waits until every line
// written before is captured.
func (t *stderrTee) stop() {
	os.Stderr = t.real
	t.w.Close()
	<-t.done
}
