package ecs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"testing"
)

func TestRunInstancesParams(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "RunInstances", map[string]any{"OrderId": "1", "TradePrice": 0.165,
		"InstanceIdSets": map[string]any{"InstanceIdSet": []string{"i-abc"}}})
	c, _ := f.client(t)
	zero := 0
	req := RunInstancesRequest{
		ImageID: "ubuntu_22_04", InstanceType: "ecs.g7.large", ZoneID: "cn-hangzhou-h", VSwitchID: "vsw-1",
		SecurityGroupIDs: []string{"sg-1", "sg-2"}, InstanceName: "m1", HostName: "m1", Description: "rancher node",
		KeyPairName: "kp-m1", Password: "Pa55word!x", UserData: "I2Nsb3VkLWNvbmZpZw==", PrivateIPAddress: "172.16.0.10",
		InternetMaxBandwidthOut: 10, InternetChargeType: "PayByTraffic", InstanceChargeType: "PrePaid", Period: 1,
		PeriodUnit: "Month", SpotStrategy: "SpotWithPriceLimit", SpotPriceLimit: 0.05, SpotDuration: &zero,
		SystemDiskCategory: "cloud_essd", SystemDiskSize: 40,
		DataDisks: []DataDisk{
			{SizeGiB: 100, Category: "cloud_essd", PerformanceLevel: "PL1", Encrypted: true, DeleteWithInstance: true, Name: "data"},
			{SizeGiB: 20, Category: "cloud_efficiency"},
		},
		IoOptimized: "optimized", ResourceGroupID: "rg-1", RAMRoleName: "role",
		Ipv6AddressCount: 2, DeploymentSetID: "ds-1",
		Tags: []Tag{{Key: "docker-machine-name", Value: "m1"}}, ClientToken: "m1-nonce",
	}
	ids, err := c.RunInstances(context.Background(), req)
	if err != nil || !reflect.DeepEqual(ids, []string{"i-abc"}) {
		t.Fatalf("RunInstances = %v, %v", ids, err)
	}
	q := f.got("RunInstances")[0].Query
	want := map[string]string{
		"ImageId": "ubuntu_22_04", "InstanceType": "ecs.g7.large", "ZoneId": "cn-hangzhou-h", "VSwitchId": "vsw-1",
		"SecurityGroupIds.1": "sg-1", "SecurityGroupIds.2": "sg-2", "SecurityGroupId": "", "InstanceName": "m1",
		"HostName": "m1", "Description": "rancher node", "KeyPairName": "kp-m1", "Password": "Pa55word!x",
		"UserData": "I2Nsb3VkLWNvbmZpZw==", "PrivateIpAddress": "172.16.0.10", "InternetMaxBandwidthOut": "10",
		"InternetChargeType": "PayByTraffic", "InstanceChargeType": "PrePaid", "Period": "1", "PeriodUnit": "Month",
		"SpotStrategy": "SpotWithPriceLimit", "SpotPriceLimit": "0.050000", "SpotDuration": "0",
		"SystemDisk.Category": "cloud_essd", "SystemDisk.Size": "40",
		"DataDisk.1.Size": "100", "DataDisk.1.Category": "cloud_essd", "DataDisk.1.PerformanceLevel": "PL1",
		"DataDisk.1.Encrypted": "true", "DataDisk.1.DeleteWithInstance": "true", "DataDisk.1.DiskName": "data",
		"DataDisk.2.Size": "20", "DataDisk.2.Category": "cloud_efficiency", "DataDisk.2.Encrypted": "",
		"DataDisk.2.DeleteWithInstance": "", "DataDisk.3.Size": "",
		"IoOptimized": "optimized", "ResourceGroupId": "rg-1", "RamRoleName": "role",
		"Ipv6AddressCount": "2", "DeploymentSetId": "ds-1",
		"Tag.1.Key": "docker-machine-name", "Tag.1.Value": "m1", "ClientToken": "m1-nonce", "DryRun": "",
	}
	wantParams(t, q, want)
	// Every query parameter is either common or one we meant to send.
	common := map[string]bool{"Action": true, "Version": true, "Format": true, "AccessKeyId": true, "SignatureMethod": true,
		"SignatureVersion": true, "SignatureType": true, "SignatureNonce": true, "Timestamp": true, "RegionId": true, "Signature": true}
	for k := range q {
		if _, ok := want[k]; !ok && !common[k] {
			t.Errorf("unexpected param %s=%q", k, q.Get(k))
		}
	}
}

