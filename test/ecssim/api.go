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

// later queues work that must not run under the store lock (guest start
// and stop).
func (c *call) later(fn func()) { c.post = append(c.post, fn) }

// rawJSON is a response body replayed verbatim (ClientToken replays).
type rawJSON []byte

// maxBody bounds form bodies; UserData (32 KiB decoded) fits easily.
const maxBody = 1 << 20

// serveAPI answers an RPC call at "/": parse, authenticate, throttle,
// inject faults, dispatch through the action table, record the call.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	rec := Call{Time: now}
	requestID := newRequestID()
	body, aerr := s.handleAPI(r, now, &rec)
	if aerr != nil {
		rec.HTTPStatus, rec.Code = aerr.status, aerr.code
		s.calls.add(rec)
		writeAPIError(w, requestID, productFor(rec.Version), aerr)
		if aerr.code != "DryRunOperation" {
			s.cfg.logf("ecssim: %s %s region=%s -> %d %s", rec.Version, rec.Action, rec.Region, aerr.status, aerr.code)
		}
		return
	}
	rec.HTTPStatus = http.StatusOK
	s.calls.add(rec)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("x-acs-request-id", requestID)
	_, _ = w.Write(withRequestID(requestID, body))
}

func (s *Server) handleAPI(r *http.Request, now time.Time, rec *Call) ([]byte, *apiError) {
	if r.URL.Path != "/" {
		return nil, apiErr(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, apiErr(http.StatusForbidden, "UnsupportedHTTPMethod", "This http method is not supported.")
	}
	p, err := readParams(r)
	if err != nil {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "The request parameters could not be decoded.")
	}
	rec.Action, rec.Version, rec.Region, rec.AccessKeyID = p["Action"], p["Version"], p["RegionId"], p["AccessKeyId"]
	if p["Action"] == "" {
		return nil, errMissing("Action")
	}
	if p["Version"] == "" {
		return nil, errMissing("Version")
	}
	prod, ok := products[p["Version"]]
	if !ok {
		return nil, apiErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
	}
	if aerr := s.verify(r.Method, p, now); aerr != nil {
		return nil, aerr
	}
	spec, ok := s.actions[versionAction{p["Version"], p["Action"]}]
	if !ok {
		return nil, apiErr(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
	if !spec.global {
		if p["RegionId"] == "" {
			return nil, errMissing("RegionId")
		}
		if findRegion(p["RegionId"]) == nil {
			return nil, prod.regionNotFound()
		}
	}
	if !s.throttle.allow(p["RegionId"], p["Action"], now) {
		return nil, apiErr(http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
	}
	// A fault holds the answer, whatever it is: a plain error (nothing
	// done), or the real answer or an error after the call took effect.
	f := s.faults.match(p["Action"], p["RegionId"])
	if f != nil && f.Code != "" && !f.AfterEffect {
		s.hang(r, f.HangMs)
		return nil, faultError(f.Code, f.Message, f.HTTPStatus)
	}
	c := &call{s: s, p: p, version: p["Version"], action: p["Action"], regionID: p["RegionId"], now: now}
	body, aerr := s.dispatch(c, spec)
	for _, fn := range c.post {
		fn()
	}
	if f != nil {
		s.hang(r, f.HangMs)
		if f.Code != "" {
			return nil, faultError(f.Code, f.Message, f.HTTPStatus)
		}
	}
	return body, aerr
}

// dispatch runs the handler, honouring ClientToken for idempotent actions.
func (s *Server) dispatch(c *call, spec actionSpec) ([]byte, *apiError) {
	token := c.p["ClientToken"]
	dry, _ := c.p.dryRun()
	if !spec.idempotent || token == "" || dry {
		return runHandler(c, spec.h)
	}
	key := idemKey{c.regionID, c.version, c.action, token}
	replay, aerr := s.idemBegin(key, requestHash(c.p))
	if aerr != nil || replay != nil {
		return replay, aerr
	}
	body, aerr := runHandler(c, spec.h)
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

// hang holds the answer (fault hangMs). It gives up early when the client
// goes away or the server closes; the answer is then lost anyway.
func (s *Server) hang(r *http.Request, ms int) {
	if ms <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
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
