// Package merchantmsg is merchant support on an order (issue 6, item 7;
// requirements T3, T4, T7): a merchant user who knows more about one of
// the merchant's orders sends it from the portal's order page as a message
// with a topic, the message waits in the right back-office queue, and a
// member of staff marks it handled with a reply that the portal shows and
// the merchant's users get by e-mail.
//
// A message goes to the fraud queue (security analysts) when its topic is
// a fraud or stop request, when the order's fraud status is STOPPED,
// REJECTED or PENDING, or when Service.UnderFraudHandling says the order is
// in a stop request or fraud case; otherwise to merchant support (customer
// service). Admins may work both.
//
// The text and the reply may name the consumer: they are sealed by the
// vault under the order's person (so erasing the person shreds them) and
// declared in the privacy registry; queues show no text, and every opening
// of a message by staff is audited. The package owns the table
// merchant_messages.
package merchantmsg

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// MaxText is the longest message or reply, in characters, after trimming.
const MaxText = 4000

// Topic is what a message is about.
type Topic string

// The topics a merchant chooses from.
const (
	// TopicFraud is a fraud or stop request matter: it always goes to the
	// fraud queue.
	TopicFraud Topic = "fraud_stop"
	// TopicDelivery is about the delivery.
	TopicDelivery Topic = "delivery"
	// TopicPayment is about the payment.
	TopicPayment Topic = "payment"
	// TopicOther is anything else.
	TopicOther Topic = "other"
)

// Topics are the topics in the order the portal offers them.
var Topics = []Topic{TopicFraud, TopicDelivery, TopicPayment, TopicOther}

// Valid reports whether t is one of Topics.
func (t Topic) Valid() bool {
	for _, o := range Topics {
		if t == o {
			return true
		}
	}
	return false
}

// Key is the catalog key naming the topic (in the merchant and staff
// catalogs).
func (t Topic) Key() string { return "merchantmsg.topic." + string(t) }

// Queue is where a message waits.
type Queue string

// The queues.
const (
	// QueueFraud is the security analysts' queue.
	QueueFraud Queue = "fraud"
	// QueueSupport is customer service's merchant support queue.
	QueueSupport Queue = "merchant_support"
)

// Roles returns the staff roles that work q (admin included).
func (q Queue) Roles() []account.Role {
	if q == QueueFraud {
		return []account.Role{account.RoleSecurityAnalyst, account.RoleAdmin}
	}
	return []account.Role{account.RoleCustomerService, account.RoleAdmin}
}

// MayWork reports whether a member of staff with role may read and handle
// the messages of q.
func (q Queue) MayWork(role account.Role) bool {
	for _, r := range q.Roles() {
		if r == role {
			return true
		}
	}
	return false
}

// Status is where a message stands.
type Status string

// The statuses of a message.
const (
	// StatusOpen: waiting in its queue.
	StatusOpen Status = "open"
	// StatusHandled: a member of staff marked it handled and replied.
	StatusHandled Status = "handled"
)

// Key is the catalog key naming the status.
func (s Status) Key() string { return "merchantmsg.status." + string(s) }

// CodeAlreadyHandled is the error code of handling a message that was
// handled already (HTTP 409).
const CodeAlreadyHandled = "ALREADY_HANDLED"

// Audit actions. Their subject is the order's id; their details name the
// message, never its text.
const (
	// ActionSent is a merchant user sending a message.
	ActionSent = "merchant_message.sent"
	// ActionViewed is a member of staff opening a message's text.
	ActionViewed = "merchant_message.viewed"
	// ActionHandled is a member of staff marking a message handled.
	ActionHandled = "merchant_message.handled"
)

// Vault contexts of the sealed columns.
const (
	contextText  = "merchant_messages.text"
	contextReply = "merchant_messages.reply"
)

// Message is a merchant's message about an order, with the reply.
type Message struct {
	ID         string
	OrderID    string
	MerchantID string
	Topic      Topic
	// Text is what the merchant wrote and Reply what staff answered: empty
	// where the message was read without them (queues), or when
	// Unreadable.
	Text  string
	Queue Queue
	// Status is open or handled.
	Status    Status
	SentAt    time.Time
	HandledAt *time.Time
	Reply     string
	// Unreadable reports that the person's data key was shredded: the text
	// and reply can no longer be read.
	Unreadable bool
	// OrderReference and MerchantName name the order and merchant on pages.
	OrderReference string
	MerchantName   string
	// SentBy is the merchant user's id and HandledBy the member of staff's
	// actor ("staff:<id>").
	SentBy    string
	HandledBy string
	// Locale is the language the merchant user wrote in.
	Locale  string
	Version int64
}

