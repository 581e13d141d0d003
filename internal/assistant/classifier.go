package assistant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Guess is one intent the classifier considers, with its probability.
type Guess struct {
	Intent Intent  `json:"intent"`
	Score  float64 `json:"score"`
}

// classifier is a multinomial logistic regression over the features of a
// message: its folded words (misspelt ones matched to known words), pairs
// of neighbouring words and the character 3- and 4-grams of each word.
type classifier struct {
	intents  []Intent
	features map[string]int
	// weights[f*len(intents)+k] is feature f's weight for intent k.
	weights []float64
	bias    []float64
	vocab   *vocabulary
}

// Training settings. They are fixed, and so is the shuffling seed, so that
// the same phrases always give the same model.
const (
	trainEpochs   = 30
	learningRate  = 0.5
	learningDecay = 0.15
	l2Penalty     = 1e-4
	shuffleSeed   = 20260318
	gramMin       = 3
	gramMax       = 4
)

// featureNames returns the features of a message's words.
func featureNames(ws []string, vocab *vocabulary) []string {
	corrected := make([]string, len(ws))
	for i, w := range ws {
		corrected[i] = w
		if vocab != nil {
			if c := vocab.correct(w); c != "" {
				corrected[i] = c
			}
		}
	}
	out := make([]string, 0, len(ws)*12)
	for i, w := range corrected {
		out = append(out, "w:"+w)
		if i > 0 {
			out = append(out, "b:"+corrected[i-1]+" "+w)
		}
	}
	for _, w := range ws {
		if w == numberToken || w == idToken {
			continue
		}
		r := []rune("<" + w + ">")
		for n := gramMin; n <= gramMax; n++ {
			for i := 0; i+n <= len(r); i++ {
				out = append(out, "c:"+string(r[i:i+n]))
			}
		}
	}
	return out
}

// sparse is a message's feature vector: feature indexes with one shared
// value (binary features scaled to unit length).
type sparse struct {
	index []int
	value float64
}

// vector maps feature names to the known features' indexes; with grow it
// adds unknown features (training), else it drops them.
func (c *classifier) vector(names []string, grow bool) sparse {
	seen := map[int]bool{}
	var v sparse
	for _, n := range names {
		i, ok := c.features[n]
		if !ok {
			if !grow {
				continue
			}
			i = len(c.features)
			c.features[n] = i
		}
		if !seen[i] {
			seen[i] = true
			v.index = append(v.index, i)
		}
	}
	if len(v.index) > 0 {
		v.value = 1 / math.Sqrt(float64(len(v.index)))
	}
	return v
}

// trainClassifier fits the classifier to the examples by stochastic
// gradient descent in a fixed order.
func trainClassifier(examples []Example) *classifier {
	c := &classifier{intents: Intents, features: map[string]int{}}
	phrases := make([][]string, len(examples))
	for i, e := range examples {
		phrases[i] = words(e.Text)
	}
	c.vocab = newVocabulary(phrases)
	class := map[Intent]int{}
	for k, in := range c.intents {
		class[in] = k
	}
	xs := make([]sparse, len(examples))
	ys := make([]int, len(examples))
	for i, e := range examples {
		// Training phrases are spelt as meant: no typo matching.
		xs[i] = c.vector(featureNames(phrases[i], nil), true)
		ys[i] = class[e.Intent]
	}
	k := len(c.intents)
	c.weights = make([]float64, len(c.features)*k)
	c.bias = make([]float64, k)
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(shuffleSeed, shuffleSeed))
	p := make([]float64, k)
	for epoch := 0; epoch < trainEpochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lr := learningRate / (1 + learningDecay*float64(epoch))
		for _, i := range order {
			x := xs[i]
			c.probabilities(x, p)
			for j := 0; j < k; j++ {
				g := p[j]
				if j == ys[i] {
					g--
				}
				c.bias[j] -= lr * g
				for _, f := range x.index {
					w := &c.weights[f*k+j]
					*w -= lr * (g*x.value + l2Penalty**w)
				}
			}
		}
	}
	return c
}

// probabilities writes the softmax of x's scores into p.
func (c *classifier) probabilities(x sparse, p []float64) {
	k := len(c.intents)
	copy(p, c.bias)
	for _, f := range x.index {
		row := c.weights[f*k : f*k+k]
		for j := range p {
			p[j] += row[j] * x.value
		}
	}
	top := p[0]
	for _, s := range p[1:] {
		top = max(top, s)
	}
	sum := 0.0
	for j := range p {
		p[j] = math.Exp(p[j] - top)
		sum += p[j]
	}
	for j := range p {
		p[j] /= sum
	}
}

// classify returns every intent with its probability for text, most
// likely first.
func (c *classifier) classify(text string) []Guess {
	x := c.vector(featureNames(words(text), c.vocab), false)
	p := make([]float64, len(c.intents))
	c.probabilities(x, p)
	out := make([]Guess, len(c.intents))
	for j, in := range c.intents {
		out[j] = Guess{Intent: in, Score: p[j]}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	return out
}

// String returns the guess as "intent 0.87".
func (g Guess) String() string { return fmt.Sprintf("%s %.2f", g.Intent, g.Score) }
