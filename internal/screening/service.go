package screening

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Source is where a Service loads its lists from: a directory of list
// files (Load), or the snapshots built into the binary (Shipped) when Dir
// is empty.
type Source struct {
	Dir string
}

// Load loads the source's lists.
func (s Source) Load() (*List, error) {
	if s.Dir == "" {
		return Shipped()
	}
	return Load(s.Dir)
}

// String names the source for the back office and the audit log.
func (s Source) String() string {
	if s.Dir == "" {
		return ShippedName
	}
	return s.Dir
}

// The audit actions of reloads and re-screenings.
const (
	// AuditReloaded: the lists were reloaded; details are the source,
	// version and entry counts.
	AuditReloaded = "screening.lists_reloaded"
	// AuditReloadFailed: a reload was asked for but the lists did not
	// load; the current lists stay.
	AuditReloadFailed = "screening.lists_reload_failed"
	// AuditRescreened: a re-screening after a reload finished; details
	// are the version and the numbers of people screened and hits.
	AuditRescreened = "screening.rescreened"
)

// JobRescreen is the job kind of a re-screening batch.
const JobRescreen = "screening.rescreen"

// DefaultBatch is how many people a re-screening job screens in one
// transaction.
const DefaultBatch = 100

// RescreenHit is a person a re-screening found resembling a list entry
// that no analyst has decided is a false positive for them.
type RescreenHit struct {
	PersonID string
	// OrderIDs are the person's orders in a live status (see Service).
	OrderIDs []string
	// Matches are the alerting matches, without the person's name
	// (Match.WithoutQuery).
	Matches []Match
	// ListsVersion is the Version of the lists screened against.
	ListsVersion string
}

// Service serves screening to a running Tillit: the assessment's Stage,
// reloading the lists while serving and re-screening existing customers
// after a reload.
//
// A re-screening screens every person with an order in a live status
// (AUTHORIZED, PART_CAPTURED, or CAPTURED and not fully refunded): the
// name and birth date of each of their live orders' consumer documents,
// opened from the vault. It runs as a durable job (JobRescreen) in batches
// of Batch people, one transaction each, so it survives a restart and
// does not hold the database. For each hit it opens or adds to the
// person's sanctions_match AML alert and calls OnHit, in the batch's
// transaction; a job retried after a crash may call it again for the same
// hit, so OnHit must be idempotent. When the last batch is done the totals
// (people screened, hits) are audited: counts, never names.
type Service struct {
	DB        *store.DB
	Vault     *vault.Vault
	Screener  *Screener
	Decisions *Decisions
	Source    Source
	// OnHit is called for every hit of a re-screening, in the batch's
	// transaction; nil does nothing. An error rolls the batch back and
	// the job retries it.
	OnHit func(ctx context.Context, tx *store.Tx, hit RescreenHit) error
	// Batch is how many people one re-screening job screens; 0 means
	// DefaultBatch.
	Batch  int
	Logger *slog.Logger
}

// NewService loads the lists of src and returns a Service screening with
// them.
func NewService(ctx context.Context, db *store.DB, vlt *vault.Vault, src Source, logger *slog.Logger) (*Service, error) {
	if logger == nil {
		logger = slog.Default()
	}
	l, err := src.Load()
	if err != nil {
		return nil, err
	}
	d, err := OpenDecisions(ctx, db)
	if err != nil {
		return nil, err
	}
	s := NewScreener(nil)
	s.Swap(l, db.Clock.Now())
	return &Service{DB: db, Vault: vlt, Screener: s, Decisions: d, Source: src, Logger: logger}, nil
}

// Stage returns the assessment stage screening with the service's lists.
func (s *Service) Stage() *Stage {
	return &Stage{Screener: s.Screener, Decisions: s.Decisions, DB: s.DB}
}

// Register installs the re-screening job's handler.
func (s *Service) Register(r *jobs.Runner) { r.Register(JobRescreen, s.rescreenJob) }

// Status is what lists a Service screens with.
type Status struct {
	Source   string
	Version  string
	Entries  int
	Counts   map[string]int
	LoadedAt time.Time
}

