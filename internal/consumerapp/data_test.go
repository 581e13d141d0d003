package consumerapp_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestYourDataPage(t *testing.T) {
	e := newEnv(t, true)
	first := e.order(anna, "pay_later", 40000, 0)
	e.order(bob, "pay_later", 25000, 0)
	c := e.client()
	c.signIn(anna)

	pg := c.get("/app/privacy")
	if !pg.has("/app/privacy/data") {
		t.Error("the privacy page does not link to the data page")
	}
	pg = c.get("/app/privacy/data")
	if pg.status != http.StatusOK {
		t.Fatalf("data page: %d", pg.status)
	}
	for _, want := range []string{"Your data", "Identity", "Contact details", "Sletten 1", "billing_address.street_address", first, "Nordic Rain"} {
		if !pg.has(want) {
			t.Errorf("the data page lacks %q", want)
		}
	}
	if pg.has(bob) {
		t.Error("Anna's data page shows Bob's address")
	}

	res, err := c.http.Get(c.base + "/app/privacy/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var x struct {
		PersonID   string `json:"person_id"`
		Categories []struct {
			ID string `json:"id"`
		} `json:"categories"`
	}
	if err := json.NewDecoder(res.Body).Decode(&x); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}
	if x.PersonID == "" || len(x.Categories) < 5 {
		t.Errorf("the JSON extract: %+v", x)
	}

	// Signed out, neither is served.
	out := e.client()
	for _, path := range []string{"/app/privacy/data", "/app/privacy/data.json"} {
		if pg := out.get(path); pg.has("Sletten 1") || !strings.HasPrefix(pg.path, "/app/signin") {
			t.Errorf("%s signed out: %d %s", path, pg.status, pg.path)
		}
	}
}
