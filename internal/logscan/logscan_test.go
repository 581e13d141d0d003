package logscan

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// capture returns a logger writing to a recorder of the test's own, so
// that planted secrets never reach the package's real scan.
func capture() (*recorder, *slog.Logger) {
	r := newRecorder()
	return r, slog.New(&handler{rec: r})
}

// A card number with the test BIN (Luhn-valid) and one that is not.
const (
	testCard  = "9990001234567890"
	otherCard = "9990001234567891"
)

func TestScanFindsSecrets(t *testing.T) {
	if !isTestCard(testCard) || isTestCard(otherCard) {
		t.Fatal("the test card numbers are wrong")
	}
	cases := []struct {
		name     string
		register map[string]Kind
		log      func(*slog.Logger)
		want     Kind
		rule     string
	}{
		{"registered code in an error", map[string]Kind{"482913": OneTimeCode},
			func(l *slog.Logger) { l.Error("sign-in failed", "err", errors.New("code 482913 rejected")) }, OneTimeCode, ruleRegistered},
		{"registered code in the message", map[string]Kind{"482913": OneTimeCode},
			func(l *slog.Logger) { l.Info("sent code 482913") }, OneTimeCode, ruleRegistered},
		{"registered password in a group", map[string]Kind{"Lantern-harbour-violet": Password},
			func(l *slog.Logger) {
				l.WithGroup("request").Debug("form", slog.Group("fields", "note", "Lantern-harbour-violet"))
			}, Password, ruleRegistered},
		{"registered CVV as a whole value", map[string]Kind{"731": CVV},
			func(l *slog.Logger) { l.Warn("declined", "detail", "731") }, CVV, ruleRegistered},
		{"registered short password", map[string]Kind{"pw": Password},
			func(l *slog.Logger) { l.Info("x", "given", "pw") }, Password, ruleRegistered},
		{"registered card number printed in groups", map[string]Kind{otherCard: CardNumber},
			func(l *slog.Logger) { l.Info("card", "shown", "9990 0012 3456 7891") }, CardNumber, ruleRegistered},
		{"registered card number as a number", map[string]Kind{otherCard: CardNumber},
			func(l *slog.Logger) { l.Info("card", "n", int64(9990001234567891)) }, CardNumber, ruleRegistered},
		{"test BIN, unregistered", nil,
			func(l *slog.Logger) {
				l.Info("authorize", "req", fmt.Sprintf("%+v", struct{ Number string }{testCard}))
			}, CardNumber, ruleTestBIN},
		{"test BIN in an attribute added with With", nil,
			func(l *slog.Logger) { l.With("card", testCard).Info("authorize") }, CardNumber, ruleTestBIN},
		{"password key", nil,
			func(l *slog.Logger) { l.WithGroup("form").Info("sign-in", "new_password", "hunter2") }, Password, ruleKey},
		{"CVV key", nil, func(l *slog.Logger) { l.Info("authorize", "cvv", "123") }, CVV, ruleKey},
		{"code key with digits", nil, func(l *slog.Logger) { l.Info("verify", "code", 123456) }, OneTimeCode, ruleKey},
		{"otp in a query string", nil,
			func(l *slog.Logger) { l.Info("request", "url", "/checkout/s1/code?otp=123456&lang=da") }, OneTimeCode, ruleKey},
		{"password in a JSON line", nil,
			func(l *slog.Logger) { l.Info(`{"level":"INFO","msg":"x","password":"hunter2"}`) }, Password, ruleKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, logger := capture()
			tc.log(logger)
			for value, kind := range tc.register {
				r.secret(kind, value) // after logging: registration applies to the whole run
			}
			findings := r.scan()
			if len(findings) != 1 || len(findings[0].hits) == 0 {
				t.Fatalf("findings %+v", findings)
			}
			if h := findings[0].hits[0]; h.kind != tc.want || h.rule != tc.rule {
				t.Fatalf("hit %+v, want a %s %s", h, tc.want, tc.rule)
			}
			out := report(findings)
			if !strings.Contains(out, "["+string(tc.want)+"]") || !strings.Contains(out, "logscan_test.go:") {
				t.Fatalf("report does not mask or place it:\n%s", out)
			}
			for _, h := range findings[0].hits {
				if strings.Contains(out, h.shown) {
					t.Fatalf("report shows the secret %q:\n%s", h.shown, out)
				}
			}
		})
	}
}