// Service keeps merchant messages.
type Service struct {
	// DB is the platform's database (reads for the queues).
	DB *store.DB
	// Vault seals the text and replies.
	Vault *vault.Vault
	// LookupKey is the instance secret the outbox keys recipients with
	// (ids.ConsumerKeySecret).
	LookupKey string
	// BaseURL is the instance's public origin, for the link in the reply's
	// e-mail; empty gives a path.
	BaseURL string
	// UnderFraudHandling reports whether an order is in fraud handling (an
	// open stop request or fraud case), which sends its messages to the
	// fraud queue; nil means never.
	UnderFraudHandling func(tx *store.Tx, orderID string) (bool, error)
}

// New returns the service.
func New(db *store.DB, v *vault.Vault, lookupKey string) *Service {
	return &Service{DB: db, Vault: v, LookupKey: lookupKey}
}

// Sender is the merchant user sending a message.
type Sender struct {
	// UserID and MerchantID are the signed-in merchant user's.
	UserID, MerchantID string
	// Locale is the language they use (an i18n tag).
	Locale string
}

// checkText trims text and reports what is wrong with it, as a BAD_VALUE
// error on field.
func checkText(field, text string) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return "", apperr.BadField(field, "is required")
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
		return "", apperr.BadField(field, "must be text")
	case utf8.RuneCountInString(text) > MaxText:
		return "", apperr.BadField(field, "must be at most %d characters", MaxText)
	}
	return text, nil
}

// Send records a merchant user's message about one of their merchant's
// orders in tx, in the queue the routing rules choose, and audits it.
// Errors, each writing nothing: BAD_VALUE (topic, text empty or longer than
// MaxText), NO_SUCH_ORDER (no such order of the sender's merchant: another
// merchant's order answers exactly like one that does not exist).
func (s *Service) Send(tx *store.Tx, from Sender, orderID string, topic Topic, text string) (Message, error) {
	if !topic.Valid() {
		return Message{}, apperr.BadField("topic", "must be one of fraud_stop, delivery, payment, other")
	}
	text, err := checkText("text", text)
	if err != nil {
		return Message{}, err
	}
	if from.UserID == "" || from.MerchantID == "" {
		return Message{}, errors.New("merchantmsg: a message needs a merchant user")
	}
	var personID, fraud, reference string
	err = tx.QueryRow(`SELECT COALESCE(person_id, ''), fraud_status, reference FROM orders WHERE id = $1 AND merchant_id = $2`,
		orderID, from.MerchantID).Scan(&personID, &fraud, &reference)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, apperr.New(apperr.NoSuchOrder, "No such order.")
	}
	if err != nil {
		return Message{}, err
	}
	queue, err := s.route(tx, orderID, topic, fraud)
	if err != nil {
		return Message{}, err
	}
	lang, ok := i18n.Parse(from.Locale)
	if !ok {
		lang = i18n.Default
	}
	m := Message{ID: ids.New(), OrderID: orderID, MerchantID: from.MerchantID, Topic: topic, Text: text, Queue: queue, Status: StatusOpen,
		SentAt: tx.Now, OrderReference: reference, SentBy: from.UserID, Locale: string(lang), Version: 1}
	// Without a person, or with one already erased, the message has a key
	// of its own (which the retention engine shreds when it goes).
	subject := personID
	if subject == "" {
		subject = m.ID
	}
	sealed, err := s.Vault.SealString(tx, subject, contextText, text)
	if errors.Is(err, vault.ErrShredded) {
		personID = ""
		sealed, err = s.Vault.SealString(tx, m.ID, contextText, text)
	}
	if err != nil {
		return Message{}, err
	}
	if _, err := tx.Exec(`INSERT INTO merchant_messages (id, order_id, merchant_id, person_id, topic, text, queue, status, locale, sent_at, sent_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.ID, orderID, from.MerchantID, nullable(personID), string(topic), sealed, string(queue), string(StatusOpen), m.Locale,
		store.Micros(tx.Now), from.UserID); err != nil {
		return Message{}, err
	}
	if _, err := audit.Append(tx, "merchant_user:"+from.UserID, ActionSent, orderID,
		map[string]string{"message_id": m.ID, "topic": string(topic), "queue": string(queue)}); err != nil {
		return Message{}, err
	}
	return m, nil
}

// route chooses a message's queue.
func (s *Service) route(tx *store.Tx, orderID string, topic Topic, fraudStatus string) (Queue, error) {
	switch {
	case topic == TopicFraud:
		return QueueFraud, nil
	case fraudStatus == checkout.FraudStopped || fraudStatus == checkout.FraudRejected || fraudStatus == checkout.FraudPending:
		return QueueFraud, nil
	case s.UnderFraudHandling != nil:
		under, err := s.UnderFraudHandling(tx, orderID)
		if err != nil || under {
			return QueueFraud, err
		}
	}
	return QueueSupport, nil
}

// ForOrder returns every message about the order, oldest first, with their
// text and reply opened (Unreadable once the person was erased): for the
// portal's order page, which has checked the order is the merchant's, and
// for the fraud case file.
func (s *Service) ForOrder(tx *store.Tx, orderID string) ([]Message, error) {
	rows, err := tx.Query(`SELECT `+columns+from+`WHERE mm.order_id = $1 ORDER BY mm.sent_at, mm.id`, orderID)
	if err != nil {
		return nil, err
	}
	var (
		out    []Message
		sealed []sealedFields
	)
	for rows.Next() {
		m, sf, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out, sealed = append(out, m), append(sealed, sf)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.open(tx, &out[i], sealed[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountOpen returns how many messages wait in q.
func (s *Service) CountOpen(ctx context.Context, q Queue) (int, error) {
	var n int
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM merchant_messages WHERE queue = $1 AND status = $2`, string(q), string(StatusOpen)).Scan(&n)
	})
	return n, err
}

