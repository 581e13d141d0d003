package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tillit/tillit/internal/risk/features"
)

// GBT is an ensemble of depth-limited regression trees boosted on the
// logistic loss: margin = Base + Σ tree outputs. Every node carries the
// value it would predict as a leaf, so a prediction is attributed to
// features along its path (each split's feature gets the change in value it
// caused: Saabas' method), and the contributions plus the expected value
// sum to the margin exactly.
type GBT struct {
	Base  float64 `json:"base"`
	Trees []Tree  `json:"trees"`
}

// Tree is one regression tree; Nodes[0] is the root.
type Tree struct {
	Nodes []Node `json:"nodes"`
}

// Node is a split (Feature ≥ 0: go Left when x[Feature] <= Threshold, else
// Right) or a leaf (Feature −1). Value is the node's output, learning rate
// applied.
type Node struct {
	Feature   int     `json:"f"`
	Threshold float64 `json:"t,omitempty"`
	Left      int     `json:"l,omitempty"`
	Right     int     `json:"r,omitempty"`
	Value     float64 `json:"v"`
}

func (g *GBT) check() error {
	for _, t := range g.Trees {
		if len(t.Nodes) == 0 {
			return errors.New("fraud model: empty tree")
		}
		for i, n := range t.Nodes {
			if n.Feature < 0 {
				continue
			}
			if n.Feature >= features.N || n.Left <= i || n.Right <= i || n.Left >= len(t.Nodes) || n.Right >= len(t.Nodes) {
				return errors.New("fraud model: malformed tree")
			}
		}
	}
	return nil
}

// margin returns the log-odds with per-feature path contributions.
func (g *GBT) margin(x *features.Vector, contrib *features.Vector) float64 {
	z := g.Base
	for ti := range g.Trees {
		nodes := g.Trees[ti].Nodes
		n := &nodes[0]
		z += n.Value
		for n.Feature >= 0 {
			next := &nodes[n.Right]
			if x[n.Feature] <= n.Threshold {
				next = &nodes[n.Left]
			}
			contrib[n.Feature] += next.Value - n.Value
			z += next.Value - n.Value
			n = next
		}
	}
	return z
}

// GBTOptions are the boosting parameters.
type GBTOptions struct {
	Trees          int     `json:"trees"`
	Depth          int     `json:"depth"`
	LearningRate   float64 `json:"learning_rate"`
	L2             float64 `json:"l2"`               // on leaf values
	MinChildWeight float64 `json:"min_child_weight"` // least hessian sum in a child
	MaxLeaf        float64 `json:"max_leaf"`         // leaf values are clipped to ±MaxLeaf before the learning rate
	Subsample      float64 `json:"subsample"`        // share of rows each tree sees
	Bins           int     `json:"bins"`             // candidate thresholds per feature (at most 255)
}

// binned holds training rows as bin numbers: bin b of feature f holds the
// values in (edges[f][b-1], edges[f][b]].
type binned struct {
	edges [][]float64
	bins  []uint8 // row-major, rows × features.N
}

// binRows picks up to maxBins quantile edges per feature and bins the rows.
func binRows(xs []features.Vector, maxBins int) *binned {
	b := &binned{edges: make([][]float64, features.N), bins: make([]uint8, len(xs)*features.N)}
	step := max(1, len(xs)/20000)
	col := make([]float64, 0, len(xs)/step+1)
	for f := range features.N {
		col = col[:0]
		for i := 0; i < len(xs); i += step {
			col = append(col, xs[i][f])
		}
		slices.Sort(col)
		var edges []float64
		for k := 1; k <= maxBins; k++ {
			e := col[min(len(col)-1, k*len(col)/maxBins)]
			if k == maxBins {
				e = col[len(col)-1]
			}
			if len(edges) == 0 || e > edges[len(edges)-1] {
				edges = append(edges, e)
			}
		}
		b.edges[f] = edges
		for i := range xs {
			k, _ := slices.BinarySearch(edges, xs[i][f])
			b.bins[i*features.N+f] = uint8(min(k, len(edges)-1))
		}
	}
	return b
}

// trainGBT boosts trees on prepared features.
func trainGBT(xs []features.Vector, y []float64, o GBTOptions, seed uint64) *GBT {
	n := len(xs)
	var pos float64
	for _, v := range y {
		pos += v
	}
	prior := math.Max(pos, 1) / float64(n)
	g := &GBT{Base: math.Log(prior / (1 - prior))}
	b := binRows(xs, min(o.Bins, 255))
	f := make([]float64, n) // current margins
	for i := range f {
		f[i] = g.Base
	}
	grad := make([]float64, n)
	hess := make([]float64, n)
	rows := make([]int, 0, n)
	r := rand.New(rand.NewPCG(seed, 0x9b7))
	tb := &treeBuilder{b: b, grad: grad, hess: hess, o: o, width: min(o.Bins, 255)}
	for range o.Trees {
		for i := range n {
			p := sigmoid(f[i])
			grad[i] = p - y[i]
			hess[i] = math.Max(p*(1-p), 1e-6)
		}
		rows = rows[:0]
		for i := range n {
			if r.Float64() < o.Subsample {
				rows = append(rows, i)
			}
		}
		t := tb.build(rows)
		g.Trees = append(g.Trees, t)
		one := GBT{Trees: []Tree{t}}
		var scratch features.Vector
		for i := range n {
			f[i] += one.margin(&xs[i], &scratch)
		}
	}
	return g
}

