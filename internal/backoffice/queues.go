package backoffice

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/i18n"
)

// Queue is a list of work waiting for staff: orders in manual review, and
// in later issues stop requests, disputes, complaints and privacy requests.
// The home page shows each queue a member's role works, with its count; its
// list is at /staff/queues/{Key}, each item linking to the page where it is
// handled.
type Queue struct {
	// Key names the queue in its URL: lower-case letters, digits, '_' and
	// '-'.
	Key string
	// Title is the catalog key of the queue's name (in the staff area's
	// catalog files).
	Title string
	// Roles may work the queue; admin always may.
	Roles []account.Role
	// Count returns how many items wait.
	Count func(ctx context.Context) (int, error)
	// List returns up to limit waiting items, the one to handle next first.
	List func(ctx context.Context, limit int) ([]QueueItem, error)
	// ItemURL returns the page where an item is handled, under Prefix.
	ItemURL func(QueueItem) string
}

// QueueItem is one entry of a queue's list. It carries no personal data:
// ids, references and business facts only.
type QueueItem struct {
	// ID identifies the item (for ItemURL).
	ID string
	// Label names the item, such as an order reference; it links to the
	// item's page.
	Label string
	// Context says where the item comes from, such as a merchant's name.
	Context string
	// Amount and Currency are the money at stake, shown when Currency is
	// set.
	Amount   int64
	Currency string
	// Since is when the item started waiting.
	Since time.Time
	// State is the catalog key of the item's state (such as a stop
	// request's status), shown after Context when set; Alert stresses it
	// as needing attention at once (overdue).
	State string
	Alert bool
	// Due is when the item must be handled by; the list shows a deadline
	// column when an item has one.
	Due time.Time
}

var queueKey = regexp.MustCompile(`^[a-z0-9_-]{1,40}$`)

// AddQueue adds a queue to the home page and serves its list. Call it before
// serving. It panics on a queue that is incomplete, whose key is malformed
// or taken, or whose title is not a catalog key: those are programming
// errors.
func (p *Pages) AddQueue(q Queue) {
	switch {
	case !queueKey.MatchString(q.Key):
		panic(fmt.Sprintf("backoffice: queue key %q must match %s", q.Key, queueKey))
	case !i18n.Has(q.Title):
		panic(fmt.Sprintf("backoffice: queue %q: title %q is not a catalog key", q.Key, q.Title))
	case len(q.Roles) == 0 || q.Count == nil || q.List == nil || q.ItemURL == nil:
		panic(fmt.Sprintf("backoffice: queue %q needs Roles, Count, List and ItemURL", q.Key))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if slices.ContainsFunc(p.queues, func(o Queue) bool { return o.Key == q.Key }) {
		panic(fmt.Sprintf("backoffice: queue %q added twice", q.Key))
	}
	p.queues = append(p.queues, q)
}

// queuesFor returns the queues role works, in the order they were added.
func (p *Pages) queuesFor(role account.Role) []Queue {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []Queue
	for _, q := range p.queues {
		if allowed(role, q.Roles) {
			out = append(out, q)
		}
	}
	return out
}

// queue returns the queue with key, if there is one.
func (p *Pages) queue(key string) (Queue, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, q := range p.queues {
		if q.Key == key {
			return q, true
		}
	}
	return Queue{}, false
}

// queueURL is the page listing a queue.
func queueURL(key string) string { return Prefix + "queues/" + key }

// homePage is the data of the home page.
type homePage struct {
	frame
	Queues []queueSummary
}

// queueSummary is a queue on the home page.
type queueSummary struct {
	Title string
	Count int
	URL   string
}

// home shows the queues the member's role works, with how much waits in
// each.
func (p *Pages) home(w http.ResponseWriter, r *http.Request, v *viewer) {
	page := homePage{frame: newFrame(v, "home"), Queues: []queueSummary{}}
	for _, q := range p.queuesFor(v.Staff.Role) {
		n, err := q.Count(r.Context())
		if err != nil {
			p.fail(w, r, "count queue "+q.Key, err)
			return
		}
		page.Queues = append(page.Queues, queueSummary{Title: q.Title, Count: n, URL: queueURL(q.Key)})
	}
	p.rd.Render(w, r, http.StatusOK, "staff/home", page)
}

// listLimit is how many items a queue's page lists.
const listLimit = 50

// queuePage is the data of a queue's page.
type queuePage struct {
	frame
	Title string
	Count int
	Items []queueRow
}

// queueRow is an item with its link.
type queueRow struct {
	QueueItem
	URL string
}

// More reports whether more items wait than the page lists.
func (q queuePage) More() bool { return q.Count > len(q.Items) }

// HasDue reports whether an item listed has a deadline (and the list shows
// the column).
func (q queuePage) HasDue() bool {
	return slices.ContainsFunc(q.Items, func(it queueRow) bool { return !it.Due.IsZero() })
}

// queuePage lists a queue's waiting items.
func (p *Pages) queuePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	q, ok := p.queue(r.PathValue("key"))
	if !ok {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if !allowed(v.Staff.Role, q.Roles) {
		p.rd.Error(w, r, http.StatusForbidden)
		return
	}
	n, err := q.Count(r.Context())
	if err != nil {
		p.fail(w, r, "count queue "+q.Key, err)
		return
	}
	items, err := q.List(r.Context(), listLimit)
	if err != nil {
		p.fail(w, r, "list queue "+q.Key, err)
		return
	}
	page := queuePage{frame: newFrame(v, "home"), Title: q.Title, Count: max(n, len(items)), Items: make([]queueRow, 0, len(items))}
	for _, it := range items {
		page.Items = append(page.Items, queueRow{QueueItem: it, URL: q.ItemURL(it)})
	}
	p.rd.Render(w, r, http.StatusOK, "staff/queue", page)
}
