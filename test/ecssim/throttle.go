package ecssim

import (
	"sort"
	"sync"
	"time"
)

// throttler is a token bucket per (region, action), like ECS flow control
// which limits each API per region and account (aliyun-api.md §5.5). A rule
// for "*" applies to every action without its own rule, each action still
// getting its own bucket.
type throttler struct {
	mu      sync.Mutex
	rules   map[string]float64 // action -> requests per second
	buckets map[string]*bucket // region + "\x00" + action
}

type bucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

// burst lets a bucket absorb one second's worth of calls (at least one).
func burst(rate float64) float64 { return max(rate, 1) }

func (t *throttler) allow(region, action string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	rate, ok := t.rules[action]
	if !ok {
		rate, ok = t.rules["*"]
	}
	if !ok {
		return true
	}
	key := region + "\x00" + action
	b := t.buckets[key]
	if b == nil || b.rate != rate {
		b = &bucket{rate: rate, tokens: burst(rate), last: now}
		if t.buckets == nil {
			t.buckets = map[string]*bucket{}
		}
		t.buckets[key] = b
	}
	b.tokens = min(burst(rate), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (t *throttler) set(action string, perSecond float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rules == nil {
		t.rules = map[string]float64{}
	}
	if perSecond <= 0 {
		delete(t.rules, action)
	} else {
		t.rules[action] = perSecond
	}
	t.buckets = nil
}

func (t *throttler) resetBuckets() {
	t.mu.Lock()
	t.buckets = nil
	t.mu.Unlock()
}

// ThrottleRule is one limit as GET /_sim/throttle lists them.
type ThrottleRule struct {
	Action    string  `json:"action"`
	PerSecond float64 `json:"perSecond"`
}

func (t *throttler) list() []ThrottleRule {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ThrottleRule, 0, len(t.rules))
	for a, r := range t.rules {
		out = append(out, ThrottleRule{Action: a, PerSecond: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Action < out[j].Action })
	return out
}

// SetThrottle limits an action ("*" for every action) to perSecond calls per
// second in each region, answering 400 Throttling.User beyond it. A rate of
// zero or less removes the limit.
func (s *Server) SetThrottle(action string, perSecond float64) { s.throttle.set(action, perSecond) }

// Throttles lists the limits in force.
func (s *Server) Throttles() []ThrottleRule { return s.throttle.list() }
