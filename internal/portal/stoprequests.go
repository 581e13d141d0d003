package portal

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/carrier"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/web"
)

// The merchant side of stop requests (T4, T5): a banner on every signed-in
// page while requests wait, the list of the merchant's requests, and each
// request with its answer form. The same form answers through a signed link
// (stoprequest.FormPath + token) without signing in; the link names the one
// request it answers and carries the page's authority, CSRF protection
// comes from the renderer's middleware as on every other form. Nothing on
// these pages names the consumer: the risk belongs to the order.

// StopRequestsPath is the list of the merchant's stop requests.
const StopRequestsPath = Prefix + "stop-requests"

// StopRequestListSize is how many waiting, and how many closed, stop
// requests the list shows.
const StopRequestListSize = 100

// stopRequestURL is the page of one of the merchant's stop requests.
func stopRequestURL(id string) string { return StopRequestsPath + "/" + id }

// The form actions of a stop request's page: both forms post to the page.
const (
	actionAnswer  = "answer"
	actionConfirm = "confirm"
)

// The fields of the answer form. Each answer has its own removal choice, so
// that the form works with every part shown at once (no JavaScript).
const (
	fieldAnswer            = "answer"
	fieldRemovalNotShipped = "removal_not_shipped"
	fieldServiceStopped    = "service_stopped"
	fieldRemovalService    = "removal_service"
	fieldCarrier           = "carrier"
	fieldTracking          = "tracking_number"
	fieldNoTracking        = "no_tracking_number"
	fieldPickedUp          = "picked_up"
	fieldRemovalReturned   = "removal_returned"
)

// carrierSuggestions are the carriers the carrier field suggests: the two
// Tillit recalls parcels with first, then others merchants often use.
var carrierSuggestions = []string{"PostNord", "DB Schenker (Privpak)", "GLS", "DHL", "Bring", "UPS", "DAO", "Budbee", "Instabox"}

// withStopBanner counts the signed-in user's merchant's stop requests that
// wait for an answer or a confirmation, for the banner every page shows.
func (p *Pages) withStopBanner(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := state(r); st.user != nil && st.err == nil {
			st.user.StopRequestsWaiting, st.err = p.cfg.StopRequests.CountWaiting(r.Context(), st.user.MerchantID)
		}
		next.ServeHTTP(w, r)
	})
}

// stopView is a stop request as the pages show it.
type stopView struct {
	stoprequest.Request
	// Overdue is set while the request is unanswered past its deadline.
	Overdue bool
}

func newStopView(req stoprequest.Request, now time.Time) stopView {
	return stopView{Request: req, Overdue: req.Overdue(now)}
}

// StatusKey is the catalog key of the request's status.
func (v stopView) StatusKey() string { return "stoprequest.portal.status." + v.Status }

// StatusBadge is the badge colour of the request's status.
func (v stopView) StatusBadge() string {
	switch {
	case v.Overdue:
		return "error"
	case v.Status == stoprequest.StatusOpen || v.Status == stoprequest.StatusAwaitingRemoval:
		return "warning"
	case v.Status == stoprequest.StatusClosed:
		return "neutral"
	}
	return "info"
}

// StatusHelpKey is the catalog key of what a waiting status asks of the
// merchant, or "".
func (v stopView) StatusHelpKey() string {
	switch v.Status {
	case stoprequest.StatusAwaitingRemoval, stoprequest.StatusAwaitingDispute, stoprequest.StatusAwaitingReturn:
		return key("status_help", v.Status)
	}
	return ""
}

// key returns the catalog key "stoprequest.portal.<prefix>.<value>", or ""
// for an empty value.
func key(prefix, value string) string {
	if value == "" {
		return ""
	}
	return "stoprequest.portal." + prefix + "." + value
}

// OutcomeKey is the catalog key of a closed request's outcome, or "".
func (v stopView) OutcomeKey() string { return key("outcome", v.Outcome) }

// RecallKey is the catalog key of the parcel recall's status, or "".
func (v stopView) RecallKey() string { return key("recall", v.RecallStatus) }

// AnswerKey is the catalog key of the merchant's answer, or "".
func (v stopView) AnswerKey() string { return key("answer", v.Answer) }

