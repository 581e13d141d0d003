package merchant_test

import (
	"context"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
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
	} {
		if _, err := merchant.Create(context.Background(), db, m); apperr.Code(err) != apperr.BadValue {
			t.Errorf("Create(%+v) err = %v", m, err)
		}
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
