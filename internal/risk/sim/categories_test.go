package sim

import (
	"slices"
	"testing"

	shop "github.com/tillit/tillit/internal/merchant"
)

// TestCategoriesAreTheMerchants: the simulator's merchant categories are
// the ones merchants are created with, so the model's category risk applies
// to real merchants.
func TestCategoriesAreTheMerchants(t *testing.T) {
	var names []string
	for _, c := range categories {
		names = append(names, c.name)
	}
	if !slices.Equal(names, shop.Categories) {
		t.Errorf("simulator %v, merchants %v", names, shop.Categories)
	}
}
