package account

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/store"
)

// MerchantRole is what a merchant user may do in the merchant portal.
type MerchantRole string

// Merchant user roles.
const (
	// MerchantOwner may do everything, including managing the merchant's
	// users and API credentials.
	MerchantOwner MerchantRole = "owner"
	// MerchantAdmin may manage orders (capture, refund, cancel) and settings.
	MerchantAdmin MerchantRole = "admin"
	// MerchantViewer may only look.
	MerchantViewer MerchantRole = "viewer"
)

// MerchantRoles lists every merchant user role.
var MerchantRoles = []MerchantRole{MerchantOwner, MerchantAdmin, MerchantViewer}

// ParseMerchantRole returns the merchant user role named s
// (case-insensitive). Errors: BAD_VALUE.
func ParseMerchantRole(s string) (MerchantRole, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, r := range MerchantRoles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", apperr.BadField("role", "must be one of owner, admin, viewer")
}

// MerchantUser is a person with access to one merchant's portal. Their
// e-mail address is unique across all merchants.
type MerchantUser struct {
	ID           string       `json:"id"`
	MerchantID   string       `json:"merchant_id"`
	Email        string       `json:"email"`
	Name         string       `json:"name"`
	Role         MerchantRole `json:"role"`
	CreatedAt    time.Time    `json:"created_at"`
	LastSignInAt *time.Time   `json:"last_sign_in_at,omitempty"`
	DisabledAt   *time.Time   `json:"disabled_at,omitempty"`
}

// NewMerchantUser describes a merchant user to create.
type NewMerchantUser struct {
	MerchantID string
	Email      string
	Name       string
	Role       MerchantRole
	Password   string
}

// CreateMerchantUser creates a user of a merchant's portal. actor is who
// creates them for the audit log ("cli", "staff:<id>" or
// "merchant_user:<id>"). The e-mail address is stored lower-cased and must not
// be used by any merchant's user. Errors: NOT_FOUND (no such merchant),
// BAD_VALUE (e-mail address, name, role, password too weak or address taken).
func (s *Service) CreateMerchantUser(ctx context.Context, actor string, n NewMerchantUser) (MerchantUser, error) {
	email, err := validEmail(n.Email)
	if err != nil {
		return MerchantUser{}, err
	}
	name, err := validName(n.Name)
	if err != nil {
		return MerchantUser{}, err
	}
	role, err := ParseMerchantRole(string(n.Role))
	if err != nil {
		return MerchantUser{}, err
	}
	if err := checkNewPassword(n.Password, email, name); err != nil {
		return MerchantUser{}, err
	}
	hash, err := password.Hash(n.Password, s.Config.Password)
	if err != nil {
		return MerchantUser{}, err
	}
	u := MerchantUser{ID: ids.New(), MerchantID: n.MerchantID, Email: email, Name: name, Role: role}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		u.CreatedAt = tx.Now
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM merchants WHERE id = $1`, u.MerchantID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No such merchant.")
		} else if err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO merchant_users (id, merchant_id, email, name, role, password_hash, created_at, password_set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
			u.ID, u.MerchantID, u.Email, u.Name, string(u.Role), hash, store.Micros(tx.Now))
		if store.IsUniqueViolation(err) {
			return apperr.BadField("email", "is already used by a merchant user")
		}
		if err != nil {
			return err
		}
		_, err = audit.Append(tx, actor, "merchant_user.created", u.ID, map[string]string{"merchant_id": u.MerchantID, "role": string(u.Role)})
		return err
	})
	if err != nil {
		return MerchantUser{}, err
	}
	return u, nil
}

// AuthenticateMerchantUser checks a merchant user's e-mail address and
// password and returns the user, with the same throttling, auditing and
// answers as AuthenticateStaff. Errors: UNAUTHORIZED, TOO_MANY_REQUESTS.
func (s *Service) AuthenticateMerchantUser(ctx context.Context, email, pw string) (MerchantUser, error) {
	id, err := s.signIn(ctx, merchantUserAccounts, email, pw)
	if err != nil {
		return MerchantUser{}, err
	}
	return s.GetMerchantUser(ctx, id)
}

const merchantUserColumns = `id, merchant_id, email, name, role, created_at, last_sign_in_at, disabled_at`

// scanMerchantUser reads a row of merchantUserColumns.
func scanMerchantUser(row interface{ Scan(...any) error }) (MerchantUser, error) {
	var (
		u                MerchantUser
		role             string
		created          int64
		signIn, disabled *int64
	)
	if err := row.Scan(&u.ID, &u.MerchantID, &u.Email, &u.Name, &role, &created, &signIn, &disabled); err != nil {
		return MerchantUser{}, err
	}
	u.Role, u.CreatedAt, u.LastSignInAt, u.DisabledAt = MerchantRole(role), store.FromMicros(created), timePtr(signIn), timePtr(disabled)
	return u, nil
}

// GetMerchantUser returns a merchant user by id. Errors: NOT_FOUND.
func (s *Service) GetMerchantUser(ctx context.Context, id string) (MerchantUser, error) {
	var u MerchantUser
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = scanMerchantUser(tx.QueryRow(`SELECT `+merchantUserColumns+` FROM merchant_users WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return MerchantUser{}, apperr.New(apperr.NotFound, "No such merchant user.")
	}
	return u, err
}

// ListMerchantUsers returns a merchant's users, disabled ones included,
// ordered by e-mail address.
func (s *Service) ListMerchantUsers(ctx context.Context, merchantID string) ([]MerchantUser, error) {
	var out []MerchantUser
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []MerchantUser{}
		rows, err := tx.Query(`SELECT `+merchantUserColumns+` FROM merchant_users WHERE merchant_id = $1 ORDER BY email`, merchantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanMerchantUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// MerchantContacts returns the e-mail addresses of a merchant's active
// owners and admins, in order: the people told about disputes, returns
// and stop requests.
func MerchantContacts(tx *store.Tx, merchantID string) ([]string, error) {
	rows, err := tx.Query(`SELECT email FROM merchant_users WHERE merchant_id = $1 AND disabled_at IS NULL AND role IN ($2, $3) ORDER BY email`,
		merchantID, string(MerchantOwner), string(MerchantAdmin))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var to []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		to = append(to, e)
	}
	return to, rows.Err()
}

// DisableMerchantUser stops a merchant user from signing in and ends their
// sessions. actor is audited as in CreateMerchantUser. Errors: NOT_FOUND (no
// such user, or already disabled).
func (s *Service) DisableMerchantUser(ctx context.Context, actor, id string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		return disable(tx, merchantUserAccounts, KindMerchant, actor, id)
	})
}
