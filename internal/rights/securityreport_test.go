package rights_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/store"
)

// TestSecurityReportInAccessExtractAndErased: a signed-in consumer's report
// of a suspicious e-mail (its text, address and file sealed under the
// person) is in their access extract opened, and an erasure deletes it.
func TestSecurityReportInAccessExtractAndErased(t *testing.T) {
	e := newEnv(t)
	e.signIn(anna)
	id := e.person(anna)
	const (
		text = "A mail saying my Tillit account is blocked"
		url  = "https://tillit-unblock.example/now"
	)
	rc, err := e.app.SecurityReports.SubmitAsConsumer(context.Background(), id, "consumer:"+e.consumer(anna), securityreport.Submission{
		Kind: securityreport.KindEmail, Text: text, URL: url,
		File: &securityreport.Upload{Name: "blocked.eml", Content: []byte("Subject: Blocked\r\n\r\nPay the fee\r\n")}})
	if err != nil {
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
	for _, want := range []string{"security_reports", rc.Reference, text, url, "blocked.eml"} {
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
		return tx.QueryRow(`SELECT COUNT(*) FROM security_reports WHERE person_id = $1`, id).Scan(&n)
	})
	if n != 0 {
		t.Errorf("after erasure %d reports remain", n)
	}
}