func TestScanPassesRedactedAndUnrelatedValues(t *testing.T) {
	r, logger := capture()
	r.secret(OneTimeCode, "482913")
	r.secret(CVV, "404")
	r.secret(Password, "Lantern-harbour-violet")
	r.secret(Password, "pw")
	logger.Info("sign-in", "password", "[redacted]", "cvv", "***", "code", "INVALID_OTP", "otp", "")
	logger.Info("card", "number", "•••• 7899", "masked", "999000******7899", "card_number", "XXXX XXXX XXXX 7899")
	logger.Info("request", "status", 404, "duration", 404*time.Millisecond, "amount", 482913, "code", 200)
	logger.Info("order ord_482913 of DKK 1.404,00 took 404ms", "id", "0198c2f4-4829-7000-8000-000000000404")
	logger.Info("wrong password: try again", "error_code", "INVALID_PASSWORD", "path", "/staff/password")
	logger.Info("notice", "text", "the pw field", "card", otherCard, "phone", "+45 20 12 34 56")
	if findings := r.scan(); len(findings) != 0 {
		t.Fatalf("false alarm:\n%s", report(findings))
	}
}

// TestMainFailsThePackage runs this test binary again with a test that
// logs a registered code and writes a card number to standard error: Main
// must fail it, name both and show neither.
func TestMainFailsThePackage(t *testing.T) {
	if os.Getenv("LOGSCAN_PLANT") == "1" {
		t.Skip("in the child run")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlantedSecrets$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LOGSCAN_PLANT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("the child run ended with %v, want exit status 1\n%s", err, stderr.String())
	}
	out := stderr.String()
	for _, want := range []string{"logscan: FAIL: 2 log record(s)", "a one-time code (registered by a test)", "[one-time code]",
		"a card number (Luhn-valid with the test BIN 999000) in \"stderr\"", "(standard error)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// The child's own log lines precede the report and show the secrets.
	if _, rep, _ := strings.Cut(out, "logscan:"); strings.Contains(rep, "617024") || strings.Contains(rep, testCard) {
		t.Errorf("report shows a secret:\n%s", rep)
	}
}

// TestPlantedSecrets is the child run of TestMainFailsThePackage; it skips
// otherwise.
func TestPlantedSecrets(t *testing.T) {
	if os.Getenv("LOGSCAN_PLANT") != "1" {
		t.Skip("only in TestMainFailsThePackage's child run")
	}
	Secret(OneTimeCode, "617024")
	slog.Info("sending code 617024")
	fmt.Fprintln(os.Stderr, `{"msg":"authorize","number":"`+testCard+`"}`)
}

func TestHandlerQualifiesGroupsAndForwards(t *testing.T) {
	r := newRecorder()
	var text bytes.Buffer
	logger := slog.New(&handler{rec: r, next: slog.NewTextHandler(&text, nil)})
	logger.With("a", 1).WithGroup("g").With("b", "x").Debug("hidden from next", slog.Group("h", "c", true))
	logger.Info("shown")
	if len(r.records) != 2 {
		t.Fatalf("records %+v", r.records)
	}
	var keys []string
	for _, f := range r.records[0].fields {
		keys = append(keys, f.key)
	}
	if got := strings.Join(keys, " "); got != "msg a g.b g.h.c" {
		t.Fatalf("keys %q", got)
	}
	if strings.Contains(text.String(), "hidden") || !strings.Contains(text.String(), "msg=shown") {
		t.Fatalf("forwarded %q", text.String())
	}
}
