// Package ecs is the Alibaba Cloud client of the driver: one *Client over the
// SDK core (sdk.Client + requests.CommonRequest, not the 30 MB generated
// services/ecs and services/vpc packages), typed calls for the ECS 2014-05-26
// and VPC 2016-04-28 actions the driver uses, error classification, retry
// with backoff and waiters.
//
// Nothing here logs or returns the access key secret, the STS token, the
// instance password or user data: errors never include request URLs or
// parameters.
package ecs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

// Timeouts of one HTTP attempt (the retry loop and ctx bound the whole call).
const (
	DefaultConnectTimeout = 5 * time.Second
	// DefaultRequestTimeout is the read timeout of most actions.
	DefaultRequestTimeout = 30 * time.Second
	// SlowRequestTimeout is the read timeout of actions the SDK's own table
	// gives 60-100 s (RunInstances 86 s, DeleteInstance 66 s, DescribeZones
	// 103 s, ...).
	SlowRequestTimeout = 90 * time.Second
)

var slowActions = map[string]bool{
	"RunInstances": true, "DeleteInstance": true, "StartInstance": true, "StopInstance": true,
	"RebootInstance": true, "CreateSecurityGroup": true, "DeleteSecurityGroup": true,
	"DescribeZones": true, "DescribeAvailableResource": true, "DescribeImages": true,
	"DescribeInstanceTypes": true, "DescribeRegions": true,
}

// Config configures NewClient.
type Config struct {
	// Region is the region every call addresses, e.g. "cn-hangzhou". Required.
	Region string

	// AccessKeyID and AccessKeySecret are a static access key. With
	// SecurityToken as well they are STS credentials. When AccessKeyID is
	// empty the SDK's default chain is used: ALIBABA_CLOUD_ACCESS_KEY_ID /
	// _SECRET / _SECURITY_TOKEN, OIDC, ~/.aliyun/config.json,
	// ~/.alibabacloud/credentials, the ECS instance RAM role, a credentials URI.
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string

	// Endpoint, when set, is a base URL ("http://127.0.0.1:8600",
	// "https://ecs.example") that receives the calls of every product (ECS
	// and VPC) with that scheme. Empty means Alibaba Cloud over HTTPS at the
	// product's regional endpoint (e.g. ecs.cn-beijing.aliyuncs.com).
	Endpoint string

	// UserAgent is appended to the SDK's User-Agent as "Extra/<UserAgent>".
	UserAgent string

	// ConnectTimeout bounds dialing (DefaultConnectTimeout). It applies to
	// the default transport only.
	ConnectTimeout time.Duration
	// RequestTimeout bounds one HTTP attempt of any action. Zero picks
	// DefaultRequestTimeout, or SlowRequestTimeout for slow actions. It is
	// set on every request explicitly, which also avoids the SDK's "sticky
	// timeout" (aliyun-api.md §2.3).
	RequestTimeout time.Duration

	// Retry is the backoff of every call (the SDK's own retry is off).
	Retry RetryPolicy

	// Logf, if set, receives one line per retried attempt. Lines never hold
	// secrets, passwords or user data.
	Logf func(format string, args ...any)

	// Transport, if set, replaces the default HTTP transport (tests, custom
	// TLS roots). ConnectTimeout and the proxy rules are then the
	// transport's business.
	Transport http.RoundTripper
}

// Client calls the ECS and VPC APIs of one region. It implements API. It is
// safe for concurrent use; SDK calls are serialized because the SDK client
// rewrites shared state (its http.Client timeout, the default credential
// chain's cursor) on every call, while backoff sleeps run in parallel.
type Client struct {
	// sdks holds poolSize SDK clients; a call takes one for its attempt.
	sdks           chan *sdk.Client
	region         string
	endpoint       *endpoint // nil: public Alibaba Cloud endpoints
	requestTimeout time.Duration
	connectTimeout time.Duration
	retry          RetryPolicy
	logf           func(string, ...any)
	transport      *callTransport
	// batcher coalesces instance waits with other clients of the same
	// account and region in this process (batch.go).
	batcher *instanceBatcher
}

// poolSize is how many calls of one Client may be in flight at once. An SDK
// client rewrites shared state on every call (its http.Client timeout, the
// default credential chain's cursor), so each in-flight call needs its own;
// four lets the read-only lookups of a pre-create check overlap.
const poolSize = 4

var _ API = (*Client)(nil)

var regionPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// NewClient builds a Client. It does no network I/O: bad credentials show up
// on the first call.
func NewClient(cfg Config) (*Client, error) {
	if cfg.Region == "" {
		return nil, errors.New("ecs: region is required")
	}
	if !regionPattern.MatchString(cfg.Region) {
		return nil, fmt.Errorf("ecs: invalid region %q", cfg.Region)
	}
	c := &Client{
		region:         cfg.Region,
		requestTimeout: cfg.RequestTimeout,
		connectTimeout: cfg.ConnectTimeout,
		retry:          cfg.Retry,
		logf:           cfg.Logf,
		sdks:           make(chan *sdk.Client, poolSize),
		batcher:        batcherFor(batchKey(cfg)),
	}
	if c.connectTimeout <= 0 {
		c.connectTimeout = DefaultConnectTimeout
	}
	if cfg.Endpoint != "" {
		ep, err := parseEndpoint(cfg.Endpoint)
		if err != nil {
			return nil, err
		}
		c.endpoint = &ep
	}
	base := cfg.Transport
	if base == nil {
		base = newBaseTransport(c.connectTimeout)
	}
	c.transport = &callTransport{base: base}
	for range poolSize {
		// Each SDK client gets its own credentials provider: the default
		// chain's provider is not safe for concurrent use.
		cred, err := credentialsFor(cfg)
		if err != nil {
			return nil, err
		}
		sc := sdk.NewConfig().WithAutoRetry(false).WithMaxRetryTime(0).WithScheme(requests.HTTPS)
		sc.UserAgent = cfg.UserAgent
		sc.Transport = c.transport
		client, err := sdk.NewClientWithOptions(cfg.Region, sc, cred)
		if err != nil {
			return nil, fmt.Errorf("ecs: create SDK client: %w", err)
		}
		c.sdks <- client
	}
	return c, nil
}

