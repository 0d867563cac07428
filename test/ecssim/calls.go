package ecssim

import (
	"sync"
	"time"
)

// Call is one recorded API call, successful or not (signature failures
// included), as GET /_sim/calls lists them.
type Call struct {
	// Seq numbers calls from 1 in arrival order.
	Seq int64 `json:"seq"`
	// Time is when the call arrived.
	Time time.Time `json:"time"`
	// Action, Version, Region and AccessKeyID are the request's parameters
	// (empty when absent).
	Action      string `json:"action"`
	Version     string `json:"version"`
	Region      string `json:"region"`
	AccessKeyID string `json:"accessKeyId"`
	// HTTPStatus is the answer's status; Code the error code ("" on
	// success). Both are empty for a dropped connection.
	HTTPStatus int    `json:"httpStatus"`
	Code       string `json:"code"`
	// RequestID is the answer's RequestId (also for errors).
	RequestID string `json:"requestId"`
	// Params are every request parameter. Password, UserData,
	// SecurityToken and Signature values read "***"; an AccessKeySecret is
	// never kept. The map is shared with the log: read it, do not modify it.
	Params map[string]string `json:"params"`
	// Dropped is true when a fault closed the connection without answer.
	Dropped bool `json:"dropped,omitempty"`
}

// defaultCallHistory bounds the call log so a long soak test does not grow
// without limit; the oldest calls go first.
const defaultCallHistory = 100_000

// callLog keeps the latest calls since start or the last Reset.
type callLog struct {
	mu    sync.Mutex
	limit int
	seq   int64
	calls []Call
}

func (l *callLog) add(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	c.Seq = l.seq
	l.calls = append(l.calls, c)
	// Trim in batches (a tenth of the limit) so adding stays O(1) amortised.
	if limit := l.limit; limit > 0 && len(l.calls) > limit+limit/10 {
		n := copy(l.calls, l.calls[len(l.calls)-limit:])
		clear(l.calls[n:])
		l.calls = l.calls[:n]
	}
}

// since returns the calls with Seq > after that are still kept, at most
// limit of them (the latest).
func (l *callLog) since(after int64) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Call{}
	start := len(l.calls)
	for start > 0 && l.calls[start-1].Seq > after {
		start--
	}
	if l.limit > 0 && len(l.calls)-start > l.limit {
		start = len(l.calls) - l.limit
	}
	for _, c := range l.calls[start:] {
		out = append(out, c)
	}
	return out
}

func (l *callLog) clear() {
	l.mu.Lock()
	l.calls = nil
	l.mu.Unlock()
}

// Calls returns the API calls recorded since start or the last Reset, in
// order (the latest Options.CallHistory of them).
func (s *Server) Calls() []Call { return s.calls.since(0) }

// CallsSince returns the calls with Seq greater than after, so a test can
// look only at what its own step caused.
func (s *Server) CallsSince(after int64) []Call { return s.calls.since(after) }
