package rights_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestMerchantMessageInAccessExtractAndErased: a merchant's message about
// a person's order, and Tillit's reply, are in the person's access extract
// opened; an erasure deletes them and shreds what was sealed.
func TestMerchantMessageInAccessExtractAndErased(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	id := e.person(anna)
	const text, reply = "The buyer phoned from another number and asked to ship to a parcel locker", "Thank you, we are looking into it"
	var msgID string
	e.write(func(tx *store.Tx) error {
		m, err := e.app.MerchantMessages.Send(tx, merchantmsg.Sender{UserID: ids.New(), MerchantID: e.m.ID, Locale: "da-DK"}, orderID, merchantmsg.TopicDelivery, text)
		if err != nil {
			return err
		}
		msgID = m.ID
		_, err = e.app.MerchantMessages.Handle(tx, account.Staff{ID: ids.New(), Role: account.RoleCustomerService}, m.ID, reply)
		return err
	})
	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"merchant_messages", text, reply} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	e.write(func(tx *store.Tx) error {
		_, err := e.rights.Erase(tx, id)
		return err
	})
	var n int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM merchant_messages WHERE id = $1`, msgID).Scan(&n)
	})
	if n != 0 {
		t.Errorf("after erasure %d messages are left, want 0", n)
	}
}
