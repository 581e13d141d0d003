package securityreport

import (
	"context"
	"slices"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

var errForbidden = apperr.New(apperr.Forbidden, "Your role does not triage security reports.")

// MayTriage tells whether a role works the security queue
// (security_analyst, admin).
func MayTriage(r account.Role) bool {
	return r == account.RoleSecurityAnalyst || r == account.RoleAdmin
}

// staffActor names a member of staff in the audit log.
func staffActor(st account.Staff) string { return "staff:" + st.ID }

// Queue lists the reports in a state, oldest first, without opening
// anything sealed (kind, reference, whether an address or file came with
// it, the owner). Errors: FORBIDDEN, BAD_VALUE (state).
func (s *Service) Queue(ctx context.Context, st account.Staff, state State) ([]Report, error) {
	if !MayTriage(st.Role) {
		return nil, errForbidden
	}
	if !state.Valid() {
		return nil, apperr.BadField("state", "must be one of new, triaging, confirmed_phishing, not_phishing, duplicate")
	}
	out := []Report{}
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT `+columns+from+` WHERE s.state = $1 ORDER BY s.created_at, s.id`, string(state))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				return err
			}
			rep := r.Report
			if r.url != "" {
				rep.URL = "-"
			}
			out = append(out, rep)
		}
		return rows.Err()
	})
	return out, err
}

// Counts returns how many reports are in each state. Errors: FORBIDDEN.
func (s *Service) Counts(ctx context.Context, st account.Staff) (map[State]int, error) {
	if !MayTriage(st.Role) {
		return nil, errForbidden
	}
	out := map[State]int{}
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT state, COUNT(*) FROM security_reports GROUP BY state`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				state string
				n     int
			)
			if err := rows.Scan(&state, &n); err != nil {
				return err
			}
			out[State(state)] = n
		}
		return rows.Err()
	})
	return out, err
}

// View opens a report for a member of staff who triages, audited as a read
// of the reporter's data. Errors: FORBIDDEN, NOT_FOUND.
func (s *Service) View(ctx context.Context, st account.Staff, id string) (Report, error) {
	if !MayTriage(st.Role) {
		return Report{}, errForbidden
	}
	var out Report
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if out, err = s.opened(tx, r); err != nil {
			return err
		}
		_, err = audit.Append(tx, staffActor(st), ActionViewed, r.subject(), map[string]any{"report_id": r.ID})
		return err
	})
	return out, err
}

// File returns a report's uploaded e-mail (its description and bytes),
// audited as a download. Errors: FORBIDDEN, NOT_FOUND (no such report, or
// it has no file).
func (s *Service) File(ctx context.Context, st account.Staff, id string) (FileInfo, []byte, error) {
	if !MayTriage(st.Role) {
		return FileInfo{}, nil, errForbidden
	}
	var (
		info    FileInfo
		content []byte
	)
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if r.File == nil {
			return apperr.New(apperr.NotFound, "The report has no file.")
		}
		var sealed string
		if err := tx.QueryRow(`SELECT file_content FROM security_reports WHERE id = $1`, id).Scan(&sealed); err != nil {
			return err
		}
		if content, err = s.cfg.Vault.Open(tx, r.subject(), ContextFileContent, sealed); err != nil {
			return err
		}
		name, err := s.open(tx, r.subject(), ContextFileName, r.fileName)
		if err != nil {
			return err
		}
		info = FileInfo{Name: name, Type: r.File.Type, Size: r.File.Size}
		_, err = audit.Append(tx, staffActor(st), ActionFileDownloaded, r.subject(), map[string]any{"report_id": r.ID})
		return err
	})
	return info, content, err
}

// change runs fn on a report at version as a member of staff who triages,
// in a write transaction, then saves it (bumping its version) and returns
// it opened. Errors: FORBIDDEN, NOT_FOUND, CodeChanged, and fn's.
func (s *Service) change(ctx context.Context, st account.Staff, id string, version int64, fn func(tx *store.Tx, r *row) (string, map[string]any, error)) (Report, error) {
	if !MayTriage(st.Role) {
		return Report{}, errForbidden
	}
	var out Report
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if err := r.checkVersion(version); err != nil {
			return err
		}
		action, details, err := fn(tx, &r)
		if err != nil {
			return err
		}
		var owner any
		if r.OwnerID != "" {
			owner = r.OwnerID
		}
		if err := tx.ExecOne(`UPDATE security_reports SET state = $1, owner_id = $2, closing_notes = $3, taken_at = $4, closed_at = $5,
    version = version + 1 WHERE id = $6 AND version = $7`, string(r.State), owner, r.notes, micros(r.TakenAt), micros(r.ClosedAt), r.ID, r.Version); err != nil {
			return err
		}
		r.Version++
		details["report_id"] = r.ID
		if _, err := audit.Append(tx, staffActor(st), action, r.subject(), details); err != nil {
			return err
		}
		if r, err = load(tx, r.ID); err != nil {
			return err
		}
		out, err = s.opened(tx, r)
		return err
	})
	return out, err
}

// Take makes st the report's owner and starts triage (new → triaging).
// Errors, each writing nothing: FORBIDDEN, NOT_FOUND, CodeChanged,
// CodeWrongState (not new).
func (s *Service) Take(ctx context.Context, st account.Staff, id string, version int64) (Report, error) {
	return s.change(ctx, st, id, version, func(tx *store.Tx, r *row) (string, map[string]any, error) {
		if r.State != StateNew {
			return "", nil, apperr.New(CodeWrongState, "The report is %s; only a new report can be taken.", r.State)
		}
		now := tx.Now
		r.State, r.OwnerID, r.TakenAt = StateTriaging, st.ID, &now
		return ActionTaken, map[string]any{"owner_id": st.ID}, nil
	})
}

// Close concludes triage with an outcome (confirmed_phishing, not_phishing,
// duplicate) and closing notes, which are sealed like the report. Errors,
// each writing nothing: FORBIDDEN, BAD_VALUE (outcome, notes), NOT_FOUND,
// CodeChanged, CodeWrongState (not triaging).
func (s *Service) Close(ctx context.Context, st account.Staff, id string, version int64, outcome State, notes string) (Report, error) {
	if !MayTriage(st.Role) {
		return Report{}, errForbidden
	}
	if !slices.Contains(Outcomes, outcome) {
		return Report{}, apperr.BadField("outcome", "must be one of confirmed_phishing, not_phishing, duplicate")
	}
	notes, err := checkText("notes", notes, MaxNotes, true)
	if err != nil {
		return Report{}, err
	}
	return s.change(ctx, st, id, version, func(tx *store.Tx, r *row) (string, map[string]any, error) {
		if r.State != StateTriaging {
			return "", nil, apperr.New(CodeWrongState, "The report is %s; only a report in triage can be closed.", r.State)
		}
		sealed, err := s.seal(tx, r.subject(), ContextClosingNotes, notes)
		if err != nil {
			return "", nil, err
		}
		now := tx.Now
		r.State, r.notes, r.ClosedAt = outcome, sealed, &now
		return ActionClosed, map[string]any{"outcome": outcome}, nil
	})
}
