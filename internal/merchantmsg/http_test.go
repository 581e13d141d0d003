package merchantmsg_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/merchantmsg"
)

// TestPortalSendsAndLists: any user who may see the order (a viewer too)
// sends a message from its page, which then lists it with its status; bad
// input and a missing CSRF token write nothing; another merchant's user can
// neither see nor send on the order.
func TestPortalSendsAndLists(t *testing.T) {
	e := newEnv(t)
	orderID, _ := e.order(e.shop, acceptedEmail)
	viewer := e.user(e.shop, account.MerchantViewer, "Vera Viewer")
	stranger := e.user(e.other, account.MerchantOwner, "Otto Other")
	path := "/portal/orders/" + orderID
	rows := func() int { return e.count(`SELECT COUNT(*) FROM merchant_messages WHERE order_id = $1`, orderID) }

	c := e.merchantClient(viewer)
	res, body := c.get(path)
	wantStatus(t, "order page", res, http.StatusOK)
	for _, want := range []string{`id="message-form"`, "No messages about this order yet.", "Fraud or stop request"} {
		if !strings.Contains(body, want) {
			t.Errorf("the order page lacks %q", want)
		}
	}

	res, body = c.post(path+"/messages", url.Values{"topic": {""}, "text": {"  "}})
	wantStatus(t, "empty form", res, http.StatusUnprocessableEntity)
	for _, want := range []string{"Choose a topic.", "Fill in this field."} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	res, body = c.post(path+"/messages", url.Values{"topic": {"delivery"}, "text": {strings.Repeat("a", merchantmsg.MaxText+1)}})
	wantStatus(t, "long text", res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Use no more than 4000 characters.") {
		t.Error("the long text is not explained")
	}
	res, _ = c.post(path+"/messages", url.Values{"topic": {"delivery"}, "text": {"Hello"}, "csrf_token": {"forged"}})
	wantStatus(t, "forged CSRF token", res, http.StatusForbidden)
	if n := rows(); n != 0 {
		t.Fatalf("%d messages written by refused forms", n)
	}

	const text = "The parcel was left with a neighbour at the buyer's request"
	res, _ = c.post(path+"/messages", url.Values{"topic": {"delivery"}, "text": {text}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("send: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = c.get(path)
	wantStatus(t, "order page after sending", res, http.StatusOK)
	for _, want := range []string{"Your message was sent to Tillit.", html.EscapeString(text), "Delivery", ">Open<"} {
		if !strings.Contains(body, want) {
			t.Errorf("the order page lacks %q", want)
		}
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionSent); len(got) != 1 || got[0].Actor != "merchant_user:"+viewer.ID {
		t.Errorf("audit: %+v", got)
	}

	s := e.merchantClient(stranger)
	res, body = s.get(path)
	wantStatus(t, "another merchant's order page", res, http.StatusNotFound)
	if strings.Contains(body, html.EscapeString(text)) {
		t.Error("another merchant's user sees the message")
	}
	s.get("/portal/orders")
	res, _ = s.post(path+"/messages", url.Values{"topic": {"fraud_stop"}, "text": {"Mine now"}})
	wantStatus(t, "send on another merchant's order", res, http.StatusNotFound)
	if n := rows(); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// TestStaffHandlesMessage: a fraud-topic message waits in the security
// analysts' queue and a delivery message in merchant support, each shown
// without its text; the analyst opens it (audited), is told a reply is
// needed, marks it handled with a reply (audited), which the merchant's
// users get by e-mail and see on the order page.
func TestStaffHandlesMessage(t *testing.T) {
	e := newEnv(t)
	orderID, reference := e.order(e.shop, acceptedEmail)
	owner := e.user(e.shop, account.MerchantOwner, "Olga Owner")
	viewer := e.user(e.shop, account.MerchantViewer, "Vera Viewer")
	stranger := e.user(e.other, account.MerchantOwner, "Otto Other")
	mc := e.merchantClient(owner)
	path := "/portal/orders/" + orderID
	mc.get(path)
	const fraudText, deliveryText = "The same buyer tried three cards before this order", "Where is the parcel?"
	for topic, text := range map[string]string{"fraud_stop": fraudText, "delivery": deliveryText} {
		if res, _ := mc.post(path+"/messages", url.Values{"topic": {topic}, "text": {text}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("send %s: %d", topic, res.StatusCode)
		}
	}
	fraudMsgs, err := e.app.MerchantMessages.ListOpen(e.ctx, merchantmsg.QueueFraud, 10)
	if err != nil || len(fraudMsgs) != 1 {
		t.Fatalf("fraud queue: %+v %v", fraudMsgs, err)
	}
	msgID := fraudMsgs[0].ID

	analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
	sc := e.staffClient(analyst)
	res, body := sc.get("/staff/queues/" + backoffice.MerchantFraudQueueKey)
	wantStatus(t, "fraud queue", res, http.StatusOK)
	if !strings.Contains(body, reference) || !strings.Contains(body, "Nordic Rain") || strings.Contains(body, "three cards") || strings.Contains(body, "parcel") {
		t.Errorf("the fraud queue shows the wrong things:\n%s", body)
	}
	res, _ = sc.get("/staff/queues/" + backoffice.MerchantSupportQueueKey)
	wantStatus(t, "support queue for an analyst", res, http.StatusForbidden)

	page := "/staff/merchant-messages/" + msgID
	res, body = sc.get(page)
	wantStatus(t, "message page", res, http.StatusOK)
	for _, want := range []string{reference, "Nordic Rain", "Fraud or stop request", fraudText} {
		if !strings.Contains(body, want) {
			t.Errorf("the message page lacks %q", want)
		}
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionViewed); len(got) != 1 || got[0].Actor != "staff:"+analyst.ID {
		t.Errorf("view audit: %+v", got)
	}

	res, body = sc.post(page+"/handle", url.Values{"reply": {"  "}})
	wantStatus(t, "empty reply", res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Fill in this field.") {
		t.Error("the empty reply is not explained")
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionHandled); len(got) != 0 {
		t.Fatalf("refused reply audited: %+v", got)
	}

	const reply = "Thank you: we stopped the order, do not ship it"
	res, _ = sc.post(page+"/handle", url.Values{"reply": {reply}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/queues/"+backoffice.MerchantFraudQueueKey {
		t.Fatalf("handle: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionHandled); len(got) != 1 || got[0].Actor != "staff:"+analyst.ID {
		t.Errorf("handle audit: %+v", got)
	}
	res, body = sc.get("/staff/queues/" + backoffice.MerchantFraudQueueKey)
	if res.StatusCode != http.StatusOK || strings.Contains(body, reference) {
		t.Errorf("the handled message is still in the queue")
	}
	res, _ = sc.post(page+"/handle", url.Values{"reply": {"Twice"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
		t.Errorf("handling twice: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionHandled); len(got) != 1 {
		t.Errorf("handling twice audited: %+v", got)
	}

	for _, u := range []account.MerchantUser{owner, viewer} {
		mails := e.mails(u.Email)
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, reference) || !strings.Contains(mails[0].Body, reply) ||
			!strings.Contains(mails[0].Body, path) {
			t.Errorf("mails to %s: %+v", u.Email, mails)
		}
	}
	if mails := e.mails(stranger.Email); len(mails) != 0 {
		t.Errorf("another merchant's user was mailed: %+v", mails)
	}
	res, body = mc.get(path)
	wantStatus(t, "order page with the reply", res, http.StatusOK)
	for _, want := range []string{html.EscapeString(reply), "Answered", "Tillit&#39;s reply", html.EscapeString(deliveryText)} {
		if !strings.Contains(body, want) {
			t.Errorf("the order page lacks %q", want)
		}
	}

	// Customer service finds the delivery message in merchant support.
	cs := e.staffClient(e.staff(account.RoleCustomerService, "Cora Service"))
	res, body = cs.get("/staff/queues/" + backoffice.MerchantSupportQueueKey)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, reference) {
		t.Errorf("support queue: %d", res.StatusCode)
	}
}

// TestRoleMatrix: every staff role against both queues, both kinds of
// message page and the handle action: only the queue's roles (and admin)
// get in; the others get 403 and change nothing.
func TestRoleMatrix(t *testing.T) {
	e := newEnv(t)
	orderID, _ := e.order(e.shop, acceptedEmail)
	fraud, err := e.send(e.shop.ID, orderID, merchantmsg.TopicFraud, "Suspicious")
	if err != nil {
		t.Fatal(err)
	}
	support, err := e.send(e.shop.ID, orderID, merchantmsg.TopicDelivery, "Late")
	if err != nil {
		t.Fatal(err)
	}
	works := map[merchantmsg.Queue]map[account.Role]bool{
		merchantmsg.QueueFraud:   {account.RoleSecurityAnalyst: true, account.RoleAdmin: true},
		merchantmsg.QueueSupport: {account.RoleCustomerService: true, account.RoleAdmin: true},
	}
	for _, role := range account.Roles {
		c := e.staffClient(e.staff(role, "Member "+string(role)))
		for _, m := range []merchantmsg.Message{fraud, support} {
			want := http.StatusForbidden
			if works[m.Queue][role] {
				want = http.StatusOK
			}
			key := backoffice.MerchantSupportQueueKey
			if m.Queue == merchantmsg.QueueFraud {
				key = backoffice.MerchantFraudQueueKey
			}
			if res, _ := c.get("/staff/queues/" + key); res.StatusCode != want {
				t.Errorf("%s: queue %s: %d, want %d", role, key, res.StatusCode, want)
			}
			page := "/staff/merchant-messages/" + m.ID
			if res, _ := c.get(page); res.StatusCode != want {
				t.Errorf("%s: %s message page: %d, want %d", role, m.Queue, res.StatusCode, want)
			}
			if want == http.StatusOK {
				continue
			}
			c.get("/staff/")
			if res, _ := c.post(page+"/handle", url.Values{"reply": {"Not mine"}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: handle %s message: %d, want 403", role, m.Queue, res.StatusCode)
			}
		}
	}
	if got := e.auditEntries(orderID, merchantmsg.ActionHandled); len(got) != 0 {
		t.Errorf("forbidden handling audited: %+v", got)
	}
	if n := e.count(`SELECT COUNT(*) FROM merchant_messages WHERE status = 'open'`); n != 2 {
		t.Errorf("%d messages open, want 2", n)
	}
}
