package ecssim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

func authorize(cl *ecs.Client, id string, perms ...ecs.AuthorizeSecurityGroupPermissions) error {
	req := ecs.CreateAuthorizeSecurityGroupRequest()
	req.SecurityGroupId = id
	req.Permissions = &perms
	_, err := cl.AuthorizeSecurityGroup(req)
	return err
}

func rules(t *testing.T, cl *ecs.Client, id string) []ecs.Permission {
	t.Helper()
	req := ecs.CreateDescribeSecurityGroupAttributeRequest()
	req.SecurityGroupId = id
	resp, err := cl.DescribeSecurityGroupAttribute(req)
	require.NoError(t, err)
	require.Equal(t, "Accept", resp.InnerAccessPolicy)
	return resp.Permissions.Permission
}

func TestAuthorizeSecurityGroup(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	_, sg := defaultNetwork(t, srv)

	require.NoError(t, authorize(cl, sg,
		ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "tcp", PortRange: "22/22", SourceCidrIp: "0.0.0.0/0"},
		ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "6443/6443", SourceCidrIp: "0.0.0.0/0",
			Policy: "accept", Priority: "5", Description: "k8s api"},
		ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "all", PortRange: "-1/-1", SourceGroupId: sg},
	))
	got := rules(t, cl, sg)
	require.Len(t, got, 3)
	egress := ecs.CreateDescribeSecurityGroupAttributeRequest()
	egress.SecurityGroupId = sg
	egress.Direction = "egress"
	eresp, err := cl.DescribeSecurityGroupAttribute(egress)
	require.NoError(t, err)
	require.Empty(t, eresp.Permissions.Permission)
	require.Equal(t, "TCP", got[0].IpProtocol)
	require.Equal(t, "Accept", got[0].Policy)
	require.Equal(t, "ingress", got[0].Direction)
	require.Equal(t, "intranet", got[0].NicType)
	require.Equal(t, "1", got[0].Priority) // a JSON number, decoded fuzzily
	require.Equal(t, "5", got[1].Priority)
	require.Equal(t, "k8s api", got[1].Description)
	require.Equal(t, sg, got[2].SourceGroupId)
	require.Regexp(t, `^sgr-`, got[0].SecurityGroupRuleId)

	// An identical rule succeeds without adding anything.
	require.NoError(t, authorize(cl, sg, ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "22/22", SourceCidrIp: "0.0.0.0/0"}))
	require.Len(t, rules(t, cl, sg), 3)

	// The legacy flat form.
	flat := ecs.CreateAuthorizeSecurityGroupRequest()
	flat.SecurityGroupId = sg
	flat.IpProtocol = "udp"
	flat.PortRange = "8472/8472"
	flat.SourceCidrIp = "10.0.0.0/8"
	_, err = cl.AuthorizeSecurityGroup(flat)
	require.NoError(t, err)
	require.Len(t, rules(t, cl, sg), 4)

	// Mixing the two forms.
	flat.Permissions = &[]ecs.AuthorizeSecurityGroupPermissions{{IpProtocol: "TCP", PortRange: "80/80", SourceCidrIp: "0.0.0.0/0"}}
	_, err = cl.AuthorizeSecurityGroup(flat)
	requireAPIError(t, err, 400, "InvalidParameter")

	bad := []struct {
		name string
		perm ecs.AuthorizeSecurityGroupPermissions
		code string
	}{
		{"protocol", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "SCTP", PortRange: "1/2", SourceCidrIp: "0.0.0.0/0"}, "InvalidIpProtocol.Malformed"},
		{"port range", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "22", SourceCidrIp: "0.0.0.0/0"}, "InvalidPortRange.Malformed"},
		{"reversed range", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "23/22", SourceCidrIp: "0.0.0.0/0"}, "InvalidPortRange.Malformed"},
		{"icmp ports", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "ICMP", PortRange: "1/2", SourceCidrIp: "0.0.0.0/0"}, "InvalidPortRange.Malformed"},
		{"cidr", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1/2", SourceCidrIp: "300.0.0.0/8"}, "InvalidSourceCidrIp.Malformed"},
		{"no source", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1/2"}, "MissingParameter"},
		{"policy", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1/2", SourceCidrIp: "0.0.0.0/0", Policy: "maybe"}, "InvalidPolicy.Malformed"},
		{"priority", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1/2", SourceCidrIp: "0.0.0.0/0", Priority: "101"}, "InvalidPriority.Malformed"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			requireAPIError(t, authorize(cl, sg, tc.perm), 400, tc.code)
		})
	}
	err = authorize(cl, sg, ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1/2", SourceGroupId: "sg-nope"})
	requireAPIError(t, err, 404, "InvalidSecurityGroupId.NotFound")
	err = authorize(cl, "sg-nope", ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1/2", SourceCidrIp: "0.0.0.0/0"})
	requireAPIError(t, err, 404, "InvalidSecurityGroupId.NotFound")
	require.Len(t, rules(t, cl, sg), 4)

	res := srv.Resources()
	require.Len(t, res.SecurityGroups, 1)
	require.Equal(t, "6443/6443", res.SecurityGroups[0].Rules[1].PortRange)
	require.Equal(t, "0.0.0.0/0", res.SecurityGroups[0].Rules[1].SourceCidr)
}

func TestSecurityGroupRuleLimit(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	_, sg := defaultNetwork(t, srv)
	batch := func(from int) []ecs.AuthorizeSecurityGroupPermissions {
		var out []ecs.AuthorizeSecurityGroupPermissions
		for p := from; p < from+100; p++ {
			out = append(out, ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: fmt.Sprintf("%d/%d", p, p), SourceCidrIp: "0.0.0.0/0"})
		}
		return out
	}
	require.NoError(t, authorize(cl, sg, batch(1000)...))
	require.NoError(t, authorize(cl, sg, batch(2000)...))
	err := authorize(cl, sg, ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1/1", SourceCidrIp: "0.0.0.0/0"})
	requireAPIError(t, err, 403, "AuthorizationLimitExceed")
	// Re-adding an existing rule at the limit is still fine.
	require.NoError(t, authorize(cl, sg, ecs.AuthorizeSecurityGroupPermissions{IpProtocol: "TCP", PortRange: "1000/1000", SourceCidrIp: "0.0.0.0/0"}))
}

func TestDescribeSecurityGroups(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	vpcID := defaultVpc(t, srv)
	var ids []string
	for i := range 4 {
		req := ecs.CreateCreateSecurityGroupRequest()
		req.VpcId = vpcID
		req.SecurityGroupName = fmt.Sprintf("group-%d", i)
		req.Description = "made by test"
		tags := []ecs.CreateSecurityGroupTag{{Key: "managed-by", Value: "ecssim-test"}}
		if i%2 == 0 {
			tags = append(tags, ecs.CreateSecurityGroupTag{Key: "even", Value: "yes"})
		}
		req.Tag = &tags
		resp, err := cl.CreateSecurityGroup(req)
		require.NoError(t, err)
		require.Regexp(t, `^sg-bp[a-z0-9]{18}$`, resp.SecurityGroupId)
		ids = append(ids, resp.SecurityGroupId)
	}
	list := func(edit func(r *ecs.DescribeSecurityGroupsRequest)) *ecs.DescribeSecurityGroupsResponse {
		req := ecs.CreateDescribeSecurityGroupsRequest()
		edit(req)
		resp, err := cl.DescribeSecurityGroups(req)
		require.NoError(t, err)
		return resp
	}
	idsOf := func(r *ecs.DescribeSecurityGroupsResponse) []string {
		var out []string
		for _, g := range r.SecurityGroups.SecurityGroup {
			out = append(out, g.SecurityGroupId)
		}
		return out
	}
	r := list(func(r *ecs.DescribeSecurityGroupsRequest) { r.VpcId = vpcID })
	require.Equal(t, 4, r.TotalCount)
	g := r.SecurityGroups.SecurityGroup[0]
	require.Equal(t, "group-0", g.SecurityGroupName)
	require.Equal(t, "normal", g.SecurityGroupType)
	require.Equal(t, vpcID, g.VpcId)
	require.Equal(t, "made by test", g.Description)
	require.Equal(t, "managed-by", g.Tags.Tag[0].TagKey)
	require.Equal(t, "ecssim-test", g.Tags.Tag[0].TagValue)

	r = list(func(r *ecs.DescribeSecurityGroupsRequest) {
		r.SecurityGroupIds = fmt.Sprintf("[%q,%q]", ids[1], ids[3])
	})
	require.Equal(t, []string{ids[1], ids[3]}, idsOf(r))
	r = list(func(r *ecs.DescribeSecurityGroupsRequest) { r.SecurityGroupId = ids[2] })
	require.Equal(t, []string{ids[2]}, idsOf(r))
	r = list(func(r *ecs.DescribeSecurityGroupsRequest) { r.SecurityGroupName = "group-3" })
	require.Equal(t, []string{ids[3]}, idsOf(r))
	r = list(func(r *ecs.DescribeSecurityGroupsRequest) {
		r.Tag = &[]ecs.DescribeSecurityGroupsTag{{Key: "managed-by", Value: "ecssim-test"}, {Key: "even"}}
	})
	require.Equal(t, []string{ids[0], ids[2]}, idsOf(r))
	r = list(func(r *ecs.DescribeSecurityGroupsRequest) {
		r.PageSize = requests.NewInteger(3)
		r.PageNumber = requests.NewInteger(2)
	})
	require.Equal(t, []string{ids[3]}, idsOf(r))
	require.Equal(t, 2, r.PageNumber)
	r = list(func(r *ecs.DescribeSecurityGroupsRequest) { r.MaxResults = requests.NewInteger(3) })
	require.Len(t, r.SecurityGroups.SecurityGroup, 3)
	next := r.NextToken
	require.NotEmpty(t, next)
	r = list(func(r *ecs.DescribeSecurityGroupsRequest) { r.MaxResults = requests.NewInteger(3); r.NextToken = next })
	require.Equal(t, []string{ids[3]}, idsOf(r))
	require.Empty(t, r.NextToken)

	req := ecs.CreateDescribeSecurityGroupsRequest()
	req.SecurityGroupIds = "sg-1,sg-2"
	_, err := cl.DescribeSecurityGroups(req)
	requireAPIError(t, err, 400, "InvalidSecurityGroupIds.Malformed")

	create := ecs.CreateCreateSecurityGroupRequest()
	create.VpcId = "vpc-nope"
	_, err = cl.CreateSecurityGroup(create)
	requireAPIError(t, err, 404, "InvalidVpcId.NotFound")
	create.VpcId = vpcID
	create.SecurityGroupName = "9lives"
	_, err = cl.CreateSecurityGroup(create)
	requireAPIError(t, err, 400, "InvalidSecurityGroupName.Malformed")
	require.Len(t, srv.Resources().SecurityGroups, 4)
}

func TestDeleteSecurityGroup(t *testing.T) {
	t.Parallel()
	srv := newSim(t, func(o *ecssim.Options) {
		// Long enough to act on the instance while it is being released.
		o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionRelease: 500 * time.Millisecond}
	})
	cl := ecsClient(t, srv)
	req := runRequest(t, srv)
	id := runOne(t, cl, req)
	del := ecs.CreateDeleteSecurityGroupRequest()
	del.SecurityGroupId = req.SecurityGroupId
	_, err := cl.DeleteSecurityGroup(del)
	requireAPIError(t, err, 403, "DependencyViolation")

	waitStatus(t, cl, id, "Running")
	d := ecs.CreateDeleteInstanceRequest()
	d.InstanceId = id
	d.Force = requests.NewBoolean(true)
	_, err = cl.DeleteInstance(d)
	require.NoError(t, err)
	// Still visible while being released, and still holding the group.
	require.Equal(t, "Stopped", instanceStatus(t, cl, id))
	_, err = cl.DeleteSecurityGroup(del)
	requireAPIError(t, err, 403, "DependencyViolation")

	waitStatus(t, cl, id, "")
	_, err = cl.DeleteSecurityGroup(del)
	require.NoError(t, err)
	_, err = cl.DeleteSecurityGroup(del)
	requireAPIError(t, err, 404, "InvalidSecurityGroupId.NotFound")
}
