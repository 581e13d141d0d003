package dsr

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Case is a request with its history, as the pages about one request show
// it.
type Case struct {
	Request
	Events []Event `json:"events"`
	// Entries are the restrictions and objections a restriction or
	// objection request asked for, in force or lifted.
	Entries []restriction.Entry `json:"entries,omitempty"`
}

// ScopeLine is one thing a restriction or objection request named, with
// the entry it led to.
type ScopeLine struct {
	// Value is the category or purpose id; NameKey names it.
	Value, NameKey string
	// Entry is the restriction or objection recorded for it; nil when
	// none was (an objection to direct marketing withdraws a consent
	// instead).
	Entry *restriction.Entry
}

// ScopeLines returns what the request named, each with its latest entry.
func (c Case) ScopeLines() []ScopeLine {
	out := make([]ScopeLine, 0, len(c.Scope))
	for _, v := range c.Scope {
		line := ScopeLine{Value: v, NameKey: c.Kind.ScopeKey(v)}
		for i := range c.Entries {
			if c.Entries[i].Target == v {
				line.Entry = &c.Entries[i]
			}
		}
		out = append(out, line)
	}
	return out
}

// Get returns the request with id, its description opened, and its history,
// for the data protection team. Errors: NOT_FOUND.
func (s *Service) Get(ctx context.Context, id string) (Case, error) {
	return s.getCase(ctx, "", id)
}

// GetForPerson returns the request with id, its description opened, and its
// history, when it is about the person; any other request is NOT_FOUND, as
// if it did not exist.
func (s *Service) GetForPerson(ctx context.Context, personID, id string) (Case, error) {
	if personID == "" {
		return Case{}, errNotFound
	}
	return s.getCase(ctx, personID, id)
}

// getCase reads a request, of the person when personID is set.
func (s *Service) getCase(ctx context.Context, personID, id string) (Case, error) {
	var c Case
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if personID != "" && r.PersonID != personID {
			return errNotFound
		}
		if err := s.openDescription(tx, &r); err != nil {
			return err
		}
		c.Request = r.Request
		if c.Events, err = events(tx, r.ID); err != nil {
			return err
		}
		c.Entries, err = restriction.ForRequest(tx, r.ID)
		return err
	})
	return c, err
}

// IdentityNote returns how staff verified the identity of the person of a
// request they filed; "" for requests filed in the app, and once the
// person's data was erased. Errors: NOT_FOUND.
func (s *Service) IdentityNote(ctx context.Context, id string) (string, error) {
	var note string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		var sealed sql.NullString
		if err := tx.QueryRow(`SELECT identity_note FROM data_subject_requests WHERE id = $1`, r.ID).Scan(&sealed); err != nil || !sealed.Valid {
			return err
		}
		note, err = s.cfg.Vault.OpenString(tx, r.PersonID, contextIdentityNote, sealed.String)
		if errors.Is(err, vault.ErrShredded) {
			note, err = "", nil
		}
		return err
	})
	return note, err
}

// ForPerson returns the person's requests, newest first, without their
// descriptions.
func (s *Service) ForPerson(ctx context.Context, personID string) ([]Request, error) {
	var out []Request
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := queryRequests(tx, `WHERE r.person_id = $1 ORDER BY r.received_at DESC, r.id DESC`, personID)
		out = requests(rows)
		return err
	})
	return out, err
}

// Queue returns up to limit open requests, the most urgent first: those
// whose deadline was breached, then by deadline (so the due soon come
// next). Descriptions are not opened.
func (s *Service) Queue(ctx context.Context, limit int) ([]Request, error) {
	var out []Request
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := queryRequests(tx, `WHERE r.closed_at IS NULL
			ORDER BY CASE WHEN r.breached_at IS NULL THEN 1 ELSE 0 END, r.due_at, r.id LIMIT $1`, limit)
		out = requests(rows)
		return err
	})
	return out, err
}

// Closed returns up to limit answered requests, the latest answer first.
func (s *Service) Closed(ctx context.Context, limit int) ([]Request, error) {
	var out []Request
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := queryRequests(tx, `WHERE r.closed_at IS NOT NULL ORDER BY r.closed_at DESC, r.id DESC LIMIT $1`, limit)
		out = requests(rows)
		return err
	})
	return out, err
}

// CountOpen returns how many requests wait for an answer.
func (s *Service) CountOpen(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM data_subject_requests WHERE closed_at IS NULL`).Scan(&n)
	})
	return n, err
}

// Document returns the document of a request's answer, with its body
// opened: for the person the request is about (personID), or for the data
// protection team (personID ""). Errors: NOT_FOUND (no such request, not
// theirs, or no document kept).
func (s *Service) Document(ctx context.Context, personID, id string) (DocumentInfo, []byte, error) {
	var (
		info DocumentInfo
		body []byte
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if (personID != "" && r.PersonID != personID) || r.Document == nil {
			return errNotFound
		}
		var sealed string
		err = tx.QueryRow(`SELECT body FROM data_subject_request_documents WHERE request_id = $1`, r.ID).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		body, err = s.cfg.Vault.Open(tx, r.PersonID, contextDocument, sealed)
		if errors.Is(err, vault.ErrShredded) {
			return errNotFound
		}
		info = *r.Document
		return err
	})
	return info, body, err
}

// requests drops the sealed parts of rows.
func requests(rows []row) []Request {
	out := make([]Request, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Request)
	}
	return out
}
