package rights_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/totp"
)

// TestAccountSecurityInAccessExtractAndErased: a consumer's authenticator,
// recovery codes and known browsers are in their extract (the secret still
// sealed) and go with an erasure.
func TestAccountSecurityInAccessExtractAndErased(t *testing.T) {
	e := newEnv(t)
	e.signIn(anna)
	consumerID, id := e.consumer(anna), e.person(anna)
	en, err := e.app.Accounts.StartEnrolment(e.ctx, account.KindConsumer, consumerID, "")
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.AuthenticatorSecret, en.Secret)
	code, _ := totp.Code(en.Secret, e.clk.Now())
	logscan.Secret(logscan.OneTimeCode, code)
	if _, err := e.app.Accounts.ConfirmEnrolment(e.ctx, account.KindConsumer, consumerID, code); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Accounts.BeginSignIn(e.ctx, account.KindConsumer, consumerID, "", "Mozilla/5.0 (X11; Linux) Firefox/140.0", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"second_factors", "recovery_codes", "pending_sign_ins"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	if strings.Contains(string(raw), en.Secret) {
		t.Error("the extract shows the authenticator's secret")
	}
	e.write(func(tx *store.Tx) error {
		_, err := e.rights.Erase(tx, id)
		return err
	})
	for _, table := range []string{"second_factors", "recovery_codes", "pending_sign_ins", "known_devices"} {
		var n int
		e.read(func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE kind = 'consumer' AND subject_id = $1`, consumerID).Scan(&n)
		})
		if n != 0 {
			t.Errorf("after erasure %d rows of %s are left", n, table)
		}
	}
}
