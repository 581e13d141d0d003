package dsr_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/store"
)

// TestMailsAreSealedUnderThePerson checks that the e-mails about a request
// are stored sealed under the person's key: neither the address nor the
// request's reference or text is in the outbox in clear, and the mail reads
// back opened.
func TestMailsAreSealedUnderThePerson(t *testing.T) {
	e := newEnv(t, nil)
	r := e.consumerFiles(anna, dsr.KindAccess, "")
	var personID, stored string
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(person_id, ''), recipient || ' ' || subject || ' ' || body FROM outbox_messages`).Scan(&personID, &stored)
	}); err != nil {
		t.Fatal(err)
	}
	if personID != r.PersonID || strings.Contains(stored, "anna") || strings.Contains(stored, r.Reference) {
		t.Errorf("stored about %q: %q", personID, stored)
	}
	if m := e.lastMail(anna); m.To != anna || !strings.Contains(m.Subject, r.Reference) {
		t.Errorf("read back %+v", m)
	}
}
