package ecssim_test

import (
	"time"

	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

func describeVpc(t *testing.T, cl *vpc.Client, id string) *vpc.Vpc {
	t.Helper()
	req := vpc.CreateDescribeVpcsRequest()
	req.VpcId = id
	resp, err := cl.DescribeVpcs(req)
	require.NoError(t, err)
	if len(resp.Vpcs.Vpc) == 0 {
		return nil
	}
	return &resp.Vpcs.Vpc[0]
}

func vswitchStatus(t *testing.T, cl *vpc.Client, id string) string {
	t.Helper()
	req := vpc.CreateDescribeVSwitchesRequest()
	req.VSwitchId = id
	resp, err := cl.DescribeVSwitches(req)
	require.NoError(t, err)
	if len(resp.VSwitches.VSwitch) == 0 {
		return ""
	}
	return resp.VSwitches.VSwitch[0].Status
}

func TestDefaultNetwork(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := vpcClient(t, srv)
	req := vpc.CreateDescribeVpcsRequest()
	req.IsDefault = requests.NewBoolean(true)
	resp, err := cl.DescribeVpcs(req)
	require.NoError(t, err)
	require.Len(t, resp.Vpcs.Vpc, 1)
	v := resp.Vpcs.Vpc[0]
	require.True(t, v.IsDefault)
	require.Equal(t, "172.16.0.0/12", v.CidrBlock)
	require.Equal(t, "Available", v.Status)
	require.Len(t, v.VSwitchIds.VSwitchId, 1)
	require.NotNil(t, v.UserCidrs.UserCidr)

	sreq := vpc.CreateDescribeVSwitchesRequest()
	sreq.VpcId = v.VpcId
	sresp, err := cl.DescribeVSwitches(sreq)
	require.NoError(t, err)
	require.Len(t, sresp.VSwitches.VSwitch, 1)
	sw := sresp.VSwitches.VSwitch[0]
	require.True(t, sw.IsDefault)
	require.Equal(t, "cn-hangzhou-h", sw.ZoneId)
	require.Equal(t, int64(4092), sw.AvailableIpAddressCount)
	require.Equal(t, "System", sw.RouteTable.RouteTableType)
}

func TestVpcLifecycle(t *testing.T) {
	t.Parallel()
	srv := newSim(t, func(o *ecssim.Options) {
		// Slow enough to observe Pending reliably.
		o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionVPC: 300 * time.Millisecond, ecssim.TransitionVSwitch: 300 * time.Millisecond}
	})
	cl := vpcClient(t, srv)

	create := vpc.CreateCreateVpcRequest()
	create.CidrBlock = "10.10.0.0/16"
	create.VpcName = "docker-machine"
	create.Tag = &[]vpc.CreateVpcTag{{Key: "managed-by", Value: "docker-machine-driver-aliyunecs"}}
	v, err := cl.CreateVpc(create)
	require.NoError(t, err)
	require.Regexp(t, `^vpc-bp[a-z0-9]{19}$`, v.VpcId)
	require.Regexp(t, `^vrt-`, v.VRouterId)
	require.Regexp(t, `^vtb-`, v.RouteTableId)
	got := describeVpc(t, cl, v.VpcId)
	require.Equal(t, "Pending", got.Status)
	require.Equal(t, "managed-by", got.Tags.Tag[0].Key)
	require.Equal(t, "docker-machine-driver-aliyunecs", got.Tags.Tag[0].Value)

	sw := vpc.CreateCreateVSwitchRequest()
	sw.VpcId = v.VpcId
	sw.ZoneId = "cn-hangzhou-i"
	sw.CidrBlock = "10.10.1.0/24"
	_, err = cl.CreateVSwitch(sw)
	requireAPIError(t, err, 400, "IncorrectVpcStatus")
	del := vpc.CreateDeleteVpcRequest()
	del.VpcId = v.VpcId
	_, err = cl.DeleteVpc(del)
	requireAPIError(t, err, 400, "IncorrectVpcStatus")

	waitFor(t, "VPC available", func() bool { return describeVpc(t, cl, v.VpcId).Status == "Available" })

	bad := []struct {
		name, zone, cidr string
		status           int
		code             string
	}{
		{"outside vpc", "cn-hangzhou-i", "10.11.0.0/24", 400, "InvalidParameter"},
		{"mask too wide", "cn-hangzhou-i", "10.10.0.0/15", 400, "InvalidParameter"},
		{"malformed", "cn-hangzhou-i", "10.10.1.5/24", 400, "InvalidCidrBlock.Malformed"},
		{"zone", "cn-hangzhou-z", "10.10.1.0/24", 404, "InvalidZoneId.NotFound"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			sw.ZoneId, sw.CidrBlock = tc.zone, tc.cidr
			_, err := cl.CreateVSwitch(sw)
			requireAPIError(t, err, tc.status, tc.code)
		})
	}
	sw.ZoneId, sw.CidrBlock, sw.VSwitchName = "cn-hangzhou-i", "10.10.1.0/24", "machines"
	sw.Tag = &[]vpc.CreateVSwitchTag{{Key: "managed-by", Value: "test"}}
	swResp, err := cl.CreateVSwitch(sw)
	require.NoError(t, err)
	require.Equal(t, "Pending", vswitchStatus(t, cl, swResp.VSwitchId))
	sw.CidrBlock = "10.10.0.0/20"
	_, err = cl.CreateVSwitch(sw)
	requireAPIError(t, err, 400, "InvalidCidrBlock.Overlapped")

	dsw := vpc.CreateDeleteVSwitchRequest()
	dsw.VSwitchId = swResp.VSwitchId
	_, err = cl.DeleteVSwitch(dsw)
	requireAPIError(t, err, 400, "IncorrectVSwitchStatus")
	waitFor(t, "VSwitch available", func() bool { return vswitchStatus(t, cl, swResp.VSwitchId) == "Available" })

	dreq := vpc.CreateDescribeVSwitchesRequest()
	dreq.Tag = &[]vpc.DescribeVSwitchesTag{{Key: "managed-by", Value: "test"}}
	dresp, err := cl.DescribeVSwitches(dreq)
	require.NoError(t, err)
	require.Len(t, dresp.VSwitches.VSwitch, 1)
	require.Equal(t, int64(252), dresp.VSwitches.VSwitch[0].AvailableIpAddressCount)
	require.Equal(t, "test", dresp.VSwitches.VSwitch[0].Tags.Tag[0].Value)

	// A security group and the VSwitch keep the VPC alive.
	sg := ecs.CreateCreateSecurityGroupRequest()
	sg.VpcId = v.VpcId
	sgResp, err := ecsClient(t, srv).CreateSecurityGroup(sg)
	require.NoError(t, err)
	_, err = cl.DeleteVpc(del)
	requireAPIError(t, err, 400, "DependencyViolation.VSwitch")
	_, err = cl.DeleteVSwitch(dsw)
	require.NoError(t, err)
	_, err = cl.DeleteVpc(del)
	requireAPIError(t, err, 400, "DependencyViolation.SecurityGroup")
	dsg := ecs.CreateDeleteSecurityGroupRequest()
	dsg.SecurityGroupId = sgResp.SecurityGroupId
	_, err = ecsClient(t, srv).DeleteSecurityGroup(dsg)
	require.NoError(t, err)
	_, err = cl.DeleteVpc(del)
	require.NoError(t, err)
	require.Nil(t, describeVpc(t, cl, v.VpcId))
	_, err = cl.DeleteVpc(del)
	requireAPIError(t, err, 404, "InvalidVpcId.NotFound")
	_, err = cl.DeleteVSwitch(dsw)
	requireAPIError(t, err, 404, "InvalidVSwitchId.NotFound")
}

