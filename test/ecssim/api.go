package ecssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// call is one API request on its way through a handler.
type call struct {
	s        *Server
	p        params
	version  string
	action   string
	regionID string
	now      time.Time
	post     []func() // run after the handler, with the store unlocked
}

// region returns the call's region state; the store must be locked.
func (c *call) region() *regionState { return c.s.st.regions[c.regionID] }

// lockRegion takes the store lock for an action and returns the call's
// region; the caller defers the returned unlock.
func (c *call) lockRegion() (*regionState, func()) {
	c.s.st.mu.Lock()
	return c.region(), c.s.st.mu.Unlock
}

// later queues work that must not run under the store lock (guest start
// and stop).
func (c *call) later(fn func()) { c.post = append(c.post, fn) }

// rawJSON is a response body replayed verbatim (ClientToken replays).
type rawJSON []byte

// maxBody bounds form bodies; UserData (32 KiB decoded) fits easily.
const maxBody = 1 << 20

// outcome is what an API call comes to: a body, an error, or a dropped
// connection (fault "drop").
type outcome struct {
	body []byte
	aerr *apiError
	drop bool
}

// serveAPI answers an RPC call at "/": parse, authenticate, throttle,
// inject faults, dispatch through the action table, record the call.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	rec := Call{Time: now, RequestID: newRequestID()}
	out := s.handleAPI(r, now, &rec)
	// Latency is per request, so concurrent calls overlap instead of
	// queueing behind each other.
	s.wait(r, s.cfg.latency)
	switch {
	case out.drop:
		rec.Dropped = true
		s.calls.add(rec)
		dropConnection(w)
		s.cfg.logf("ecssim: %s %s region=%s -> connection dropped", rec.Version, rec.Action, rec.Region)
	case out.aerr != nil:
		rec.HTTPStatus, rec.Code = out.aerr.status, out.aerr.code
		s.calls.add(rec)
		writeAPIError(w, rec.RequestID, productFor(rec.Version), out.aerr)
		if out.aerr.code != "DryRunOperation" {
			s.cfg.logf("ecssim: %s %s region=%s -> %d %s", rec.Version, rec.Action, rec.Region, out.aerr.status, out.aerr.code)
		}
	default:
		rec.HTTPStatus = http.StatusOK
		s.calls.add(rec)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Header().Set("x-acs-request-id", rec.RequestID)
		_, _ = w.Write(withRequestID(rec.RequestID, out.body))
	}
}