// credentialsFor picks the credentials provider of cfg.
func credentialsFor(cfg Config) (auth.Credential, error) {
	switch {
	case cfg.AccessKeyID == "" && (cfg.AccessKeySecret != "" || cfg.SecurityToken != ""):
		return nil, errors.New("ecs: access key secret or security token given without an access key id")
	case cfg.AccessKeyID == "":
		return credentials.NewDefaultCredentialsProvider(), nil
	case cfg.AccessKeySecret == "":
		return nil, errors.New("ecs: access key id given without an access key secret")
	case cfg.SecurityToken != "":
		return credentials.NewStaticSTSCredentialsProvider(cfg.AccessKeyID, cfg.AccessKeySecret, cfg.SecurityToken), nil
	default:
		return credentials.NewStaticAKCredentialsProvider(cfg.AccessKeyID, cfg.AccessKeySecret), nil
	}
}

// Region returns the region the client was built for.
func (c *Client) Region() string { return c.region }

func (c *Client) timeoutFor(action string) time.Duration {
	if c.requestTimeout > 0 {
		return c.requestTimeout
	}
	if slowActions[action] {
		return SlowRequestTimeout
	}
	return DefaultRequestTimeout
}

// call runs action with q, retrying per c.retry, and decodes the JSON answer
// into out (may be nil).
func (c *Client) call(ctx context.Context, p product, action string, q params, out any) error {
	return c.callOpts(ctx, p, action, q, out, retryOpts{})
}

// callOpts is call with per-call retry options.
func (c *Client) callOpts(ctx context.Context, p product, action string, q params, out any, o retryOpts) error {
	o.logf, o.label = c.logf, action
	return retry(ctx, c.retry, o, func(ctx context.Context) error {
		return c.once(ctx, p, action, q, out)
	})
}

// once makes one attempt of action.
func (c *Client) once(ctx context.Context, p product, action string, q params, out any) error {
	var client *sdk.Client
	select {
	case client = <-c.sdks:
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", action, context.Cause(ctx))
	}
	body, err := c.send(ctx, client, p, action, q)
	c.sdks <- client
	if err != nil {
		err = convertError(action, err)
		var ae *APIError
		if ctx.Err() != nil && !errors.As(err, &ae) {
			// Aborted by ctx: say so rather than "request canceled".
			return fmt.Errorf("%s: %w", action, context.Cause(ctx))
		}
		return err
	}
	if out == nil || len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", action, err)
	}
	return nil
}

// send performs one signed SDK request and returns the 2xx body.
func (c *Client) send(ctx context.Context, client *sdk.Client, p product, action string, q params) (body []byte, err error) {
	defer func() {
		// The SDK panics on error bodies whose RequestId/Code/Message are
		// not strings (aliyun-api.md §1.7); do not let a bad server crash us.
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed response from the API endpoint: %v", r)
		}
	}()
	req := requests.NewCommonRequest()
	req.Method = requests.POST
	req.Product = p.name
	req.Version = p.version
	req.ApiName = action
	req.RegionId = c.region
	if c.endpoint != nil {
		req.Scheme = c.endpoint.scheme
		req.Domain = c.endpoint.host
	} else {
		req.Scheme = requests.HTTPS
		req.Domain = p.publicEndpoint(c.region)
	}
	req.ReadTimeout = c.timeoutFor(action)
	req.ConnectTimeout = c.connectTimeout
	for k, v := range q {
		req.QueryParams[k] = v
	}
	id, release := c.transport.register(ctx)
	defer release()
	req.Headers[callHeader] = id

	resp, err := client.ProcessCommonRequest(req)
	if err != nil {
		return nil, err
	}
	return resp.GetHttpContentBytes(), nil
}

// describeAll runs a PageNumber/PageSize paged Describe action, calling
// decode on every page's body. decode returns the page envelope and the
// number of items on the page. Paging stops at an empty page, once TotalCount
// items were seen, or (without TotalCount) at a short page.
func (c *Client) describeAll(ctx context.Context, p product, action string, q params, pageSize int,
	decode func(body []byte) (page, int, error)) error {
	seen := 0
	for n := 1; n <= maxPages; n++ {
		pq := q.clone()
		pq["PageNumber"] = fmt.Sprint(n)
		pq["PageSize"] = fmt.Sprint(pageSize)
		var raw json.RawMessage
		if err := c.call(ctx, p, action, pq, &raw); err != nil {
			return err
		}
		pg, count, err := decode(raw)
		if err != nil {
			return fmt.Errorf("%s: decode response: %w", action, err)
		}
		seen += count
		switch {
		case count == 0:
			return nil
		case pg.TotalCount > 0: // trust TotalCount: the server may cap PageSize
			if seen >= int(pg.TotalCount) {
				return nil
			}
		case count < pageSize:
			return nil
		}
	}
	return fmt.Errorf("%s: more than %d pages", action, maxPages)
}

// newClientToken returns a fresh idempotency token for a create call whose
// caller gave none, so that the call's own retries cannot create twice.
func newClientToken() string {
	return "ecsdrv-" + rand.Text()
}
