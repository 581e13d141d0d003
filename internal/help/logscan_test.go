package help_test

import (
	"testing"

	"github.com/tillit/tillit/internal/logscan"
)

// TestMain fails the package when its tests' logs hold a card number, CVV,
// password or one-time code (docs/testing.md).
func TestMain(m *testing.M) { logscan.Main(m) }