// RemovalKey is the catalog key of who removes the invoice, or "".
func (v stopView) RemovalKey() string { return key("removal", v.Details.InvoiceRemoval) }

// PickedUpKey is the catalog key of whether the parcel was picked up, or "".
func (v stopView) PickedUpKey() string { return key("picked_up", v.Details.PickedUp) }

// ServiceKey is the catalog key of whether a service was stopped, or "".
func (v stopView) ServiceKey() string {
	switch {
	case v.Details.ServiceStopped == nil:
		return ""
	case *v.Details.ServiceStopped:
		return key("service", "yes")
	}
	return key("service", "no")
}

// stopRequestsData is the list of the merchant's stop requests.
type stopRequestsData struct {
	page
	Waiting, Closed []stopView
}

// stopRequests lists the merchant's waiting stop requests in the order they
// should be answered, then the closed ones, newest first.
func (p *Pages) stopRequests(w http.ResponseWriter, r *http.Request, u *user) {
	waiting, err := p.cfg.StopRequests.List(r.Context(), u.MerchantID, false, StopRequestListSize)
	if err != nil {
		p.fail(w, r, "list stop requests", err)
		return
	}
	closed, err := p.cfg.StopRequests.List(r.Context(), u.MerchantID, true, StopRequestListSize)
	if err != nil {
		p.fail(w, r, "list closed stop requests", err)
		return
	}
	now := p.cfg.DB.Clock.Now()
	data := stopRequestsData{page: page{User: u, Section: "stop_requests"}}
	for _, req := range waiting {
		data.Waiting = append(data.Waiting, newStopView(req, now))
	}
	for _, req := range closed {
		data.Closed = append(data.Closed, newStopView(req, now))
	}
	p.rd.Render(w, r, http.StatusOK, "merchant/stoprequests", data)
}

// radioOption is one choice of a radioGroup.
type radioOption struct {
	ID, Value, Key, HintKey string
	Checked                 bool
}

// radioGroup is a fieldset of radio buttons; the first button carries the
// field's id, which the error summary links to.
type radioGroup struct {
	Name, LegendKey string
	Options         []radioOption
	Error           *web.Message
}

// ErrorID is the id of the group's error message.
func (g radioGroup) ErrorID() string { return web.FieldID(g.Name) + "-error" }

// newRadios builds the radio group of a form's field; values and keys pair
// up, and hints (when given) are the options' hint keys.
func newRadios(form *web.Form, name, legendKey string, values, keys, hints []string) radioGroup {
	g := radioGroup{Name: name, LegendKey: legendKey, Error: form.Error(name)}
	for i, v := range values {
		o := radioOption{ID: web.FieldID(name) + "-" + v, Value: v, Key: keys[i], Checked: form.Get(name) == v}
		if i == 0 {
			o.ID = web.FieldID(name)
		}
		if hints != nil {
			o.HintKey = hints[i]
		}
		g.Options = append(g.Options, o)
	}
	return g
}

// removalRadios is the choice of who removes the invoice.
func removalRadios(form *web.Form, name string) radioGroup {
	return newRadios(form, name, "stoprequest.portal.form.removal_legend",
		[]string{stoprequest.RemovalByTillit, stoprequest.RemovalByMerchant},
		[]string{"stoprequest.portal.form.removal.tillit", "stoprequest.portal.form.removal.merchant"},
		[]string{"stoprequest.portal.form.removal.tillit_hint", "stoprequest.portal.form.removal.merchant_hint"})
}

// answerForm is the answer form with the parts the request can take now:
// a part is nil when its answer is not offered.
type answerForm struct {
	Form   *web.Form
	Answer radioGroup
	// NotShipped, Service, Shipped and Returned are the parts of each
	// answer; all that are offered are shown at once.
	NotShipped *radioGroup
	Service    *servicePart
	Shipped    *shippedPart
	Returned   *radioGroup
}

// servicePart asks whether a service was stopped, and if so who removes the
// invoice.
type servicePart struct {
	Stopped, Removal radioGroup
}

// shippedPart asks for the carrier, the tracking number and whether the
// parcel was picked up.
type shippedPart struct {
	// Correction is set when the merchant corrects a tracking number the
	// carrier did not know: the statement of shipping without one is not
	// offered.
	Correction     bool
	Carriers       []string
	NoTracking     bool
	PickedUp       radioGroup
	CarrierMaxLen  int
	TrackingMaxLen int
}

