package ecssim

import (
	"fmt"
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
	rules   map[string]ThrottleRule // by action
	buckets map[string]*bucket      // region + "\x00" + action
}

type bucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

// defaultThrottleCode is what a throttled call answers unless its rule
// says otherwise.
const defaultThrottleCode = "Throttling.User"

// throttleCodes are the codes a rule may choose (aliyun-api.md §4.3);
// Throttling.Resource is a 429, the others 400.
var throttleCodes = map[string]bool{
	"Throttling": true, "Throttling.User": true, "Throttling.Api": true, "Throttling.Resource": true,
}

// burst lets a bucket absorb one second's worth of calls (at least one).
func burst(rate float64) float64 { return max(rate, 1) }

// allow takes a token; when none is left it returns false and the error
// code to answer with.
func (t *throttler) allow(region, action string, now time.Time) (bool, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	rule, ok := t.rules[action]
	if !ok {
		rule, ok = t.rules["*"]
	}
	if !ok {
		return true, ""
	}
	key := region + "\x00" + action
	b := t.buckets[key]
	if b == nil || b.rate != rule.PerSecond {
		b = &bucket{rate: rule.PerSecond, tokens: burst(rule.PerSecond), last: now}
		if t.buckets == nil {
			t.buckets = map[string]*bucket{}
		}
		t.buckets[key] = b
	}
	b.tokens = min(burst(b.rate), b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false, defaultStr(rule.Code, defaultThrottleCode)
	}
	b.tokens--
	return true, ""
}

func (t *throttler) set(r ThrottleRule) error {
	if r.Action == "" {
		return fmt.Errorf("throttle: action is required (use \"*\" for every action)")
	}
	if r.Code != "" && !throttleCodes[r.Code] {
		return fmt.Errorf("throttle: code %q is not one of Throttling, Throttling.User, Throttling.Api, Throttling.Resource", r.Code)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rules == nil {
		t.rules = map[string]ThrottleRule{}
	}
	if r.PerSecond <= 0 {
		delete(t.rules, r.Action)
	} else {
		t.rules[r.Action] = r
	}
	t.buckets = nil
	return nil
}

func (t *throttler) resetBuckets() {
	t.mu.Lock()
	t.buckets = nil
	t.mu.Unlock()
}

// ThrottleRule is one limit, as GET /_sim/throttle lists them and POST
// /_sim/throttle takes them.
type ThrottleRule struct {
	// Action is the API action, or "*" for every action without a rule of
	// its own.
	Action string `json:"action"`
	// PerSecond is the sustained rate per region; a bucket holds one
	// second's worth (at least one call). Zero or less removes the rule.
	PerSecond float64 `json:"perSecond"`
	// Code is the error answered beyond the rate: Throttling.User (the
	// default), Throttling, Throttling.Api (400) or Throttling.Resource
	// (429).
	Code string `json:"code,omitempty"`
}

func (t *throttler) list() []ThrottleRule {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ThrottleRule, 0, len(t.rules))
	for _, r := range t.rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Action < out[j].Action })
	return out
}

// SetThrottle limits an action ("*" for every action) to perSecond calls per
// second in each region, answering 400 Throttling.User beyond it. A rate of
// zero or less removes the limit.
func (s *Server) SetThrottle(action string, perSecond float64) {
	_ = s.throttle.set(ThrottleRule{Action: action, PerSecond: perSecond})
}

// SetThrottleRule is SetThrottle with a choice of error code.
func (s *Server) SetThrottleRule(r ThrottleRule) error { return s.throttle.set(r) }

// Throttles lists the limits in force.
func (s *Server) Throttles() []ThrottleRule { return s.throttle.list() }
