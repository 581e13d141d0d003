package dsr

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Limits on what a request carries, in characters.
const (
	MaxDescription  = 2000
	MaxIdentityNote = 500
	MaxReason       = 2000
)

// MaxBackdate is how long before filing staff may say a request was
// received (a letter that came in before it was registered).
const MaxBackdate = 90 * 24 * time.Hour

// Audit actions of staff steps; the subject is the request id.
const (
	AuditFiled           = "dsr.filed"
	AuditStarted         = "dsr.started"
	AuditExtended        = "dsr.extended"
	AuditCarriedOut      = "dsr.carried_out"
	AuditCompleted       = "dsr.completed"
	AuditRefused         = "dsr.refused"
	AuditViewed          = "dsr.viewed"
	AuditDocumentFetched = "dsr.document_downloaded"
)

// ConsumerFiling is a request a consumer files in the app.
type ConsumerFiling struct {
	// ConsumerID is their account's id (for the actor, "consumer:<id>").
	ConsumerID string
	// PersonID is their account's person.
	PersonID string
	// Email is the address they signed in with; answers go to it.
	Email string
	// Locale is the language they use; e-mails are written in it.
	Locale i18n.Lang
	Kind   Kind
	// Country is where they live (a listed country or ""), for the
	// authority answers name.
	Country     string
	Description string
	// Scope is what a restriction or objection is about (Request.Scope).
	Scope []string
}

// StaffFiling is a request the data protection team files for a person
// after verifying their identity.
type StaffFiling struct {
	// Email is the person's e-mail address: Tillit finds them by it, and
	// answers go to it.
	Email string
	// Locale is the language to write to them in.
	Locale      i18n.Lang
	Kind        Kind
	Country     string
	Description string
	// Scope is what a restriction or objection is about (Request.Scope).
	Scope []string
	// IdentityNote says how staff verified the person's identity;
	// required.
	IdentityNote string
	// ReceivedOn is the day the request reached Tillit, when that was
	// before today; the zero time means now. It may be at most MaxBackdate
	// ago, and the deadline counts from the start of that day (UTC).
	ReceivedOn time.Time
}

// filing is a request to record, whichever channel it came by.
type filing struct {
	personID, actor                    string
	channel                            Channel
	method                             IdentityMethod
	kind                               Kind
	country                            string
	lang                               i18n.Lang
	description, replyTo, identityNote string
	scope                              []string
	receivedAt                         time.Time
}

// FileByConsumer records a request a signed-in consumer made, with their
// identity verified by the sign-in, e-mails them its receipt and schedules
// its deadline. Errors: BAD_VALUE (kind, country, description),
// CodeAlreadyOpen, NOT_ALLOWED (the person's data was erased).
func (s *Service) FileByConsumer(ctx context.Context, f ConsumerFiling) (Request, error) {
	var out Request
	err := s.db.Write(ctx, func(tx *store.Tx) (err error) {
		out, err = s.FileByConsumerTx(tx, f)
		return err
	})
	return out, err
}

// FileByConsumerTx is FileByConsumer within tx.
func (s *Service) FileByConsumerTx(tx *store.Tx, f ConsumerFiling) (Request, error) {
	if f.ConsumerID == "" || f.PersonID == "" {
		return Request{}, errors.New("dsr: FileByConsumer needs the consumer and their person")
	}
	in := filing{personID: f.PersonID, actor: "consumer:" + f.ConsumerID, channel: ChannelApp, method: IdentityAppSignIn,
		kind: f.Kind, country: f.Country, lang: f.Locale, description: f.Description, replyTo: f.Email, scope: f.Scope}
	if err := in.check(); err != nil {
		return Request{}, err
	}
	return s.file(tx, in)
}

// FileForPerson records a request staff (actor, "staff:<id>") took for the
// person with the e-mail address after verifying their identity, audits it,
// e-mails the person its receipt and schedules its deadline. Errors:
// BAD_VALUE (e-mail address, kind, country, description, identity note,
// received date), CodeUnknownPerson, CodeAlreadyOpen, NOT_ALLOWED.
func (s *Service) FileForPerson(ctx context.Context, actor string, f StaffFiling) (Request, error) {
	in, err := staffFiling(actor, f)
	if err != nil {
		return Request{}, err
	}
	var out Request
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		id, found, err := person.Lookup(tx, ids.ConsumerKey(s.cfg.LookupKey, in.replyTo))
		if err != nil {
			return err
		}
		if !found {
			return apperr.New(CodeUnknownPerson, "No person is known by this e-mail address.")
		}
		in.personID = id
		out, err = s.fileByStaff(tx, in, f.ReceivedOn)
		return err
	})
	return out, err
}