// treeBuilder grows one tree from histograms of gradient and hessian sums.
// A node's histogram holds, per feature and bin, the sums of gradient and
// hessian (interleaved) over its rows. Only the smaller child's histogram is
// built from rows; the larger one's is the parent's minus it.
type treeBuilder struct {
	b          *binned
	grad, hess []float64
	o          GBTOptions
	width      int // bins per feature in a histogram
	nodes      []Node
	free       [][]float64 // spare histogram buffers
}

func (tb *treeBuilder) build(rows []int) Tree {
	tb.nodes = nil
	hist := tb.histogram(rows)
	tb.grow(rows, 0, hist)
	tb.release(hist)
	return Tree{Nodes: tb.nodes}
}

// histogram builds the histogram of rows in a buffer from the free list.
func (tb *treeBuilder) histogram(rows []int) []float64 {
	var h []float64
	if n := len(tb.free); n > 0 {
		h, tb.free = tb.free[n-1], tb.free[:n-1]
		clear(h)
	} else {
		h = make([]float64, 2*features.N*tb.width)
	}
	bins := tb.b.bins
	for _, i := range rows {
		row := bins[i*features.N : (i+1)*features.N]
		gi, hi := tb.grad[i], tb.hess[i]
		for f, k := range row {
			at := 2 * (f*tb.width + int(k))
			h[at] += gi
			h[at+1] += hi
		}
	}
	return h
}

func (tb *treeBuilder) release(h []float64) { tb.free = append(tb.free, h) }

// leafValue is the Newton step for a node, clipped and scaled.
func (tb *treeBuilder) leafValue(g, h float64) float64 {
	v := -g / (h + tb.o.L2)
	v = math.Max(-tb.o.MaxLeaf, math.Min(tb.o.MaxLeaf, v))
	return v * tb.o.LearningRate
}

// grow adds the node for rows, whose histogram is hist, and its subtree,
// and returns the node's index. It may overwrite hist.
func (tb *treeBuilder) grow(rows []int, depth int, hist []float64) int {
	var G, H float64
	for _, i := range rows {
		G += tb.grad[i]
		H += tb.hess[i]
	}
	idx := len(tb.nodes)
	tb.nodes = append(tb.nodes, Node{Feature: -1, Value: tb.leafValue(G, H)})
	if depth >= tb.o.Depth || H < 2*tb.o.MinChildWeight {
		return idx
	}
	parent := G * G / (H + tb.o.L2)
	bestGain, bestF, bestK := 1e-9, -1, 0
	for f := range features.N {
		var gl, hl float64
		base := 2 * f * tb.width
		for k := 0; k < len(tb.b.edges[f])-1; k++ {
			gl += hist[base+2*k]
			hl += hist[base+2*k+1]
			gr, hr := G-gl, H-hl
			if hl < tb.o.MinChildWeight || hr < tb.o.MinChildWeight {
				continue
			}
			gain := gl*gl/(hl+tb.o.L2) + gr*gr/(hr+tb.o.L2) - parent
			if gain > bestGain {
				bestGain, bestF, bestK = gain, f, k
			}
		}
	}
	if bestF < 0 {
		return idx
	}
	// Partition rows in place: bins <= bestK first.
	bins := tb.b.bins
	lo, hi := 0, len(rows)
	for lo < hi {
		if int(bins[rows[lo]*features.N+bestF]) <= bestK {
			lo++
		} else {
			hi--
			rows[lo], rows[hi] = rows[hi], rows[lo]
		}
	}
	leftRows, rightRows := rows[:lo], rows[lo:]
	var leftHist, rightHist []float64
	if len(leftRows) <= len(rightRows) {
		leftHist, rightHist = tb.histogram(leftRows), hist
		subtract(rightHist, leftHist)
	} else {
		leftHist, rightHist = hist, tb.histogram(rightRows)
		subtract(leftHist, rightHist)
	}
	left := tb.grow(leftRows, depth+1, leftHist)
	right := tb.grow(rightRows, depth+1, rightHist)
	if len(leftRows) <= len(rightRows) {
		tb.release(leftHist)
	} else {
		tb.release(rightHist)
	}
	tb.nodes[idx].Feature = bestF
	tb.nodes[idx].Threshold = tb.b.edges[bestF][bestK]
	tb.nodes[idx].Left = left
	tb.nodes[idx].Right = right
	return idx
}

// subtract sets a -= b.
func subtract(a, b []float64) {
	for i := range a {
		a[i] -= b[i]
	}
}
