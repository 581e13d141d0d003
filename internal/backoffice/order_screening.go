package backoffice

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The sanctions screening section of an order's page (requirement T8): when
// the order was held for a sanctions match (reason SANCTIONS_MATCH) or a
// list update found its buyer (post-approval signal screening_hit), AML
// officers and admins see the buyer screened again with the current lists:
// each alerting entry, its names, birth dates and programmes, the score and
// why; the buyer's screened name and birth date show on request
// (?buyer=show). Per match they decide "not this person" (a false positive for the
// buyer's identity, package screening remembers and audits it) or revoke
// such a decision. The order itself is still settled with the order's
// decision form. The section is a view of the buyer's personal data (a
// match says how their name and birth date compare): each view is audited
// (ActionScreeningViewed, saying whether the name was shown), and the name
// is never logged. AML officers open only the pages of orders with the
// section.

// ActionScreeningViewed is a member of staff seeing the screening of an
// order's buyer; the subject is the person, the details name the order
// and say whether the screened name and birth date were shown.
const ActionScreeningViewed = "screening.buyer_viewed"

// showBuyer is the query string of an order's page that shows the screened
// name and birth date.
const showBuyer = "buyer=show"

// SanctionsQueueKey is the key of the AML officers' queue of purchases
// held at checkout for a sanctions screening match.
const SanctionsQueueKey = "sanctions_holds"

