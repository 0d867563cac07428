package ecssim_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// The conformance suite: table-driven cases, each on a fresh simulator,
// sent through the real SDK (a CommonRequest on the SDK client, so one
// table covers ECS, VPC and SLB). Every case asserts the HTTP status and
// code; error cases also assert that the inventory did not change, and
// success cases check the inventory they should have changed.

// Product versions as the SDK sends them.
const (
	pECS = "2014-05-26"
	pVPC = "2016-04-28"
	pSLB = "2014-05-15"
)

var productNames = map[string]string{pECS: "Ecs", pVPC: "Vpc", pSLB: "Slb"}

// confEnv is one case's world: a simulator and helpers that build
// resources through the API.
type confEnv struct {
	t     *testing.T
	srv   *ecssim.Server
	cl    *ecs.Client
	group string // lazily created security group in the default VPC
}

func newConfEnv(t *testing.T, tweak ...func(*ecssim.Options)) *confEnv {
	srv := newSim(t, tweak...)
	return &confEnv{t: t, srv: srv, cl: ecsClient(t, srv)}
}

// fork returns an env on the same simulator with its own SDK client: SDK
// clients are not safe for concurrent use (DoAction writes client fields).
func (e *confEnv) fork() *confEnv {
	return &confEnv{t: e.t, srv: e.srv, cl: ecsClient(e.t, e.srv), group: e.group}
}

// do sends one call through the SDK and decodes the JSON answer.
func (e *confEnv) do(version, action string, p map[string]string) (map[string]any, error) {
	req := requests.NewCommonRequest()
	req.Method = "POST"
	req.Scheme = "http"
	req.Domain = e.srv.Addr()
	req.Product = productNames[version]
	req.Version = version
	req.ApiName = action
	for k, v := range p {
		req.QueryParams[k] = v
	}
	resp, err := e.cl.ProcessCommonRequest(req)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	require.NoError(e.t, json.Unmarshal(resp.GetHttpContentBytes(), &out))
	return out, nil
}

// must is do for setup steps that have to succeed.
func (e *confEnv) must(version, action string, p map[string]string) map[string]any {
	e.t.Helper()
	out, err := e.do(version, action, p)
	require.NoError(e.t, err, "%s %v", action, p)
	return out
}

func (e *confEnv) vswitch() string {
	for _, sw := range e.srv.Resources().VSwitches {
		if sw.Region == region && sw.IsDefault {
			return sw.ID
		}
	}
	e.t.Fatal("no default VSwitch")
	return ""
}

func (e *confEnv) sg() string {
	if e.group == "" {
		e.group = e.must(pECS, "CreateSecurityGroup", map[string]string{"VpcId": defaultVpc(e.t, e.srv)})["SecurityGroupId"].(string)
	}
	return e.group
}

