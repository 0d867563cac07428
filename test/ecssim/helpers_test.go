package ecssim_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

const region = "cn-hangzhou"

func TestMain(m *testing.M) {
	// The SDK proxies even 127.0.0.1 when a proxy variable is set.
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"} {
		os.Unsetenv(k)
	}
	// The SDK fills its endpoint tables lazily without a lock; fill them
	// before parallel tests create clients.
	ecs.GetEndpointMap()
	vpc.GetEndpointMap()
	os.Exit(m.Run())
}

// freePort returns a TCP port that is free on loopback right now, so guest
// SSH servers in tests never collide with a real sshd on 22 or 2222.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newSim starts a fast simulator for one test.
func newSim(t *testing.T, tweak ...func(*ecssim.Options)) *ecssim.Server {
	t.Helper()
	opts := ecssim.Options{GuestSSHPort: freePort(t), Logf: t.Logf}
	for _, f := range tweak {
		f(&opts)
	}
	srv, err := ecssim.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv
}

func ecsClientWith(t *testing.T, srv *ecssim.Server, id, secret string) *ecs.Client {
	t.Helper()
	cl, err := ecs.NewClientWithAccessKey(region, id, secret)
	require.NoError(t, err)
	cl.Domain = srv.Addr()
	cl.SetReadTimeout(10 * time.Second)
	cl.SetConnectTimeout(2 * time.Second)
	return cl
}

func ecsClient(t *testing.T, srv *ecssim.Server) *ecs.Client {
	return ecsClientWith(t, srv, ecssim.DefaultAccessKeyID, ecssim.DefaultAccessKeySecret)
}

func vpcClient(t *testing.T, srv *ecssim.Server) *vpc.Client {
	t.Helper()
	cl, err := vpc.NewClientWithAccessKey(region, ecssim.DefaultAccessKeyID, ecssim.DefaultAccessKeySecret)
	require.NoError(t, err)
	cl.Domain = srv.Addr()
	cl.SetReadTimeout(10 * time.Second)
	cl.SetConnectTimeout(2 * time.Second)
	return cl
}

// requireAPIError asserts an SDK server error with the given status and code.
func requireAPIError(t *testing.T, err error, status int, code string) *sdkerrors.ServerError {
	t.Helper()
	require.Error(t, err)
	var se *sdkerrors.ServerError
	require.True(t, errors.As(err, &se), "want *errors.ServerError, got %T: %v", err, err)
	require.Equal(t, code, se.ErrorCode(), "message: %s", se.Message())
	require.Equal(t, status, se.HttpStatus(), "code %s", code)
	require.NotEmpty(t, se.RequestId())
	return se
}

// waitFor polls cond every few milliseconds until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// instanceStatus returns an instance's status, "" when it does not exist.
func instanceStatus(t *testing.T, cl *ecs.Client, id string) string {
	t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	req.InstanceIds = fmt.Sprintf("[%q]", id)
	resp, err := cl.DescribeInstances(req)
	require.NoError(t, err)
	if len(resp.Instances.Instance) == 0 {
		return ""
	}
	return resp.Instances.Instance[0].Status
}

func waitStatus(t *testing.T, cl *ecs.Client, id, status string) {
	t.Helper()
	waitFor(t, id+" "+status, func() bool { return instanceStatus(t, cl, id) == status })
}

// defaultVpc returns the ID of the test region's default VPC.
func defaultVpc(t *testing.T, srv *ecssim.Server) string {
	t.Helper()
	for _, v := range srv.Resources().Vpcs {
		if v.Region == region && v.IsDefault {
			return v.ID
		}
	}
	t.Fatal("no default VPC")
	return ""
}

// defaultNetwork returns the region's default VSwitch and a new security
// group in the default VPC.
func defaultNetwork(t *testing.T, srv *ecssim.Server) (vswitchID, groupID string) {
	t.Helper()
	res := srv.Resources()
	var vpcID string
	for _, sw := range res.VSwitches {
		if sw.Region == region && sw.IsDefault {
			vswitchID, vpcID = sw.ID, sw.VpcID
		}
	}
	require.NotEmpty(t, vswitchID)
	req := ecs.CreateCreateSecurityGroupRequest()
	req.VpcId = vpcID
	req.SecurityGroupName = "test-sg"
	resp, err := ecsClient(t, srv).CreateSecurityGroup(req)
	require.NoError(t, err)
	return vswitchID, resp.SecurityGroupId
}

// runRequest is a valid RunInstances request on the default network.
func runRequest(t *testing.T, srv *ecssim.Server) *ecs.RunInstancesRequest {
	t.Helper()
	sw, sg := defaultNetwork(t, srv)
	req := ecs.CreateRunInstancesRequest()
	req.ImageId = "ubuntu_24_04_x64_20G_alibase_20250722.vhd"
	req.InstanceType = "ecs.g7.large"
	req.VSwitchId = sw
	req.SecurityGroupId = sg
	return req
}

// runOne starts one instance and returns its ID.
func runOne(t *testing.T, cl *ecs.Client, req *ecs.RunInstancesRequest) string {
	t.Helper()
	resp, err := cl.RunInstances(req)
	require.NoError(t, err)
	require.Len(t, resp.InstanceIdSets.InstanceIdSet, 1)
	return resp.InstanceIdSets.InstanceIdSet[0]
}

// rawClient signs requests by hand, to send what the SDK never would (old
// timestamps, replayed nonces, missing parameters).
type rawClient struct {
	t      *testing.T
	srv    *ecssim.Server
	id     string
	secret string
	nonce  atomic.Int64
}

func newRaw(t *testing.T, srv *ecssim.Server) *rawClient {
	return &rawClient{t: t, srv: srv, id: ecssim.DefaultAccessKeyID, secret: ecssim.DefaultAccessKeySecret}
}

// params returns the common parameters of a signed ECS call.
func (c *rawClient) params(action string) map[string]string {
	return map[string]string{
		"Action": action, "Version": "2014-05-26", "Format": "JSON", "AccessKeyId": c.id,
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureType": "",
		"SignatureNonce": fmt.Sprintf("raw-%d-%d", time.Now().UnixNano(), c.nonce.Add(1)),
		"Timestamp":      time.Now().UTC().Format("2006-01-02T15:04:05Z"), "RegionId": region,
	}
}

// rfc3986 encodes like the SDK: QueryEscape with %20, %2A and literal ~.
func rfc3986(s string) string {
	s = url.QueryEscape(s)
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(s)
}

// sign adds Signature computed independently of the simulator's code.
func (c *rawClient) sign(method string, p map[string]string) {
	delete(p, "Signature")
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, rfc3986(k)+"="+rfc3986(p[k]))
	}
	toSign := method + "&%2F&" + rfc3986(strings.Join(pairs, "&"))
	m := hmac.New(sha1.New, []byte(c.secret+"&"))
	m.Write([]byte(toSign))
	p["Signature"] = base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// do sends p as the query string and returns status and decoded body.
func (c *rawClient) do(method string, p map[string]string) (int, map[string]any) {
	c.t.Helper()
	q := url.Values{}
	for k, v := range p {
		q.Set(k, v)
	}
	req, err := http.NewRequest(method, c.srv.URL()+"/?"+q.Encode(), nil)
	require.NoError(c.t, err)
	return doHTTP(c.t, req)
}

func doHTTP(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(b, &body), "body: %s", b)
	return resp.StatusCode, body
}

// adminJSON calls the admin API and decodes the JSON answer into out.
func adminJSON(t *testing.T, srv *ecssim.Server, method, path, body string, out any) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL()+path, r)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), "body: %s", b)
	}
	return resp.StatusCode
}
