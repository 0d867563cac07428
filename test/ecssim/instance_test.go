package ecssim_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

func TestRunInstancesValidation(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	base := runRequest(t, srv)

	// A group in another VPC, and a VSwitch in another zone.
	v, err := vpcClient(t, srv).CreateVpc(vpc.CreateCreateVpcRequest())
	require.NoError(t, err)
	waitFor(t, "vpc", func() bool { return describeVpc(t, vpcClient(t, srv), v.VpcId).Status == "Available" })
	sg := ecs.CreateCreateSecurityGroupRequest()
	sg.VpcId = v.VpcId
	other, err := cl.CreateSecurityGroup(sg)
	require.NoError(t, err)

	tests := []struct {
		name   string
		edit   func(r *ecs.RunInstancesRequest)
		status int
		code   string
	}{
		{"no image", func(r *ecs.RunInstancesRequest) { r.ImageId = "" }, 400, "MissingParameter"},
		{"unknown image", func(r *ecs.RunInstancesRequest) { r.ImageId = "windows_95.vhd" }, 404, "InvalidImageId.NotFound"},
		{"unknown type", func(r *ecs.RunInstancesRequest) { r.InstanceType = "ecs.huge.large" }, 400, "InvalidInstanceType.ValueNotSupported"},
		{"arm image on x86", func(r *ecs.RunInstancesRequest) { r.ImageId = "ubuntu_24_04_arm64_20G_alibase_20250722.vhd" }, 400, "ImageNotSupportInstanceType"},
		{"no vswitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = "" }, 400, "MissingParameter"},
		{"unknown vswitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = "vsw-nope" }, 404, "InvalidVSwitchId.NotFound"},
		{"zone mismatch", func(r *ecs.RunInstancesRequest) { r.ZoneId = "cn-hangzhou-k" }, 400, "InvalidParameter.Mismatch"},
		{"unknown zone", func(r *ecs.RunInstancesRequest) { r.ZoneId = "cn-hangzhou-z" }, 404, "InvalidZoneId.NotFound"},
		{"unknown group", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = "sg-nope" }, 404, "InvalidSecurityGroupId.NotFound"},
		{"group in other vpc", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = other.SecurityGroupId }, 400, "InvalidParameter.Mismatch"},
		{"group list in other vpc", func(r *ecs.RunInstancesRequest) {
			r.SecurityGroupId = ""
			r.SecurityGroupIds = &[]string{base.SecurityGroupId, other.SecurityGroupId}
		}, 400, "InvalidParameter.Mismatch"},
		{"unknown key pair", func(r *ecs.RunInstancesRequest) { r.KeyPairName = "ghost" }, 404, "InvalidKeyPairName.NotFound"},
		{"user data not base64", func(r *ecs.RunInstancesRequest) { r.UserData = "#cloud-config" }, 400, "InvalidUserData.Base64FormatInvalid"},
		{"user data too big", func(r *ecs.RunInstancesRequest) {
			r.UserData = base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 32*1024+1)))
		}, 400, "InvalidUserData.SizeExceeded"},
		{"instance name", func(r *ecs.RunInstancesRequest) { r.InstanceName = "_bad" }, 400, "InvalidInstanceName.Malformed"},
		{"host name", func(r *ecs.RunInstancesRequest) { r.HostName = "a..b" }, 400, "InvalidHostName.Malformed"},
		{"host name dash", func(r *ecs.RunInstancesRequest) { r.HostName = "node-" }, 400, "InvalidHostName.Malformed"},
		{"password", func(r *ecs.RunInstancesRequest) { r.Password = "password" }, 400, "InvalidPassword.Malformed"},
		{"bandwidth", func(r *ecs.RunInstancesRequest) { r.InternetMaxBandwidthOut = requests.NewInteger(101) }, 400, "InvalidParameter"},
		{"amount", func(r *ecs.RunInstancesRequest) { r.Amount = requests.NewInteger(101) }, 400, "InvalidParameter"},
		{"system disk category", func(r *ecs.RunInstancesRequest) { r.SystemDiskCategory = "floppy" }, 400, "InvalidSystemDiskCategory.ValueNotSupported"},
		{"system disk size", func(r *ecs.RunInstancesRequest) { r.SystemDiskSize = "4096" }, 400, "InvalidSystemDiskSize.ValueNotSupported"},
		{"data disk size", func(r *ecs.RunInstancesRequest) {
			r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "5", Category: "cloud_essd"}}
		}, 400, "InvalidDataDiskSize.ValueNotSupported"},
		{"spot strategy", func(r *ecs.RunInstancesRequest) { r.SpotStrategy = "Cheap" }, 400, "InvalidSpotStrategy"},
		{"private ip outside", func(r *ecs.RunInstancesRequest) { r.PrivateIpAddress = "10.0.0.5" }, 400, "InvalidPrivateIpAddress"},
		{"dry run", func(r *ecs.RunInstancesRequest) { r.DryRun = requests.NewBoolean(true) }, 400, "DryRunOperation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := runRequest(t, srv)
			req.VSwitchId, req.SecurityGroupId = base.VSwitchId, base.SecurityGroupId
			tc.edit(req)
			_, err := cl.RunInstances(req)
			requireAPIError(t, err, tc.status, tc.code)
		})
	}
	require.Empty(t, srv.Resources().Instances)
	require.Empty(t, srv.Resources().Disks)
}