// offeredAnswers are the answers a request takes now: every answer while
// it is open; while a shipped parcel may come back, that it came back, and
// a corrected tracking number when the carrier did not know the one given.
func offeredAnswers(req stoprequest.Request) []string {
	switch {
	case req.Status == stoprequest.StatusOpen:
		return []string{stoprequest.AnswerNotShipped, stoprequest.AnswerService, stoprequest.AnswerShipped, stoprequest.AnswerReturned}
	case req.Status == stoprequest.StatusAwaitingReturn && req.RecallStatus == stoprequest.RecallUnknownTracking:
		return []string{stoprequest.AnswerShipped, stoprequest.AnswerReturned}
	case req.Status == stoprequest.StatusAwaitingReturn:
		return []string{stoprequest.AnswerReturned}
	}
	return nil
}

// correcting reports whether a shipped answer to req corrects its tracking
// number.
func correcting(req stoprequest.Request) bool {
	return req.Status == stoprequest.StatusAwaitingReturn && req.RecallStatus == stoprequest.RecallUnknownTracking
}

// newAnswerForm builds the answer form of req from the values in form, or
// returns nil when req takes no answer now.
func newAnswerForm(form *web.Form, req stoprequest.Request) *answerForm {
	offered := offeredAnswers(req)
	if len(offered) == 0 {
		return nil
	}
	keys := make([]string, len(offered))
	for i, a := range offered {
		keys[i] = "stoprequest.portal.form.answer." + a
		if a == stoprequest.AnswerShipped && correcting(req) {
			keys[i] = "stoprequest.portal.form.answer.correct_tracking"
		}
	}
	if len(offered) == 1 && form.Get(fieldAnswer) == "" {
		form.Values.Set(fieldAnswer, offered[0])
	}
	f := &answerForm{Form: form, Answer: newRadios(form, fieldAnswer, "stoprequest.portal.form.answer_legend", offered, keys, nil)}
	for _, a := range offered {
		switch a {
		case stoprequest.AnswerNotShipped:
			g := removalRadios(form, fieldRemovalNotShipped)
			f.NotShipped = &g
		case stoprequest.AnswerService:
			f.Service = &servicePart{
				Stopped: newRadios(form, fieldServiceStopped, "stoprequest.portal.form.service_legend", []string{"yes", "no"},
					[]string{"stoprequest.portal.form.service.yes", "stoprequest.portal.form.service.no"},
					[]string{"stoprequest.portal.form.service.yes_hint", "stoprequest.portal.form.service.no_hint"}),
				Removal: removalRadios(form, fieldRemovalService),
			}
		case stoprequest.AnswerShipped:
			f.Shipped = &shippedPart{
				Correction: correcting(req), Carriers: carrierSuggestions,
				NoTracking: form.Has(fieldNoTracking, "yes"),
				PickedUp: newRadios(form, fieldPickedUp, "stoprequest.portal.form.picked_up_legend", []string{"yes", "no", "unknown"},
					[]string{"stoprequest.portal.picked_up.yes", "stoprequest.portal.picked_up.no", "stoprequest.portal.picked_up.unknown"}, nil),
				CarrierMaxLen: stoprequest.MaxCarrierLen, TrackingMaxLen: stoprequest.MaxTrackingLen,
			}
		case stoprequest.AnswerReturned:
			g := removalRadios(form, fieldRemovalReturned)
			f.Returned = &g
		}
	}
	return f
}

// stopRequestData is one stop request's page, in the portal or through a
// signed link.
type stopRequestData struct {
	page
	Request stopView
	// Action is where the page's forms post (the page itself).
	Action string
	// ByLink is set on the page a signed link opens.
	ByLink bool
	// OrderURL links the order's page in the portal ("" through a link).
	OrderURL string
	// ShowTracking shows the tracking number (signed in only).
	ShowTracking bool
	// Answer is the answer form, nil when the request takes no answer now
	// or the reader may not answer.
	Answer *answerForm
	// CanConfirm offers to confirm the merchant removed the invoice.
	CanConfirm bool
	// ReadOnly is set for a viewer, who may look but not answer.
	ReadOnly bool
	// Problem is why the last submission did nothing.
	Problem *web.Message
	// LinkProblem is "invalid" or "expired" when the link opens nothing.
	LinkProblem string
}

