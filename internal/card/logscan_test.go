package card_test

import (
	"testing"

	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/logscan"
)

// TestMain fails the package when its tests' logs hold a card number, CVV,
// password or one-time code (docs/testing.md).
func TestMain(m *testing.M) { logscan.Main(m) }

// TestTheLogScanKnowsTheTestBIN: the scan recognises card numbers no test
// registered by the BIN the tests' cards are issued with.
func TestTheLogScanKnowsTheTestBIN(t *testing.T) {
	if logscan.TestBIN != card.DefaultBIN {
		t.Fatalf("logscan.TestBIN %s, card.DefaultBIN %s", logscan.TestBIN, card.DefaultBIN)
	}
}