func TestRunInstancesIdempotency(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	req := runRequest(t, srv)
	req.ClientToken = "machine-1-3f2a"
	req.Amount = requests.NewInteger(2)
	first, err := cl.RunInstances(req)
	require.NoError(t, err)
	require.Len(t, first.InstanceIdSets.InstanceIdSet, 2)

	// The SDK signs every attempt with a new nonce and timestamp; the token
	// alone decides.
	again, err := cl.RunInstances(req)
	require.NoError(t, err)
	require.Equal(t, first.InstanceIdSets.InstanceIdSet, again.InstanceIdSets.InstanceIdSet)
	require.NotEqual(t, first.RequestId, again.RequestId)
	require.Len(t, srv.Resources().Instances, 2)

	req.InstanceName = "different"
	_, err = cl.RunInstances(req)
	requireAPIError(t, err, 400, "IdempotentParameterMismatch")

	// A failed call does not burn its token.
	req2 := runRequest(t, srv)
	req2.ClientToken = "machine-2"
	req2.KeyPairName = "missing"
	_, err = cl.RunInstances(req2)
	requireAPIError(t, err, 404, "InvalidKeyPairName.NotFound")
	_, pub := newKey(t)
	_, err = importKey(t, cl, "missing", pub)
	require.NoError(t, err)
	_, err = cl.RunInstances(req2)
	require.NoError(t, err)
}

