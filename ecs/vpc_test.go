package ecs

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestDescribeVpcs(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	const total = 60
	f.onVPC("DescribeVpcs", func(q url.Values) (int, string) {
		n, _ := strconv.Atoi(q.Get("PageNumber"))
		var vpcs []any
		for i := (n - 1) * 50; i < min(n*50, total); i++ {
			vpcs = append(vpcs, map[string]any{
				"VpcId": fmt.Sprintf("vpc-%d", i), "VpcName": "rancher", "CidrBlock": "172.16.0.0/12",
				"Status": "Available", "IsDefault": i == 0,
				"VSwitchIds": map[string]any{"VSwitchId": []string{"vsw-1"}},
				"Tags":       map[string]any{"Tag": []any{map[string]any{"Key": "managed-by", "Value": "aliyunecs"}}},
			})
		}
		return 200, okBody(map[string]any{"TotalCount": total, "Vpcs": map[string]any{"Vpc": vpcs}})
	})
	c, _ := f.client(t)
	yes := true
	vpcs, err := c.DescribeVpcs(context.Background(), VpcQuery{Name: "rancher", IsDefault: &yes, Tags: []Tag{{Key: "managed-by", Value: "aliyunecs"}}})
	if err != nil || len(vpcs) != total {
		t.Fatalf("DescribeVpcs: %d, %v", len(vpcs), err)
	}
	want := Vpc{ID: "vpc-0", Name: "rancher", CidrBlock: "172.16.0.0/12", Status: "Available", IsDefault: true,
		VSwitchIDs: []string{"vsw-1"}, Tags: []Tag{{Key: "managed-by", Value: "aliyunecs"}}}
	if !reflect.DeepEqual(vpcs[0], want) {
		t.Errorf("vpc[0] = %+v", vpcs[0])
	}
	calls := f.got("DescribeVpcs")
	if len(calls) != 2 {
		t.Fatalf("pages = %d", len(calls))
	}
	wantParams(t, calls[0].Query, map[string]string{
		"VpcName": "rancher", "IsDefault": "true", "PageSize": "50", "PageNumber": "1",
		"Tag.1.Key": "managed-by", "Tag.1.Value": "aliyunecs", "VpcId": "",
	})

	// More than 20 IDs are split into comma-separated chunks.
	var ids []string
	for i := range 25 {
		ids = append(ids, fmt.Sprintf("vpc-%d", i))
	}
	if _, err := c.DescribeVpcs(context.Background(), VpcQuery{VpcIDs: ids}); err != nil {
		t.Fatal(err)
	}
	calls = f.got("DescribeVpcs")[2:]
	var chunks []int
	for _, cl := range calls {
		if cl.Query.Get("PageNumber") == "1" {
			chunks = append(chunks, len(strings.Split(cl.Query.Get("VpcId"), ",")))
		}
	}
	if !reflect.DeepEqual(chunks, []int{20, 5}) {
		t.Errorf("VpcId chunks = %v", chunks)
	}
}

