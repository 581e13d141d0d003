// Package shipped embeds the fraud model Tillit ships: gradient-boosted
// trees trained on simulated data by scripts/train-risk-model, evaluated in
// docs/risk-model.md. The server loads it with Load and needs no model file.
package shipped

import (
	"bytes"
	_ "embed"

	"github.com/tillit/tillit/internal/risk/model"
)

//go:embed fraud-model.json
var file []byte

// Load returns the shipped model.
func Load() (*model.Model, error) {
	return model.Load(bytes.NewReader(file))
}
