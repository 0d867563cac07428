package ecs

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseEndpoint(t *testing.T) {
	t.Parallel()
	good := []struct{ in, scheme, host string }{
		{"http://127.0.0.1:8600", "HTTP", "127.0.0.1:8600"},
		{"http://127.0.0.1:8600/", "HTTP", "127.0.0.1:8600"},
		{"https://ecs.example", "HTTPS", "ecs.example"},
		{"HTTPS://ecs.example:8443/", "HTTPS", "ecs.example:8443"},
		{"http://[::1]:8600", "HTTP", "[::1]:8600"},
	}
	for _, g := range good {
		ep, err := parseEndpoint(g.in)
		if err != nil || ep.scheme != g.scheme || ep.host != g.host {
			t.Errorf("parseEndpoint(%q) = %+v, %v; want %s %s", g.in, ep, err, g.scheme, g.host)
		}
	}
	for _, bad := range []string{
		"127.0.0.1:8600", "ecs.example", "ftp://ecs.example", "http://", "http://:80",
		"http://h/api", "http://h/?a=b", "http://h/#x", "http://user:pw@h", "http://h:",
		"://x", "http://h\x7f",
	} {
		if _, err := parseEndpoint(bad); err == nil {
			t.Errorf("parseEndpoint(%q) succeeded, want error", bad)
		} else if !strings.Contains(err.Error(), "http://127.0.0.1:8600") {
			t.Errorf("parseEndpoint(%q) error %q lacks an example", bad, err)
		}
	}
}

func TestNewClientValidation(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"no region":         {AccessKeyID: "a", AccessKeySecret: "b"},
		"bad region":        {Region: "cn hangzhou", AccessKeyID: "a", AccessKeySecret: "b"},
		"secret without id": {Region: "r", AccessKeySecret: "b"},
		"token without id":  {Region: "r", SecurityToken: "t"},
		"id without secret": {Region: "r", AccessKeyID: "a"},
		"bad endpoint":      {Region: "r", AccessKeyID: "a", AccessKeySecret: "b", Endpoint: "127.0.0.1:1"},
	} {
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("%s: NewClient succeeded", name)
		} else if strings.Contains(err.Error(), "b\"") {
			t.Errorf("%s: error %q may echo the secret", name, err)
		}
	}
	c, err := NewClient(Config{Region: "cn-beijing", AccessKeyID: "a", AccessKeySecret: "b"})
	if err != nil || c.Region() != "cn-beijing" {
		t.Fatalf("NewClient = %v, %v", c, err)
	}
}

func TestPublicEndpoints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p            product
		region, want string
	}{
		{productECS, "cn-hangzhou", "ecs-cn-hangzhou.aliyuncs.com"},
		{productECS, "cn-beijing", "ecs.cn-beijing.aliyuncs.com"},
		{productECS, "ap-southeast-1", "ecs.ap-southeast-1.aliyuncs.com"},
		{productECS, "cn-wuhan", "ecs.aliyuncs.com"},
		{productVPC, "cn-hangzhou", "vpc.aliyuncs.com"},
		{productVPC, "cn-beijing", "vpc.cn-beijing.aliyuncs.com"},
	} {
		if got := tc.p.publicEndpoint(tc.region); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.p.name, tc.region, got, tc.want)
		}
	}
}

// stubTransport answers every request itself, so public-endpoint routing is
// tested without any network.
type stubTransport struct{ urls chan *url.URL }