func TestCreateVpcAndVSwitchAndInvokeDeletes(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2016-04-28", "CreateVpc", map[string]any{"VpcId": "vpc-new", "VRouterId": "vrt-1"})
	f.reply("2016-04-28", "CreateVSwitch", map[string]any{"VSwitchId": "vsw-new"})
	f.reply("2016-04-28", "DeleteVSwitch", nil)
	f.reply("2016-04-28", "DeleteVpc", nil)
	c, _ := f.client(t)
	ctx := context.Background()
	tags := []Tag{{Key: "docker-machine-name", Value: "m1"}, {Key: "flag"}}
	id, err := c.CreateVpc(ctx, CreateVpcRequest{CidrBlock: "172.16.0.0/12", Name: "rancher-vpc", Description: "d", ClientToken: "tok-vpc", Tags: tags,
		ResourceGroupID: "rg-1", EnableIpv6: true})
	if err != nil || id != "vpc-new" {
		t.Fatalf("CreateVpc = %q, %v", id, err)
	}
	wantParams(t, f.got("CreateVpc")[0].Query, map[string]string{
		"CidrBlock": "172.16.0.0/12", "VpcName": "rancher-vpc", "Description": "d", "ClientToken": "tok-vpc",
		"ResourceGroupId": "rg-1", "EnableIpv6": "true",
		"Tag.1.Key": "docker-machine-name", "Tag.1.Value": "m1", "Tag.2.Key": "flag", "Tag.2.Value": "",
	})
	index := 0
	id, err = c.CreateVSwitch(ctx, CreateVSwitchRequest{VpcID: "vpc-new", ZoneID: "cn-hangzhou-h", CidrBlock: "172.16.0.0/24", Name: "sw", Ipv6Index: &index})
	if err != nil || id != "vsw-new" {
		t.Fatalf("CreateVSwitch = %q, %v", id, err)
	}
	q := f.got("CreateVSwitch")[0].Query
	wantParams(t, q, map[string]string{"VpcId": "vpc-new", "ZoneId": "cn-hangzhou-h", "CidrBlock": "172.16.0.0/24", "VSwitchName": "sw", "Ipv6CidrBlock": "0"})
	if q.Get("ClientToken") == "" {
		t.Error("CreateVSwitch without a generated ClientToken")
	}
	if err := c.Invoke(ctx, ServiceVPC, "DeleteVSwitch", map[string]string{"VSwitchId": "vsw-new"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Invoke(ctx, ServiceVPC, "DeleteVpc", map[string]string{"VpcId": "vpc-new", "Empty": ""}, nil); err != nil {
		t.Fatal(err)
	}
	wantParams(t, f.got("DeleteVSwitch")[0].Query, map[string]string{"VSwitchId": "vsw-new"})
	wantParams(t, f.got("DeleteVpc")[0].Query, map[string]string{"VpcId": "vpc-new"})
}

func TestDescribeVSwitches(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2016-04-28", "DescribeVSwitches", map[string]any{"TotalCount": 1, "VSwitches": map[string]any{"VSwitch": []any{map[string]any{
		"VSwitchId": "vsw-1", "VSwitchName": "sw", "VpcId": "vpc-1", "ZoneId": "cn-hangzhou-h", "CidrBlock": "172.16.0.0/24",
		"Status": "Available", "IsDefault": "false", "AvailableIpAddressCount": 252,
		"Tags": map[string]any{"Tag": []any{map[string]any{"Key": "k", "Value": "v"}}},
	}}}})
	c, _ := f.client(t)
	no := false
	sws, err := c.DescribeVSwitches(context.Background(), VSwitchQuery{VSwitchID: "vsw-1", VpcID: "vpc-1", ZoneID: "cn-hangzhou-h", IsDefault: &no})
	want := []VSwitch{{ID: "vsw-1", Name: "sw", VpcID: "vpc-1", ZoneID: "cn-hangzhou-h", CidrBlock: "172.16.0.0/24", Status: "Available", Tags: []Tag{{Key: "k", Value: "v"}}}}
	if err != nil || !reflect.DeepEqual(sws, want) {
		t.Fatalf("DescribeVSwitches = %+v, %v", sws, err)
	}
	wantParams(t, f.got("DescribeVSwitches")[0].Query, map[string]string{
		"VSwitchId": "vsw-1", "VpcId": "vpc-1", "ZoneId": "cn-hangzhou-h", "IsDefault": "false", "PageSize": "50",
	})
}

func TestEipCalls(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2016-04-28", "AllocateEipAddress", map[string]any{"AllocationId": "eip-1", "EipAddress": "47.1.2.3"})
	for _, a := range []string{"AssociateEipAddress", "UnassociateEipAddress", "ReleaseEipAddress", "TagResources"} {
		f.reply("2016-04-28", a, nil)
	}
	c, _ := f.client(t)
	ctx := context.Background()
	eip, err := c.AllocateEipAddress(ctx, AllocateEipRequest{Bandwidth: 10, InternetChargeType: "PayByTraffic", Name: "m1"})
	if err != nil || eip.AllocationID != "eip-1" || eip.IPAddress != "47.1.2.3" {
		t.Fatalf("AllocateEipAddress = %+v, %v", eip, err)
	}
	q := f.got("AllocateEipAddress")[0].Query
	wantParams(t, q, map[string]string{"Bandwidth": "10", "InternetChargeType": "PayByTraffic", "Name": "m1"})
	if q.Get("ClientToken") == "" {
		t.Error("no ClientToken")
	}
	if err := c.AssociateEipAddress(ctx, "eip-1", "i-1"); err != nil {
		t.Fatal(err)
	}
	wantParams(t, f.got("AssociateEipAddress")[0].Query, map[string]string{"AllocationId": "eip-1", "InstanceId": "i-1", "InstanceType": "EcsInstance"})
	if err := c.UnassociateEipAddress(ctx, "eip-1", "i-1", true); err != nil {
		t.Fatal(err)
	}
	wantParams(t, f.got("UnassociateEipAddress")[0].Query, map[string]string{"AllocationId": "eip-1", "Force": "true"})
	if err := c.ReleaseEipAddress(ctx, "eip-1"); err != nil {
		t.Fatal(err)
	}
	if err := c.TagVpcResources(ctx, "EIP", []string{"eip-1"}, []Tag{{Key: "k", Value: "v"}}); err != nil {
		t.Fatal(err)
	}
	wantParams(t, f.got("TagResources")[0].Query, map[string]string{"ResourceType": "EIP", "ResourceId.1": "eip-1", "Tag.1.Key": "k"})
	if err := c.Invoke(ctx, Service("slb"), "DescribeLoadBalancers", nil, nil); err == nil {
		t.Error("Invoke accepted an unknown service")
	}
}
