package merchant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

func TestCreateAndAuthenticate(t *testing.T) {
	db, _ := storetest.Open(t)
	ctx := context.Background()
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Shop", TestMode: true, NotificationURL: "https://shop.example/notify", SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := merchant.Authenticate(ctx, db, creds.Username, creds.Password)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != creds.MerchantID || !m.TestMode || m.SettlementCurrency != "DKK" || m.ExpiryDays != 28 {
		t.Fatalf("merchant = %+v", m)
	}
	for _, c := range []struct{ user, pass string }{
		{creds.Username, creds.Password + "x"},
		{creds.Username, ""},
		{"nobody", creds.Password},
	} {
		if _, err := merchant.Authenticate(ctx, db, c.user, c.pass); apperr.Code(err) != apperr.Unauthorized {
			t.Errorf("Authenticate(%q) err = %v", c.user, err)
		}
	}
}

func TestCreateRejectsBadInput(t *testing.T) {
	db, _ := storetest.Open(t)
	for _, m := range []merchant.NewMerchant{
		{Name: ""},
		{Name: "x", NotificationURL: "ftp://nope"},
		{Name: "x", NotificationURL: "/relative"},
		{Name: "x", SettlementCurrency: "XXX"},
		{Name: "x", Category: "weapons"},
	} {
		if _, err := merchant.Create(context.Background(), db, m); apperr.Code(err) != apperr.BadValue {
			t.Errorf("Create(%+v) err = %v", m, err)
		}
	}
}

func TestCreateKeepsTheCategory(t *testing.T) {
	db, _ := storetest.Open(t)
	creds, err := merchant.Create(context.Background(), db, merchant.NewMerchant{Name: "Volt", Category: "electronics"})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	err = db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT category FROM merchants WHERE id = $1`, creds.MerchantID).Scan(&got)
	})
	if err != nil || got != "electronics" {
		t.Errorf("category %q, %v", got, err)
	}
}

func TestAuthenticatorForgetsRevokedCredentialsAfterTTL(t *testing.T) {
	db, clk := storetest.Open(t)
	ctx := context.Background()
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Shop", TestMode: true})
	if err != nil {
		t.Fatal(err)
	}
	auth := merchant.NewAuthenticator(db)
	if _, err := auth.Authenticate(ctx, creds.Username, creds.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, creds.Username, "wrong"); apperr.Code(err) != apperr.Unauthorized {
		t.Fatalf("wrong password accepted from cache: %v", err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE merchant_credentials SET revoked_at = 1 WHERE username = $1`, creds.Username)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, creds.Username, creds.Password); err != nil {
		t.Fatalf("cached credentials refused within the TTL: %v", err)
	}
	clk.Advance(merchant.AuthCacheTTL)
	if _, err := auth.Authenticate(ctx, creds.Username, creds.Password); apperr.Code(err) != apperr.Unauthorized {
		t.Fatalf("revoked credentials still accepted after the TTL: %v", err)
	}
}

func TestCredentialsRotateAndRevoke(t *testing.T) {
	db, _ := storetest.Open(t)
	ctx := context.Background()
	first, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Shop", TestMode: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := merchant.AddCredentials(ctx, db, "operator:ana", first.MerchantID)
	if err != nil || second.Username == first.Username || second.MerchantID != first.MerchantID || !strings.HasPrefix(second.Username, "test_") {
		t.Fatalf("second credentials %+v, %v", second, err)
	}
	for _, c := range []merchant.Credentials{first, second} {
		if _, err := merchant.Authenticate(ctx, db, c.Username, c.Password); err != nil {
			t.Fatalf("%s refused: %v", c.Username, err)
		}
	}
	if err := merchant.RevokeCredentials(ctx, db, "operator:ana", first.Username); err != nil {
		t.Fatal(err)
	}
	if _, err := merchant.Authenticate(ctx, db, first.Username, first.Password); apperr.Code(err) != apperr.Unauthorized {
		t.Fatalf("revoked credentials accepted: %v", err)
	}
	if _, err := merchant.Authenticate(ctx, db, second.Username, second.Password); err != nil {
		t.Fatalf("other credentials refused: %v", err)
	}
	if err := merchant.RevokeCredentials(ctx, db, "operator:ana", first.Username); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("revoking twice: %v", err)
	}
	if _, err := merchant.AddCredentials(ctx, db, "operator:ana", "no-such-merchant"); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("credentials for an unknown merchant: %v", err)
	}
	entries, err := audit.ForSubject(ctx, db, first.MerchantID)
	if err != nil || len(entries) != 2 || entries[0].Action != "merchant.credentials_added" || entries[1].Action != "merchant.credentials_revoked" {
		t.Fatalf("audit entries %+v, %v", entries, err)
	}
}