// sanctionsQueue lists the open orders held for review because the
// screening stage found a match (SANCTIONS_MATCH), oldest first: each
// leads to the order's page, where the AML officer decides the match.
func (p *Pages) sanctionsQueue() Queue {
	return Queue{
		Key:   SanctionsQueueKey,
		Title: "staff.queue.sanctions_holds",
		Roles: access.StaffRoles("GET " + screeningPath),
		Count: func(ctx context.Context) (int, error) {
			return p.cfg.Checkout.CountHeldFor(ctx, screening.ReasonSanctionsMatch)
		},
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			orders, err := p.cfg.Checkout.HeldFor(ctx, screening.ReasonSanctionsMatch, limit)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(orders))
			for _, o := range orders {
				out = append(out, QueueItem{ID: o.OrderID, Label: o.Reference, Context: o.MerchantName,
					Amount: o.Amount, Currency: o.Currency, Since: o.CreatedAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return orderURL(it.ID) },
	}
}

// addOrderScreening serves the screening decisions on an order's page and
// the queue of purchases held for a match.
func (p *Pages) addOrderScreening(mux *access.Router) {
	p.AddQueue(p.sanctionsQueue())
	mux.Handle("POST /staff/orders/{id}/screening/false-positive", p.staff(p.markFalsePositive))
	mux.Handle("POST /staff/orders/{id}/screening/revoke", p.staff(p.revokeFalsePositive))
}

// screeningView is the screening section of an order's page.
type screeningView struct {
	screening.OrderScreening
	// Shown is whether the page shows the buyer's Name and BirthDate, as
	// screened.
	Shown           bool
	Name, BirthDate string
	Matches         []screeningMatch
	// Form is the submitted decision or revocation that had errors; the
	// match it names shows them.
	Form      *web.Form
	MaxReason int
}

// screeningMatch is one match in the section.
type screeningMatch struct {
	screening.OrderMatch
	// ListTitle is the list's name with its catalog title.
	ListTitle coded
	// Index numbers the match on the page, for the ids of its fields.
	Index int
	// Errors is whether the section's Form is this match's.
	Errors bool
}

// ScorePercent is the match's score in percent.
func (m screeningMatch) ScorePercent() string { return strconv.FormatFloat(100*m.Score, 'f', 1, 64) }

// OtherName reports whether the matched name is not the entry's primary
// name (an alias).
func (m screeningMatch) OtherName() bool { return m.MatchedName != m.PrimaryName }

// orderScreened reports whether an order's page has the screening section:
// its assessment reasons include SANCTIONS_MATCH or its post-approval
// review has a screening hit.
func orderScreened(reasons []string, review *postapproval.Review) bool {
	if slices.Contains(reasons, screening.ReasonSanctionsMatch) {
		return true
	}
	return review != nil && slices.ContainsFunc(review.Signals, func(m postapproval.Mark) bool { return m.Kind == postapproval.ScreeningHit })
}

// screened reports whether the page's order has the screening section.
func (page *orderPage) screened() bool {
	var review *postapproval.Review
	if page.Review != nil {
		review = &page.Review.Review
	}
	return orderScreened(page.Order.Reasons, review)
}

// seesOrderScreening reports whether v may see and decide an order's
// screening section.
func (p *Pages) seesOrderScreening(v *viewer) bool {
	return p.cfg.Screening != nil && v.may("POST /staff/orders/{id}/screening/false-positive")
}

// loadOrderScreening screens the buyer of the page's order again for v,
// when the order has the section and v may see it, and audits that v saw
// the buyer's identity.
func (p *Pages) loadOrderScreening(ctx context.Context, v *viewer, page *orderPage, form *web.Form, show bool) error {
	if !p.seesOrderScreening(v) || !page.screened() {
		return nil
	}
	var sc screening.OrderScreening
	err := p.cfg.DB.Write(ctx, func(tx *store.Tx) (err error) {
		if sc, err = p.cfg.Screening.ScreenOrder(tx, page.Order.OrderID); err != nil || sc.Erased {
			return err
		}
		_, err = audit.Append(tx, v.actor(), ActionScreeningViewed, sc.PersonID, map[string]any{"order_id": sc.OrderID, "buyer_shown": show})
		return err
	})
	if err != nil {
		return err
	}
	view := &screeningView{OrderScreening: sc, Shown: show, Form: form, MaxReason: screening.MaxReason, Matches: []screeningMatch{}}
	if show {
		view.Name = sc.Query.Name
	}
	if show && !sc.Query.BirthDate.IsZero() {
		view.BirthDate = sc.Query.BirthDate.Format(time.DateOnly)
	}
	for i, m := range sc.Matches {
		mine := !form.Valid() && ((form.Get("list") == m.List && form.Get("entry") == m.EntryID) ||
			(m.Decision != nil && form.Get("decision") == m.Decision.ID))
		view.Matches = append(view.Matches, screeningMatch{OrderMatch: m, Index: i,
			ListTitle: coded{Code: m.List, Key: codedAs("screening.list.", listKey(m.List)).Key}, Errors: mine})
	}
	page.Screening = view
	return nil
}

// listKey is a list's name as it appears in catalog keys.
func listKey(name string) string { return strings.ReplaceAll(name, "-", "_") }

// screeningOrder reads the order a screening decision is posted for and
// reports whether it has the screening section; it answers 404 itself when
// there is no such order or section.
func (p *Pages) screeningOrder(w http.ResponseWriter, r *http.Request) (checkout.ReviewItem, bool) {
	o, err := p.cfg.Checkout.ReviewOrder(r.Context(), r.PathValue("id"))
	if apperr.Code(err) == apperr.NoSuchOrder {
		p.rd.Error(w, r, http.StatusNotFound)
		return o, false
	}
	if err != nil {
		p.fail(w, r, "read order", err)
		return o, false
	}
	var review *postapproval.Review
	if p.cfg.Reviews != nil {
		err = p.cfg.DB.Read(r.Context(), func(tx *store.Tx) error {
			rv, ok, err := p.cfg.Reviews.ForOrder(tx, o.OrderID)
			if ok {
				review = &rv
			}
			return err
		})
		if err != nil {
			p.fail(w, r, "read order review", err)
			return o, false
		}
	}
	if !orderScreened(o.Reasons, review) {
		p.rd.Error(w, r, http.StatusNotFound)
		return o, false
	}
	return o, true
}

// screeningURL is the screening section of an order's page.
func screeningURL(orderID string) string { return orderURL(orderID) + "#screening" }

// errScreeningStale is a decision on a screening that changed since the
// page was loaded: other lists, or the match is gone or decided.
var errScreeningStale = errors.New("backoffice: the screening changed")

// markFalsePositive records that a match of the order's buyer is not this
// person. The buyer is screened again in the same transaction: the entry
// must still alert with the lists the page showed (version), and a match
// already decided (twice posted, or by a colleague) is left as it is.
func (p *Pages) markFalsePositive(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	list, entry, version := form.Get("list"), form.Get("entry"), form.Get("version")
	if list == "" || entry == "" || version == "" {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	o, ok := p.screeningOrder(w, r)
	if !ok {
		return
	}
	form.Required("fp_reason")
	form.MaxLength("fp_reason", screening.MaxReason)
	if !form.Valid() {
		p.renderOrder(w, r, v, http.StatusUnprocessableEntity, web.NewForm(nil), web.NewForm(nil), form)
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		sc, err := p.cfg.Screening.ScreenOrder(tx, o.OrderID)
		if err != nil {
			return err
		}
		m, found := sc.Find(list, entry)
		if sc.ListsVersion != version || !found || !m.Undecided() {
			return errScreeningStale
		}
		_, err = p.cfg.Screening.Decisions.MarkFalsePositive(tx, sc.PersonID, sc.Query, list, entry, v.actor(), form.Get("fp_reason"))
		return err
	})
	switch {
	case errors.Is(err, errScreeningStale) || errors.Is(err, store.ErrConflict):
		web.Flash(w, r, web.FlashWarning, "staff.screening.changed")
	case apperr.Code(err) == apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	case err != nil:
		p.fail(w, r, "mark a screening false positive", err)
		return
	default:
		web.Flash(w, r, web.FlashSuccess, "staff.screening.marked")
	}
	web.Redirect(w, r, screeningURL(o.OrderID))
}

// revokeFalsePositive ends a decision in force on a match of the order's
// buyer, so that the entry holds their purchases again.
func (p *Pages) revokeFalsePositive(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	id := form.Get("decision")
	if id == "" {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	o, ok := p.screeningOrder(w, r)
	if !ok {
		return
	}
	form.Required("revoke_reason")
	form.MaxLength("revoke_reason", screening.MaxReason)
	if !form.Valid() {
		p.renderOrder(w, r, v, http.StatusUnprocessableEntity, web.NewForm(nil), web.NewForm(nil), form)
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		sc, err := p.cfg.Screening.ScreenOrder(tx, o.OrderID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(sc.Matches, func(m screening.OrderMatch) bool { return m.Decision != nil && m.Decision.ID == id }) {
			return errScreeningStale
		}
		_, err = p.cfg.Screening.Decisions.Revoke(tx, id, v.actor(), form.Get("revoke_reason"))
		return err
	})
	switch {
	case errors.Is(err, errScreeningStale) || apperr.Code(err) == apperr.NotAllowed || errors.Is(err, store.ErrConflict):
		web.Flash(w, r, web.FlashWarning, "staff.screening.changed")
	case apperr.Code(err) == apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	case err != nil:
		p.fail(w, r, "revoke a screening decision", err)
		return
	default:
		web.Flash(w, r, web.FlashSuccess, "staff.screening.revoked")
	}
	web.Redirect(w, r, screeningURL(o.OrderID))
}