// Status returns the current lists' status.
func (s *Service) Status() Status {
	l := s.Screener.List()
	return Status{Source: s.Source.String(), Version: l.Version(), Entries: l.Len(), Counts: l.Counts(), LoadedAt: s.Screener.LoadedAt()}
}

// ErrLists wraps the error of lists that did not load.
var ErrLists = errors.New("screening: the lists did not load")

// Reload loads the lists from the source and swaps them in atomically
// (queries in flight finish on the old lists), audits the reload for actor
// and queues the re-screening of existing customers, which replaces one
// still pending. On an error the current lists stay; lists that do not
// load give an error wrapping ErrLists, and the failed attempt is audited. The reload is this
// process's: other processes serving the same database take the new lists
// when they run a re-screening job or get their own reload (SIGHUP).
func (s *Service) Reload(ctx context.Context, actor string) (Status, error) {
	l, err := s.Source.Load()
	if err != nil {
		failed := fmt.Errorf("%w: %w", ErrLists, err)
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := audit.Append(tx, actor, AuditReloadFailed, "screening", map[string]any{"source": s.Source.String()})
			return err
		}); err != nil {
			return Status{}, errors.Join(failed, err)
		}
		return Status{}, failed
	}
	var at time.Time
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := audit.Append(tx, actor, AuditReloaded, "screening:"+l.Version(), map[string]any{
			"source": s.Source.String(), "version": l.Version(), "entries": l.Len(), "counts": l.Counts(),
		}); err != nil {
			return err
		}
		at = tx.Now
		return enqueueRescreen(tx, rescreenPayload{Version: l.Version(), Actor: actor})
	})
	if err != nil {
		return Status{}, err
	}
	s.Screener.Swap(l, at)
	st := s.Status()
	s.Logger.Info("screening lists reloaded", slog.String("version", st.Version), slog.Int("entries", st.Entries))
	return st, nil
}

// rescreenPayload is a re-screening job: the lists' version it screens
// against, the last person screened (people go in id order) and the
// running counts.
type rescreenPayload struct {
	Version  string `json:"version"`
	After    string `json:"after,omitempty"`
	Screened int    `json:"screened"`
	Hits     int    `json:"hits"`
	Actor    string `json:"actor"`
}

// enqueueRescreen queues a re-screening batch; there is at most one.
func enqueueRescreen(tx *store.Tx, p rescreenPayload) error {
	return jobs.Enqueue(tx, jobs.Job{Kind: JobRescreen, UniqueKey: JobRescreen, Payload: p})
}

// batch returns the batch size.
func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return DefaultBatch
}

// rescreenJob screens the next batch of people and queues the next one,
// or audits the totals after the last. When this process's lists are not
// the job's (another process reloaded), it reloads from the source; lists
// newer than the job's start the re-screening again from the first person.
func (s *Service) rescreenJob(ctx context.Context, payload []byte) error {
	var p rescreenPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Drop(err)
	}
	list := s.Screener.List()
	if list.Version() != p.Version {
		l, err := s.Source.Load()
		if err != nil {
			return err
		}
		s.Screener.Swap(l, s.DB.Clock.Now())
		list = l
		if l.Version() != p.Version {
			p = rescreenPayload{Version: l.Version(), Actor: p.Actor}
		}
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		next, err := s.rescreenBatch(ctx, tx, list, p)
		if err != nil {
			return err
		}
		if next.After != "" && next.Screened-p.Screened == s.batch() {
			return enqueueRescreen(tx, next)
		}
		_, err = audit.Append(tx, "system:screening", AuditRescreened, "screening:"+next.Version, map[string]any{
			"version": next.Version, "people_screened": next.Screened, "hits": next.Hits, "requested_by": next.Actor,
		})
		return err
	})
}

// liveStatus selects the orders in a live status: authorized, part-captured,
// or captured and not fully refunded (checkout's order statuses).
const liveStatus = `(status IN ('AUTHORIZED', 'PART_CAPTURED') OR (status = 'CAPTURED' AND refunded_amount < captured_amount))`

// customerOrder is one live order of a person being re-screened.
type customerOrder struct {
	id, consumer string
}

