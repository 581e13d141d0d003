// Package logscan is the test suite's guard that no card number, CVV,
// password or one-time code ever reaches a log (docs/testing.md).
//
// It is imported only by tests and test helpers (browsertest). Every test
// package runs its tests through Main, from a TestMain in its
// logscan_test.go. Tests give the code under test a logger from Logger,
// LoggerTo or Handler; Main makes the same capturing logger the default
// one, and also reads what the process writes to os.Stderr (loggers the
// code under test builds itself). Tests register the secrets they see with
// Secret: the codes they read from the mailbox, the card numbers and CVVs
// they reveal, the passwords they set. After the package's tests, Main
// fails the package when any log record holds a registered secret, a card
// number with the test BIN, or a password, CVV or one-time code under a
// key that names it.
//
// The code under test never knows about this package.
package logscan

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
)

// Kind names what a secret is, for the report.
type Kind string

// The kinds of secret that must never be logged.
const (
	CardNumber  Kind = "card number"
	CVV         Kind = "CVV"
	Password    Kind = "password"
	OneTimeCode Kind = "one-time code"
	// AuthenticatorSecret is the shared secret of an authenticator app
	// (TOTP), from which anyone can compute its codes.
	AuthenticatorSecret Kind = "authenticator secret"
)

// suite is the process-wide recorder: every capturing logger of the test
// binary writes to it, Secret registers in it and Main scans it.
var suite = newRecorder()

// Secret registers a value the test binary's logs must never hold, of the
// given kind. Register what the tests see (a code read from the mailbox, a
// revealed card, a password set up), at the latest before the test ends; it
// applies to everything logged during the whole run, before and after.
// A value of at least 8 characters is found inside any text; a shorter one
// of digits only (a CVV, a six-digit code) as a run of digits of its own in
// a text value; any other shorter one as a whole value. Empty values are
// ignored.
func Secret(kind Kind, value string) { suite.secret(kind, value) }

// Logger returns a logger that captures every record, at every level, for
// Main's scan and writes it nowhere else.
func Logger() *slog.Logger { return slog.New(Handler(nil)) }

// LoggerTo returns a logger that captures every record, at every level, for
// Main's scan and also writes records of level Info and above as text
// lines to w (a test's t.Log writer, say).
func LoggerTo(w io.Writer) *slog.Logger {
	return slog.New(Handler(slog.NewTextHandler(w, nil)))
}

// Handler returns a handler that captures every record, at every level, for
// Main's scan and then hands it to next when next is enabled for its level;
// next may be nil. Use it where a test reads the log itself.
func Handler(next slog.Handler) slog.Handler {
	return &handler{rec: suite, next: next}
}

// Main runs the package's tests, with the capturing logger as slog's
// default (writing Info and above to standard error, as slog's own default
// does) and with what the process writes to os.Stderr read for the scan,
// then scans every captured record. It exits with the tests' status, or 1
// when a record holds a secret, after printing each such record with the
// secret masked. Call it from TestMain:
//
//	func TestMain(m *testing.M) { logscan.Main(m) }
func Main(m *testing.M) {
	slog.SetDefault(LoggerTo(os.Stderr))
	stderr, err := teeStderr(suite)
	if err != nil {
		fmt.Fprintf(os.Stderr, "logscan: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	stderr.stop()
	if findings := suite.scan(); len(findings) > 0 {
		fmt.Fprint(os.Stderr, report(findings))
		code = max(code, 1)
	}
	os.Exit(code)
}