func TestRunInstancesDryRun(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("RunInstances", func(q url.Values) (int, string) {
		return 400, errBody("DryRunOperation", "Request validation has been passed with DryRun flag set.")
	})
	c, _ := f.client(t)
	_, err := c.RunInstances(context.Background(), RunInstancesRequest{ImageID: "img", InstanceType: "t", DryRun: true, Password: "Pa55word!x"})
	if !IsDryRunOK(err) {
		t.Fatalf("err = %v, want DryRunOperation", err)
	}
	calls := f.got("RunInstances")
	if len(calls) != 1 {
		t.Errorf("DryRunOperation retried: %d calls", len(calls))
	}
	wantParams(t, calls[0].Query, map[string]string{"DryRun": "true", "ClientToken": ""})
}

func wireInst(id, status string) map[string]any {
	return map[string]any{
		"InstanceId": id, "InstanceName": "m1", "HostName": "m1", "Status": status, "RegionId": "cn-hangzhou",
		"ZoneId": "cn-hangzhou-h", "InstanceType": "ecs.g7.large", "ImageId": "img", "KeyPairName": "kp",
		"Cpu": 2, "Memory": 8192, "CreationTime": "2023-09-29T10:18Z",
		"PublicIpAddress": map[string]any{"IpAddress": []string{"47.1.1.1"}},
		"InnerIpAddress":  map[string]any{"IpAddress": []string{}},
		"VpcAttributes": map[string]any{"VpcId": "vpc-1", "VSwitchId": "vsw-1", "NatIpAddress": "",
			"PrivateIpAddress": map[string]any{"IpAddress": []string{"172.16.0.10"}}},
		"EipAddress":       map[string]any{"AllocationId": "", "IpAddress": "", "Bandwidth": 0, "IsSupportUnassociate": false},
		"SecurityGroupIds": map[string]any{"SecurityGroupId": []string{"sg-1"}},
		"Tags":             map[string]any{"Tag": []any{map[string]any{"TagKey": "docker-machine-name", "TagValue": "m1"}}},
		"OperationLocks":   map[string]any{"LockReason": []any{}},
	}
}

func TestDescribeInstancesDecode(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	eip := wireInst("i-2", "Stopped")
	eip["PublicIpAddress"] = map[string]any{"IpAddress": []string{}}
	eip["EipAddress"] = map[string]any{"AllocationId": "eip-1", "IpAddress": "39.1.1.1"}
	eip["VpcAttributes"] = map[string]any{"VpcId": "vpc-1", "VSwitchId": "vsw-1", "PrivateIpAddress": map[string]any{"IpAddress": []string{}}}
	eip["NetworkInterfaces"] = map[string]any{"NetworkInterface": []any{
		map[string]any{"PrimaryIpAddress": "172.16.9.9", "Type": "Secondary", "Ipv6Sets": map[string]any{"Ipv6Set": []any{map[string]any{"Ipv6Address": "2001:db8::99"}}}},
		map[string]any{"PrimaryIpAddress": "172.16.0.11", "Type": "Primary", "Ipv6Sets": map[string]any{"Ipv6Set": []any{
			map[string]any{"Ipv6Address": "2001:db8::1"}, map[string]any{"Ipv6Address": "2001:db8::2"}}}},
	}}
	eip["DeploymentSetId"] = "ds-1"
	f.reply("2014-05-26", "DescribeInstances", map[string]any{"TotalCount": 2, "NextToken": "",
		"Instances": map[string]any{"Instance": []any{wireInst("i-1", "Running"), eip}}})
	c, _ := f.client(t)
	got, err := c.DescribeInstances(context.Background(), InstanceQuery{InstanceName: "m1", Status: "Running", VpcID: "vpc-1",
		Tags: []Tag{{Key: "docker-machine-name", Value: "m1"}}})
	if err != nil || len(got) != 2 {
		t.Fatalf("DescribeInstances = %+v, %v", got, err)
	}
	want := Instance{ID: "i-1", Name: "m1", HostName: "m1", Status: "Running", RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-h",
		InstanceType: "ecs.g7.large", ImageID: "img", VpcID: "vpc-1", VSwitchID: "vsw-1", PrivateIP: "172.16.0.10",
		PublicIP: "47.1.1.1", KeyPairName: "kp", SecurityGroupIDs: []string{"sg-1"}, Tags: []Tag{{Key: "docker-machine-name", Value: "m1"}}}
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("got  %+v\nwant %+v", got[0], want)
	}
	if g := got[1]; g.PublicIP != "" || g.EipAllocationID != "eip-1" || g.EipAddress != "39.1.1.1" || g.PrivateIP != "172.16.0.11" ||
		!reflect.DeepEqual(g.IPv6Addresses, []string{"2001:db8::1", "2001:db8::2"}) || g.DeploymentSetID != "ds-1" {
		t.Errorf("EIP instance = %+v", g)
	}
	wantParams(t, f.got("DescribeInstances")[0].Query, map[string]string{"InstanceName": "m1", "Status": "Running", "VpcId": "vpc-1",
		"Tag.1.Key": "docker-machine-name", "Tag.1.Value": "m1", "InstanceIds": "", "PageSize": "100", "PageNumber": "1"})
}

