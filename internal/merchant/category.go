package merchant

import "slices"

// Categories are what a merchant may sell, as the fraud model knows them:
// the category's fraud risk is one of its features (package
// risk/features), learned from data labelled with these names.
var Categories = []string{
	"grocery", "fashion", "beauty", "home", "sports", "electronics", "gift_cards", "travel", "furniture", "digital", "jewellery",
}

// ValidCategory reports whether c is one of Categories, or "" (not told).
func ValidCategory(c string) bool { return c == "" || slices.Contains(Categories, c) }