// stopPage is how a stop request's page is reached: signed in (user set)
// or through a signed link (token set).
type stopPage struct {
	user  *user
	token string
}

// url is the page's own address.
func (sp stopPage) url(id string) string {
	if sp.user == nil {
		return stoprequest.FormPath + sp.token
	}
	return stopRequestURL(id)
}

// canAct reports whether the reader may answer and confirm.
func (sp stopPage) canAct() bool { return sp.user == nil || sp.user.CanManage() }

// showStopRequest renders a stop request's page with the answer form from
// form (a fresh one when nil) and the problem of the last submission.
func (p *Pages) showStopRequest(w http.ResponseWriter, r *http.Request, sp stopPage, req stoprequest.Request, status int, form *web.Form, problem *web.Message) {
	data := stopRequestData{
		page:    page{User: currentUser(r), Section: "stop_requests"},
		Request: newStopView(req, p.cfg.DB.Clock.Now()), Action: sp.url(req.ID), ByLink: sp.user == nil,
		ShowTracking: sp.user != nil, ReadOnly: !sp.canAct(), Problem: problem,
	}
	if sp.user != nil {
		data.OrderURL = orderURL(req.OrderID)
	}
	if sp.canAct() {
		if form == nil {
			form = web.NewForm(nil)
			if correcting(req) {
				// The tracking number is corrected; the rest of the
				// shipped answer stands.
				form.Values.Set(fieldCarrier, req.Carrier)
				form.Values.Set(fieldPickedUp, req.Details.PickedUp)
			}
		}
		data.Answer = newAnswerForm(form, req)
		data.CanConfirm = req.Status == stoprequest.StatusAwaitingRemoval
	}
	p.rd.Render(w, r, status, "merchant/stoprequest", data)
}

// stopRequest shows one of the merchant's stop requests; another
// merchant's answers as not found.
func (p *Pages) stopRequest(w http.ResponseWriter, r *http.Request, u *user) {
	req, ok := p.loadStopRequest(w, r, u)
	if !ok {
		return
	}
	p.showStopRequest(w, r, stopPage{user: u}, req, http.StatusOK, nil, nil)
}

// loadStopRequest returns the merchant's stop request of the request's
// path, or answers 404 or 500 and returns false.
func (p *Pages) loadStopRequest(w http.ResponseWriter, r *http.Request, u *user) (stoprequest.Request, bool) {
	req, err := p.cfg.StopRequests.Get(r.Context(), u.MerchantID, r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return req, false
	}
	if err != nil {
		p.fail(w, r, "read stop request", err)
		return req, false
	}
	return req, true
}

// postStopRequest answers one of the merchant's stop requests, or confirms
// the removed invoice; owners and admins only.
func (p *Pages) postStopRequest(w http.ResponseWriter, r *http.Request, u *user) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	req, ok := p.loadStopRequest(w, r, u)
	if !ok {
		return
	}
	p.submitStopRequest(w, r, stopPage{user: u}, req)
}

// linkStopRequest shows the stop request a signed link opens, without
// signing in. A forged, altered or misused link gets 400, an expired one
// 410.
func (p *Pages) linkStopRequest(w http.ResponseWriter, r *http.Request) {
	req, ok := p.loadByToken(w, r)
	if !ok {
		return
	}
	p.showStopRequest(w, r, stopPage{token: r.PathValue("token")}, req, http.StatusOK, nil, nil)
}

// postLinkStopRequest answers, or confirms the removed invoice of, the stop
// request a signed link opens. A link that opens nothing writes nothing.
func (p *Pages) postLinkStopRequest(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	req, ok := p.loadByToken(w, r)
	if !ok {
		return
	}
	p.submitStopRequest(w, r, stopPage{token: r.PathValue("token")}, req)
}

