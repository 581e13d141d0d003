package model

import (
	"errors"
	"math"

	"github.com/tillit/tillit/internal/risk/features"
)

// LogReg is an L2-regularised logistic regression over standardised
// features: margin = Intercept + Σ Coef[i]·(x[i]−Mean[i])/Scale[i], where x
// is the prepared feature (log(1+v) for long-tailed ones). A feature with
// Scale 0 was constant in training and is ignored.
type LogReg struct {
	Mean      []float64 `json:"mean"`
	Scale     []float64 `json:"scale"`
	Coef      []float64 `json:"coef"`
	Intercept float64   `json:"intercept"`
}

func (l *LogReg) check() error {
	if len(l.Mean) != features.N || len(l.Scale) != features.N || len(l.Coef) != features.N {
		return errors.New("fraud model: logistic regression parameters do not match the features")
	}
	return nil
}

// margin returns the log-odds; each feature's contribution is its
// coefficient times its standardised value.
func (l *LogReg) margin(x *features.Vector, contrib *features.Vector) float64 {
	z := l.Intercept
	for i := range x {
		if l.Scale[i] == 0 {
			continue
		}
		c := l.Coef[i] * (x[i] - l.Mean[i]) / l.Scale[i]
		contrib[i] = c
		z += c
	}
	return z
}

// trainLogReg fits a logistic regression on prepared features.
func trainLogReg(xs []features.Vector, y []float64, lambda float64) *LogReg {
	d := features.N
	l := &LogReg{Mean: make([]float64, d), Scale: make([]float64, d), Coef: make([]float64, d)}
	n := float64(len(xs))
	for i := range xs {
		for j := range d {
			l.Mean[j] += xs[i][j] / n
		}
	}
	for i := range xs {
		for j := range d {
			dev := xs[i][j] - l.Mean[j]
			l.Scale[j] += dev * dev / n
		}
	}
	for j := range d {
		l.Scale[j] = math.Sqrt(l.Scale[j])
		if l.Scale[j] < 1e-9 {
			l.Scale[j] = 0
		}
	}
	z := make([][]float64, len(xs))
	for i := range xs {
		z[i] = make([]float64, d)
		for j := range d {
			if l.Scale[j] > 0 {
				z[i][j] = (xs[i][j] - l.Mean[j]) / l.Scale[j]
			}
		}
	}
	w, b := fitLogistic(z, y, lambda)
	copy(l.Coef, w)
	l.Intercept = b
	return l
}

// fitLogistic minimises the mean log-loss plus lambda/2·‖w‖² (the intercept
// is not penalised) with L-BFGS, and returns the weights and intercept.
func fitLogistic(x [][]float64, y []float64, lambda float64) ([]float64, float64) {
	d := len(x[0])
	n := float64(len(x))
	// params[0:d] are the weights, params[d] the intercept.
	objective := func(params, grad []float64) float64 {
		clear(grad)
		var loss float64
		w, b := params[:d], params[d]
		for i, row := range x {
			z := b
			for j, v := range row {
				z += w[j] * v
			}
			// log(1+e^z) − y·z, computed stably.
			if z > 0 {
				loss += z + math.Log1p(math.Exp(-z)) - y[i]*z
			} else {
				loss += math.Log1p(math.Exp(z)) - y[i]*z
			}
			r := sigmoid(z) - y[i]
			for j, v := range row {
				grad[j] += r * v
			}
			grad[d] += r
		}
		loss /= n
		for j := range grad {
			grad[j] /= n
		}
		for j := range d {
			loss += lambda / 2 * w[j] * w[j]
			grad[j] += lambda * w[j]
		}
		return loss
	}
	params := lbfgs(objective, make([]float64, d+1), 500, 1e-7)
	return params[:d], params[d]
}

// lbfgs minimises f (which returns the value and fills the gradient) from
// x0 with limited-memory BFGS (10 pairs) and a backtracking Armijo line
// search, until the largest gradient component is below tol, progress
// stalls, or maxIter iterations.
func lbfgs(f func(x, grad []float64) float64, x0 []float64, maxIter int, tol float64) []float64 {
	const memory = 10
	n := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	fx := f(x, g)
	var sList, yList [][]float64
	var rho []float64
	dir := make([]float64, n)
	alpha := make([]float64, memory)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	for iter := 0; iter < maxIter; iter++ {
		if maxAbs(g) < tol {
			break
		}
		// Two-loop recursion: dir = −H·g.
		copy(dir, g)
		for k := len(sList) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * dot(sList[k], dir)
			axpy(-alpha[k], yList[k], dir)
		}
		var gamma float64 // initial Hessian scale
		if k := len(sList) - 1; k >= 0 {
			gamma = dot(sList[k], yList[k]) / dot(yList[k], yList[k])
		} else {
			gamma = 1 / math.Max(1, math.Sqrt(dot(g, g)))
		}
		for i := range dir {
			dir[i] *= gamma
		}
		for k := range sList {
			beta := rho[k] * dot(yList[k], dir)
			axpy(alpha[k]-beta, sList[k], dir)
		}
		for i := range dir {
			dir[i] = -dir[i]
		}
		slope := dot(g, dir)
		if slope >= 0 { // not a descent direction: restart from the gradient
			sList, yList, rho = nil, nil, nil
			for i := range dir {
				dir[i] = -g[i]
			}
			slope = dot(g, dir)
		}
		step := 1.0
		var fNew float64
		for tries := 0; ; tries++ {
			for i := range x {
				xNew[i] = x[i] + step*dir[i]
			}
			fNew = f(xNew, gNew)
			if fNew <= fx+1e-4*step*slope || tries == 40 {
				break
			}
			step /= 2
		}
		if fNew > fx {
			break
		}
		s := make([]float64, n)
		yv := make([]float64, n)
		for i := range x {
			s[i] = xNew[i] - x[i]
			yv[i] = gNew[i] - g[i]
		}
		if sy := dot(s, yv); sy > 1e-12 {
			if len(sList) == memory {
				sList, yList, rho = sList[1:], yList[1:], rho[1:]
			}
			sList, yList, rho = append(sList, s), append(yList, yv), append(rho, 1/sy)
		}
		improved := fx - fNew
		copy(x, xNew)
		copy(g, gNew)
		fx = fNew
		if improved <= 1e-12*math.Max(1, math.Abs(fx)) {
			break
		}
	}
	return x
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// axpy sets y += a·x.
func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}
