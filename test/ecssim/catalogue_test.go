package ecssim_test

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/stretchr/testify/require"
)

func TestDescribeRegionsAndZones(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)

	req := ecs.CreateDescribeRegionsRequest()
	req.AcceptLanguage = "en-US"
	regions, err := cl.DescribeRegions(req)
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range regions.Regions.Region {
		got[r.RegionId] = r.LocalName
		require.Equal(t, "available", r.Status)
		require.NotEmpty(t, r.RegionEndpoint)
	}
	for _, id := range []string{"cn-hangzhou", "cn-beijing", "cn-shanghai", "cn-shenzhen", "ap-southeast-1", "us-west-1"} {
		require.Contains(t, got, id)
	}
	require.Equal(t, "China (Hangzhou)", got["cn-hangzhou"])

	zreq := ecs.CreateDescribeZonesRequest()
	zreq.RegionId = "cn-hangzhou"
	zones, err := cl.DescribeZones(zreq)
	require.NoError(t, err)
	var ids []string
	for _, z := range zones.Zones.Zone {
		ids = append(ids, z.ZoneId)
		require.Contains(t, z.AvailableInstanceTypes.InstanceTypes, "ecs.g7.large")
		require.Contains(t, z.AvailableDiskCategories.DiskCategories, "cloud_essd")
		require.Contains(t, z.AvailableResourceCreation.ResourceTypes, "Instance")
		require.Equal(t, []string{"vpc"}, z.NetworkTypes.NetworkType)
		require.NotEmpty(t, z.AvailableResources.ResourcesInfo[0].InstanceTypes.SupportedInstanceType)
	}
	require.Equal(t, []string{"cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"}, ids)
}

func TestDescribeImages(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	tests := []struct {
		name  string
		setup func(r *ecs.DescribeImagesRequest)
		want  []string
		total int
	}{
		{name: "by id list", setup: func(r *ecs.DescribeImagesRequest) {
			r.ImageId = "ubuntu_24_04_x64_20G_alibase_20250722.vhd,debian_12_11_x64_20G_alibase_20250702.vhd,nope"
		}, want: []string{"ubuntu_24_04_x64_20G_alibase_20250722.vhd", "debian_12_11_x64_20G_alibase_20250702.vhd"}, total: 2},
		{name: "arm ubuntu by name wildcard", setup: func(r *ecs.DescribeImagesRequest) {
			r.ImageName = "ubuntu_*_arm64*"
			r.ImageOwnerAlias = "system"
		}, want: []string{"ubuntu_24_04_arm64_20G_alibase_20250722.vhd", "ubuntu_22_04_arm64_20G_alibase_20250722.vhd"}, total: 2},
		{name: "compatible with arm type", setup: func(r *ecs.DescribeImagesRequest) {
			r.InstanceType = "ecs.g8y.large"
			r.PageSize = requests.NewInteger(2)
		}, want: []string{"ubuntu_24_04_arm64_20G_alibase_20250722.vhd", "ubuntu_22_04_arm64_20G_alibase_20250722.vhd"}, total: 4},
		{name: "second page", setup: func(r *ecs.DescribeImagesRequest) {
			r.Architecture = "x86_64"
			r.PageSize = requests.NewInteger(3)
			r.PageNumber = requests.NewInteger(2)
		}, want: []string{"debian_12_11_x64_20G_alibase_20250702.vhd"}, total: 4},
		{name: "self images", setup: func(r *ecs.DescribeImagesRequest) { r.ImageOwnerAlias = "self" }, want: nil, total: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := ecs.CreateDescribeImagesRequest()
			tc.setup(req)
			resp, err := cl.DescribeImages(req)
			require.NoError(t, err)
			var got []string
			for _, im := range resp.Images.Image {
				got = append(got, im.ImageId)
				require.Equal(t, "system", im.ImageOwnerAlias)
				require.True(t, im.IsSupportCloudinit)
				require.Equal(t, "Available", im.Status)
				require.Equal(t, "linux", im.OSType)
			}
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.total, resp.TotalCount)
		})
	}
}

func TestDescribeInstanceTypes(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	req := ecs.CreateDescribeInstanceTypesRequest()
	req.CpuArchitecture = "ARM"
	resp, err := ecsClient(t, srv).DescribeInstanceTypes(req)
	require.NoError(t, err)
	require.NotEmpty(t, resp.InstanceTypes.InstanceType)
	for _, it := range resp.InstanceTypes.InstanceType {
		require.Equal(t, "ARM", it.CpuArchitecture)
	}

	req = ecs.CreateDescribeInstanceTypesRequest()
	req.InstanceTypes = &[]string{"ecs.g7.large", "ecs.t6-c1m2.large"}
	resp, err = ecsClient(t, srv).DescribeInstanceTypes(req)
	require.NoError(t, err)
	require.Len(t, resp.InstanceTypes.InstanceType, 2)
	g7 := resp.InstanceTypes.InstanceType[0]
	require.Equal(t, "ecs.g7.large", g7.InstanceTypeId)
	require.Equal(t, "ecs.g7", g7.InstanceTypeFamily)
	require.Equal(t, 2, g7.CpuCoreCount)
	require.InDelta(t, 8.0, g7.MemorySize, 0.001)

	req = ecs.CreateDescribeInstanceTypesRequest()
	req.MaxResults = requests.NewInteger64(5)
	resp, err = ecsClient(t, srv).DescribeInstanceTypes(req)
	require.NoError(t, err)
	require.Len(t, resp.InstanceTypes.InstanceType, 5)
	require.NotEmpty(t, resp.NextToken)
}

func TestDescribeAvailableResource(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)

	req := ecs.CreateDescribeAvailableResourceRequest()
	req.DestinationResource = "InstanceType"
	req.ZoneId = "cn-hangzhou-i"
	req.InstanceType = "ecs.g7.large"
	resp, err := cl.DescribeAvailableResource(req)
	require.NoError(t, err)
	require.Len(t, resp.AvailableZones.AvailableZone, 1)
	z := resp.AvailableZones.AvailableZone[0]
	require.Equal(t, "cn-hangzhou-i", z.ZoneId)
	require.Equal(t, "WithStock", z.StatusCategory)
	sr := z.AvailableResources.AvailableResource[0].SupportedResources.SupportedResource
	require.Len(t, sr, 1)
	require.Equal(t, "ecs.g7.large", sr[0].Value)
	require.Equal(t, "Available", sr[0].Status)
	require.Equal(t, "WithStock", sr[0].StatusCategory)

	req = ecs.CreateDescribeAvailableResourceRequest()
	req.DestinationResource = "SystemDisk"
	resp, err = cl.DescribeAvailableResource(req)
	require.NoError(t, err)
	require.Len(t, resp.AvailableZones.AvailableZone, 4)
	disk := resp.AvailableZones.AvailableZone[0].AvailableResources.AvailableResource[0].SupportedResources.SupportedResource[0]
	require.Equal(t, "GiB", disk.Unit)
	require.Equal(t, 20, disk.Min)

	req = ecs.CreateDescribeAvailableResourceRequest()
	req.DestinationResource = "InstanceType"
	req.InstanceType = "ecs.nope.large"
	resp, err = cl.DescribeAvailableResource(req)
	require.NoError(t, err)
	require.Empty(t, resp.AvailableZones.AvailableZone)

	_, err = cl.DescribeAvailableResource(ecs.CreateDescribeAvailableResourceRequest())
	requireAPIError(t, err, 400, "MissingParameter")
}
