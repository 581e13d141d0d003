package portal_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// payoutPosted returns what the ledger paid out to the merchant for a
// settlement: the debit of its payable in the settlement's payout journal.
func (e *env) payoutPosted(s settlement.Settlement) int64 {
	e.t.Helper()
	var paid int64
	err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(SUM(en.amount), 0) FROM ledger_entries en JOIN ledger_journals j ON j.id = en.journal_id
			WHERE j.kind = $1 AND j.reference = $2 AND en.account = $3`, ledger.KindMerchantPayout, s.ID, ledger.PayableAccount(s.MerchantID)).Scan(&paid)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return paid
}

// csvAmounts parses a settlement CSV and returns its header and the sum of
// its amount column.
func csvAmounts(t *testing.T, body string) ([]string, int64, int) {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	col := slices.Index(rows[0], "amount")
	var sum int64
	for _, r := range rows[1:] {
		n, err := strconv.ParseInt(r[col], 10, 64)
		if err != nil {
			t.Fatalf("amount %q: %v", r[col], err)
		}
		sum += n
	}
	return rows[0], sum, len(rows) - 1
}

// TestSettlementPagesAndCSV captures and refunds through the portal, runs
// the day's settlement, and finds it in the list and on its page; its CSV
// adds up to the payout, which is what the ledger paid out.
func TestSettlementPagesAndCSV(t *testing.T) {
	e := newEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	c := e.client()
	c.signIn(owner)
	if _, body := c.get("/portal/settlements"); !strings.Contains(body, "No settlement has been made yet.") {
		t.Error("no empty notice")
	}
	a, b := e.order(100000), e.order(60000)
	for id, amount := range map[string]string{a: "1000", b: "600.00"} {
		c.get("/portal/orders/" + id)
		if res, _ := c.post("/portal/orders/"+id+"/capture", url.Values{"capture_amount": {amount}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("capture %s: %d", id, res.StatusCode)
		}
	}
	c.get("/portal/orders/" + a)
	if res, _ := c.post("/portal/orders/"+a+"/refund", url.Values{"refund_amount": {"250.00"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refund: %d", res.StatusCode)
	}
	e.clk.Advance(24 * time.Hour)
	s := e.settle(e.shop, storetest.Start)
	if s.Sales != 160000 || s.Refunds != 25000 || s.Payout <= 0 {
		t.Fatalf("settlement %+v", s)
	}

	c.signIn(owner)
	_, body := c.get("/portal/settlements")
	wantContains(t, "settlement list", body, `<a href="/portal/settlements/`+s.ID+`">2`+"\u00a0"+`Mar`+"\u00a0"+`2026</a>`,
		"DKK\u00a01,600.00", "DKK\u00a0250.00")
	res, body := c.get("/portal/settlements/" + s.ID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("settlement page: %d", res.StatusCode)
	}
	ref := e.reference(a)
	wantContains(t, "settlement page", body, "Settlement 2\u00a0Mar\u00a02026 (DKK)", "2.49% per capture plus DKK\u00a00.00 per order; VAT 25%",
		`<dd id="payout">`+i18n.FormatMoney(i18n.English, s.Payout, "DKK")+`</dd>`, `<a href="/portal/orders/`+a+`">`+ref+`</a>`, "Sale", "Refund", "VAT on fee",
		`href="/portal/settlements/`+s.ID+`/csv"`)

	res, csvBody := c.get("/portal/settlements/" + s.ID + "/csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		res.Header.Get("Content-Disposition") != `attachment; filename="settlement-2026-03-02-DKK.csv"` {
		t.Fatalf("CSV download: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	header, sum, lines := csvAmounts(t, csvBody)
	if !slices.Equal(header, settlement.CSVColumns) || lines != 7 { // 2 sales, 2 fees, 2 VAT, 1 refund
		t.Errorf("CSV header %v, %d lines", header, lines)
	}
	if sum != s.Payout || e.payoutPosted(s) != s.Payout {
		t.Errorf("CSV sums to %d, payout %d, ledger paid out %d", sum, s.Payout, e.payoutPosted(s))
	}
	// In Danish the page formats money and dates the Danish way.
	_, body = c.get("/portal/settlements/" + s.ID + "?lang=da")
	wantContains(t, "Danish settlement page", body, "Afregning 2.\u00a0mar.\u00a02026 (DKK)", "1.600,00\u00a0kr.", "2,49 % pr. træk")
}
