package securityreport

import (
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

var errNotFound = apperr.New(apperr.NotFound, "No such report.")

// row is a report as stored: its sealed fields still sealed.
type row struct {
	Report
	text, url, email, fileName, notes string
}

// subject is the vault subject the report's fields are sealed under: the
// person, or the report's own id.
func (r row) subject() string {
	if r.PersonID != "" {
		return r.PersonID
	}
	return r.ID
}

const columns = `s.id, s.reference, COALESCE(s.person_id, ''), s.kind, s.state, s.locale, s.reporter_email, s.text, s.url, s.file_name,
    s.file_type, s.file_size, COALESCE(s.owner_id, ''), COALESCE(su.name, ''), s.closing_notes, s.created_at, s.taken_at, s.closed_at, s.version`

const from = ` FROM security_reports s LEFT JOIN staff_users su ON su.id = s.owner_id`

type scanner interface{ Scan(dest ...any) error }

func scanRow(sc scanner) (row, error) {
	var (
		r             row
		kind, state   string
		fileType      string
		fileSize      int64
		created       int64
		taken, closed sql.NullInt64
	)
	if err := sc.Scan(&r.ID, &r.Reference, &r.PersonID, &kind, &state, &r.Locale, &r.email, &r.text, &r.url, &r.fileName,
		&fileType, &fileSize, &r.OwnerID, &r.OwnerName, &r.notes, &created, &taken, &closed, &r.Version); err != nil {
		return row{}, err
	}
	r.Kind, r.State, r.CreatedAt = Kind(kind), State(state), store.FromMicros(created)
	r.TakenAt, r.ClosedAt = timePtr(taken), timePtr(closed)
	if fileType != "" {
		r.File = &FileInfo{Type: fileType, Size: fileSize}
	}
	return r, nil
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMicros(v.Int64)
	return &t
}

// load reads a report by id. Errors: NOT_FOUND.
func load(tx *store.Tx, id string) (row, error) {
	r, err := scanRow(tx.QueryRow(`SELECT `+columns+from+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, errNotFound
	}
	return r, err
}

// checkVersion refuses a report changed since the caller read version.
func (r row) checkVersion(version int64) error {
	if r.Version != version {
		return apperr.New(CodeChanged, "The report changed meanwhile (version %d, not %d); reload it.", r.Version, version)
	}
	return nil
}

// seal seals a text for the report's subject; "" stays "".
func (s *Service) seal(tx *store.Tx, subject, context, text string) (string, error) {
	if text == "" {
		return "", nil
	}
	return s.cfg.Vault.SealString(tx, subject, context, text)
}

// open opens a sealed text; a shredded subject's text reads empty.
func (s *Service) open(tx *store.Tx, subject, context, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	t, err := s.cfg.Vault.OpenString(tx, subject, context, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return "", nil
	}
	return t, err
}

// opened returns the report with its sealed fields opened.
func (s *Service) opened(tx *store.Tx, r row) (Report, error) {
	out := r.Report
	sub := r.subject()
	for _, f := range []struct {
		dst             *string
		context, sealed string
	}{
		{&out.Text, ContextText, r.text}, {&out.URL, ContextURL, r.url}, {&out.ReporterEmail, ContextReporterEmail, r.email},
		{&out.ClosingNotes, ContextClosingNotes, r.notes},
	} {
		v, err := s.open(tx, sub, f.context, f.sealed)
		if err != nil {
			return Report{}, err
		}
		*f.dst = v
	}
	if out.File != nil {
		name, err := s.open(tx, sub, ContextFileName, r.fileName)
		if err != nil {
			return Report{}, err
		}
		f := *out.File
		f.Name = name
		out.File = &f
	}
	return out, nil
}

// newReference returns an unused reference "S-" and six characters.
func newReference(tx *store.Tx) (string, error) {
	return ids.Reference("S", func(ref string) (bool, error) {
		var n int
		err := tx.QueryRow(`SELECT COUNT(*) FROM security_reports WHERE reference = $1`, ref).Scan(&n)
		return n > 0, err
	})
}

// micros is a nullable time as stored.
func micros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.Micros(*t)
}