// dropConnection closes the client's connection without an answer, like a
// response lost on the network.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func (s *Server) handleAPI(r *http.Request, now time.Time, rec *Call) outcome {
	fail := func(e *apiError) outcome { return outcome{aerr: e} }
	if r.URL.Path != "/" {
		return fail(apiErr(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."))
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return fail(apiErr(http.StatusForbidden, "UnsupportedHTTPMethod", "This http method is not supported."))
	}
	p, err := readParams(r)
	if err != nil {
		return fail(apiErr(http.StatusBadRequest, "InvalidParameter", "The request parameters could not be decoded."))
	}
	rec.Action, rec.Version, rec.Region, rec.AccessKeyID = p["Action"], p["Version"], p["RegionId"], p["AccessKeyId"]
	rec.Params = maskParams(p)
	if p["Action"] == "" {
		return fail(errMissing("Action"))
	}
	if p["Version"] == "" {
		return fail(errMissing("Version"))
	}
	prod, ok := products[p["Version"]]
	if !ok {
		return fail(apiErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid."))
	}
	if aerr := s.verify(r.Method, p, now); aerr != nil {
		return fail(aerr)
	}
	spec, ok := s.actions[versionAction{p["Version"], p["Action"]}]
	if !ok {
		return fail(apiErr(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."))
	}
	if !spec.global {
		if p["RegionId"] == "" {
			return fail(errMissing("RegionId"))
		}
		if findRegion(p["RegionId"]) == nil {
			return fail(prod.regionNotFound())
		}
	}
	if ok, code := s.throttle.allow(p["RegionId"], p["Action"], now); !ok {
		return fail(faultError(code, "", 0))
	}
	// A fault holds the answer, whatever it is: a plain error or a dropped
	// connection (nothing done), or the real answer, an error or a drop
	// after the call took effect.
	f := s.faults.match(p["Action"], p["RegionId"])
	if f != nil && !f.AfterEffect && (f.Code != "" || f.Drop) {
		s.wait(r, time.Duration(f.HangMs)*time.Millisecond)
		if f.Drop {
			return outcome{drop: true}
		}
		return fail(faultError(f.Code, f.Message, f.HTTPStatus))
	}
	c := &call{s: s, p: p, version: p["Version"], action: p["Action"], regionID: p["RegionId"], now: now}
	hold := func() {
		if f != nil {
			s.wait(r, time.Duration(f.HangMs)*time.Millisecond)
		}
	}
	body, aerr := s.dispatch(c, spec, hold)
	switch {
	case f != nil && f.Drop:
		return outcome{drop: true}
	case f != nil && f.Code != "":
		return fail(faultError(f.Code, f.Message, f.HTTPStatus))
	}
	return outcome{body: body, aerr: aerr}
}

// dispatch runs the handler and its post-work, then hold (a fault's hang),
// honouring ClientToken for idempotent actions. The token counts as in
// progress until hold returns, so a client that gives up on a slow answer
// and retries meets IdempotentProcessing, as with the real service.
func (s *Server) dispatch(c *call, spec actionSpec, hold func()) ([]byte, *apiError) {
	run := func() ([]byte, *apiError) {
		body, aerr := runHandler(c, spec.h)
		for _, fn := range c.post {
			fn()
		}
		hold()
		return body, aerr
	}
	token := c.p["ClientToken"]
	dry, _ := c.p.dryRun()
	if !spec.idempotent || token == "" || dry {
		return run()
	}
	if len(token) > 64 {
		return nil, apiErr(http.StatusBadRequest, "InvalidClientToken.ValueNotSupported", "The ClientToken provided is invalid.")
	}
	key := idemKey{c.regionID, c.version, c.action, token}
	replay, aerr := s.idemBegin(key, requestHash(c.p))
	if aerr != nil || replay != nil {
		hold()
		return replay, aerr
	}
	body, aerr := run()
	s.idemEnd(key, body, aerr == nil)
	return body, aerr
}

func runHandler(c *call, h handler) ([]byte, *apiError) {
	res, err := h(c)
	if err != nil {
		var aerr *apiError
		if errors.As(err, &aerr) {
			return nil, aerr
		}
		c.s.cfg.logf("ecssim: %s: internal error: %v", c.action, err)
		return nil, errInternal()
	}
	if raw, ok := res.(rawJSON); ok {
		return raw, nil
	}
	if res == nil {
		return []byte("{}"), nil
	}
	b, err := marshal(res)
	if err != nil {
		c.s.cfg.logf("ecssim: %s: encoding response: %v", c.action, err)
		return nil, errInternal()
	}
	return b, nil
}

// marshal encodes JSON without HTML escaping, as the real service answers
// ("&" stays "&" in a Recommend URL or a description).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// wait holds the answer (fault hangMs, Options.Latency). It gives up early
// when the client goes away or the server closes; the answer is then lost
// anyway.
func (s *Server) wait(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.closing:
	}
}

// readParams decodes the query with form semantics ("+" is a space) and,
// for form-encoded bodies, merges the body parameters; the query wins.
func readParams(r *http.Request) (params, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	p := params{}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, err
		}
		for k, v := range form {
			p[k] = v[0]
		}
	}
	for k, v := range q {
		p[k] = v[0]
	}
	return p, nil
}

// maskedParams are the parameters /_sim/calls never shows in clear.
var maskedParams = map[string]bool{"Password": true, "UserData": true, "SecurityToken": true, "Signature": true}

// maskParams copies a request's parameters for the call log, masking
// secrets and dropping any AccessKeySecret a careless client sent.
func maskParams(p params) map[string]string {
	out := make(map[string]string, len(p))
	for k, v := range p {
		switch {
		case k == "AccessKeySecret":
		case maskedParams[k] && v != "":
			out[k] = "***"
		default:
			out[k] = v
		}
	}
	return out
}

// withRequestID puts "RequestId" first into a JSON object body.
func withRequestID(requestID string, body []byte) []byte {
	id, _ := json.Marshal(requestID)
	rest := bytes.TrimSpace(body)
	var b bytes.Buffer
	b.WriteString(`{"RequestId":`)
	b.Write(id)
	if len(rest) > 2 && rest[0] == '{' {
		b.WriteByte(',')
		b.Write(rest[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes()
}

// errorBody is the error wire format; every field must be a JSON string,
// the SDK panics otherwise (aliyun-api.md §1.7).
type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

func writeAPIError(w http.ResponseWriter, requestID string, prod product, e *apiError) {
	body, _ := marshal(errorBody{
		RequestID: requestID,
		HostID:    prod.host,
		Code:      e.code,
		Message:   e.message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.code) +
			"&product=" + prod.name + "&requestId=" + requestID,
	})
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("x-acs-request-id", requestID)
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}
