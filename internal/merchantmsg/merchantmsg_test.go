package merchantmsg_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// send sends a message about orderID as a user of merchantID and returns
// it, or the error.
func (e *env) send(merchantID, orderID string, topic merchantmsg.Topic, text string) (merchantmsg.Message, error) {
	e.t.Helper()
	var m merchantmsg.Message
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) (err error) {
		m, err = e.app.MerchantMessages.Send(tx, merchantmsg.Sender{UserID: "user-1", MerchantID: merchantID, Locale: "en"}, orderID, topic, text)
		return err
	})
	return m, err
}

// TestRouting: a fraud or stop request topic, an order whose fraud status
// is STOPPED, REJECTED or PENDING, and an order the hook says is in fraud
// handling send the message to the fraud queue; anything else goes to
// merchant support. A failing hook fails the send and writes nothing.
func TestRouting(t *testing.T) {
	e := newEnv(t)
	svc := e.app.MerchantMessages
	for _, tc := range []struct {
		name   string
		email  string
		fraud  string // the fraud status to give the order; "" leaves it
		hook   func(*store.Tx, string) (bool, error)
		topic  merchantmsg.Topic
		want   merchantmsg.Queue
		hasErr bool
	}{
		{name: "delivery on an accepted order", email: acceptedEmail, topic: merchantmsg.TopicDelivery, want: merchantmsg.QueueSupport},
		{name: "payment on an accepted order", email: acceptedEmail, topic: merchantmsg.TopicPayment, want: merchantmsg.QueueSupport},
		{name: "fraud topic", email: acceptedEmail, topic: merchantmsg.TopicFraud, want: merchantmsg.QueueFraud},
		{name: "pending order", email: pendingEmail, topic: merchantmsg.TopicOther, want: merchantmsg.QueueFraud},
		{name: "stopped order", email: acceptedEmail, fraud: checkout.FraudStopped, topic: merchantmsg.TopicDelivery, want: merchantmsg.QueueFraud},
		{name: "rejected order", email: acceptedEmail, fraud: checkout.FraudRejected, topic: merchantmsg.TopicPayment, want: merchantmsg.QueueFraud},
		{name: "under fraud handling", email: acceptedEmail, topic: merchantmsg.TopicOther, want: merchantmsg.QueueFraud,
			hook: func(*store.Tx, string) (bool, error) { return true, nil }},
		{name: "not under fraud handling", email: acceptedEmail, topic: merchantmsg.TopicOther, want: merchantmsg.QueueSupport,
			hook: func(*store.Tx, string) (bool, error) { return false, nil }},
		{name: "hook fails", email: acceptedEmail, topic: merchantmsg.TopicOther, hasErr: true,
			hook: func(*store.Tx, string) (bool, error) { return false, errors.New("hook down") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orderID, _ := e.order(e.shop, tc.email)
			if tc.fraud != "" {
				e.write(func(tx *store.Tx) error {
					return tx.ExecOne(`UPDATE orders SET fraud_status = $1 WHERE id = $2`, tc.fraud, orderID)
				})
			}
			var seen string
			if tc.hook != nil {
				svc.UnderFraudHandling = func(tx *store.Tx, id string) (bool, error) {
					seen = id
					return tc.hook(tx, id)
				}
				defer func() { svc.UnderFraudHandling = nil }()
			}
			m, err := e.send(e.shop.ID, orderID, tc.topic, "More about the order")
			if tc.hasErr {
				if err == nil {
					t.Fatal("the send succeeded with a failing hook")
				}
				if n := e.count(`SELECT COUNT(*) FROM merchant_messages WHERE order_id = $1`, orderID); n != 0 {
					t.Errorf("%d messages written", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Queue != tc.want {
				t.Errorf("queue %s, want %s", m.Queue, tc.want)
			}
			if tc.hook != nil && tc.topic != merchantmsg.TopicFraud && seen != orderID {
				t.Errorf("the hook was asked about %q, want the order", seen)
			}
			got, err := e.forOrder(orderID)
			if err != nil || len(got) != 1 || got[0].Queue != tc.want || got[0].Status != merchantmsg.StatusOpen {
				t.Errorf("stored: %+v %v", got, err)
			}
		})
	}
}

// forOrder returns merchantmsg.ForOrder of the order.
func (e *env) forOrder(orderID string) ([]merchantmsg.Message, error) {
	var out []merchantmsg.Message
	err := e.app.DB.Read(e.ctx, func(tx *store.Tx) (err error) {
		out, err = e.app.MerchantMessages.ForOrder(tx, orderID)
		return err
	})
	return out, err
}

// TestSendRefusesBadInput: an unknown topic, an empty, blank, too long or
// binary text, and an order that is not the merchant's are refused with
// their codes, and nothing is written.
func TestSendRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	orderID, _ := e.order(e.shop, acceptedEmail)
	otherOrder, _ := e.order(e.other, acceptedEmail)
	for _, tc := range []struct {
		name     string
		merchant string
		order    string
		topic    merchantmsg.Topic
		text     string
		code     string
	}{
		{"no topic", e.shop.ID, orderID, "", "Hello", apperr.BadValue},
		{"unknown topic", e.shop.ID, orderID, "refund", "Hello", apperr.BadValue},
		{"empty text", e.shop.ID, orderID, merchantmsg.TopicOther, "", apperr.BadValue},
		{"blank text", e.shop.ID, orderID, merchantmsg.TopicOther, " \n\t ", apperr.BadValue},
		{"too long", e.shop.ID, orderID, merchantmsg.TopicOther, strings.Repeat("é", merchantmsg.MaxText+1), apperr.BadValue},
		{"not text", e.shop.ID, orderID, merchantmsg.TopicOther, "a\x00b", apperr.BadValue},
		{"invalid UTF-8", e.shop.ID, orderID, merchantmsg.TopicOther, "a\xffb", apperr.BadValue},
		{"another merchant's order", e.shop.ID, otherOrder, merchantmsg.TopicFraud, "Hello", apperr.NoSuchOrder},
		{"no such order", e.shop.ID, "01900000-0000-7000-8000-000000000000", merchantmsg.TopicOther, "Hello", apperr.NoSuchOrder},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.send(tc.merchant, tc.order, tc.topic, tc.text)
			if apperr.Code(err) != tc.code {
				t.Errorf("error %v, want %s", err, tc.code)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM merchant_messages`); n != 0 {
		t.Errorf("%d messages written", n)
	}
	for _, id := range []string{orderID, otherOrder} {
		if got := e.auditEntries(id, merchantmsg.ActionSent); len(got) != 0 {
			t.Errorf("audit entries written: %+v", got)
		}
	}

	// The longest text, once trimmed, is taken, trimmed.
	long := strings.Repeat("é", merchantmsg.MaxText)
	m, err := e.send(e.shop.ID, orderID, merchantmsg.TopicOther, "  "+long+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != long {
		t.Errorf("text not trimmed: %d characters", len([]rune(m.Text)))
	}
}

// TestTextSealedUnderThePerson: the text is stored only sealed, under the
// order's person, and ForOrder opens it; the send is audited without it.
func TestTextSealedUnderThePerson(t *testing.T) {
	e := newEnv(t)
	orderID, _ := e.order(e.shop, acceptedEmail)
	const text = "The buyer Anna Jensen called from +4520999999"
	m, err := e.send(e.shop.ID, orderID, merchantmsg.TopicDelivery, text)
	if err != nil {
		t.Fatal(err)
	}
	var stored, person, orderPerson string
	e.read(func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT text, COALESCE(person_id, '') FROM merchant_messages WHERE id = $1`, m.ID).Scan(&stored, &person); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, orderID).Scan(&orderPerson)
	})
	if strings.Contains(stored, "Anna") || !strings.HasPrefix(stored, "v1.") {
		t.Errorf("text stored as %q", stored)
	}
	if person == "" || person != orderPerson {
		t.Errorf("message person %q, order person %q", person, orderPerson)
	}
	got, err := e.forOrder(orderID)
	if err != nil || len(got) != 1 || got[0].Text != text || got[0].Topic != merchantmsg.TopicDelivery {
		t.Fatalf("ForOrder: %+v %v", got, err)
	}
	entries := e.auditEntries(orderID, merchantmsg.ActionSent)
	if len(entries) != 1 || entries[0].Actor != "merchant_user:user-1" || strings.Contains(string(entries[0].Details), "Anna") {
		t.Errorf("audit: %+v", entries)
	}

	// Once the person's key is shredded the text cannot be read.
	e.write(func(tx *store.Tx) error { return e.app.Vault.Shred(tx, person) })
	got, err = e.forOrder(orderID)
	if err != nil || len(got) != 1 || !got[0].Unreadable || got[0].Text != "" {
		t.Errorf("after shredding: %+v %v", got, err)
	}
}

