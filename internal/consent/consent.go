// Package consent owns people's consents per purpose (requirement D8, and the
// objection to direct marketing of D6): which purposes a person has agreed
// to, the history of every change, and the signed one-click unsubscribe
// links that withdraw a consent without signing in.
//
// A consent is never assumed: a person has given it only after a change that
// grants it, and withdrawing it takes effect in the transaction that records
// it. The current state lives in one row per person and purpose; every
// change that alters it is appended to the history in the same transaction,
// with how it was made (Source) and by whom, so an access extract (D2) can
// show what was agreed when. Setting a consent to what it already is changes
// nothing and writes no history. Changes made by staff are audited.
//
// The person is named by an opaque subject id: their person id (package
// person, account.Consumer.PersonID), never an e-mail address.
//
// Every marketing message Tillit sends must carry the unsubscribe link of
// UnsubscribeURL for its purpose, in the body and as List-Unsubscribe with
// List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), and may only
// go to a subject for whom Granted reports the purpose given, checked in the
// transaction that queues the message. Tillit sends no marketing yet: the
// sender that comes with it must follow this rule.
package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// Purpose is what a person may consent to, by its stable id.
type Purpose string

// The consent purposes.
const (
	// DirectMarketing is marketing sent to the person (e-mail, SMS). An
	// objection to it (D6) is its withdrawal, honoured at once.
	DirectMarketing Purpose = "direct_marketing"
	// VulnerableCustomerSupport is noting that the person needs extra
	// support (illness, hardship), which may reveal health data, so that
	// customer service can adapt to them.
	VulnerableCustomerSupport Purpose = "vulnerable_customer_support"
	// CallRecording is recording the person's calls with customer service.
	CallRecording Purpose = "call_recording"
)

// purposes lists every purpose in the order pages show them.
var purposes = []Purpose{DirectMarketing, VulnerableCustomerSupport, CallRecording}

// Purposes returns every consent purpose, in the order pages show them.
func Purposes() []Purpose { return append([]Purpose(nil), purposes...) }

// Valid reports whether p is one of the consent purposes.
func (p Purpose) Valid() bool {
	for _, q := range purposes {
		if p == q {
			return true
		}
	}
	return false
}

// NameKey is the message key of the purpose's short name.
func (p Purpose) NameKey() string { return "consent." + string(p) + ".name" }

// DescriptionKey is the message key of what the purpose means for the person.
func (p Purpose) DescriptionKey() string { return "consent." + string(p) + ".description" }

// Source is how a consent was changed.
type Source string

// The sources of a change.
const (
	// SourceApp is the person in the consumer app; the actor is
	// "consumer:<account id>".
	SourceApp Source = "app"
	// SourceUnsubscribeLink is the one-click link of a message; there is no
	// actor.
	SourceUnsubscribeLink Source = "unsubscribe_link"
	// SourceStaff is a staff member on the person's behalf; the actor is
	// "staff:<id>", and the change is audited.
	SourceStaff Source = "staff"
	// SourceCheckout is the person at checkout; the actor, if any, names
	// the session or order.
	SourceCheckout Source = "checkout"
	// SourceErasure is the person's request for erasure, which withdraws
	// every consent; the actor names the request, if any.
	SourceErasure Source = "erasure"
	// SourceObjection is the person's objection to direct marketing
	// (Art. 21(3)), which withdraws the marketing consent the moment the
	// request is filed; the actor is who filed it.
	SourceObjection Source = "objection"
)

// valid reports whether s is one of the sources.
func (s Source) valid() bool {
	switch s {
	case SourceApp, SourceUnsubscribeLink, SourceStaff, SourceCheckout, SourceErasure, SourceObjection:
		return true
	}
	return false
}

// Consent is the current state of one purpose for a person.
type Consent struct {
	Purpose Purpose `json:"purpose"`
	Granted bool    `json:"granted"`
	// UpdatedAt is when it last changed; nil when the person never gave or
	// withdrew it (and so has not given it).
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// Change is one entry of a person's consent history.
type Change struct {
	ID         string    `json:"id"`
	Subject    string    `json:"subject"`
	Purpose    Purpose   `json:"purpose"`
	Granted    bool      `json:"granted"`
	Source     Source    `json:"source"`
	Actor      string    `json:"actor,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
}

// MinKeyLen is the shortest key New accepts, in bytes.
const MinKeyLen = 32

// Service reads and changes consents and makes and checks unsubscribe
// links. It is safe for concurrent use.
type Service struct {
	DB *store.DB
	// linkKey signs unsubscribe links.
	linkKey []byte
}

// New returns the service on db. webKey is the instance's web key (the one
// the web pages sign with, at least MinKeyLen bytes, the same in every
// process); unsubscribe links are signed with a key derived from it for that
// use alone.
func New(db *store.DB, webKey []byte) (*Service, error) {
	if db == nil {
		return nil, errors.New("consent: a database is required")
	}
	if len(webKey) < MinKeyLen {
		return nil, errors.New("consent: the web key is too short")
	}
	return &Service{DB: db, linkKey: deriveKey(webKey, linkKeyPurpose)}, nil
}

// linkKeyPurpose names the use of the key derived for unsubscribe links.
const linkKeyPurpose = "consent unsubscribe link"

// deriveKey derives the key for one use from the web key: the HMAC-SHA256
// of "tillit " + use under it. Package web derives its CSRF and flash keys
// the same way with other names, so no key serves two uses.
func deriveKey(key []byte, use string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tillit " + use))
	return m.Sum(nil)
}