// loadByToken returns the stop request of the path's signed link, or
// answers with the link's problem (400 forged or misused, 410 expired, 404
// gone, 500) and returns false.
func (p *Pages) loadByToken(w http.ResponseWriter, r *http.Request) (stoprequest.Request, bool) {
	req, err := p.cfg.StopRequests.ByToken(r.Context(), r.PathValue("token"), p.cfg.DB.Clock.Now())
	if err == nil {
		return req, true
	}
	p.linkProblem(w, r, err)
	return req, false
}

// linkProblem answers for a signed link that opens nothing.
func (p *Pages) linkProblem(w http.ResponseWriter, r *http.Request, err error) {
	data := stopRequestData{page: page{User: currentUser(r), Section: "stop_requests"}, ByLink: true}
	switch apperr.Code(err) {
	case apperr.BadValue:
		data.LinkProblem = "invalid"
		p.rd.Render(w, r, http.StatusBadRequest, "merchant/stoprequest", data)
	case signedlink.CodeExpired:
		data.LinkProblem = "expired"
		p.rd.Render(w, r, http.StatusGone, "merchant/stoprequest", data)
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	default:
		p.failStop(w, r, "open stop request link", err)
	}
}

// submitStopRequest runs the posted form of a stop request's page: an
// answer, or the confirmation that the merchant's own system removed the
// invoice. Success goes back to the page with a notice; a form with
// mistakes is shown again (422); a request already answered is shown as it
// stands now (409). Nothing is written unless the answer is taken.
func (p *Pages) submitStopRequest(w http.ResponseWriter, r *http.Request, sp stopPage, req stoprequest.Request) {
	form := web.NewForm(r.PostForm)
	var (
		done string
		err  error
	)
	ctx := r.Context()
	if form.Get("action") == actionConfirm {
		if sp.user != nil {
			_, err = p.cfg.StopRequests.Confirm(ctx, sp.user.MerchantID, req.ID, sp.user.actor())
		} else {
			_, err = p.cfg.StopRequests.ConfirmRemovalByToken(ctx, sp.token)
		}
		done = "stoprequest.portal.confirmed"
	} else {
		if a := form.Get(fieldAnswer); !offers(req, a) && (len(offeredAnswers(req)) == 0 || knownAnswer(a)) {
			// A form left open while the request was answered.
			p.showStopRequest(w, r, sp, req, http.StatusConflict, nil, &web.Message{Key: "stoprequest.portal.already_answered"})
			return
		}
		in := readAnswer(form, req)
		if !form.Valid() {
			p.showStopRequest(w, r, sp, req, http.StatusUnprocessableEntity, form, nil)
			return
		}
		if sp.user != nil {
			_, err = p.cfg.StopRequests.Answer(ctx, sp.user.MerchantID, req.ID, sp.user.actor(), in)
		} else {
			_, err = p.cfg.StopRequests.RespondByToken(ctx, sp.token, in)
		}
		done = "stoprequest.portal.answered"
	}
	if err == nil {
		web.Flash(w, r, web.FlashSuccess, done)
		web.Redirect(w, r, sp.url(req.ID))
		return
	}
	switch apperr.Code(err) {
	case stoprequest.CodeAnswered, stoprequest.CodeNotRemoved:
		key := "stoprequest.portal.already_answered"
		if apperr.Code(err) == stoprequest.CodeNotRemoved {
			key = "stoprequest.portal.not_removed"
		}
		now, reloadErr := p.reload(r, sp, req.ID)
		if reloadErr != nil {
			p.failStop(w, r, "reload stop request", reloadErr)
			return
		}
		p.showStopRequest(w, r, sp, now, http.StatusConflict, nil, &web.Message{Key: key})
	case apperr.BadValue:
		// The form's checks mirror the service's; a value they let through
		// is refused as a whole.
		p.showStopRequest(w, r, sp, req, http.StatusUnprocessableEntity, form, &web.Message{Key: "stoprequest.portal.error.invalid"})
	case signedlink.CodeExpired, apperr.NotFound:
		p.linkProblem(w, r, err)
	default:
		p.failStop(w, r, "answer stop request", err)
	}
}

// failStop is fail for a stop request's page, which never logs a signed
// link's token: whoever reads the log could answer with it.
func (p *Pages) failStop(w http.ResponseWriter, r *http.Request, what string, err error) {
	path := r.URL.Path
	if strings.HasPrefix(path, stoprequest.FormPath) {
		path = stoprequest.FormPath + "{token}"
	}
	p.cfg.Logger.Error("portal: "+what, "path", path, "err", err)
	p.rd.Error(w, r, http.StatusInternalServerError)
}