// TestQueuesOldestFirst: each queue lists its open messages oldest first,
// without their text, and counts them.
func TestQueuesOldestFirst(t *testing.T) {
	e := newEnv(t)
	var want []string
	for range 3 {
		orderID, _ := e.order(e.shop, acceptedEmail)
		m, err := e.send(e.shop.ID, orderID, merchantmsg.TopicFraud, "Suspicious")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.ID)
		e.clk.Advance(time.Minute)
	}
	orderID, _ := e.order(e.shop, acceptedEmail)
	if _, err := e.send(e.shop.ID, orderID, merchantmsg.TopicDelivery, "Late"); err != nil {
		t.Fatal(err)
	}
	svc := e.app.MerchantMessages
	ms, err := svc.ListOpen(e.ctx, merchantmsg.QueueFraud, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.ID)
		if m.Text != "" || m.MerchantName != "Nordic Rain" || m.OrderReference == "" {
			t.Errorf("queue item %+v", m)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fraud queue %v, want %v", got, want)
	}
	for q, want := range map[merchantmsg.Queue]int{merchantmsg.QueueFraud: 3, merchantmsg.QueueSupport: 1} {
		if n, err := svc.CountOpen(e.ctx, q); err != nil || n != want {
			t.Errorf("%s: count %d %v, want %d", q, n, err, want)
		}
	}
}