func TestCreateVpcValidation(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := vpcClient(t, srv)
	for _, cidr := range []string{"8.8.0.0/16", "10.0.0.0/29", "10.0.0.0/33", "nonsense"} {
		req := vpc.CreateCreateVpcRequest()
		req.CidrBlock = cidr
		_, err := cl.CreateVpc(req)
		requireAPIError(t, err, 400, "InvalidCidrBlock.Malformed")
	}
	req := vpc.CreateCreateVpcRequest()
	req.VpcName = "-bad"
	_, err := cl.CreateVpc(req)
	requireAPIError(t, err, 400, "InvalidVpcName.Malformed")
	req = vpc.CreateCreateVpcRequest()
	req.DryRun = requests.NewBoolean(true)
	_, err = cl.CreateVpc(req)
	requireAPIError(t, err, 400, "DryRunOperation")

	// Default CIDR, and several VPCs listed by a comma-separated VpcId.
	var ids []string
	for range 3 {
		resp, err := cl.CreateVpc(vpc.CreateCreateVpcRequest())
		require.NoError(t, err)
		ids = append(ids, resp.VpcId)
	}
	list := vpc.CreateDescribeVpcsRequest()
	list.VpcId = ids[0] + "," + ids[2]
	resp, err := cl.DescribeVpcs(list)
	require.NoError(t, err)
	require.Equal(t, 2, resp.TotalCount)
	require.Equal(t, "172.16.0.0/12", resp.Vpcs.Vpc[0].CidrBlock)
	list = vpc.CreateDescribeVpcsRequest()
	list.PageSize = requests.NewInteger(51)
	_, err = cl.DescribeVpcs(list)
	requireAPIError(t, err, 400, "InvalidParameter")
}