func TestDescribeInstanceObject(t *testing.T) {
	t.Parallel()
	// Held in Pending: under a loaded -race run 20ms may pass before the
	// Describe call.
	srv := newSim(t, func(o *ecssim.Options) {
		o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionPending: time.Hour}
	})
	cl := ecsClient(t, srv)
	_, pub := newKey(t)
	_, err := importKey(t, cl, "kp1", pub)
	require.NoError(t, err)
	req := runRequest(t, srv)
	req.InstanceName = "rancher-pool1-abc"
	req.HostName = "rancher-pool1-abc"
	req.KeyPairName = "kp1"
	req.InternetMaxBandwidthOut = requests.NewInteger(10)
	req.SystemDiskCategory = "cloud_essd"
	req.SystemDiskSize = "60"
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "100", Category: "cloud_essd", DeleteWithInstance: "false"}}
	req.Tag = &[]ecs.RunInstancesTag{{Key: "docker-machine-name", Value: "rancher-pool1-abc"}}
	req.SpotStrategy = "SpotAsPriceGo"
	id := runOne(t, cl, req)
	require.Regexp(t, `^i-bp[a-z0-9]{18}$`, id)

	dreq := ecs.CreateDescribeInstancesRequest()
	dreq.InstanceIds = fmt.Sprintf("[%q]", id)
	resp, err := cl.DescribeInstances(dreq)
	require.NoError(t, err)
	require.Equal(t, 1, resp.TotalCount)
	inst := resp.Instances.Instance[0]
	require.Equal(t, "Pending", inst.Status)
	require.Equal(t, "rancher-pool1-abc", inst.InstanceName)
	require.Equal(t, "rancher-pool1-abc", inst.HostName)
	require.Equal(t, "cn-hangzhou-h", inst.ZoneId)
	require.Equal(t, "cn-hangzhou", inst.RegionId)
	require.Equal(t, "ecs.g7.large", inst.InstanceType)
	require.Equal(t, "ecs.g7", inst.InstanceTypeFamily)
	require.Equal(t, 2, inst.Cpu)
	require.Equal(t, 8192, inst.Memory)
	require.Equal(t, "kp1", inst.KeyPairName)
	require.Equal(t, "vpc", inst.InstanceNetworkType)
	require.Equal(t, "SpotAsPriceGo", inst.SpotStrategy)
	require.Equal(t, []string{req.SecurityGroupId}, inst.SecurityGroupIds.SecurityGroupId)
	require.Equal(t, req.VSwitchId, inst.VpcAttributes.VSwitchId)
	require.Equal(t, []string{"172.16.0.1"}, inst.VpcAttributes.PrivateIpAddress.IpAddress)
	require.Len(t, inst.PublicIpAddress.IpAddress, 1)
	require.Regexp(t, `^127\.`, inst.PublicIpAddress.IpAddress[0])
	require.NotEqual(t, "127.0.0.1", inst.PublicIpAddress.IpAddress[0])
	require.Equal(t, "", inst.EipAddress.AllocationId)
	require.Equal(t, "docker-machine-name", inst.Tags.Tag[0].TagKey)
	require.Equal(t, "rancher-pool1-abc", inst.Tags.Tag[0].TagValue)
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\dZ$`, inst.CreationTime)
	require.Equal(t, "Primary", inst.NetworkInterfaces.NetworkInterface[0].Type)
	require.Equal(t, "172.16.0.1", inst.NetworkInterfaces.NetworkInterface[0].PrimaryIpAddress)
	require.Equal(t, "enabled", inst.MetadataOptions.HttpEndpoint)

	res := srv.Resources()
	require.Len(t, res.Instances, 1)
	ri := res.Instances[0]
	require.Equal(t, inst.PublicIpAddress.IpAddress[0], ri.PublicIP)
	require.Equal(t, "172.16.0.1", ri.PrivateIP)
	require.Equal(t, "kp1", ri.KeyPairName)
	require.Equal(t, map[string]string{"docker-machine-name": "rancher-pool1-abc"}, ri.Tags)
	require.Len(t, res.Disks, 2)
	require.Equal(t, 60, res.Disks[0].Size)
	require.Equal(t, "system", res.Disks[0].Type)
	require.Equal(t, 100, res.Disks[1].Size)
	require.Equal(t, id, res.Disks[1].InstanceID)
}

func TestDescribeInstancesFilters(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	base := runRequest(t, srv)
	var ids []string
	for i := range 12 {
		req := runRequest(t, srv)
		req.VSwitchId, req.SecurityGroupId = base.VSwitchId, base.SecurityGroupId
		req.InstanceName = fmt.Sprintf("pool-%c-%d", 'a'+i%2, i)
		tags := []ecs.RunInstancesTag{{Key: "cluster", Value: "c1"}}
		if i%3 == 0 {
			tags = append(tags, ecs.RunInstancesTag{Key: "role", Value: "etcd"})
		}
		req.Tag = &tags
		ids = append(ids, runOne(t, cl, req))
	}
	waitStatus(t, cl, ids[11], "Running")
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = ids[0]
	waitStatus(t, cl, ids[0], "Running")
	_, err := cl.StopInstance(stop)
	require.NoError(t, err)
	waitStatus(t, cl, ids[0], "Stopped")

	list := func(edit func(r *ecs.DescribeInstancesRequest)) ([]string, *ecs.DescribeInstancesResponse) {
		req := ecs.CreateDescribeInstancesRequest()
		edit(req)
		resp, err := cl.DescribeInstances(req)
		require.NoError(t, err)
		var out []string
		for _, inst := range resp.Instances.Instance {
			out = append(out, inst.InstanceId)
		}
		return out, resp
	}
	got, resp := list(func(r *ecs.DescribeInstancesRequest) {})
	require.Equal(t, ids[:10], got) // default page size 10
	require.Equal(t, 12, resp.TotalCount)
	got, _ = list(func(r *ecs.DescribeInstancesRequest) {
		r.InstanceIds = fmt.Sprintf("[%q,%q,\"i-gone\"]", ids[4], ids[7])
	})
	require.Equal(t, []string{ids[4], ids[7]}, got)
	got, _ = list(func(r *ecs.DescribeInstancesRequest) {
		r.InstanceName = "pool-b-*"
		r.PageSize = requests.NewInteger(100)
	})
	require.Equal(t, []string{ids[1], ids[3], ids[5], ids[7], ids[9], ids[11]}, got)
	got, _ = list(func(r *ecs.DescribeInstancesRequest) { r.Status = "Stopped" })
	require.Equal(t, []string{ids[0]}, got)
	got, _ = list(func(r *ecs.DescribeInstancesRequest) {
		r.Tag = &[]ecs.DescribeInstancesTag{{Key: "cluster", Value: "c1"}, {Key: "role", Value: "etcd"}}
	})
	require.Equal(t, []string{ids[0], ids[3], ids[6], ids[9]}, got)
	got, _ = list(func(r *ecs.DescribeInstancesRequest) {
		r.VpcId = defaultVpc(t, srv)
		r.VSwitchId = base.VSwitchId
		r.ZoneId = "cn-hangzhou-h"
		r.SecurityGroupId = base.SecurityGroupId
		r.PageNumber = requests.NewInteger(2)
	})
	require.Equal(t, ids[10:], got)
	got, _ = list(func(r *ecs.DescribeInstancesRequest) { r.ZoneId = "cn-hangzhou-i" })
	require.Empty(t, got)
	got, _ = list(func(r *ecs.DescribeInstancesRequest) { r.KeyPairName = "nobody" })
	require.Empty(t, got)

	// MaxResults/NextToken, with MaxResults below 10 treated as 10.
	got, resp = list(func(r *ecs.DescribeInstancesRequest) { r.MaxResults = requests.NewInteger(5) })
	require.Equal(t, ids[:10], got)
	require.NotEmpty(t, resp.NextToken)
	token := resp.NextToken
	got, resp = list(func(r *ecs.DescribeInstancesRequest) { r.MaxResults = requests.NewInteger(10); r.NextToken = token })
	require.Equal(t, ids[10:], got)
	require.Empty(t, resp.NextToken)

	req := ecs.CreateDescribeInstancesRequest()
	req.InstanceIds = "i-1,i-2"
	_, err = cl.DescribeInstances(req)
	requireAPIError(t, err, 400, "InvalidInstanceIds.Malformed")
	req = ecs.CreateDescribeInstancesRequest()
	req.NextToken = "garbage"
	_, err = cl.DescribeInstances(req)
	requireAPIError(t, err, 400, "InvalidNextToken.Malformed")

	st := ecs.CreateDescribeInstanceStatusRequest()
	st.InstanceId = &[]string{ids[0], ids[1]}
	stResp, err := cl.DescribeInstanceStatus(st)
	require.NoError(t, err)
	require.Equal(t, "Stopped", stResp.InstanceStatuses.InstanceStatus[0].Status)
	require.Equal(t, "Running", stResp.InstanceStatuses.InstanceStatus[1].Status)
}
