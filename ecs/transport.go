package ecs

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// callHeader carries a per-call id from the SDK request to callTransport. The
// SDK copies request headers verbatim (non-canonical key) and signs only the
// query, so the header is safe to add; the transport strips it again.
const callHeader = "x-ecs-driver-call"

// callTransport gives SDK requests the caller's context. The SDK builds its
// *http.Request with context.Background() and has no way to pass one in, so
// each call registers its ctx under an id sent in callHeader; RoundTrip ties
// the request to that ctx, so cancelling ctx aborts the HTTP exchange.
//
// It is deliberately not an *http.Transport: the SDK then leaves proxy,
// dialer and TLS settings alone (it would otherwise rewrite them on every
// call, which is racy and proxies loopback), and we own them in base.
type callTransport struct {
	base  http.RoundTripper
	next  atomic.Uint64
	calls sync.Map // id -> context.Context
}

// register makes ctx the context of requests carrying the returned id until
// release is called.
func (t *callTransport) register(ctx context.Context) (id string, release func()) {
	id = strconv.FormatUint(t.next.Add(1), 10)
	t.calls.Store(id, ctx)
	return id, func() { t.calls.Delete(id) }
}

// RoundTrip implements http.RoundTripper.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ids := req.Header[callHeader]
	if len(ids) == 0 {
		return t.base.RoundTrip(req)
	}
	v, ok := t.calls.Load(ids[0])
	callCtx, _ := v.(context.Context)
	if !ok || callCtx == nil {
		callCtx = context.Background()
	}
	// req.Context() carries http.Client's per-attempt timeout; merge in the
	// caller's cancellation.
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := context.AfterFunc(callCtx, func() { cancel(context.Cause(callCtx)) })
	done := func() {
		stop()
		cancel(nil)
	}
	out := req.Clone(ctx)
	delete(out.Header, callHeader)
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		done()
		return nil, err
	}
	resp.Body = &doneBody{ReadCloser: resp.Body, done: done}
	return resp, nil
}

// doneBody releases the merged context once the SDK has read the body.
type doneBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *doneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// newBaseTransport is the default HTTP transport: ConnectTimeout for dials,
// proxies from HTTP_PROXY/HTTPS_PROXY/NO_PROXY, but never for loopback hosts
// (the SDK's own proxy logic would send 127.0.0.1 through HTTP_PROXY).
func newBaseTransport(connectTimeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy: proxyExceptLoopback,
		DialContext: (&net.Dialer{
			Timeout:   connectTimeout,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          10,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   connectTimeout + 5*time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

func proxyExceptLoopback(req *http.Request) (*url.URL, error) {
	if isLoopbackHost(req.URL.Hostname()) {
		return nil, nil
	}
	return http.ProxyFromEnvironment(req)
}
