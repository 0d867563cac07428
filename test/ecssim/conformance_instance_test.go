package ecssim_test

import (
	"encoding/base64"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// run builds a RunInstances case with extra parameters.
func run(name string, extra map[string]string, status int, code string) confCase {
	return confCase{name: name, version: pECS, action: "RunInstances", status: status, code: code,
		setup: func(e *confEnv) map[string]string { return e.runParams(extra) }}
}

func TestConformanceRunInstances(t *testing.T) {
	t.Parallel()
	runConformance(t, []confCase{
		run("disk performance and encryption", map[string]string{
			"SystemDisk.Category": "cloud_essd", "SystemDisk.PerformanceLevel": "PL0", "SystemDisk.Size": "40",
			"SystemDisk.Encrypted": "true", "SystemDisk.KMSKeyId": "key-sys",
			"DataDisk.1.Category": "cloud_essd", "DataDisk.1.PerformanceLevel": "PL2", "DataDisk.1.Size": "500",
			"DataDisk.1.Encrypted": "true", "DataDisk.1.KMSKeyId": "key-data", "DataDisk.1.DeleteWithInstance": "false",
		}, 0, ""),
		run("PL2 below its minimum", map[string]string{"DataDisk.1.Category": "cloud_essd",
			"DataDisk.1.PerformanceLevel": "PL2", "DataDisk.1.Size": "100"}, 400, "InvalidDataDiskSize.ValueNotSupported"),
		run("PL on efficiency", map[string]string{"SystemDisk.Category": "cloud_efficiency",
			"SystemDisk.PerformanceLevel": "PL1"}, 400, "InvalidParameter"),
		run("unknown PL", map[string]string{"SystemDisk.PerformanceLevel": "PL9"}, 400, "InvalidParameter"),
		run("KMS without encryption", map[string]string{"SystemDisk.KMSKeyId": "key-1"}, 400, "InvalidParameter"),
		run("Encrypted not boolean", map[string]string{"DataDisk.1.Size": "40", "DataDisk.1.Encrypted": "yes"}, 400, "InvalidParameter"),
		run("system disk below image", map[string]string{"SystemDisk.Size": "10"}, 404, "InvalidSystemDiskSize.LessThanImageSize"),
		run("basic cloud disk too big", map[string]string{"SystemDisk.Category": "cloud", "SystemDisk.Size": "600"}, 400, "InvalidSystemDiskSize.ValueNotSupported"),
		run("data disk without size", map[string]string{"DataDisk.1.Category": "cloud_essd"}, 400, "MissingParameter"),
		run("data disk from snapshot", map[string]string{"DataDisk.1.SnapshotId": "s-1"}, 404, "InvalidSnapshotId.NotFound"),
		run("17 data disks", func() map[string]string {
			m := map[string]string{}
			for i := 1; i <= 17; i++ {
				m["DataDisk."+itoa(i)+".Size"] = "20"
			}
			return m
		}(), 400, "InstanceDiskNumber.LimitExceed"),
		run("RAM role", map[string]string{"RamRoleName": "ecssim-node-role"}, 0, ""),
		run("unknown RAM role", map[string]string{"RamRoleName": "ghost-role"}, 404, "InvalidRamRole.NotFound"),
		run("resource group", map[string]string{"ResourceGroupId": "rg-acfmecssim0testing"}, 0, ""),
		run("unknown resource group", map[string]string{"ResourceGroupId": "rg-nope"}, 404, "InvalidResourceGroup.NotFound"),
		run("metadata options", map[string]string{"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": "3"}, 0, ""),
		run("bad HttpEndpoint", map[string]string{"HttpEndpoint": "on"}, 400, "InvalidParameter"),
		run("bad HttpTokens", map[string]string{"HttpTokens": "maybe"}, 400, "InvalidParameter"),
		run("hop limit 65", map[string]string{"HttpPutResponseHopLimit": "65"}, 400, "InvalidParameter"),
		run("deletion protection prepaid", map[string]string{"InstanceChargeType": "PrePaid", "Period": "1",
			"DeletionProtection": "true"}, 403, "InvalidChargeType.ValueNotSupported"),
		run("prepaid", map[string]string{"InstanceChargeType": "PrePaid", "Period": "2", "PeriodUnit": "Week"}, 0, ""),
		run("prepaid without period", map[string]string{"InstanceChargeType": "PrePaid"}, 400, "MissingParameter"),
		run("prepaid bad period", map[string]string{"InstanceChargeType": "PrePaid", "Period": "10"}, 400, "InvalidPeriod"),
		run("prepaid bad unit", map[string]string{"InstanceChargeType": "PrePaid", "Period": "1", "PeriodUnit": "Year"}, 400, "InvalidParameter"),
		run("spot with price", map[string]string{"SpotStrategy": "SpotWithPriceLimit", "SpotPriceLimit": "1.500000"}, 0, ""),
		run("spot without price", map[string]string{"SpotStrategy": "SpotWithPriceLimit"}, 400, "InvalidSpotPriceLimit"),
		run("spot price 4 decimals", map[string]string{"SpotStrategy": "SpotWithPriceLimit", "SpotPriceLimit": "1.2345"}, 400, "InvalidSpotPriceLimit"),
		run("spot price below market", map[string]string{"SpotStrategy": "SpotWithPriceLimit", "SpotPriceLimit": "0.001"},
			400, "InvalidSpotPriceLimit.LowerThanPublicPrice"),
		run("spot duration 2", map[string]string{"SpotStrategy": "SpotAsPriceGo", "SpotDuration": "2"}, 400, "InvalidSpotDuration"),
		run("spot prepaid", map[string]string{"SpotStrategy": "SpotAsPriceGo", "InstanceChargeType": "PrePaid", "Period": "1"}, 400, "InvalidSpotStrategy"),
		run("host names per instance", map[string]string{"Amount": "2", "HostNames.1": "node-a", "HostNames.2": "node-b"}, 0, ""),
		run("host names count", map[string]string{"Amount": "2", "HostNames.1": "node-a"}, 400, "InvalidParameter"),
		run("host name too long", map[string]string{"HostName": longName(65)}, 400, "InvalidHostName.Malformed"),
		run("password and inherit", map[string]string{"Password": "Sim-Passw0rd", "PasswordInherit": "true"}, 400, "InvalidPasswordParam.Mismatch"),
		run("password too short", map[string]string{"Password": "Ab1!"}, 400, "InvalidPassword.Malformed"),
		run("private ip", map[string]string{"PrivateIpAddress": "172.16.0.200"}, 0, ""),
		run("private ip reserved", map[string]string{"PrivateIpAddress": "172.16.0.0"}, 400, "InvalidPrivateIpAddress"),
		run("private ip with amount", map[string]string{"PrivateIpAddress": "172.16.0.9", "Amount": "2"}, 400, "InvalidParameter"),
		run("launch template", map[string]string{"LaunchTemplateId": "lt-1"}, 404, "InvalidLaunchTemplate.NotFound"),
		run("image family", map[string]string{"ImageId": "", "ImageFamily": "acs:ubuntu_24_04_x64"}, 0, ""),
		run("unknown image family", map[string]string{"ImageId": "", "ImageFamily": "acs:beos"}, 404, "InvalidImageFamily.NotFound"),
		run("network interface and vswitch", map[string]string{"NetworkInterface.1.InstanceType": "Primary",
			"NetworkInterface.1.VSwitchId": "vsw-x"}, 400, "InvalidParameter"),
		run("tag key aliyun", map[string]string{"Tag.1.Key": "aliyun-x", "Tag.1.Value": "v"}, 400, "InvalidTagKey.Malformed"),
		run("bandwidth in", map[string]string{"InternetMaxBandwidthIn": "201"}, 400, "InvalidParameter"),
		run("internet charge", map[string]string{"InternetChargeType": "PayByMagic"}, 400, "InvalidInternetChargeType.ValueNotSupported"),
		run("auto release time", map[string]string{"AutoReleaseTime": "tomorrow"}, 400, "InvalidParameter"),
		{name: "sold out", version: pECS, action: "RunInstances", status: 403, code: "OperationDenied.NoStock",
			setup: func(e *confEnv) map[string]string {
				require.NoError(t, e.srv.SetStock(region, "cn-hangzhou-h", "ecs.g7.large", false))
				return e.runParams(nil)
			}},
		{name: "sold out dry run", version: pECS, action: "RunInstances", status: 403, code: "OperationDenied.NoStock",
			setup: func(e *confEnv) map[string]string {
				require.NoError(t, e.srv.SetStock(region, "cn-hangzhou-h", "ecs.g7.large", false))
				return e.runParams(map[string]string{"DryRun": "true"})
			}},
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

func longName(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

// TestRunInstancesStoresParameters checks that every new parameter lands
// where DescribeInstances, the inventory and the tags actions show it.
func TestRunInstancesStoresParameters(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	require.NoError(t, e.srv.AddRAMRole("late-role"))
	id := e.instance(map[string]string{
		"RamRoleName": "late-role", "HttpTokens": "required", "HttpPutResponseHopLimit": "2",
		"ResourceGroupId": "rg-acfmecssim0testing", "DeletionProtection": "true", "InstanceName": "web",
		"UniqueSuffix": "true", "Amount": "1", "SystemDisk.PerformanceLevel": "PL0", "SystemDisk.Encrypted": "true",
		"SystemDisk.KMSKeyId": "key-1", "SpotStrategy": "SpotWithPriceLimit", "SpotPriceLimit": "2.5",
	})
	resp := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + id + `"]`})
	inst := get(resp, "Instances", "Instance", 0).(map[string]any)
	require.Equal(t, "required", get(inst, "MetadataOptions", "HttpTokens"))
	require.EqualValues(t, 2, get(inst, "MetadataOptions", "HttpPutResponseHopLimit"))
	require.Equal(t, "rg-acfmecssim0testing", inst["ResourceGroupId"])
	require.Equal(t, true, inst["DeletionProtection"])
	require.Equal(t, "SpotWithPriceLimit", inst["SpotStrategy"])
	require.EqualValues(t, 2.5, inst["SpotPriceLimit"])
	for _, f := range []string{"HttpTokens", "HttpPutResponseHopLimit", "ResourceGroupId"} {
		want := map[string]string{"HttpTokens": "required", "HttpPutResponseHopLimit": "2", "ResourceGroupId": "rg-acfmecssim0testing"}[f]
		got := e.must(pECS, "DescribeInstances", map[string]string{f: want})
		require.EqualValues(t, 1, got["TotalCount"], f)
	}
	res := e.srv.Resources()
	require.Equal(t, "late-role", res.Instances[0].RAMRoleName)
	require.True(t, res.Disks[0].Encrypted)
	require.Equal(t, "key-1", res.Disks[0].KMSKeyID)
	require.Equal(t, "PL0", res.Disks[0].PerformanceLevel)
	var roles []string
	require.Equal(t, 200, adminJSON(t, e.srv, "POST", "/_sim/ramroles", `{"name":"admin-role"}`, &roles))
	require.Contains(t, roles, "admin-role")
	var groups []string
	require.Equal(t, 200, adminJSON(t, e.srv, "POST", "/_sim/resourcegroups", `{"id":"rg-extra"}`, &groups))
	require.Contains(t, groups, "rg-extra")
	require.Equal(t, 400, adminJSON(t, e.srv, "POST", "/_sim/resourcegroups", `{"id":"nope"}`, nil))

	// Amount with UniqueSuffix and HostNames.N name each instance.
	out := e.must(pECS, "RunInstances", e.runParams(map[string]string{"Amount": "2", "InstanceName": "pool",
		"HostName": "node", "UniqueSuffix": "true"}))
	ids := get(out, "InstanceIdSets", "InstanceIdSet").([]any)
	for i, want := range []string{"pool001", "pool002"} {
		d := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + ids[i].(string) + `"]`})
		require.Equal(t, want, get(d, "Instances", "Instance", 0, "InstanceName"))
		require.Equal(t, "node00"+itoa(i+1), get(d, "Instances", "Instance", 0, "HostName"))
	}
}

func TestConformanceInstanceOps(t *testing.T) {
	t.Parallel()
	op := func(action, name string, prep func(e *confEnv) string, extra map[string]string, status int, code string) confCase {
		return confCase{name: name, version: pECS, action: action, status: status, code: code,
			setup: func(e *confEnv) map[string]string {
				p := map[string]string{"InstanceId": prep(e)}
				for k, v := range extra {
					p[k] = v
				}
				return p
			}}
	}
	running := func(e *confEnv) string { return e.running(nil) }
	stopped := func(e *confEnv) string { return e.stopped(nil) }
	unknown := func(*confEnv) string { return "i-bp0000000000000000xx" }
	ud := base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n"))
	runConformance(t, []confCase{
		op("ModifyInstanceAttribute", "rename running", running, map[string]string{"InstanceName": "renamed",
			"HostName": "new-host", "Description": "a new one", "DeletionProtection": "true"}, 0, ""),
		op("ModifyInstanceAttribute", "user data when running", running, map[string]string{"UserData": ud}, 403, "IncorrectInstanceStatus"),
		op("ModifyInstanceAttribute", "user data when stopped", stopped, map[string]string{"UserData": ud}, 0, ""),
		op("ModifyInstanceAttribute", "user data not base64", stopped, map[string]string{"UserData": "!!"}, 400, "InvalidUserData.Base64FormatInvalid"),
		op("ModifyInstanceAttribute", "bad password", running, map[string]string{"Password": "short"}, 400, "InvalidPassword.Malformed"),
		op("ModifyInstanceAttribute", "bad host name", running, map[string]string{"HostName": "-x"}, 400, "InvalidHostName.Malformed"),
		op("ModifyInstanceAttribute", "unknown group", running, map[string]string{"SecurityGroupIds.1": "sg-nope"}, 404, "InvalidSecurityGroupId.NotFound"),
		op("ModifyInstanceAttribute", "while pending", func(e *confEnv) string { return e.instance(nil) },
			map[string]string{"InstanceName": "x1"}, 409, "OperationConflict"),
		op("ModifyInstanceAttribute", "unknown instance", unknown, map[string]string{"InstanceName": "x1"}, 404, "InvalidInstanceId.NotFound"),
		op("ModifyInstanceMetadataOptions", "tokens required", running, map[string]string{"HttpTokens": "required"}, 0, ""),
		op("ModifyInstanceMetadataOptions", "bad hop limit", running, map[string]string{"HttpPutResponseHopLimit": "0"}, 400, "InvalidParameter"),
		op("DescribeUserData", "none", running, nil, 0, ""),
		op("DescribeUserData", "unknown", unknown, nil, 404, "InvalidInstanceId.NotFound"),
		op("DescribeInstanceAttribute", "running", running, nil, 0, ""),
		op("DescribeInstanceAttribute", "unknown", unknown, nil, 404, "InvalidInstanceId.NotFound"),
		op("AllocatePublicIpAddress", "with bandwidth", func(e *confEnv) string {
			id := e.must(pECS, "CreateInstance", e.runParams(map[string]string{"InternetMaxBandwidthOut": "5"}))["InstanceId"].(string)
			return id
		}, nil, 0, ""),
		op("AllocatePublicIpAddress", "no bandwidth", stopped, nil, 403, "InvalidInstance.NoPublicBandwidth"),
		op("AllocatePublicIpAddress", "pending", func(e *confEnv) string {
			return e.instance(map[string]string{"InternetMaxBandwidthOut": "5"})
		}, nil, 403, "IncorrectInstanceStatus"),
		op("AllocatePublicIpAddress", "chosen address", stopped, map[string]string{"IpAddress": "1.2.3.4"}, 403, "Forbidden.NotWhitelisted"),
		op("StopInstance", "stop charging", running, map[string]string{"StoppedMode": "StopCharging"}, 0, ""),
		op("StopInstance", "bad mode", running, map[string]string{"StoppedMode": "Freeze"}, 400, "InvalidParameter"),
		op("StartInstance", "running", running, nil, 403, "IncorrectInstanceStatus"),
		op("RebootInstance", "stopped", stopped, nil, 403, "IncorrectInstanceStatus"),
		op("DeleteInstance", "running no force", running, nil, 403, "IncorrectInstanceStatus"),
		op("DeleteInstance", "prepaid", func(e *confEnv) string {
			return e.running(map[string]string{"InstanceChargeType": "PrePaid", "Period": "1"})
		}, map[string]string{"Force": "true"}, 403, "ChargeTypeViolation"),
		op("DeleteInstance", "prepaid terminate", func(e *confEnv) string {
			return e.running(map[string]string{"InstanceChargeType": "PrePaid", "Period": "1"})
		}, map[string]string{"Force": "true", "TerminateSubscription": "true"}, 0, ""),
		op("DeleteInstance", "route next hop", func(e *confEnv) string {
			id := e.running(nil)
			rt := routeTable(e)
			e.must(pECS, "CreateRouteEntry", map[string]string{"RouteTableId": rt, "DestinationCidrBlock": "10.42.0.0/24", "NextHopId": id})
			return id
		}, map[string]string{"Force": "true"}, 400, "DependencyViolation.RouteEntry"),
		{name: "two at once", version: pECS, action: "DeleteInstances",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"InstanceId.1": e.running(nil), "InstanceId.2": e.stopped(nil), "Force": "true"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				require.Empty(t, e.srv.Billable().Instances)
			}},
		{name: "one unknown", version: pECS, action: "DeleteInstances", status: 404, code: "InvalidInstanceId.NotFound",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"InstanceId.1": e.stopped(nil), "InstanceId.2": "i-nope"}
			}},
		{name: "one running without force", version: pECS, action: "DeleteInstances", status: 403, code: "IncorrectInstanceStatus",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"InstanceId.1": e.stopped(nil), "InstanceId.2": e.running(nil)}
			}},
		{name: "none", version: pECS, action: "DeleteInstances", status: 400, code: "MissingParameter"},
		{name: "creates stopped", version: pECS, action: "CreateInstance",
			setup: func(e *confEnv) map[string]string {
				return e.runParams(map[string]string{"InternetMaxBandwidthOut": "3"})
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				res := e.srv.Resources()
				require.Equal(t, "Stopped", res.Instances[0].Status)
				require.Empty(t, res.Instances[0].PublicIP)
				require.Equal(t, resp["InstanceId"], res.Instances[0].ID)
			}},
		{name: "no vswitch", version: pECS, action: "CreateInstance", status: 400, code: "MissingParameter",
			setup: func(e *confEnv) map[string]string { return e.runParams(map[string]string{"VSwitchId": ""}) }},
	})
}

// routeTable returns the route table of the region's default VPC.
func routeTable(e *confEnv) string {
	out := e.must(pECS, "DescribeVRouters", nil)
	vpcID := defaultVpc(e.t, e.srv)
	for _, r := range get(out, "VRouters", "VRouter").([]any) {
		if r.(map[string]any)["VpcId"] == vpcID {
			return get(r, "RouteTableIds", "RouteTableId", 0).(string)
		}
	}
	e.t.Fatal("no route table")
	return ""
}
