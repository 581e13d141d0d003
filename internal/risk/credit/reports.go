package credit

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// Bureau reports are kept (table credit_bureau_reports) so that a person is
// asked about once per Config.BureauCacheFor, however often they buy. A
// report is found by its subject key: a hash of the keyed identity, the date
// of birth and the country, so a different date of birth given with the
// same address is another subject. consumer_key is the keyed identity
// itself, by which the rows about a person are found (persons.consumer_key)
// for an access extract, an erasure or the person's retirement.

// subjectKey is the key of a subject's stored report.
func subjectKey(s Subject) string {
	sum := sha256.Sum256([]byte("credit-subject\x00" + s.IdentityKey + "\x00" + s.DateOfBirth + "\x00" + s.Country))
	return hex.EncodeToString(sum[:])
}

// storedReport returns the subject's report fetched at or after since.
func storedReport(tx *store.Tx, s Subject, since time.Time) (Report, bool, error) {
	var r Report
	err := tx.QueryRow(`SELECT bureau, score, band, remarks, reference FROM credit_bureau_reports WHERE subject_key = $1 AND fetched_at >= $2`,
		subjectKey(s), store.Micros(since)).Scan(&r.Bureau, &r.Score, &r.Band, &r.Remarks, &r.Reference)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, false, nil
	}
	return r, err == nil, err
}

// storeReport keeps the subject's report, replacing an older one.
func storeReport(tx *store.Tx, s Subject, r Report) error {
	_, err := tx.Exec(`INSERT INTO credit_bureau_reports (subject_key, consumer_key, bureau, score, band, remarks, reference, fetched_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (subject_key) DO UPDATE SET consumer_key = excluded.consumer_key, bureau = excluded.bureau, score = excluded.score,
		band = excluded.band, remarks = excluded.remarks, reference = excluded.reference, fetched_at = excluded.fetched_at`,
		subjectKey(s), s.IdentityKey, r.Bureau, r.Score, r.Band, r.Remarks, r.Reference, store.Micros(tx.Now))
	return err
}

// PurgeReports deletes the reports fetched before cutoff (they would be
// asked for again anyway) and returns how many went.
func PurgeReports(tx *store.Tx, cutoff time.Time) (int64, error) {
	res, err := tx.Exec(`DELETE FROM credit_bureau_reports WHERE fetched_at < $1`, store.Micros(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