func TestDescribeNetworkFilters(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := vpcClient(t, srv)
	mk := func(name string, tags ...vpc.CreateVpcTag) string {
		req := vpc.CreateCreateVpcRequest()
		req.VpcName = name
		req.CidrBlock = "192.168.0.0/16"
		req.Tag = &tags
		resp, err := cl.CreateVpc(req)
		require.NoError(t, err)
		return resp.VpcId
	}
	a := mk("net-a", vpc.CreateVpcTag{Key: "managed-by", Value: "driver"}, vpc.CreateVpcTag{Key: "cluster", Value: "c1"})
	b := mk("net-b", vpc.CreateVpcTag{Key: "managed-by", Value: "driver"})
	mk("net-c")
	ids := func(edit func(r *vpc.DescribeVpcsRequest)) []string {
		req := vpc.CreateDescribeVpcsRequest()
		edit(req)
		resp, err := cl.DescribeVpcs(req)
		require.NoError(t, err)
		var out []string
		for _, v := range resp.Vpcs.Vpc {
			out = append(out, v.VpcId)
		}
		return out
	}
	require.Equal(t, []string{a, b}, ids(func(r *vpc.DescribeVpcsRequest) {
		r.Tag = &[]vpc.DescribeVpcsTag{{Key: "managed-by", Value: "driver"}}
	}))
	require.Equal(t, []string{a}, ids(func(r *vpc.DescribeVpcsRequest) {
		r.Tag = &[]vpc.DescribeVpcsTag{{Key: "managed-by", Value: "driver"}, {Key: "cluster", Value: "c1"}}
	}))
	require.Equal(t, []string{b}, ids(func(r *vpc.DescribeVpcsRequest) { r.VpcName = "net-b" }))
	require.Len(t, ids(func(r *vpc.DescribeVpcsRequest) { r.IsDefault = requests.NewBoolean(false) }), 3)

	waitFor(t, "vpc a", func() bool { return describeVpc(t, cl, a).Status == "Available" })
	for i, zone := range []string{"cn-hangzhou-i", "cn-hangzhou-j"} {
		req := vpc.CreateCreateVSwitchRequest()
		req.VpcId, req.ZoneId, req.CidrBlock = a, zone, []string{"192.168.1.0/24", "192.168.2.0/24"}[i]
		_, err := cl.CreateVSwitch(req)
		require.NoError(t, err)
	}
	sws := func(edit func(r *vpc.DescribeVSwitchesRequest)) []vpc.VSwitch {
		req := vpc.CreateDescribeVSwitchesRequest()
		edit(req)
		resp, err := cl.DescribeVSwitches(req)
		require.NoError(t, err)
		return resp.VSwitches.VSwitch
	}
	got := sws(func(r *vpc.DescribeVSwitchesRequest) { r.VpcId = a; r.ZoneId = "cn-hangzhou-j" })
	require.Len(t, got, 1)
	require.Equal(t, "192.168.2.0/24", got[0].CidrBlock)
	require.Len(t, sws(func(r *vpc.DescribeVSwitchesRequest) { r.IsDefault = requests.NewBoolean(true) }), 1)
	require.Len(t, sws(func(r *vpc.DescribeVSwitchesRequest) { r.IsDefault = requests.NewBoolean(false) }), 2)
	require.Len(t, describeVpc(t, cl, a).VSwitchIds.VSwitchId, 2)
}