func (s stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.urls <- r.URL
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"RequestId":"x","Vpcs":{"Vpc":[]},"Regions":{"Region":[]}}`)),
	}, nil
}

func TestPublicEndpointRouting(t *testing.T) {
	t.Parallel()
	st := stubTransport{urls: make(chan *url.URL, 4)}
	c, err := NewClient(Config{Region: "cn-beijing", AccessKeyID: "a", AccessKeySecret: "b", Transport: st})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.DescribeRegions(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeVpcs(ctx, VpcQuery{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ecs.cn-beijing.aliyuncs.com", "vpc.cn-beijing.aliyuncs.com"} {
		u := <-st.urls
		if u.Scheme != "https" || u.Host != want {
			t.Errorf("request went to %s://%s, want https://%s", u.Scheme, u.Host, want)
		}
	}
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "DescribeRegions", map[string]any{"Regions": map[string]any{"Region": []any{}}})
	c, _ := f.client(t, func(cfg *Config) { cfg.UserAgent = "aliyunecs-driver/1.0" })
	if _, err := c.DescribeRegions(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := f.got("DescribeRegions")[0]
	wantParams(t, got.Query, map[string]string{
		"Version": "2014-05-26", "Format": "JSON", "RegionId": testRegion, "AccessKeyId": testAK,
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SecurityToken": "",
	})
	if ua := got.Header.Get("User-Agent"); !strings.Contains(ua, "Extra/aliyunecs-driver/1.0") {
		t.Errorf("User-Agent %q lacks the extra part", ua)
	}
}

func TestSTSCredentials(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "DescribeRegions", nil)
	c, _ := f.client(t, func(cfg *Config) { cfg.SecurityToken = "sts-token-1" })
	if _, err := c.DescribeRegions(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantParams(t, f.got("DescribeRegions")[0].Query, map[string]string{"SecurityToken": "sts-token-1", "AccessKeyId": testAK})
}

func TestDefaultCredentialChain(t *testing.T) {
	// Not parallel: t.Setenv. The env provider comes first in the chain, and
	// the metadata service and profile files are switched off, so nothing
	// leaves loopback.
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-ak")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret-Q1")
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", t.TempDir()+"/none")
	f := newFake(t)
	f.secret = "env-secret-Q1"
	f.reply("2014-05-26", "DescribeRegions", nil)
	c, _ := f.client(t, func(cfg *Config) { cfg.AccessKeyID, cfg.AccessKeySecret = "", "" })
	if _, err := c.DescribeRegions(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantParams(t, f.got("DescribeRegions")[0].Query, map[string]string{"AccessKeyId": "env-ak"})
}

func TestLoopbackNeverProxied(t *testing.T) {
	// Not parallel: t.Setenv. A dead proxy would break every call if loopback
	// went through it (the SDK's own proxy logic does that).
	dead := closedPort(t)
	t.Setenv("HTTP_PROXY", "http://"+dead)
	t.Setenv("http_proxy", "http://"+dead)
	f := newFake(t)
	f.reply("2014-05-26", "DescribeRegions", nil)
	c, _ := f.client(t, func(cfg *Config) { cfg.Retry.MaxAttempts = 1 })
	if _, err := c.DescribeRegions(context.Background()); err != nil {
		t.Fatalf("call through proxy env: %v", err)
	}
	for _, h := range []string{"127.0.0.1", "localhost", "::1", "127.9.8.7"} {
		if !isLoopbackHost(h) {
			t.Errorf("isLoopbackHost(%q) = false", h)
		}
	}
	if isLoopbackHost("ecs.aliyuncs.com") || isLoopbackHost("10.0.0.1") {
		t.Error("non-loopback host treated as loopback")
	}
}

// closedPort returns a loopback host:port nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestContextCancelAbortsRequest(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) }) // runs before the server closes
	f.onECS("DescribeRegions", func(url.Values) (int, string) {
		select {
		case <-time.After(5 * time.Second):
		case <-stop:
		}
		return 200, okBody(nil)
	})
	c, _ := f.client(t, func(cfg *Config) { cfg.RequestTimeout = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.DescribeRegions(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %s", d)
	}
	if len(f.got("DescribeRegions")) != 1 {
		t.Errorf("calls = %d, want 1", len(f.got("DescribeRegions")))
	}
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeRegions", func(url.Values) (int, string) {
		time.Sleep(300 * time.Millisecond)
		return 200, okBody(nil)
	})
	c, _ := f.client(t, func(cfg *Config) {
		cfg.RequestTimeout = 30 * time.Millisecond
		cfg.Retry.MaxAttempts = 2
	})
	_, err := c.DescribeRegions(context.Background())
	if err == nil || !IsRetryable(err) {
		t.Fatalf("err = %v, want a retryable timeout", err)
	}
	if n := len(f.got("DescribeRegions")); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
	if strings.Contains(err.Error(), "?") || strings.Contains(err.Error(), "Signature") {
		t.Errorf("error leaks the URL: %v", err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "DescribeRegions", nil)
	f.reply("2016-04-28", "DescribeVpcs", map[string]any{"Vpcs": map[string]any{"Vpc": []any{}}})
	c, _ := f.client(t)
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			var err error
			if i%2 == 0 {
				_, err = c.DescribeRegions(context.Background())
			} else {
				_, err = c.DescribeVpcs(context.Background(), VpcQuery{})
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestHTTPSEndpoint(t *testing.T) {
	t.Parallel()
	f := newFakeTLS(t)
	f.reply("2016-04-28", "DescribeVpcs", map[string]any{"Vpcs": map[string]any{"Vpc": []any{}}})
	if !strings.HasPrefix(f.srv.URL, "https://127.0.0.1:") {
		t.Fatalf("server URL %s", f.srv.URL)
	}
	c, _ := f.client(t, func(cfg *Config) { cfg.Transport = f.srv.Client().Transport })
	if _, err := c.DescribeVpcs(context.Background(), VpcQuery{}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.got("DescribeVpcs")); n != 1 {
		t.Errorf("calls = %d", n)
	}
	// Without trusting the test certificate the call fails at once, unretried.
	c2, _ := f.client(t)
	_, err := c2.DescribeVpcs(context.Background(), VpcQuery{})
	if err == nil || IsRetryable(err) || len(f.got("DescribeVpcs")) != 1 {
		t.Errorf("untrusted certificate: err=%v retryable=%v", err, IsRetryable(err))
	}
}

func TestFakeVerifiesSignatures(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "DescribeRegions", nil)
	c, _ := f.client(t)
	if _, err := c.DescribeRegions(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := f.got("DescribeRegions")[0].Query
	if !signatureOK("POST", q, testSecret) {
		t.Fatal("valid signature rejected")
	}
	if signatureOK("POST", q, "wrong-secret") || signatureOK("GET", q, testSecret) {
		t.Error("signature accepted with the wrong secret or method")
	}
	q.Set("RegionId", "cn-beijing")
	if signatureOK("POST", q, testSecret) {
		t.Error("signature accepted for a tampered parameter")
	}
}
