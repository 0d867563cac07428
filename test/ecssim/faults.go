package ecssim

import (
	"errors"
	"sync"
)

// Fault makes matching API calls fail or hang, to test a client's error
// handling. Faults apply after signature verification and throttling, so
// only well-formed calls are affected.
type Fault struct {
	// Action is the API action to affect, or "*" for every action.
	Action string `json:"action"`
	// Region limits the fault to one RegionId; empty means any region.
	Region string `json:"region,omitempty"`
	// Code is the error code to answer with. Empty means no error: the call
	// is only held for HangMs and then goes on normally.
	Code string `json:"code"`
	// Message overrides the error message; by default the real message of
	// well-known codes, or a generic one.
	Message string `json:"message,omitempty"`
	// HTTPStatus overrides the answer's status; by default the real status
	// of well-known codes, 404 for *.NotFound, 403 for Forbidden*, else 400.
	HTTPStatus int `json:"httpStatus"`
	// Times is how many matching calls fail: 0 means 1, negative means
	// every matching call until the faults are cleared.
	Times int `json:"times"`
	// Skip is how many matching calls pass untouched before the fault
	// starts to fire.
	Skip int `json:"skip"`
	// AfterEffect performs the call first (the resource is created, the
	// instance stops, ...) and then answers with the error, like a response
	// lost on the way back.
	AfterEffect bool `json:"afterEffect"`
	// HangMs holds the answer this many milliseconds before it is sent.
	// Without Code the call takes effect at once and its normal answer is
	// held, like a slow response: a client that times out and retries
	// finds the effect already there (or, with the same ClientToken,
	// IdempotentProcessing while the answer is still held).
	HangMs int `json:"hangMs"`
	// Drop closes the connection without any answer (after HangMs). With
	// AfterEffect the call takes effect first; the client sees a
	// transport error either way.
	Drop bool `json:"drop,omitempty"`
}

type activeFault struct {
	Fault
	seen int // matching calls observed
}

// faultSet holds the active faults in the order they were added.
type faultSet struct {
	mu     sync.Mutex
	faults []*activeFault
}

// match counts a call against every fault and returns the first one that
// fires for it (nil if none). Exhausted faults are dropped.
func (fs *faultSet) match(action, region string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var fired *Fault
	kept := fs.faults[:0]
	for _, f := range fs.faults {
		if (f.Action == "*" || f.Action == action) && (f.Region == "" || f.Region == region) {
			f.seen++
			if fired == nil && f.seen > f.Skip {
				cp := f.Fault
				fired = &cp
			} else if f.seen > f.Skip {
				// Another fault fired for this call; this one waits for the
				// next call.
				f.seen--
			}
		}
		if f.Times < 0 || f.seen < f.Skip+f.Times {
			kept = append(kept, f)
		}
	}
	clear(fs.faults[len(kept):])
	fs.faults = kept
	return fired
}

func (fs *faultSet) add(f Fault) error {
	if f.Action == "" {
		return errors.New("fault: action is required (use \"*\" for every action)")
	}
	if f.Code == "" && f.HangMs <= 0 && !f.Drop {
		return errors.New("fault: needs a code, a hangMs or drop")
	}
	if f.Drop && f.Code != "" {
		return errors.New("fault: drop and code exclude each other (a dropped connection has no answer)")
	}
	if f.Skip < 0 || f.HangMs < 0 || f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 599) {
		return errors.New("fault: skip and hangMs must not be negative; httpStatus must be 4xx or 5xx")
	}
	if f.Times == 0 {
		f.Times = 1
	}
	fs.mu.Lock()
	fs.faults = append(fs.faults, &activeFault{Fault: f})
	fs.mu.Unlock()
	return nil
}

func (fs *faultSet) list() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.faults))
	for _, f := range fs.faults {
		out = append(out, f.Fault)
	}
	return out
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	fs.faults = nil
	fs.mu.Unlock()
}

// AddFault registers a fault (see Fault for the semantics).
func (s *Server) AddFault(f Fault) error { return s.faults.add(f) }

// Faults lists the faults still active, with Times as registered.
func (s *Server) Faults() []Fault { return s.faults.list() }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.clear() }
