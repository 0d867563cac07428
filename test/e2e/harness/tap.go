package harness

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Tap is a loopback HTTP proxy in front of the simulator's API. The
// simulator records a call when it answers it; the tap sees every call the
// moment it arrives, which lets a test stop the plugin at an exact point of
// its work, and it can hold or drop chosen calls:
//
//   - HoldBefore keeps a call from reaching the simulator (nothing happens in
//     the cloud) until the client goes away, or until Release lets it go on;
//   - HoldAfter lets the call take effect and keeps its answer back;
//   - Drop lets the call take effect and then closes the connection without
//     an answer, as a response lost on the way back.
//
// The tap forwards requests byte for byte, so signatures stay valid. It only
// ever records the action and the DryRun flag of a call: parameters can
// carry the instance password and user data.
type Tap struct {
	target *url.URL
	ln     net.Listener
	srv    *http.Server
	client *http.Client

	mu       sync.Mutex
	arrivals []Arrival
	rules    []*tapRule
	release  chan struct{}
}

// Arrival is one API call as it reached the tap.
type Arrival struct {
	// Seq numbers arrivals from 1.
	Seq int
	// Action is the API action, e.g. "RunInstances".
	Action string
	// DryRun is true for a DryRun=true request, which changes nothing.
	DryRun bool
	// Time is when the call arrived.
	Time time.Time
}

// Mutating reports whether the call can change the cloud: anything but
// Describe*, List* and DryRun requests.
func (a Arrival) Mutating() bool {
	return !a.DryRun && !strings.HasPrefix(a.Action, "Describe") && !strings.HasPrefix(a.Action, "List")
}

// TapMode is what the tap does with a matching call; the zero mode only
// observes it (the rule's channel still reports its arrival).
type TapMode int

// The tap's modes.
const (
	// HoldBefore keeps the call from reaching the simulator.
	HoldBefore TapMode = iota + 1
	// HoldAfter forwards the call and keeps its answer back.
	HoldAfter
	// Drop forwards the call and closes the connection without an answer.
	Drop
)

type tapRule struct {
	seq  int // match the arrival with this Seq (0: use action/skip)
	act  string
	skip int // arrivals of act to let pass first
	seen int
	mode TapMode
	hit  chan struct{} // closed when the rule fires
}

// NewTap starts a tap on 127.0.0.1 in front of target (the simulator's URL).
func NewTap(target string) (*Tap, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &Tap{
		target:  u,
		ln:      ln,
		client:  &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64}},
		release: make(chan struct{}),
	}
	t.srv = &http.Server{Handler: t, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = t.srv.Serve(ln) }()
	return t, nil
}

// URL is the tap's base URL, what the driver gets as its API endpoint.
func (t *Tap) URL() string { return "http://" + t.ln.Addr().String() }

// Close stops the tap and lets every held call go.
func (t *Tap) Close() {
	t.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if t.srv.Shutdown(ctx) != nil {
		_ = t.srv.Close()
	}
}

// Release ends every hold so far: a call held before the simulator goes on
// to it, a held answer is sent (unless the client has gone). Rules that
// have not fired yet are dropped; later rules hold again.
func (t *Tap) Release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	close(t.release)
	t.release = make(chan struct{})
	t.rules = nil
}

// Arrivals returns every call seen so far, in arrival order.
func (t *Tap) Arrivals() []Arrival {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Arrival(nil), t.arrivals...)
}

// AtSeq applies mode to the call arriving n-th (counting from 1 since the
// tap started) and returns a channel that is closed when that call arrives.
func (t *Tap) AtSeq(n int, mode TapMode) <-chan struct{} {
	return t.add(&tapRule{seq: n, mode: mode, hit: make(chan struct{})})
}

// OnAction applies mode to the call of action that follows skip earlier
// calls of it (counted from now), and returns a channel that is closed when
// that call arrives.
func (t *Tap) OnAction(action string, skip int, mode TapMode) <-chan struct{} {
	return t.add(&tapRule{act: action, skip: skip, mode: mode, hit: make(chan struct{})})
}

func (t *Tap) add(r *tapRule) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rules = append(t.rules, r)
	return r.hit
}

// ServeHTTP implements http.Handler.
func (t *Tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, "tap: read body", http.StatusBadRequest)
		return
	}
	var mode TapMode
	var release <-chan struct{}
	if !strings.HasPrefix(r.URL.Path, "/_sim/") {
		mode, release = t.arrive(r, body)
	}
	if mode == HoldBefore {
		select {
		case <-r.Context().Done():
			return
		case <-release:
		}
	}
	resp, err := t.forward(r, body)
	if err != nil {
		http.Error(w, "tap: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, "tap: read answer", http.StatusBadGateway)
		return
	}
	switch mode {
	case Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case HoldAfter:
		select {
		case <-r.Context().Done():
			return
		case <-release:
		}
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// arrive records a call and returns the mode of the rule it fires, if any.
func (t *Tap) arrive(r *http.Request, body []byte) (TapMode, <-chan struct{}) {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	form, _ := url.ParseQuery(string(body))
	get := func(k string) string {
		if v := q.Get(k); v != "" {
			return v
		}
		return form.Get(k)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a := Arrival{Seq: len(t.arrivals) + 1, Action: get("Action"), DryRun: strings.EqualFold(get("DryRun"), "true"), Time: time.Now()}
	t.arrivals = append(t.arrivals, a)
	var fired *tapRule
	rules := t.rules[:0]
	for _, rule := range t.rules {
		match := false
		switch {
		case rule.seq > 0:
			match = rule.seq == a.Seq
		case rule.act == a.Action:
			rule.seen++
			match = rule.seen == rule.skip+1
		}
		if match && fired == nil {
			fired = rule
			continue
		}
		rules = append(rules, rule)
	}
	t.rules = rules
	if fired == nil {
		return 0, nil
	}
	close(fired.hit)
	return fired.mode, t.release
}

func (t *Tap) forward(r *http.Request, body []byte) (*http.Response, error) {
	u := *t.target
	u.Path = r.URL.Path
	u.RawQuery = r.URL.RawQuery
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	req.Header.Del("Connection")
	resp, err := t.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err // the URL holds the call's parameters
		}
		return nil, err
	}
	return resp, nil
}
