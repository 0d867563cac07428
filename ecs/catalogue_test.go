package ecs

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"testing"
)

func TestDescribeRegionsAndZones(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "DescribeRegions", map[string]any{"Regions": map[string]any{"Region": []any{
		map[string]any{"RegionId": "cn-hangzhou", "LocalName": "华东1", "RegionEndpoint": "ecs.cn-hangzhou.aliyuncs.com", "Status": "available"},
	}}})
	f.reply("2014-05-26", "DescribeZones", map[string]any{"Zones": map[string]any{"Zone": []any{map[string]any{
		"ZoneId":                    "cn-hangzhou-h",
		"AvailableResourceCreation": map[string]any{"ResourceTypes": []string{"VSwitch", "Instance"}},
		"AvailableInstanceTypes":    map[string]any{"InstanceTypes": []string{"ecs.g7.large"}},
		"AvailableDiskCategories":   map[string]any{"DiskCategories": []string{"cloud_essd"}},
		"NetworkTypes":              map[string]any{"NetworkType": []string{"vpc"}},
	}}}})
	c, _ := f.client(t)
	regions, err := c.DescribeRegions(context.Background())
	if err != nil || !reflect.DeepEqual(regions, []Region{{ID: "cn-hangzhou", Endpoint: "ecs.cn-hangzhou.aliyuncs.com"}}) {
		t.Errorf("DescribeRegions = %+v, %v", regions, err)
	}
	zones, err := c.DescribeZones(context.Background())
	want := []Zone{{ID: "cn-hangzhou-h", InstanceTypes: []string{"ecs.g7.large"}, DiskCategories: []string{"cloud_essd"}, ResourceTypes: []string{"VSwitch", "Instance"}}}
	if err != nil || !reflect.DeepEqual(zones, want) {
		t.Errorf("DescribeZones = %+v, %v", zones, err)
	}
}

func TestDescribeImagesPaging(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	const total = 150
	f.onECS("DescribeImages", func(q url.Values) (int, string) {
		n, _ := strconv.Atoi(q.Get("PageNumber"))
		size, _ := strconv.Atoi(q.Get("PageSize"))
		var imgs []any
		for i := (n - 1) * size; i < min(n*size, total); i++ {
			imgs = append(imgs, map[string]any{
				"ImageId": fmt.Sprintf("img-%d", i), "ImageName": "ubuntu", "ImageFamily": "acs:ubuntu_22_04_x64",
				"ImageOwnerAlias": "system", "OSType": "linux", "OSName": "Ubuntu 22.04 64位", "OSNameEn": "Ubuntu 22.04 64 bit",
				"Platform": "Ubuntu", "Architecture": "x86_64", "Size": "20", "CreationTime": "2024-01-30T00:00:00Z",
				"IsSupportCloudinit": "true",
			})
		}
		return 200, okBody(map[string]any{"TotalCount": total, "PageNumber": n, "PageSize": size, "Images": map[string]any{"Image": imgs}})
	})
	c, _ := f.client(t)
	imgs, err := c.DescribeImages(context.Background(), ImageQuery{ImageIDs: []string{"a", "b"}, OwnerAlias: "system", OSType: "linux", Architecture: "x86_64"})
	if err != nil || len(imgs) != total {
		t.Fatalf("DescribeImages: %d images, %v", len(imgs), err)
	}
	want := Image{ID: "img-0", Name: "ubuntu", Family: "acs:ubuntu_22_04_x64", OwnerAlias: "system", OSType: "linux",
		OSName: "Ubuntu 22.04 64 bit", Platform: "Ubuntu", Architecture: "x86_64", SizeGiB: 20,
		CreationTime: "2024-01-30T00:00:00Z", IsSupportCloudinit: true}
	if imgs[0] != want || imgs[149].ID != "img-149" {
		t.Errorf("image[0] = %+v", imgs[0])
	}
	calls := f.got("DescribeImages")
	if len(calls) != 2 {
		t.Fatalf("pages = %d, want 2", len(calls))
	}
	wantParams(t, calls[1].Query, map[string]string{
		"ImageId": "a,b", "ImageOwnerAlias": "system", "OSType": "linux", "Architecture": "x86_64",
		"PageSize": "100", "PageNumber": "2", "ImageName": "",
	})
}

