package rights_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestSealedContactServesAccessAndErasure checks that the consumer's
// address (consumers.email) and the mail sent to them (outbox_messages) are
// held only sealed, that the access extract still shows them opened, and
// that erasure removes them and leaves nothing of them readable.
func TestSealedContactServesAccessAndErasure(t *testing.T) {
	e := newEnv(t)
	e.signIn(anna)
	e.signIn(bo)
	id := e.person(anna)
	const subject = "Din Tillit-loginkode"

	dump := e.dump()
	for _, table := range []string{"consumers", "outbox_messages"} {
		if found := findIn(map[string][]string{table: dump[table]}, []string{anna.email, bo.email, subject}); len(found) > 0 {
			t.Errorf("%s holds in clear: %v", table, found)
		}
	}

	var x rights.Extract
	e.read(func(tx *store.Tx) error {
		var err error
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	seen := map[string]bool{}
	for _, c := range x.Categories {
		for _, it := range c.Items {
			table, _, _ := strings.Cut(it.Record, "/")
			if v, _ := it.Value.(string); v == anna.email || v == subject {
				seen[table+"."+it.Field+"="+v] = true
			}
		}
	}
	for _, want := range []string{"consumers.email=" + anna.email, "outbox_messages.recipient=" + anna.email, "outbox_messages.subject=" + subject} {
		if !seen[want] {
			t.Errorf("the extract lacks %s (has %v)", want, seen)
		}
	}

	var out rights.Erasure
	e.write(func(tx *store.Tx) error {
		var err error
		out, err = e.rights.Erase(tx, id)
		return err
	})
	if !out.Shredded {
		t.Errorf("erasure without a contract kept the key: %+v", out)
	}
	var left int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT (SELECT COUNT(*) FROM outbox_messages WHERE person_id = $1) + (SELECT COUNT(*) FROM consumers WHERE person_id = $1)`, id).Scan(&left)
	})
	if left != 0 {
		t.Errorf("%d of Anna's messages and accounts remain", left)
	}
	if msgs, err := e.app.Accounts.DemoMailbox(e.ctx, anna.email, 0); err != nil || len(msgs) != 0 {
		t.Errorf("Anna's mail after erasure: %+v %v", msgs, err)
	}
	// Bo's account and mail are untouched.
	if c, err := e.app.Accounts.GetConsumer(e.ctx, e.consumer(bo)); err != nil || c.Email != bo.email {
		t.Errorf("Bo's account: %+v %v", c, err)
	}
	if msgs, err := e.app.Accounts.DemoMailbox(e.ctx, bo.email, 0); err != nil || len(msgs) != 1 || msgs[0].Subject != subject {
		t.Errorf("Bo's mail: %+v %v", msgs, err)
	}
}
