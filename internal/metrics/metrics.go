// Package metrics keeps the process's counters and latency histograms and
// writes them in the Prometheus text exposition format for /metrics.
package metrics

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// buckets are the latency histogram's upper bounds in seconds.
var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// Registry holds HTTP request metrics and named counters.
type Registry struct {
	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[string]*histogram
	counters map[string]uint64
}

type requestKey struct {
	route  string
	status int
}

type histogram struct {
	counts []uint64
	sum    float64
	total  uint64
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{requests: map[requestKey]uint64{}, latency: map[string]*histogram{}, counters: map[string]uint64{}}
}

// ObserveRequest counts one HTTP request to a route pattern and records its duration.
func (r *Registry) ObserveRequest(route string, status int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[requestKey{route, status}]++
	h := r.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		r.latency[route] = h
	}
	s := d.Seconds()
	for i, b := range buckets {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.total++
}

// Inc adds one to a named counter (a metric name with no labels).
func (r *Registry) Inc(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters[name]++
}

// WriteTo writes every metric in the Prometheus text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP tillit_http_requests_total HTTP requests by route and status.\n# TYPE tillit_http_requests_total counter\n")
	keys := make([]requestKey, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "tillit_http_requests_total{route=%q,status=\"%d\"} %d\n", k.route, k.status, r.requests[k])
	}
	b.WriteString("# HELP tillit_http_request_duration_seconds HTTP request latency by route.\n# TYPE tillit_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(r.latency))
	for route := range r.latency {
		routes = append(routes, route)
	}
	sort.Strings(routes)
	for _, route := range routes {
		h := r.latency[route]
		for i, le := range buckets {
			fmt.Fprintf(&b, "tillit_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", route, strconv.FormatFloat(le, 'g', -1, 64), h.counts[i])
		}
		fmt.Fprintf(&b, "tillit_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, h.total)
		fmt.Fprintf(&b, "tillit_http_request_duration_seconds_sum{route=%q} %g\n", route, h.sum)
		fmt.Fprintf(&b, "tillit_http_request_duration_seconds_count{route=%q} %d\n", route, h.total)
	}
	names := make([]string, 0, len(r.counters))
	for n := range r.counters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "# TYPE %s counter\n%s %d\n", n, n, r.counters[n])
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}