func TestDescribeInstanceTypes(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeInstanceTypes", func(q url.Values) (int, string) {
		var list []any
		for i := 1; q.Get("InstanceTypes."+strconv.Itoa(i)) != ""; i++ {
			list = append(list, map[string]any{
				"InstanceTypeId": q.Get("InstanceTypes." + strconv.Itoa(i)), "InstanceTypeFamily": "ecs.g7",
				"CpuCoreCount": 2, "MemorySize": 8.0, "CpuArchitecture": "X86", "EniIpv6AddressQuantity": 1,
			})
		}
		next := ""
		if q.Get("NextToken") == "" && q.Get("InstanceTypes.1") == "t0" {
			next = "tok-2" // the first chunk has a second page
		}
		if q.Get("NextToken") == "tok-2" {
			list = []any{map[string]any{"InstanceTypeId": "extra", "CpuCoreCount": "4", "MemorySize": "16"}}
		}
		return 200, okBody(map[string]any{"NextToken": next, "InstanceTypes": map[string]any{"InstanceType": list}})
	})
	c, _ := f.client(t)
	var ids []string
	for i := range 12 {
		ids = append(ids, fmt.Sprintf("t%d", i))
	}
	types, err := c.DescribeInstanceTypes(context.Background(), ids)
	if err != nil || len(types) != 13 {
		t.Fatalf("DescribeInstanceTypes: %d, %v", len(types), err)
	}
	if types[0] != (InstanceType{ID: "t0", Family: "ecs.g7", CPUCores: 2, MemoryGiB: 8, CPUArchitecture: "X86", IPv6PerENI: 1}) {
		t.Errorf("types[0] = %+v", types[0])
	}
	if types[10] != (InstanceType{ID: "extra", CPUCores: 4, MemoryGiB: 16}) {
		t.Errorf("types[10] = %+v", types[10])
	}
	calls := f.got("DescribeInstanceTypes")
	if len(calls) != 3 {
		t.Fatalf("calls = %d, want 3 (2 chunks, one with 2 pages)", len(calls))
	}
	wantParams(t, calls[2].Query, map[string]string{"InstanceTypes.1": "t10", "InstanceTypes.2": "t11", "InstanceTypes.3": ""})
}

func TestDescribeAvailableResource(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "DescribeAvailableResource", map[string]any{"AvailableZones": map[string]any{"AvailableZone": []any{
		map[string]any{"ZoneId": "cn-hangzhou-h", "Status": "Available", "AvailableResources": map[string]any{"AvailableResource": []any{
			map[string]any{"Type": "InstanceType", "SupportedResources": map[string]any{"SupportedResource": []any{
				map[string]any{"Value": "ecs.g7.large", "Status": "Available", "StatusCategory": "WithStock"},
				map[string]any{"Value": "ecs.g7.xlarge", "Status": "SoldOut", "StatusCategory": "WithoutStock"},
			}}},
		}}},
	}}})
	c, _ := f.client(t)
	res, err := c.DescribeAvailableResource(context.Background(), AvailableResourceQuery{
		DestinationResource: "InstanceType", ZoneID: "cn-hangzhou-h", InstanceType: "ecs.g7.large",
	})
	if err != nil || len(res) != 2 || !res[0].InStock() || res[1].InStock() || res[0].ZoneID != "cn-hangzhou-h" || res[0].Type != "InstanceType" {
		t.Fatalf("DescribeAvailableResource = %+v, %v", res, err)
	}
	wantParams(t, f.got("DescribeAvailableResource")[0].Query, map[string]string{
		"DestinationResource": "InstanceType", "ZoneId": "cn-hangzhou-h", "InstanceType": "ecs.g7.large", "SpotStrategy": "",
	})
}
