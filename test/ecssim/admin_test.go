package ecssim_test

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

func TestAdminResourcesShape(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	var raw map[string][]map[string]any
	require.Equal(t, 200, adminJSON(t, srv, "GET", "/_sim/resources", "", &raw))
	for _, k := range []string{"instances", "securityGroups", "keyPairs", "vpcs", "vswitches", "eips", "disks", "loadBalancers", "deploymentSets"} {
		require.Contains(t, raw, k)
		require.NotNil(t, raw[k], k) // [] rather than null
	}
	require.Len(t, raw["vpcs"], 8) // one default VPC per region
	for _, k := range []string{"id", "region", "name", "status", "tags"} {
		require.Contains(t, raw["vpcs"][0], k)
	}

	cl := ecsClient(t, srv)
	req := runRequest(t, srv)
	runOne(t, cl, req)
	require.NoError(t, authorize(cl, req.SecurityGroupId, ecs.AuthorizeSecurityGroupPermissions{
		IpProtocol: "TCP", PortRange: "22/22", SourceCidrIp: "0.0.0.0/0"}))
	require.Equal(t, 200, adminJSON(t, srv, "GET", "/_sim/resources", "", &raw))
	inst := raw["instances"][0]
	for _, k := range []string{"id", "region", "name", "status", "tags", "publicIp", "privateIp", "keyPairName",
		"securityGroupIds", "hostName", "zoneId", "vswitchId"} {
		require.Contains(t, inst, k)
	}
	sg := raw["securityGroups"][0]
	for _, k := range []string{"vpcId", "innerAccessPolicy", "rules"} {
		require.Contains(t, sg, k)
	}
	rule := sg["rules"].([]any)[0].(map[string]any)
	for _, k := range []string{"direction", "protocol", "portRange", "sourceCidr", "sourceGroupId"} {
		require.Contains(t, rule, k)
	}
	for _, k := range []string{"instanceId", "size", "category"} {
		require.Contains(t, raw["disks"][0], k)
	}
}

func TestAdminCalls(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	_, err := ecsClient(t, srv).DescribeRegions(ecs.CreateDescribeRegionsRequest())
	require.NoError(t, err)
	_, err = ecsClientWith(t, srv, ecssim.DefaultAccessKeyID, "bad").DescribeZones(ecs.CreateDescribeZonesRequest())
	require.Error(t, err)
	_, err = vpcClient(t, srv).DescribeVpcs(vpc.CreateDescribeVpcsRequest())
	require.NoError(t, err)

	var calls []ecssim.Call
	require.Equal(t, 200, adminJSON(t, srv, "GET", "/_sim/calls", "", &calls))
	require.Len(t, calls, 3)
	require.Equal(t, ecssim.Call{Seq: 1, Time: calls[0].Time, Action: "DescribeRegions", Version: "2014-05-26",
		Region: "cn-hangzhou", AccessKeyID: "ecssim-ak", HTTPStatus: 200, RequestID: calls[0].RequestID,
		Params: calls[0].Params}, calls[0])
	require.Regexp(t, `^[0-9A-F-]{36}$`, calls[0].RequestID)
	require.Equal(t, "***", calls[0].Params["Signature"])
	require.Equal(t, "DescribeRegions", calls[0].Params["Action"])
	require.Equal(t, "DescribeZones", calls[1].Action)
	require.Equal(t, 400, calls[1].HTTPStatus)
	require.Equal(t, "SignatureDoesNotMatch", calls[1].Code)
	require.Equal(t, "2016-04-28", calls[2].Version)
	require.WithinDuration(t, time.Now(), calls[2].Time, time.Minute)

	require.Equal(t, 200, adminJSON(t, srv, "GET", "/_sim/calls?since=2", "", &calls))
	require.Len(t, calls, 1)
	require.Equal(t, int64(3), calls[0].Seq)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	regions := func() error {
		_, err := cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
		return err
	}

	// times and skip, over HTTP.
	require.Equal(t, 200, adminJSON(t, srv, "POST", "/_sim/faults",
		`{"action":"DescribeRegions","code":"ServiceUnavailable","times":2,"skip":1}`, nil))
	require.NoError(t, regions())
	requireAPIError(t, regions(), 503, "ServiceUnavailable")
	requireAPIError(t, regions(), 503, "ServiceUnavailable")
	require.NoError(t, regions())
	require.Empty(t, srv.Faults())

	// Explicit status, any action, then cleared.
	require.NoError(t, srv.AddFault(ecssim.Fault{Action: "*", Code: "Throttling.User", Times: -1}))
	requireAPIError(t, regions(), 400, "Throttling.User")
	_, err := cl.DescribeZones(ecs.CreateDescribeZonesRequest())
	requireAPIError(t, err, 400, "Throttling.User")
	require.Equal(t, 200, adminJSON(t, srv, "DELETE", "/_sim/faults", "", nil))
	require.NoError(t, regions())

	// afterEffect: the group is created, the client sees an error.
	require.NoError(t, srv.AddFault(ecssim.Fault{Action: "CreateSecurityGroup", Code: "InternalError", AfterEffect: true}))
	create := ecs.CreateCreateSecurityGroupRequest()
	create.VpcId = defaultVpc(t, srv)
	create.ClientToken = "sg-token-1"
	_, err = cl.CreateSecurityGroup(create)
	requireAPIError(t, err, 500, "InternalError")
	require.Len(t, srv.Resources().SecurityGroups, 1)
	// The retry with the same token gets the first answer, nothing new.
	resp, err := cl.CreateSecurityGroup(create)
	require.NoError(t, err)
	require.Equal(t, srv.Resources().SecurityGroups[0].ID, resp.SecurityGroupId)
	require.Len(t, srv.Resources().SecurityGroups, 1)

	// hangMs without a code delays a normal answer.
	require.NoError(t, srv.AddFault(ecssim.Fault{Action: "DescribeRegions", HangMs: 150}))
	start := time.Now()
	require.NoError(t, regions())
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	// hangMs with a code delays the error.
	require.NoError(t, srv.AddFault(ecssim.Fault{Action: "DescribeRegions", HangMs: 100, Code: "InvalidInstanceId.NotFound"}))
	start = time.Now()
	requireAPIError(t, regions(), 404, "InvalidInstanceId.NotFound")
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	// A held answer after the effect: the client times out, the group exists.
	require.NoError(t, srv.AddFault(ecssim.Fault{Action: "CreateSecurityGroup", HangMs: 2000}))
	slow := ecs.CreateCreateSecurityGroupRequest()
	slow.VpcId = defaultVpc(t, srv)
	slow.SetReadTimeout(100 * time.Millisecond)
	_, err = cl.CreateSecurityGroup(slow)
	require.Error(t, err)
	require.Len(t, srv.Resources().SecurityGroups, 2)

	// Faults apply only after the signature is verified.
	require.NoError(t, srv.AddFault(ecssim.Fault{Action: "DescribeRegions", Code: "InternalError"}))
	_, err = ecsClientWith(t, srv, ecssim.DefaultAccessKeyID, "bad").DescribeRegions(ecs.CreateDescribeRegionsRequest())
	requireAPIError(t, err, 400, "SignatureDoesNotMatch")
	requireAPIError(t, regions(), 500, "InternalError")

	var list []ecssim.Fault
	require.Equal(t, 400, adminJSON(t, srv, "POST", "/_sim/faults", `{"action":"X"}`, nil))
	require.Equal(t, 400, adminJSON(t, srv, "POST", "/_sim/faults", `{"action":"X","code":"Y","tims":3}`, nil))
	require.Equal(t, 200, adminJSON(t, srv, "GET", "/_sim/faults", "", &list))
	require.Empty(t, list)
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	require.Equal(t, 200, adminJSON(t, srv, "POST", "/_sim/throttle", `{"action":"DescribeZones","perSecond":2}`, nil))
	zones := func() error {
		_, err := cl.DescribeZones(ecs.CreateDescribeZonesRequest())
		return err
	}
	require.NoError(t, zones())
	require.NoError(t, zones())
	requireAPIError(t, zones(), 400, "Throttling.User")
	// Other actions and other regions have their own buckets.
	_, err := cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	require.NoError(t, err)
	bj := ecs.CreateDescribeZonesRequest()
	bj.RegionId = "cn-beijing"
	_, err = cl.DescribeZones(bj)
	require.NoError(t, err)
	// Tokens come back over time.
	waitFor(t, "token refill", func() bool { return zones() == nil })

	srv.SetThrottle("*", 1)
	_, err = cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	require.NoError(t, err)
	_, err = cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	requireAPIError(t, err, 400, "Throttling.User")
	require.Len(t, srv.Throttles(), 2)
	srv.SetThrottle("*", 0)
	srv.SetThrottle("DescribeZones", 0)
	require.Empty(t, srv.Throttles())
}

