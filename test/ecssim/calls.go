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
	// success).
	HTTPStatus int    `json:"httpStatus"`
	Code       string `json:"code"`
}

// callLog keeps every call since start or the last Reset.
type callLog struct {
	mu    sync.Mutex
	seq   int64
	calls []Call
}

func (l *callLog) add(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	c.Seq = l.seq
	l.calls = append(l.calls, c)
}

// since returns the calls with Seq > after.
func (l *callLog) since(after int64) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Call{}
	for _, c := range l.calls {
		if c.Seq > after {
			out = append(out, c)
		}
	}
	return out
}

func (l *callLog) clear() {
	l.mu.Lock()
	l.calls = nil
	l.mu.Unlock()
}

// Calls returns every API call recorded since start or the last Reset, in
// order.
func (s *Server) Calls() []Call { return s.calls.since(0) }

// CallsSince returns the calls with Seq greater than after, so a test can
// look only at what its own step caused.
func (s *Server) CallsSince(after int64) []Call { return s.calls.since(after) }