func TestDescribeInstancesChunksAndPages(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeInstances", func(q url.Values) (int, string) {
		var ids []string
		if err := json.Unmarshal([]byte(q.Get("InstanceIds")), &ids); err != nil {
			t.Errorf("InstanceIds %q: %v", q.Get("InstanceIds"), err)
		}
		n, _ := strconv.Atoi(q.Get("PageNumber"))
		const serverPage = 30 // the server caps the page below our 100
		var list []any
		for i := (n - 1) * serverPage; i < min(n*serverPage, len(ids)); i++ {
			list = append(list, wireInst(ids[i], "Running"))
		}
		return 200, okBody(map[string]any{"TotalCount": len(ids), "Instances": map[string]any{"Instance": list}})
	})
	c, _ := f.client(t)
	var ids []string
	for i := range 150 {
		ids = append(ids, fmt.Sprintf("i-%03d", i))
	}
	ids = append(ids, "i-000") // duplicate IDs are answered once
	got, err := c.DescribeInstances(context.Background(), InstanceQuery{InstanceIDs: ids})
	if err != nil || len(got) != 150 || got[149].ID != "i-149" {
		t.Fatalf("DescribeInstances: %d, %v", len(got), err)
	}
	// 100 IDs → 4 pages of 30; 51 IDs → 2 pages.
	if n := len(f.got("DescribeInstances")); n != 6 {
		t.Errorf("calls = %d, want 6", n)
	}
}

func TestInstanceActions(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	for _, a := range []string{"StartInstance", "StopInstance", "RebootInstance", "DeleteInstance"} {
		f.reply("2014-05-26", a, nil)
	}
	c, _ := f.client(t)
	ctx := context.Background()
	if err := c.StartInstance(ctx, "i-1"); err != nil {
		t.Fatal(err)
	}
	if err := c.StopInstance(ctx, "i-1", false, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.RebootInstance(ctx, "i-1", true); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteInstance(ctx, "i-1", false); err != nil {
		t.Fatal(err)
	}
	wantParams(t, f.got("StartInstance")[0].Query, map[string]string{"InstanceId": "i-1"})
	wantParams(t, f.got("StopInstance")[0].Query, map[string]string{"InstanceId": "i-1", "ForceStop": ""})
	wantParams(t, f.got("RebootInstance")[0].Query, map[string]string{"InstanceId": "i-1", "ForceStop": "true"})
	wantParams(t, f.got("DeleteInstance")[0].Query, map[string]string{"InstanceId": "i-1", "Force": ""})
}

func TestDescribeDeploymentSets(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "DescribeDeploymentSets", map[string]any{"TotalCount": 1, "PageNumber": 1, "PageSize": 50,
		"DeploymentSets": map[string]any{"DeploymentSet": []any{map[string]any{
			"DeploymentSetId": "ds-1", "DeploymentSetName": "pool", "Strategy": "Availability",
			"Capacities": map[string]any{"Capacity": []any{
				map[string]any{"ZoneId": "cn-hangzhou-h", "UsedAmount": 20, "AvailableAmount": 0},
				map[string]any{"ZoneId": "cn-hangzhou-i", "UsedAmount": 1, "AvailableAmount": 19},
			}},
		}}}})
	c, _ := f.client(t)
	sets, err := c.DescribeDeploymentSets(context.Background(), []string{"ds-1"})
	if err != nil || len(sets) != 1 {
		t.Fatalf("DescribeDeploymentSets = %+v, %v", sets, err)
	}
	want := DeploymentSet{ID: "ds-1", Name: "pool", Strategy: "Availability", Available: map[string]int{"cn-hangzhou-h": 0, "cn-hangzhou-i": 19}}
	if !reflect.DeepEqual(sets[0], want) {
		t.Errorf("got %+v, want %+v", sets[0], want)
	}
	wantParams(t, f.got("DescribeDeploymentSets")[0].Query, map[string]string{"DeploymentSetIds": `["ds-1"]`, "PageSize": "50"})
}
