package demoshop

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/store"
)

// The demo merchant and the accounts Seed creates.
const (
	// MerchantName is the demo merchant's name, shown at checkout.
	MerchantName = "Demo Shop"
	// SettlementCurrency is the demo merchant's settlement currency.
	SettlementCurrency = "DKK"
	// Actor is who Seed creates the accounts as, in the audit log.
	Actor = "demo"
	// EmailDomain is the domain of the demo accounts' e-mail addresses; .test
	// is reserved (RFC 2606), so nothing is ever delivered there.
	EmailDomain = "demo.tillit.test"

	ownerName = "Demo Shop owner"
	adminName = "Demo admin"
)

// Demo is what Seed created, for the command line to print once: nothing
// else shows the passwords, and Tillit keeps only their hashes.
type Demo struct {
	// Merchant is the demo shop, a merchant in test mode.
	Merchant merchant.Merchant `json:"merchant"`
	// APICredentials are the merchant's Payments and Order Management API
	// credentials (HTTP Basic) and webhook signing secret.
	APICredentials merchant.Credentials `json:"api_credentials"`
	// MerchantPortal is the sign-in of the merchant's owner in the merchant
	// portal.
	MerchantPortal SignIn `json:"merchant_portal"`
	// BackOffice is the sign-in of a staff admin in the back office.
	BackOffice SignIn `json:"back_office"`
	// TestOTP is the one-time code the demo merchant's checkout accepts.
	TestOTP string `json:"test_otp"`
}

// SignIn is an account's e-mail address and password, and the path of the
// pages it signs in to.
type SignIn struct {
	Path     string `json:"path"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Seed creates a demo: a test-mode merchant named MerchantName that settles
// in DKK, with API credentials; an owner of that merchant in the merchant
// portal; and an admin in the back office. Each account gets a fresh random
// password and an e-mail address unique to this call (owner-<random>@ and
// admin-<random>@EmailDomain), so every call makes new ones. The accounts are
// created as Actor, and audited.
//
// Seed is for demo mode only, never for production: the passwords it returns
// are meant to be printed where anyone at the terminal can read them. The
// three are created one after the other, so a failure part-way leaves the
// ones made before it.
func Seed(ctx context.Context, db *store.DB, accounts *account.Service) (Demo, error) {
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: MerchantName, TestMode: true, SettlementCurrency: SettlementCurrency})
	if err != nil {
		return Demo{}, err
	}
	m, err := merchant.Get(ctx, db, creds.MerchantID)
	if err != nil {
		return Demo{}, err
	}
	tag := randomString(8)
	owner, err := newSignIn(portalPrefix, "owner-"+tag+"@"+EmailDomain, ownerName)
	if err != nil {
		return Demo{}, err
	}
	if _, err := accounts.CreateMerchantUser(ctx, Actor, account.NewMerchantUser{
		MerchantID: m.ID, Email: owner.Email, Name: ownerName, Role: account.MerchantOwner, Password: owner.Password,
	}); err != nil {
		return Demo{}, err
	}
	admin, err := newSignIn(staffPrefix, "admin-"+tag+"@"+EmailDomain, adminName)
	if err != nil {
		return Demo{}, err
	}
	if _, err := accounts.CreateStaff(ctx, Actor, account.NewStaff{
		Email: admin.Email, Name: adminName, Role: account.RoleAdmin, Password: admin.Password,
	}); err != nil {
		return Demo{}, err
	}
	return Demo{Merchant: m, APICredentials: creds, MerchantPortal: owner, BackOffice: admin, TestOTP: checkout.TestOTP}, nil
}

// newSignIn returns a sign-in for email with a random password that passes
// the password rules for that address and name.
func newSignIn(path, email, name string) (SignIn, error) {
	// A random password fails the rules only by a freak of chance (a run of
	// few different letters, or the address inside it); draw again then.
	for range 10 {
		pw := randomPassword()
		if password.Check(pw, email, name) == nil {
			return SignIn{Path: path, Email: email, Password: pw}, nil
		}
	}
	return SignIn{}, errors.New("demoshop: could not draw a password that passes the rules")
}

// alphabet is what random strings are drawn from: lower-case letters and
// digits without l, o, 0 and 1, which are easy to mistake for each other.
// It has 32 characters, so a random byte modulo 32 picks one uniformly.
const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// randomString returns n characters of alphabet from crypto/rand, 5 bits of
// entropy each.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("demoshop: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[b[i]%byte(len(alphabet))]
	}
	return string(b)
}

// randomPassword returns four groups of five random characters joined by
// hyphens (100 bits of entropy), easy to type from a terminal.
func randomPassword() string {
	groups := make([]string, 4)
	for i := range groups {
		groups[i] = randomString(5)
	}
	return strings.Join(groups, "-")
}