// ListOpen returns up to limit messages waiting in q, oldest first,
// without their text: a queue shows no personal data.
func (s *Service) ListOpen(ctx context.Context, q Queue, limit int) ([]Message, error) {
	var out []Message
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []Message{}
		rows, err := tx.Query(`SELECT `+columns+from+`WHERE mm.queue = $1 AND mm.status = $2 ORDER BY mm.sent_at, mm.id LIMIT $3`,
			string(q), string(StatusOpen), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, _, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// ForStaff returns a message with its text and reply opened for a member
// of staff, and records in the audit log, in tx (a write transaction), that
// they read it. Errors: NOT_FOUND, FORBIDDEN (the member's role does not
// work the message's queue; nothing is read).
func (s *Service) ForStaff(tx *store.Tx, st account.Staff, id string) (Message, error) {
	m, sf, err := load(tx, id)
	if err != nil {
		return Message{}, err
	}
	if !m.Queue.MayWork(st.Role) {
		return Message{}, apperr.New(apperr.Forbidden, "Your role does not work this queue.")
	}
	if err := s.open(tx, &m, sf); err != nil {
		return Message{}, err
	}
	if _, err := audit.Append(tx, staffActor(st), ActionViewed, m.OrderID, map[string]string{"message_id": m.ID, "queue": string(m.Queue)}); err != nil {
		return Message{}, err
	}
	return m, nil
}

// Handle marks an open message handled with a reply to the merchant, in
// tx: it seals the reply, audits it and queues an e-mail with the reply to
// every active user of the merchant, in the language the message was
// written in. Errors, each writing nothing: BAD_VALUE (reply empty or
// longer than MaxText), NOT_FOUND, FORBIDDEN (role), CodeAlreadyHandled.
func (s *Service) Handle(tx *store.Tx, st account.Staff, id, reply string) (Message, error) {
	reply, err := checkText("reply", reply)
	if err != nil {
		return Message{}, err
	}
	if st.ID == "" {
		return Message{}, errors.New("merchantmsg: handling needs a member of staff")
	}
	m, sf, err := load(tx, id)
	if err != nil {
		return Message{}, err
	}
	if !m.Queue.MayWork(st.Role) {
		return Message{}, apperr.New(apperr.Forbidden, "Your role does not work this queue.")
	}
	if m.Status != StatusOpen {
		return Message{}, apperr.New(CodeAlreadyHandled, "The message was handled already.")
	}
	sealed, err := s.Vault.SealString(tx, sf.subject, contextReply, reply)
	switch {
	case errors.Is(err, vault.ErrShredded):
		// The person was erased: the reply still goes to the merchant by
		// e-mail, but is not kept under a key nobody can open.
		sealed = ""
	case err != nil:
		return Message{}, err
	}
	actor := staffActor(st)
	if err := tx.ExecOne(`UPDATE merchant_messages SET status = $1, handled_at = $2, handled_by = $3, reply = $4, version = version + 1
		WHERE id = $5 AND version = $6 AND status = $7`,
		string(StatusHandled), store.Micros(tx.Now), actor, sealed, m.ID, m.Version, string(StatusOpen)); err != nil {
		return Message{}, err
	}
	if _, err := audit.Append(tx, actor, ActionHandled, m.OrderID, map[string]string{"message_id": m.ID, "queue": string(m.Queue)}); err != nil {
		return Message{}, err
	}
	if err := s.mailReply(tx, m, reply); err != nil {
		return Message{}, err
	}
	if err := s.open(tx, &m, sf); err != nil {
		return Message{}, err
	}
	now := tx.Now
	m.Status, m.HandledAt, m.HandledBy, m.Reply, m.Version = StatusHandled, &now, actor, reply, m.Version+1
	return m, nil
}

// mailReply queues the reply's e-mail to each active user of the merchant.
// The messages name no person and are sealed under their own keys.
func (s *Service) mailReply(tx *store.Tx, m Message, reply string) error {
	rows, err := tx.Query(`SELECT email FROM merchant_users WHERE merchant_id = $1 AND disabled_at IS NULL ORDER BY email`, m.MerchantID)
	if err != nil {
		return err
	}
	var to []string
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			rows.Close()
			return err
		}
		to = append(to, email)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	lang, ok := i18n.Parse(m.Locale)
	if !ok {
		lang = i18n.Default
	}
	link := strings.TrimRight(s.BaseURL, "/") + "/portal/orders/" + m.OrderID
	for _, addr := range to {
		if _, err := outbox.Enqueue(tx, s.Vault, s.LookupKey, outbox.Message{Channel: outbox.Email, To: addr,
			Subject: i18n.T(lang, "merchantmsg.mail.subject", "reference", m.OrderReference),
			Body: i18n.T(lang, "merchantmsg.mail.body", "reference", m.OrderReference, "topic", i18n.T(lang, m.Topic.Key()),
				"reply", reply, "link", link)}); err != nil {
			return err
		}
	}
	return nil
}

// staffActor names a member of staff in the audit log and on the message.
func staffActor(st account.Staff) string { return "staff:" + st.ID }

const columns = `mm.id, mm.order_id, mm.merchant_id, COALESCE(mm.person_id, ''), mm.topic, mm.text, mm.queue, mm.status, mm.locale,
	mm.sent_at, mm.sent_by, mm.handled_at, mm.handled_by, mm.reply, mm.version, o.reference, m.name`

const from = ` FROM merchant_messages mm JOIN orders o ON o.id = mm.order_id JOIN merchants m ON m.id = mm.merchant_id `

// sealedFields are a message's sealed columns as stored, and the vault
// subject they are sealed for.
type sealedFields struct {
	subject, text, reply string
}

// scan reads a row of columns, leaving the sealed columns sealed.
func scan(row interface{ Scan(...any) error }) (Message, sealedFields, error) {
	var (
		m                   Message
		sf                  sealedFields
		personID            string
		topic, queue, state string
		sent                int64
		handled             sql.NullInt64
	)
	if err := row.Scan(&m.ID, &m.OrderID, &m.MerchantID, &personID, &topic, &sf.text, &queue, &state, &m.Locale,
		&sent, &m.SentBy, &handled, &m.HandledBy, &sf.reply, &m.Version, &m.OrderReference, &m.MerchantName); err != nil {
		return Message{}, sealedFields{}, err
	}
	m.Topic, m.Queue, m.Status, m.SentAt = Topic(topic), Queue(queue), Status(state), store.FromMicros(sent)
	if handled.Valid {
		at := store.FromMicros(handled.Int64)
		m.HandledAt = &at
	}
	sf.subject = personID
	if sf.subject == "" {
		sf.subject = m.ID
	}
	return m, sf, nil
}

// load reads one message, its sealed columns still sealed. Errors:
// NOT_FOUND.
func load(tx *store.Tx, id string) (Message, sealedFields, error) {
	m, sf, err := scan(tx.QueryRow(`SELECT `+columns+from+`WHERE mm.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, sealedFields{}, apperr.New(apperr.NotFound, "No such message.")
	}
	return m, sf, err
}

// open opens a message's text and reply into m, or marks it Unreadable
// when the key it was sealed under was shredded.
func (s *Service) open(tx *store.Tx, m *Message, sf sealedFields) error {
	text, err := s.Vault.OpenString(tx, sf.subject, contextText, sf.text)
	if errors.Is(err, vault.ErrShredded) {
		m.Unreadable = true
		return nil
	}
	if err != nil {
		return err
	}
	m.Text = text
	if sf.reply != "" {
		if m.Reply, err = s.Vault.OpenString(tx, sf.subject, contextReply, sf.reply); err != nil {
			return err
		}
	}
	return nil
}

// nullable is NULL for an empty string.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
