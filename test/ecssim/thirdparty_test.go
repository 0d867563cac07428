package ecssim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// legacy is a third-party-shaped client: it signs GET requests by hand
// (GET&%2F&...), as older drivers built on other SDKs do, and speaks the
// legacy actions those drivers call.
type legacy struct {
	*rawClient
	t *testing.T
}

// call sends one signed GET and fails the test unless the answer is 200.
func (l legacy) call(version, action string, p map[string]string) map[string]any {
	l.t.Helper()
	status, body := l.try(version, action, p)
	require.Equal(l.t, http.StatusOK, status, "%s: %v", action, body)
	return body
}

func (l legacy) try(version, action string, p map[string]string) (int, map[string]any) {
	l.t.Helper()
	q := l.params(action)
	q["Version"] = version
	for k, v := range p {
		q[k] = v
	}
	l.sign("GET", q)
	return l.do("GET", q)
}

func TestThirdPartyClientGETAndLegacyActions(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	l := legacy{newRaw(t, srv), t}
	e := &confEnv{t: t, srv: srv, cl: ecsClient(t, srv)}

	regions := l.call(pECS, "DescribeRegions", nil)
	require.NotEmpty(t, get(regions, "Regions", "Region"))

	// CreateInstance: Stopped, no public IP until AllocatePublicIpAddress.
	p := e.runParams(map[string]string{"InternetMaxBandwidthOut": "5", "InstanceName": "legacy-node",
		"Description": "made by a GET client * with ~ odd chars"})
	created := l.call(pECS, "CreateInstance", p)
	id := created["InstanceId"].(string)
	attr := l.call(pECS, "DescribeInstanceAttribute", map[string]string{"InstanceId": id})
	require.Equal(t, "Stopped", attr["Status"])
	require.Equal(t, "made by a GET client * with ~ odd chars", attr["Description"])
	require.Empty(t, get(attr, "PublicIpAddress", "IpAddress"))
	ip := l.call(pECS, "AllocatePublicIpAddress", map[string]string{"InstanceId": id})["IpAddress"].(string)
	require.Regexp(t, `^127\.`, ip)
	require.Equal(t, ip, l.call(pECS, "AllocatePublicIpAddress", map[string]string{"InstanceId": id})["IpAddress"])
	l.call(pECS, "StartInstance", map[string]string{"InstanceId": id})
	e.waitStatus(id, "Running")
	attr = l.call(pECS, "DescribeInstanceAttribute", map[string]string{"InstanceId": id})
	require.Equal(t, []any{ip}, get(attr, "PublicIpAddress", "IpAddress"))
	require.EqualValues(t, 8192, attr["Memory"])

	// Legacy tags.
	l.call(pECS, "AddTags", map[string]string{"ResourceType": "instance", "ResourceId": id, "Tag.1.Key": "role", "Tag.1.Value": "worker"})
	tags := l.call(pECS, "DescribeTags", map[string]string{"ResourceType": "instance", "ResourceId": id})
	require.Equal(t, "worker", get(tags, "Tags", "Tag", 0, "TagValue"))
	l.call(pECS, "RemoveTags", map[string]string{"ResourceType": "instance", "ResourceId": id, "Tag.1.Key": "role"})
	require.Empty(t, get(l.call(pECS, "DescribeTags", map[string]string{"ResourceId": id}), "Tags", "Tag"))

	// Routes to the instance, as old cloud providers program pod CIDRs.
	routers := l.call(pECS, "DescribeVRouters", nil)
	require.EqualValues(t, 1, routers["TotalCount"])
	vr := get(routers, "VRouters", "VRouter", 0).(map[string]any)
	table := get(vr, "RouteTableIds", "RouteTableId", 0).(string)
	l.call(pECS, "CreateRouteEntry", map[string]string{"RouteTableId": table, "DestinationCidrBlock": "10.244.0.0/24", "NextHopId": id})
	tables := l.call(pECS, "DescribeRouteTables", map[string]string{"VRouterId": vr["VRouterId"].(string)})
	entries := get(tables, "RouteTables", "RouteTable", 0, "RouteEntrys", "RouteEntry").([]any)
	require.Equal(t, id, entries[len(entries)-1].(map[string]any)["InstanceId"])
	status, body := l.try(pECS, "DeleteInstance", map[string]string{"InstanceId": id, "Force": "true"})
	require.Equal(t, 400, status)
	require.Equal(t, "DependencyViolation.RouteEntry", body["Code"])
	l.call(pECS, "DeleteRouteEntry", map[string]string{"RouteTableId": table, "DestinationCidrBlock": "10.244.0.0/24", "NextHopId": id})

	// ECS-version EIPs on an instance without a system public IP; the VPC
	// API sees the same EIP.
	bare := l.call(pECS, "CreateInstance", e.runParams(nil))["InstanceId"].(string)
	alloc := l.call(pECS, "AllocateEipAddress", map[string]string{"Bandwidth": "2"})
	eipID := alloc["AllocationId"].(string)
	l.call(pECS, "AssociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": bare})
	vpcView := l.call(pVPC, "DescribeEipAddresses", map[string]string{"AllocationId": eipID})
	require.Equal(t, bare, get(vpcView, "EipAddresses", "EipAddress", 0, "InstanceId"))
	waitFor(t, "InUse", func() bool { return e.eipStatus(eipID) == "InUse" })
	ecsView := l.call(pECS, "DescribeEipAddresses", map[string]string{"AllocationId": eipID})
	require.Equal(t, "2", get(ecsView, "EipAddresses", "EipAddress", 0, "Bandwidth"))
	require.Equal(t, alloc["EipAddress"], get(l.call(pECS, "DescribeInstanceAttribute",
		map[string]string{"InstanceId": bare}), "EipAddress", "IpAddress"))
	l.call(pECS, "UnassociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": bare})
	waitFor(t, "Available", func() bool { return e.eipStatus(eipID) == "Available" })
	l.call(pECS, "ReleaseEipAddress", map[string]string{"AllocationId": eipID})

	l.call(pECS, "DeleteInstance", map[string]string{"InstanceId": id, "Force": "true"})
	l.call(pECS, "DeleteInstance", map[string]string{"InstanceId": bare})
	e.waitStatus(id, "")
	e.waitStatus(bare, "")
	require.Equal(t, ecssimBillableEmpty, billableSummary(e))
}

const ecssimBillableEmpty = "instances=0 eips=0 disks=0 backends=0"

func billableSummary(e *confEnv) string {
	b := e.srv.Billable()
	return strings.Join([]string{"instances=" + itoa(len(b.Instances)), "eips=" + itoa(len(b.Eips)),
		"disks=" + itoa(len(b.Disks)), "backends=" + itoa(len(b.SLBBackends))}, " ")
}

// TestThirdPartyFormBody sends the parameters in a form-encoded POST body
// (what some HTTP client libraries do) and checks the signature still
// covers them.
func TestThirdPartyFormBody(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	raw := newRaw(t, srv)
	p := raw.params("DescribeZones")
	p["AcceptLanguage"] = "en-US"
	raw.sign("POST", p)
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	req, err := http.NewRequest("POST", srv.URL()+"/", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body := doHTTP(t, req)
	require.Equal(t, 200, status, "%v", body)
	require.Contains(t, get(body, "Zones", "Zone", 0, "LocalName"), "Zone")
}
