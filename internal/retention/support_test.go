package retention_test

import (
	"testing"

	"github.com/tillit/tillit/internal/retention"
)

// TestSupportConversationsGoTenYearsAfterTheirLastMessage: a conversation
// last changed on 29 February 2028 goes with its messages on 28 February
// 2038 (the registry's ten years, calendar years); one changed a day later
// stays.
func TestSupportConversationsGoTenYearsAfterTheirLastMessage(t *testing.T) {
	w := newWorld(t)
	w.person("p1", at(2028, 2, 29, 9, 0))
	for _, c := range []struct {
		id      string
		updated int64
	}{{"c1", us(at(2028, 2, 29, 9, 0))}, {"c2", us(at(2028, 3, 1, 9, 0))}} {
		w.exec(`INSERT INTO support_conversations (id, reference, person_id, channel, language, status, created_at, updated_at)
VALUES ($1, $2, 'p1', 'app', 'en', 'closed', $3, $3)`, c.id, "SUP-"+c.id, c.updated)
		w.exec(`INSERT INTO support_messages (id, conversation_id, author, body, created_at) VALUES ($1, $2, 'consumer', 'sealed', $3)`,
			"m-"+c.id, c.id, c.updated)
	}
	w.fires(firing{at: at(2038, 2, 28, 9, 0), items: map[string]int{retention.RuleSupportConversations: 1},
		want: map[string]change{"support_conversations": {1, 0}, "support_messages": {1, 0}}})
	if n := w.count(`SELECT COUNT(*) FROM support_conversations WHERE id = 'c2'`); n != 1 {
		t.Errorf("the conversation changed a day later went too")
	}
}