// runParams are valid RunInstances parameters, overlaid with extra ("" deletes).
func (e *confEnv) runParams(extra map[string]string) map[string]string {
	p := map[string]string{"ImageId": "ubuntu_24_04_x64_20G_alibase_20250722.vhd", "InstanceType": "ecs.g7.large",
		"VSwitchId": e.vswitch(), "SecurityGroupId": e.sg()}
	for k, v := range extra {
		if v == "" {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return p
}

// instance runs one instance and returns its ID without waiting.
func (e *confEnv) instance(extra map[string]string) string {
	out := e.must(pECS, "RunInstances", e.runParams(extra))
	return out["InstanceIdSets"].(map[string]any)["InstanceIdSet"].([]any)[0].(string)
}

func (e *confEnv) status(id string) string {
	for _, i := range e.srv.Resources().Instances {
		if i.ID == id {
			return i.Status
		}
	}
	return ""
}

func (e *confEnv) waitStatus(id, status string) {
	e.t.Helper()
	waitFor(e.t, id+" "+status, func() bool { return e.status(id) == status })
}

func (e *confEnv) running(extra map[string]string) string {
	id := e.instance(extra)
	e.waitStatus(id, "Running")
	return id
}

func (e *confEnv) stopped(extra map[string]string) string {
	id := e.running(extra)
	e.must(pECS, "StopInstance", map[string]string{"InstanceId": id})
	e.waitStatus(id, "Stopped")
	return id
}

func (e *confEnv) eip() string {
	return e.must(pVPC, "AllocateEipAddress", nil)["AllocationId"].(string)
}

func (e *confEnv) eipStatus(id string) string {
	for _, x := range e.srv.Resources().Eips {
		if x.ID == id {
			return x.Status
		}
	}
	return ""
}

// newVpc creates a VPC and waits until it is Available.
func (e *confEnv) newVpc(cidr string) string {
	id := e.must(pVPC, "CreateVpc", map[string]string{"CidrBlock": cidr})["VpcId"].(string)
	waitFor(e.t, "vpc", func() bool {
		for _, v := range e.srv.Resources().Vpcs {
			if v.ID == id {
				return v.Status == "Available"
			}
		}
		return false
	})
	return id
}

func (e *confEnv) lb() string {
	id, err := e.srv.CreateLoadBalancer(region, "test-lb")
	require.NoError(e.t, err)
	return id
}

// fingerprint summarises the inventory without statuses (which move on
// their own) so error cases can assert that nothing changed.
func fingerprint(r ecssim.Resources) string {
	var parts []string
	tags := func(m map[string]string) string {
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, x := range r.Instances {
		parts = append(parts, fmt.Sprintf("i:%s:%s:%s:%v:%s:%s:%v:%v:%s", x.ID, x.Name, x.HostName, x.SecurityGroupIDs,
			tags(x.Tags), x.EipID, x.DeletionProtection, x.Ipv6Addresses, x.DeploymentSetID))
	}
	for _, x := range r.SecurityGroups {
		parts = append(parts, fmt.Sprintf("sg:%s:%s:%d:%s", x.ID, x.InnerAccessPolicy, len(x.Rules), tags(x.Tags)))
	}
	for _, x := range r.KeyPairs {
		parts = append(parts, "kp:"+x.Name+":"+tags(x.Tags))
	}
	for _, x := range r.Vpcs {
		parts = append(parts, "vpc:"+x.ID+":"+x.Ipv6CidrBlock+":"+tags(x.Tags))
	}
	for _, x := range r.VSwitches {
		parts = append(parts, "vsw:"+x.ID+":"+x.Ipv6CidrBlock+":"+tags(x.Tags))
	}
	for _, x := range r.DeploymentSets {
		parts = append(parts, fmt.Sprintf("ds:%s:%s:%v", x.ID, x.Name, x.InstanceIDs))
	}
	for _, x := range r.Eips {
		parts = append(parts, "eip:"+x.ID+":"+x.InstanceID+":"+tags(x.Tags))
	}
	for _, x := range r.Disks {
		parts = append(parts, "disk:"+x.ID+":"+tags(x.Tags))
	}
	for _, x := range r.LoadBalancers {
		parts = append(parts, fmt.Sprintf("lb:%s:%v", x.ID, x.Backends))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

// confCase is one conformance case. setup builds what the call needs and
// returns its parameters; check (optional) inspects the answer and the
// inventory after a success.
type confCase struct {
	name    string
	version string
	action  string
	setup   func(e *confEnv) map[string]string
	status  int    // 0 for success
	code    string // expected error code
	opts    func(*ecssim.Options)
	check   func(t *testing.T, e *confEnv, resp map[string]any)
}

// runConformance runs a table, each case in parallel on its own simulator.
func runConformance(t *testing.T, cases []confCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.action+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			var tweaks []func(*ecssim.Options)
			if tc.opts != nil {
				tweaks = append(tweaks, tc.opts)
			}
			e := newConfEnv(t, tweaks...)
			p := map[string]string{}
			if tc.setup != nil {
				p = tc.setup(e)
			}
			before := fingerprint(e.srv.Resources())
			resp, err := e.do(tc.version, tc.action, p)
			if tc.status == 0 {
				require.NoError(t, err)
				require.NotEmpty(t, resp["RequestId"])
				if tc.check != nil {
					tc.check(t, e, resp)
				}
				return
			}
			requireAPIError(t, err, tc.status, tc.code)
			require.Equal(t, before, fingerprint(e.srv.Resources()), "a failed call changed the inventory")
			last := e.srv.Calls()[len(e.srv.Calls())-1]
			require.Equal(t, tc.code, last.Code)
			require.Equal(t, tc.status, last.HTTPStatus)
		})
	}
}

// waitShort lets fast-profile transitions (tens of milliseconds) finish.
func waitShort() { time.Sleep(100 * time.Millisecond) }

// get walks a decoded JSON answer: get(resp, "Instances", "Instance", 0, "Status").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}