// TestHandleChecksRoleAndOnce: only a role working the message's queue may
// read or handle it; a reply is required; a message is handled once.
func TestHandleChecksRoleAndOnce(t *testing.T) {
	e := newEnv(t)
	orderID, _ := e.order(e.shop, acceptedEmail)
	m, err := e.send(e.shop.ID, orderID, merchantmsg.TopicFraud, "Suspicious")
	if err != nil {
		t.Fatal(err)
	}
	svc := e.app.MerchantMessages
	handle := func(role account.Role, reply string) error {
		return e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
			_, err := svc.Handle(tx, account.Staff{ID: "staff-" + string(role), Role: role}, m.ID, reply)
			return err
		})
	}
	if err := handle(account.RoleCustomerService, "Fine"); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("customer service on the fraud queue: %v", err)
	}
	err = e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := svc.ForStaff(tx, account.Staff{ID: "s", Role: account.RoleCustomerService}, m.ID)
		return err
	})
	if apperr.Code(err) != apperr.Forbidden {
		t.Errorf("customer service reads a fraud message: %v", err)
	}
	if err := handle(account.RoleSecurityAnalyst, "  "); apperr.Code(err) != apperr.BadValue {
		t.Errorf("blank reply: %v", err)
	}
	if err := handle(account.RoleSecurityAnalyst, strings.Repeat("x", merchantmsg.MaxText+1)); apperr.Code(err) != apperr.BadValue {
		t.Errorf("long reply: %v", err)
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionViewed); len(got) != 0 {
		t.Errorf("refused reads audited: %+v", got)
	}
	if err := handle(account.RoleSecurityAnalyst, "We stopped it"); err != nil {
		t.Fatal(err)
	}
	if err := handle(account.RoleAdmin, "Again"); apperr.Code(err) != merchantmsg.CodeAlreadyHandled {
		t.Errorf("second handling: %v", err)
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionHandled); len(got) != 1 || got[0].Actor != "staff:staff-security_analyst" {
		t.Errorf("audit: %+v", got)
	}
	got, err := e.forOrder(orderID)
	if err != nil || len(got) != 1 || got[0].Status != merchantmsg.StatusHandled || got[0].Reply != "We stopped it" || got[0].HandledAt == nil {
		t.Errorf("handled message: %+v %v", got, err)
	}
}

// TestRetentionRemovesMessagesWithoutAPerson: a message about an order
// that names no person is sealed under a key of its own; the retention
// engine deletes it three months after it was sent and shreds that key,
// and leaves a message about a person to the person's records.
func TestRetentionRemovesMessagesWithoutAPerson(t *testing.T) {
	e := newEnv(t)
	anonymous, _ := e.order(e.shop, acceptedEmail)
	e.write(func(tx *store.Tx) error {
		return tx.ExecOne(`UPDATE orders SET person_id = NULL WHERE id = $1`, anonymous)
	})
	personal, _ := e.order(e.shop, acceptedEmail)
	lone, err := e.send(e.shop.ID, anonymous, merchantmsg.TopicOther, "Left at the door")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.send(e.shop.ID, personal, merchantmsg.TopicOther, "Left at the door"); err != nil {
		t.Fatal(err)
	}
	if got, err := e.forOrder(anonymous); err != nil || len(got) != 1 || got[0].Text != "Left at the door" {
		t.Fatalf("message without a person: %+v %v", got, err)
	}
	run := func(at time.Time) {
		t.Helper()
		if _, err := e.app.Retention.Run(e.ctx, at, retention.SourceCommand, "test"); err != nil {
			t.Fatal(err)
		}
	}
	run(storetest.Start.AddDate(0, 3, 0).Add(-time.Minute))
	if n := e.count(`SELECT COUNT(*) FROM merchant_messages`); n != 2 {
		t.Fatalf("%d messages before three months, want 2", n)
	}
	run(storetest.Start.AddDate(0, 3, 0).Add(time.Hour))
	if n := e.count(`SELECT COUNT(*) FROM merchant_messages WHERE id = $1`, lone.ID); n != 0 {
		t.Error("the message without a person is kept")
	}
	if n := e.count(`SELECT COUNT(*) FROM merchant_messages WHERE order_id = $1`, personal); n != 1 {
		t.Error("the message about a person went with the other")
	}
	e.read(func(tx *store.Tx) error {
		if _, err := e.app.Vault.Open(tx, lone.ID, "merchant_messages.text", "v1.AAAA"); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("the message's own key was not shredded: %v", err)
		}
		return nil
	})
}