func TestAdminCredentials(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	var out map[string]string
	require.Equal(t, 200, adminJSON(t, srv, "POST", "/_sim/credentials", `{"id":"ak-2","secret":"s-2"}`, &out))
	require.Equal(t, map[string]string{"id": "ak-2"}, out)
	cl := ecsClientWith(t, srv, "ak-2", "s-2")
	_, err := cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	require.NoError(t, err)
	require.Equal(t, 200, adminJSON(t, srv, "DELETE", "/_sim/credentials/ak-2", "", nil))
	_, err = cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	requireAPIError(t, err, 404, "InvalidAccessKeyId.NotFound")
	require.Equal(t, 404, adminJSON(t, srv, "DELETE", "/_sim/credentials/ak-2", "", nil))
	require.Equal(t, 400, adminJSON(t, srv, "POST", "/_sim/credentials", `{"id":"x"}`, nil))
}

func TestAdminReset(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	req := runRequest(t, srv)
	req.ClientToken = "tok"
	id := runOne(t, cl, req)
	before := srv.Resources()
	require.NoError(t, srv.AddFault(ecssim.Fault{Action: "DescribeKeyPairs", Code: "InternalError"}))

	var out map[string]bool
	require.Equal(t, 200, adminJSON(t, srv, "POST", "/_sim/reset", "", &out))
	after := srv.Resources()
	require.Empty(t, after.Instances)
	require.Empty(t, after.SecurityGroups)
	require.Empty(t, after.Disks)
	require.Len(t, after.Vpcs, 8)
	require.NotEqual(t, before.Vpcs[0].ID, after.Vpcs[0].ID) // re-seeded
	require.Empty(t, srv.Faults())
	require.Empty(t, srv.Calls())
	require.Equal(t, "", instanceStatus(t, cl, id))
	// Transitions scheduled before the reset (Pending 20ms, Starting 30ms)
	// do nothing afterwards.
	time.Sleep(60 * time.Millisecond)
	require.Empty(t, srv.Resources().Instances)
	// The ClientToken is forgotten: a different request may use it.
	again := runRequest(t, srv)
	again.ClientToken = "tok"
	require.NotEqual(t, id, runOne(t, cl, again))
}
