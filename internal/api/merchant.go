package api

import (
	"net/http"

	"github.com/tillit/tillit/internal/merchant"
)

type merchantKey struct{}

// currentMerchant returns the merchant the gate authenticated.
func currentMerchant(r *http.Request) merchant.Merchant {
	m, _ := r.Context().Value(merchantKey{}).(merchant.Merchant)
	return m
}
