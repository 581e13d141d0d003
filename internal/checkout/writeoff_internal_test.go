package checkout

import (
	"testing"

	"github.com/tillit/tillit/internal/money"
)

func TestVATShareRoundsHalfUpWithoutOverflow(t *testing.T) {
	for _, c := range []struct{ tax, part, whole, want int64 }{
		{2000, 10000, 10000, 2000},
		{2000, 6000, 10000, 1200},
		{2000, 3333, 9999, 667}, // 666.67
		{1, 1, 2, 1},            // 0.5 rounds up
		{1, 1, 3, 0},            // 0.33
		{3, 1, 2, 2},            // 1.5 rounds up
		{0, 5000, 10000, 0},     // no VAT
		{2000, 0, 10000, 0},     // nothing returned
		{money.MaxAmount / 5, money.MaxAmount - 1, money.MaxAmount, money.MaxAmount / 5}, // 2e12 - 0.2
		{money.MaxAmount, money.MaxAmount, money.MaxAmount, money.MaxAmount},
		{1<<62 + 1, 1<<62 - 1, 1 << 62, 1 << 62}, // 2^124 - 1 over 2^62: 2^62 - 2^-62
	} {
		got, err := vatShare(c.tax, c.part, c.whole)
		if err != nil || got != c.want {
			t.Errorf("vatShare(%d, %d, %d) = %d, %v; want %d", c.tax, c.part, c.whole, got, err, c.want)
		}
	}
	if _, err := vatShare(10, 11, 10); err == nil {
		t.Error("a part larger than the whole was accepted")
	}
}
