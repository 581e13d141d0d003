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

// Role is what a member of staff may do in the back office.
type Role string

// Staff roles.
const (
	RoleCustomerService Role = "customer_service"
	RoleSecurityAnalyst Role = "security_analyst"
	RoleAMLOfficer      Role = "aml_officer"
	RoleDisputeHandler  Role = "dispute_handler"
	RoleDataProtection  Role = "data_protection"
	RoleRiskAnalyst     Role = "risk_analyst"
	RoleAdmin           Role = "admin"
	// RoleCustomerRepresentative is the independent customer representative:
	// tier 2 of complaints handling, outside customer service.
	RoleCustomerRepresentative Role = "customer_representative"
)

// Roles lists every staff role.
var Roles = []Role{RoleCustomerService, RoleSecurityAnalyst, RoleAMLOfficer, RoleDisputeHandler, RoleDataProtection, RoleRiskAnalyst, RoleAdmin, RoleCustomerRepresentative}

// ParseRole returns the staff role named s (case-insensitive). Errors:
// BAD_VALUE.
func ParseRole(s string) (Role, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return "", apperr.BadField("role", "must be one of %s", strings.Join(names, ", "))
}

// Staff is a member of staff with access to the back office.
type Staff struct {
	ID           string     `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	CreatedAt    time.Time  `json:"created_at"`
	LastSignInAt *time.Time `json:"last_sign_in_at,omitempty"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
}

// NewStaff describes a member of staff to create.
type NewStaff struct {
	Email    string
	Name     string
	Role     Role
	Password string
}

// CreateStaff creates a member of staff. actor is who creates them for the
// audit log ("cli" from the command line, "staff:<id>" for an admin in the
// back office). The e-mail address is stored lower-cased and must be unused.
// Errors: BAD_VALUE (e-mail address, name, role, password too weak or
// address taken).
func (s *Service) CreateStaff(ctx context.Context, actor string, n NewStaff) (Staff, error) {
	email, err := validEmail(n.Email)
	if err != nil {
		return Staff{}, err
	}
	name, err := validName(n.Name)
	if err != nil {
		return Staff{}, err
	}
	role, err := ParseRole(string(n.Role))
	if err != nil {
		return Staff{}, err
	}
	if err := checkNewPassword(n.Password, email, name); err != nil {
		return Staff{}, err
	}
	hash, err := password.Hash(n.Password, s.Config.Password)
	if err != nil {
		return Staff{}, err
	}
	st := Staff{ID: ids.New(), Email: email, Name: name, Role: role}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		st.CreatedAt = tx.Now
		_, err := tx.Exec(`INSERT INTO staff_users (id, email, name, role, password_hash, created_at, password_set_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			st.ID, st.Email, st.Name, string(st.Role), hash, store.Micros(tx.Now))
		if store.IsUniqueViolation(err) {
			return apperr.BadField("email", "is already used by another member of staff")
		}
		if err != nil {
			return err
		}
		_, err = audit.Append(tx, actor, "staff.created", st.ID, map[string]string{"role": string(st.Role)})
		return err
	})
	if err != nil {
		return Staff{}, err
	}
	return st, nil
}

// AuthenticateStaff checks a member of staff's e-mail address and password
// (the first factor; see the package documentation) and returns them. Attempts
// are limited per address by Config.SignIn and audited. A disabled account,
// an unknown address and a wrong password get the same answer. Errors:
// UNAUTHORIZED, TOO_MANY_REQUESTS.
func (s *Service) AuthenticateStaff(ctx context.Context, email, pw string) (Staff, error) {
	id, err := s.signIn(ctx, staffAccounts, email, pw)
	if err != nil {
		return Staff{}, err
	}
	return s.GetStaff(ctx, id)
}

const staffColumns = `id, email, name, role, created_at, last_sign_in_at, disabled_at`

// scanStaff reads a row of staffColumns.
func scanStaff(row interface{ Scan(...any) error }) (Staff, error) {
	var (
		st               Staff
		role             string
		created          int64
		signIn, disabled *int64
	)
	if err := row.Scan(&st.ID, &st.Email, &st.Name, &role, &created, &signIn, &disabled); err != nil {
		return Staff{}, err
	}
	st.Role, st.CreatedAt, st.LastSignInAt, st.DisabledAt = Role(role), store.FromMicros(created), timePtr(signIn), timePtr(disabled)
	return st, nil
}

// GetStaff returns a member of staff by id. Errors: NOT_FOUND.
func (s *Service) GetStaff(ctx context.Context, id string) (Staff, error) {
	var st Staff
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		st, err = scanStaff(tx.QueryRow(`SELECT `+staffColumns+` FROM staff_users WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Staff{}, apperr.New(apperr.NotFound, "No such member of staff.")
	}
	return st, err
}

// ListStaff returns every member of staff, disabled ones included, ordered by
// e-mail address.
func (s *Service) ListStaff(ctx context.Context) ([]Staff, error) {
	var out []Staff
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []Staff{}
		rows, err := tx.Query(`SELECT ` + staffColumns + ` FROM staff_users ORDER BY email`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			st, err := scanStaff(rows)
			if err != nil {
				return err
			}
			out = append(out, st)
		}
		return rows.Err()
	})
	return out, err
}

// DisableStaff stops a member of staff from signing in and ends their
// sessions. actor is audited as in CreateStaff. Errors: NOT_FOUND (no such
// member of staff, or already disabled).
func (s *Service) DisableStaff(ctx context.Context, actor, id string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		return disable(tx, staffAccounts, KindStaff, actor, id)
	})
}
