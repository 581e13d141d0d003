package merchant_test

import (
	"context"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/merchant"
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