// rescreenBatch screens the next batch of people after p.After in tx and
// returns the payload advanced past them.
func (s *Service) rescreenBatch(ctx context.Context, tx *store.Tx, list *List, p rescreenPayload) (rescreenPayload, error) {
	rows, err := tx.Query(`SELECT person_id, id, consumer FROM orders
		WHERE `+liveStatus+` AND person_id IN (
			SELECT DISTINCT person_id FROM orders WHERE person_id > $1 AND `+liveStatus+` ORDER BY person_id LIMIT $2)
		ORDER BY person_id, created_at, id`, p.After, s.batch())
	if err != nil {
		return p, err
	}
	var people []string
	orders := map[string][]customerOrder{}
	for rows.Next() {
		var personID string
		var o customerOrder
		if err := rows.Scan(&personID, &o.id, &o.consumer); err != nil {
			rows.Close()
			return p, err
		}
		if len(orders[personID]) == 0 {
			people = append(people, personID)
		}
		orders[personID] = append(orders[personID], o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	for _, personID := range people {
		hit, err := s.screenPerson(tx, list, personID, orders[personID])
		if err != nil {
			return p, err
		}
		p.Screened++
		p.After = personID
		if hit == nil {
			continue
		}
		p.Hits++
		if err := raiseAlert(tx, *hit); err != nil {
			return p, err
		}
		if s.OnHit != nil {
			if err := s.OnHit(ctx, tx, *hit); err != nil {
				return p, fmt.Errorf("screening: re-screen hook: %w", err)
			}
		}
	}
	return p, nil
}

// raiseAlert opens or adds to the person's sanctions_match AML alert for
// the hit, so that AML officers see it in their queue.
func raiseAlert(tx *store.Tx, hit RescreenHit) error {
	entries := make([]aml.SanctionsEntry, 0, len(hit.Matches))
	for _, m := range hit.Matches {
		entries = append(entries, aml.SanctionsEntry{List: m.List, EntryID: m.EntryID, Score: m.Score})
	}
	return aml.RaiseSanctionsMatch(tx, hit.PersonID, hit.ListsVersion, hit.OrderIDs, entries)
}

// consumerDocument is what re-screening reads of checkout's sealed consumer
// document.
type consumerDocument struct {
	Customer struct {
		DateOfBirth string `json:"date_of_birth"`
	} `json:"customer"`
	BillingAddress struct {
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
	} `json:"billing_address"`
}

// buyerQuery opens the order's sealed consumer document under the
// person's key and returns the query screening its buyer; ok is false when
// the person was erased (the document reads as nothing).
func (s *Service) buyerQuery(tx *store.Tx, personID string, o customerOrder) (q Query, ok bool, err error) {
	raw, err := s.Vault.Open(tx, personID, person.ContextConsumer, o.consumer)
	if errors.Is(err, vault.ErrShredded) {
		return Query{}, false, nil
	}
	if err != nil {
		return Query{}, false, fmt.Errorf("screening: open order %s: %w", o.id, err)
	}
	var doc consumerDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Query{}, false, fmt.Errorf("screening: order %s: %w", o.id, err)
	}
	return ConsumerQuery(doc.BillingAddress.GivenName, doc.BillingAddress.FamilyName, doc.Customer.DateOfBirth), true, nil
}

// screenPerson screens each distinct identity (name and birth date) among
// the person's live orders and returns the hit, nil when none alerts. An
// erased person's documents read as nothing.
func (s *Service) screenPerson(tx *store.Tx, list *List, personID string, orders []customerOrder) (*RescreenHit, error) {
	hit := RescreenHit{PersonID: personID, ListsVersion: list.Version()}
	seen := map[string]bool{}
	for _, o := range orders {
		hit.OrderIDs = append(hit.OrderIDs, o.id)
		q, ok, err := s.buyerQuery(tx, personID, o)
		if err != nil {
			return nil, err
		}
		key := s.Decisions.IdentityKey(q)
		if !ok || len(Tokens(q.Name)) == 0 || seen[key] {
			continue
		}
		seen[key] = true
		kept, _, err := s.Decisions.Filter(tx, q, Alerts(list.Screen(q)))
		if err != nil {
			return nil, err
		}
		for _, m := range kept {
			hit.Matches = append(hit.Matches, m.WithoutQuery())
		}
	}
	if len(hit.Matches) == 0 {
		return nil, nil
	}
	return &hit, nil
}