// reload reads the request again as its page sees it.
func (p *Pages) reload(r *http.Request, sp stopPage, id string) (stoprequest.Request, error) {
	if sp.user != nil {
		return p.cfg.StopRequests.Get(r.Context(), sp.user.MerchantID, id)
	}
	return p.cfg.StopRequests.ByToken(r.Context(), sp.token, p.cfg.DB.Clock.Now())
}

// offers reports whether req takes answer now.
func offers(req stoprequest.Request, answer string) bool {
	for _, a := range offeredAnswers(req) {
		if a == answer {
			return true
		}
	}
	return false
}

// knownAnswer reports whether answer is one of the four answers.
func knownAnswer(answer string) bool {
	switch answer {
	case stoprequest.AnswerNotShipped, stoprequest.AnswerService, stoprequest.AnswerShipped, stoprequest.AnswerReturned:
		return true
	}
	return false
}

// readAnswer reads the answer form into a stoprequest.Input, adding an
// error to form for each field that is missing or wrong: the same rules the
// service applies, in the reader's words. Only the chosen answer's fields
// are read.
func readAnswer(form *web.Form, req stoprequest.Request) stoprequest.Input {
	in := stoprequest.Input{Answer: form.Get(fieldAnswer)}
	if !offers(req, in.Answer) {
		form.AddError(fieldAnswer, "stoprequest.portal.error.answer")
		return in
	}
	removal := func(field string) {
		in.InvoiceRemoval = form.Get(field)
		if in.InvoiceRemoval != stoprequest.RemovalByTillit && in.InvoiceRemoval != stoprequest.RemovalByMerchant {
			form.AddError(field, "stoprequest.portal.error.invoice_removal")
		}
	}
	switch in.Answer {
	case stoprequest.AnswerNotShipped:
		removal(fieldRemovalNotShipped)
	case stoprequest.AnswerReturned:
		removal(fieldRemovalReturned)
	case stoprequest.AnswerService:
		switch form.Get(fieldServiceStopped) {
		case "yes":
			stopped := true
			in.ServiceStopped = &stopped
			removal(fieldRemovalService)
		case "no":
			stopped := false
			in.ServiceStopped = &stopped
		default:
			form.AddError(fieldServiceStopped, "stoprequest.portal.error.service_stopped")
		}
	case stoprequest.AnswerShipped:
		in.Carrier = form.Get(fieldCarrier)
		if in.Carrier == "" || utf8.RuneCountInString(in.Carrier) > stoprequest.MaxCarrierLen || strings.IndexFunc(in.Carrier, unicode.IsControl) >= 0 {
			form.AddError(fieldCarrier, "stoprequest.portal.error.carrier", "max", stoprequest.MaxCarrierLen)
		}
		in.NoTrackingNumber = !correcting(req) && form.Has(fieldNoTracking, "yes")
		in.TrackingNumber = form.Get(fieldTracking)
		number := carrier.NormaliseTracking(in.TrackingNumber)
		switch {
		case in.NoTrackingNumber && number != "":
			form.AddError(fieldTracking, "stoprequest.portal.error.tracking_with_statement")
		case !in.NoTrackingNumber && number == "":
			key := "stoprequest.portal.error.tracking_required"
			if correcting(req) {
				key = "stoprequest.portal.error.tracking_correct"
			}
			form.AddError(fieldTracking, key)
		case len(number) > stoprequest.MaxTrackingLen || strings.IndexFunc(number, func(c rune) bool {
			return (c < 'A' || c > 'Z') && (c < '0' || c > '9')
		}) >= 0:
			form.AddError(fieldTracking, "stoprequest.portal.error.tracking_format", "max", stoprequest.MaxTrackingLen)
		}
		in.PickedUp = form.Get(fieldPickedUp)
		if in.PickedUp != "yes" && in.PickedUp != "no" && in.PickedUp != "unknown" {
			form.AddError(fieldPickedUp, "stoprequest.portal.error.picked_up")
		}
	}
	return in
}
