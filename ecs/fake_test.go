package ecs

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testRegion = "cn-hangzhou"
	testAK     = "test-ak-id"
	testSecret = "test-secret-Zq9"
)

// call is one request the fake server received.
type call struct {
	Action string
	Query  url.Values
	Raw    string // raw query string
	Header http.Header
}

// handler answers one action: status 0 means 200.
type handler func(q url.Values) (status int, body string)

// fakeServer is an httptest server speaking the ECS/VPC RPC wire format. For
// every request it checks the method, the Version of the action, a valid
// HMAC-SHA1 Signature, that the secret never appears in the URL or headers,
// and that our internal call header was stripped.
type fakeServer struct {
	t        *testing.T
	srv      *httptest.Server
	secret   string
	mu       sync.Mutex
	calls    []call
	handlers map[string]handler
	versions map[string]string
}

func newFake(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{t: t, secret: testSecret, handlers: map[string]handler{}, versions: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// newFakeTLS is newFake over HTTPS with httptest's self-signed certificate.
func newFakeTLS(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{t: t, secret: testSecret, handlers: map[string]handler{}, versions: map[string]string{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // expected handshake failures
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

// onECS / onVPC register the handler of an ECS / VPC action.
func (f *fakeServer) onECS(action string, h handler) { f.on("2014-05-26", action, h) }
func (f *fakeServer) onVPC(action string, h handler) { f.on("2016-04-28", action, h) }

func (f *fakeServer) on(version, action string, h handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[action] = h
	f.versions[action] = version
}

// reply registers a handler answering a fixed 200 body for every call.
func (f *fakeServer) reply(version, action string, v any) {
	f.on(version, action, func(url.Values) (int, string) { return 200, okBody(v) })
}

// got returns the calls of action received so far.
func (f *fakeServer) got(action string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	action := q.Get("Action")
	f.mu.Lock()
	f.calls = append(f.calls, call{Action: action, Query: q, Raw: r.URL.RawQuery, Header: r.Header.Clone()})
	h, version := f.handlers[action], f.versions[action]
	f.mu.Unlock()

	if r.Method != http.MethodPost {
		f.t.Errorf("%s: method %s, want POST", action, r.Method)
	}
	if strings.Contains(r.URL.RawQuery, f.secret) || strings.Contains(q.Encode(), f.secret) {
		f.t.Errorf("%s: access key secret appears in the URL", action)
	}
	for k, vs := range r.Header {
		if strings.Contains(strings.Join(vs, " "), f.secret) {
			f.t.Errorf("%s: access key secret appears in header %s", action, k)
		}
		if strings.EqualFold(k, callHeader) {
			f.t.Errorf("%s: internal header %s reached the server", action, k)
		}
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if q.Get("Signature") == "" || !signatureOK(r.Method, q, f.secret) {
		f.t.Errorf("%s: missing or invalid Signature", action)
		w.WriteHeader(400)
		_, _ = w.Write([]byte(errBody("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")))
		return
	}
	if h == nil {
		f.t.Errorf("unexpected action %q", action)
		w.WriteHeader(404)
		_, _ = w.Write([]byte(errBody("InvalidAction.NotFound", "Specified api is not found, please check your url and method.")))
		return
	}
	if got := q.Get("Version"); got != version {
		f.t.Errorf("%s: Version %q, want %q", action, got, version)
	}
	status, body := h(q)
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// signatureOK recomputes the RPC signature v1 (aliyun-api.md §1.3/1.4).
func signatureOK(method string, q url.Values, secret string) bool {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, percentEncode(k)+"="+percentEncode(q.Get(k)))
	}
	sts := method + "&" + percentEncode("/") + "&" + percentEncode(strings.Join(parts, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(sts))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(q.Get("Signature")))
}

func percentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// okBody marshals v (a map) with a RequestId added.
func okBody(v any) string {
	m := map[string]any{"RequestId": "REQ-OK"}
	if v != nil {
		b, _ := json.Marshal(v)
		_ = json.Unmarshal(b, &m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// errBody is an Alibaba error answer.
func errBody(code, msg string) string {
	b, _ := json.Marshal(map[string]string{
		"RequestId": "REQ-ERR", "HostId": "ecs.aliyuncs.com", "Code": code, "Message": msg,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
	})
	return string(b)
}

// sleeps records the pauses of an injected Sleep without sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// noJitter makes the retry pauses equal their ceilings.
func noJitter(d time.Duration) time.Duration { return d }

// client returns a Client aimed at f that never really sleeps.
func (f *fakeServer) client(t *testing.T, mods ...func(*Config)) (*Client, *sleeps) {
	t.Helper()
	s := &sleeps{}
	cfg := Config{
		Region:          testRegion,
		AccessKeyID:     testAK,
		AccessKeySecret: f.secret,
		Endpoint:        f.srv.URL,
		Retry:           RetryPolicy{Sleep: s.sleep, Jitter: noJitter, MaxAttempts: 5},
		RequestTimeout:  5 * time.Second,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, s
}

// wantParams checks that q holds exactly the given values for these keys
// ("" means absent).
func wantParams(t *testing.T, q url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, ok := q[k]
		switch {
		case v == "" && ok:
			t.Errorf("param %s = %q, want absent", k, got)
		case v != "" && (len(got) != 1 || got[0] != v):
			t.Errorf("param %s = %q, want %q", k, got, v)
		}
	}
}