// FileForPersonTx is FileForPerson, in the caller's transaction, for a
// person Tillit already knows: a support conversation customer service
// turns into a request (package support). f.Email is where the answers go.
// Errors: as FileForPerson, without CodeUnknownPerson.
func (s *Service) FileForPersonTx(tx *store.Tx, actor, personID string, f StaffFiling) (Request, error) {
	if personID == "" {
		return Request{}, errors.New("dsr: FileForPersonTx needs the person")
	}
	in, err := staffFiling(actor, f)
	if err != nil {
		return Request{}, err
	}
	in.personID = personID
	return s.fileByStaff(tx, in, f.ReceivedOn)
}

// staffFiling checks a request staff took and returns it to file. Errors:
// BAD_VALUE (e-mail address, kind, country, description, identity note).
func staffFiling(actor string, f StaffFiling) (filing, error) {
	if !strings.HasPrefix(actor, "staff:") {
		return filing{}, errors.New("dsr: a request filed by staff needs a staff actor")
	}
	email, err := checkEmail(f.Email)
	if err != nil {
		return filing{}, err
	}
	note := strings.TrimSpace(f.IdentityNote)
	switch {
	case note == "":
		return filing{}, apperr.BadField("identity_note", "must say how the person's identity was verified")
	case utf8.RuneCountInString(note) > MaxIdentityNote || strings.ContainsRune(note, 0):
		return filing{}, apperr.BadField("identity_note", "must be text of at most %d characters", MaxIdentityNote)
	}
	in := filing{actor: actor, channel: ChannelStaff, method: IdentityStaffVerified, kind: f.Kind, country: f.Country,
		lang: f.Locale, description: f.Description, replyTo: email, identityNote: note, scope: f.Scope}
	err = in.check()
	return in, err
}

// fileByStaff records a checked staff filing received on day (see
// receivedAt) in tx and audits it. Errors: BAD_VALUE (received date),
// CodeAlreadyOpen, NOT_ALLOWED.
func (s *Service) fileByStaff(tx *store.Tx, in filing, day time.Time) (Request, error) {
	received, err := receivedAt(tx.Now, day)
	if err != nil {
		return Request{}, err
	}
	in.receivedAt = received
	out, err := s.file(tx, in)
	if err != nil {
		return Request{}, err
	}
	_, err = audit.Append(tx, in.actor, AuditFiled, out.ID, map[string]any{"kind": out.Kind, "received_at": out.ReceivedAt})
	return out, err
}

// check validates what the person asked.
func (f *filing) check() error {
	if !f.kind.Valid() {
		return apperr.BadField("kind", "must be one of access, portability, rectification, erasure, restriction, objection")
	}
	country, ok := validCountry(f.country)
	if !ok {
		return apperr.BadField("country", "must be a listed country code or empty")
	}
	f.country = country
	if _, ok := i18n.Parse(string(f.lang)); !ok {
		f.lang = i18n.Default
	}
	f.description = strings.TrimSpace(f.description)
	switch {
	case f.description == "" && f.kind.NeedsDescription():
		return apperr.BadField("description", "must say what the request is about")
	case utf8.RuneCountInString(f.description) > MaxDescription || strings.ContainsRune(f.description, 0):
		return apperr.BadField("description", "must be text of at most %d characters", MaxDescription)
	case f.replyTo == "":
		return errors.New("dsr: a request needs an address to answer to")
	}
	return f.checkScope()
}

// checkScope checks and orders the scope: required for a scoped kind, each
// entry one of its choices, none for other kinds.
func (f *filing) checkScope() error {
	choices := f.kind.ScopeChoices()
	if !f.kind.Scoped() {
		if len(f.scope) > 0 {
			return apperr.BadField("scope", "is only for restriction and objection requests")
		}
		f.scope = []string{}
		return nil
	}
	if len(f.scope) == 0 {
		return apperr.BadField("scope", "must name at least one of: %s", strings.Join(choices, ", "))
	}
	for _, c := range f.scope {
		if !slices.Contains(choices, c) {
			return apperr.BadField("scope", "must name only these: %s", strings.Join(choices, ", "))
		}
	}
	picked := make([]string, 0, len(f.scope))
	for _, c := range choices {
		if slices.Contains(f.scope, c) {
			picked = append(picked, c)
		}
	}
	f.scope = picked
	return nil
}

// checkEmail normalises and checks an e-mail address.
func checkEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return "", apperr.BadField("email", "must be an e-mail address")
	}
	return email, nil
}

