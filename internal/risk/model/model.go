// Package model is Tillit's learned fraud model (T1): a regularised logistic
// regression or gradient-boosted trees over the features of package
// features, trained on a labelled data set with a time-based split,
// evaluated on a later held-out period (ROC AUC, average precision,
// precision at an alert budget) and saved as a versioned JSON file that the
// server loads. A score is a probability with the factors that contributed
// most to it.
package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/tillit/tillit/internal/risk/features"
)

// Format and FormatVersion identify a model file; a file of another format
// version does not load.
const (
	Format        = "tillit-fraud-model"
	FormatVersion = 1
)

// Kinds of model.
const (
	LogisticRegression = "logreg"
	BoostedTrees       = "gbt"
)

// Model is a trained fraud model as saved to and loaded from JSON.
type Model struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	// ID identifies this model's parameters (a digest of the file with ID
	// empty): what an automated decision records as the model version.
	ID             string            `json:"id"`
	Kind           string            `json:"kind"`
	FeatureVersion int               `json:"feature_version"`
	Features       []string          `json:"features"`
	Encoding       features.Encoding `json:"encoding"`
	LogReg         *LogReg           `json:"logreg,omitempty"`
	GBT            *GBT              `json:"gbt,omitempty"`
	Training       Training          `json:"training"`
}

// Factor is one feature's share in a score.
type Factor struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"` // the feature's value for this order
	// Contribution is what the feature added to the log-odds of fraud,
	// against an average order.
	Contribution float64 `json:"contribution"`
}

// Score is the model's answer for one order.
type Score struct {
	Probability float64  `json:"probability"`
	Factors     []Factor `json:"factors"` // the largest positive contributions, largest first
}

// TopFactors is how many factors Score returns.
const TopFactors = 5

// prep maps raw features to what the models see: log(1+x) for the long
// tailed ones.
func prep(v *features.Vector, x *features.Vector) {
	for i := range v {
		if features.Specs[i].Log {
			x[i] = math.Log1p(max(v[i], 0))
		} else {
			x[i] = v[i]
		}
	}
}

// margin returns the log-odds of fraud and fills contrib with each
// feature's contribution.
func (m *Model) margin(v *features.Vector, contrib *features.Vector) float64 {
	var x features.Vector
	prep(v, &x)
	if m.GBT != nil {
		return m.GBT.margin(&x, contrib)
	}
	return m.LogReg.margin(&x, contrib)
}

// Probability returns the probability of fraud for a feature vector.
func (m *Model) Probability(v *features.Vector) float64 {
	var contrib features.Vector
	return sigmoid(m.margin(v, &contrib))
}

// Score returns the probability of fraud and the TopFactors features that
// pushed it up most.
func (m *Model) Score(v *features.Vector) Score {
	var contrib features.Vector
	s := Score{Probability: sigmoid(m.margin(v, &contrib))}
	var idx [features.N]int
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx[:], func(a, b int) int {
		if contrib[a] != contrib[b] {
			if contrib[a] > contrib[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	for _, i := range idx[:TopFactors] {
		if contrib[i] <= 0 {
			break
		}
		s.Factors = append(s.Factors, Factor{Feature: features.Specs[i].Name, Value: v[i], Contribution: contrib[i]})
	}
	return s
}

// ScoreOrder computes an order's features from its history (see
// features.Compute) with the model's category encoding, and scores them.
func (m *Model) ScoreOrder(tx features.Tx, related []features.Tx, term features.TerminalStats) Score {
	v := features.Compute(tx, related, term, &m.Encoding)
	return m.Score(&v)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Save writes the model as JSON on one line.
func (m *Model) Save(w io.Writer) error {
	return json.NewEncoder(w).Encode(m)
}

// SaveFile writes the model to a file.
func (m *Model) SaveFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// digest returns the hex SHA-256 prefix of the model's JSON with ID empty.
func (m *Model) digest() string {
	c := *m
	c.ID = ""
	b, err := json.Marshal(&c)
	if err != nil {
		panic(err) // a Model always marshals
	}
	sum := sha256.Sum256(b)
	return m.Kind + "-" + hex.EncodeToString(sum[:6])
}

// Load reads a model and checks that it fits this build: format, format
// version, feature version and feature names, parameter sizes, and its ID.
func Load(r io.Reader) (*Model, error) {
	var m Model
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("fraud model: %w", err)
	}
	if m.Format != Format || m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("fraud model: format %q version %d, want %q version %d", m.Format, m.FormatVersion, Format, FormatVersion)
	}
	if m.FeatureVersion != features.Version || !slices.Equal(m.Features, features.Names()) {
		return nil, fmt.Errorf("fraud model: trained on feature version %d, this build computes version %d", m.FeatureVersion, features.Version)
	}
	switch {
	case m.Kind == LogisticRegression && m.LogReg != nil && m.GBT == nil:
		if err := m.LogReg.check(); err != nil {
			return nil, err
		}
	case m.Kind == BoostedTrees && m.GBT != nil && m.LogReg == nil:
		if err := m.GBT.check(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("fraud model: kind %q without its parameters", m.Kind)
	}
	if m.ID != m.digest() {
		return nil, errors.New("fraud model: the id does not match the parameters (file edited by hand?)")
	}
	return &m, nil
}

// LoadFile reads a model file.
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Load(f)
}
