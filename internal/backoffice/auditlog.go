package backoffice

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// auditLimit is how many audit entries one page shows.
const auditLimit = 100

// maxSubject is the longest subject filter taken (subjects are ids).
const maxSubject = 100

// auditRow is one entry of the audit log as the page shows it.
type auditRow struct {
	Seq     int64
	At      time.Time
	Actor   string
	Action  string
	Subject string
	Details string
}

// auditPageData is the data of the audit page.
type auditPageData struct {
	frame
	Subject string
	// Filter is the subject filter's form.
	Filter  *web.Form
	Entries []auditRow
	// Older links to the entries before these, "" when there are none.
	Older string
	// Verified is set when the chain was verified for this page, with the
	// outcome in Report.
	Verified bool
	Report   audit.Report
}

// auditPage lists the latest audit entries, newest first, optionally only
// those about one subject and only those before a sequence number (the
// "older" link), and verifies the hash chain on request.
func (p *Pages) auditPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := r.URL.Query()
	page := auditPageData{frame: newFrame(v, "audit"), Subject: strings.TrimSpace(q.Get("subject"))}
	if len(page.Subject) > maxSubject {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	page.Filter = web.NewForm(url.Values{"subject": {page.Subject}})
	var before int64
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			p.rd.Error(w, r, http.StatusBadRequest)
			return
		}
		before = n
	}
	entries, err := p.latestEntries(r.Context(), page.Subject, before)
	if err != nil {
		p.fail(w, r, "read audit log", err)
		return
	}
	page.Entries = entries
	if len(entries) == auditLimit && entries[len(entries)-1].Seq > 1 {
		older := url.Values{"before": {strconv.FormatInt(entries[len(entries)-1].Seq, 10)}}
		if page.Subject != "" {
			older.Set("subject", page.Subject)
		}
		page.Older = Prefix + "audit?" + older.Encode()
	}
	if q.Get("verify") != "" {
		if page.Report, err = audit.Verify(r.Context(), p.cfg.DB); err != nil {
			p.fail(w, r, "verify audit log", err)
			return
		}
		page.Verified = true
	}
	p.rd.Render(w, r, http.StatusOK, "staff/audit", page)
}

// latestEntries reads up to auditLimit entries, newest first: about subject
// when it is set, and before the sequence number before when it is set.
func (p *Pages) latestEntries(ctx context.Context, subject string, before int64) ([]auditRow, error) {
	var (
		where []string
		args  []any
	)
	if subject != "" {
		args = append(args, subject)
		where = append(where, "subject = $"+strconv.Itoa(len(args)))
	}
	if before > 0 {
		args = append(args, before)
		where = append(where, "seq < $"+strconv.Itoa(len(args)))
	}
	query := `SELECT seq, at, actor, action, subject, details FROM audit_log`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, auditLimit)
	query += ` ORDER BY seq DESC LIMIT $` + strconv.Itoa(len(args))
	var out []auditRow
	err := p.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		out = []auditRow{}
		rows, err := tx.Query(query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e  auditRow
				at int64
			)
			if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Subject, &e.Details); err != nil {
				return err
			}
			e.At = store.FromMicros(at)
			if e.Details == "null" || e.Details == "{}" {
				e.Details = ""
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