// receivedAt is when a request given as received on day was received: now
// for today (or no day), else the start of that day.
func receivedAt(now, day time.Time) (time.Time, error) {
	if day.IsZero() {
		return now, nil
	}
	y, m, d := day.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case start.After(now):
		return time.Time{}, apperr.BadField("received_on", "must not be in the future")
	case now.Sub(start) > MaxBackdate:
		return time.Time{}, apperr.BadField("received_on", "must be within the last %d days", int(MaxBackdate.Hours()/24))
	case now.Sub(start) < 24*time.Hour:
		return now, nil
	}
	return start, nil
}

// file records a checked request in tx: the row, its steps to
// identity_verified, the deadline job and the receipt e-mail.
func (s *Service) file(tx *store.Tx, f filing) (Request, error) {
	var existing string
	err := tx.QueryRow(`SELECT reference FROM data_subject_requests WHERE open_key = $1`, openKey(f.personID, f.kind)).Scan(&existing)
	if err == nil {
		return Request{}, apperr.New(CodeAlreadyOpen, "The person already has an open request of this kind: %s.", existing)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Request{}, err
	}
	seal := func(context, text string) (string, error) {
		if text == "" {
			return "", nil
		}
		sealed, err := s.cfg.Vault.SealString(tx, f.personID, context, text)
		if errors.Is(err, vault.ErrShredded) {
			return "", apperr.New(apperr.NotAllowed, "The person's data has been erased; a request needs the person to be known again.")
		}
		return sealed, err
	}
	replyTo, err := seal(contextReplyTo, f.replyTo)
	if err != nil {
		return Request{}, err
	}
	description, err := seal(contextDescription, f.description)
	if err != nil {
		return Request{}, err
	}
	note, err := seal(contextIdentityNote, f.identityNote)
	if err != nil {
		return Request{}, err
	}
	received := f.receivedAt
	if received.IsZero() {
		received = tx.Now
	}
	r := row{Request: Request{
		ID: ids.New(), Reference: newReference(), PersonID: f.personID, Kind: f.kind, Status: StatusIdentityVerified,
		Channel: f.channel, IdentityMethod: f.method, Country: f.country, Locale: f.lang, Description: f.description,
		ReceivedAt: received, OriginalDueAt: Deadline(received), Outcome: []Item{}, Scope: f.scope, Version: 1,
	}, sealedDescription: description}
	scope, err := json.Marshal(r.Scope)
	if err != nil {
		return Request{}, err
	}
	r.DueAt = r.OriginalDueAt
	_, err = tx.Exec(`INSERT INTO data_subject_requests (id, reference, person_id, kind, status, channel, identity_method, country, locale,
		description, reply_to, identity_note, received_at, original_due_at, due_at, open_key, scope)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		r.ID, r.Reference, r.PersonID, string(r.Kind), string(r.Status), string(r.Channel), string(r.IdentityMethod), r.Country,
		string(r.Locale), nullable(description), nullable(replyTo), nullable(note), store.Micros(r.ReceivedAt), store.Micros(r.OriginalDueAt),
		store.Micros(r.DueAt), openKey(r.PersonID, r.Kind), string(scope))
	if store.IsUniqueViolation(err) {
		// Another request of the kind, or the same reference, was filed at
		// the same moment: run again, and find it or draw a new reference.
		return Request{}, store.ErrConflict
	}
	if err != nil {
		return Request{}, err
	}
	if err := appendEvent(tx, r.ID, EventReceived, "", StatusReceived, f.actor, ""); err != nil {
		return Request{}, err
	}
	if err := appendEvent(tx, r.ID, EventIdentityVerified, StatusReceived, StatusIdentityVerified, f.actor, ""); err != nil {
		return Request{}, err
	}
	if intake := s.cfg.Intakes[r.Kind]; intake != nil {
		if err := intake(tx, r.Request, f.actor); err != nil {
			return Request{}, err
		}
	}
	if err := s.scheduleDeadline(tx, r.Request); err != nil {
		return Request{}, err
	}
	if err := s.mailReceived(tx, r.Request, f.replyTo); err != nil {
		return Request{}, err
	}
	return r.Request, nil
}

// nullable is a sealed value for a query argument: NULL when there is none.
func nullable(sealed string) any {
	if sealed == "" {
		return nil
	}
	return sealed
}

// referenceAlphabet has no letters or digits that are easily confused.
const referenceAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newReference returns a random reference such as "PR-7KQ2M9XD".
func newReference() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("dsr: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	return "PR-" + string(b)
}
