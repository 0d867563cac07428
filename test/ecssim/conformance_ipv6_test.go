package ecssim_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// IPv6: VPC /56 blocks, VSwitch /64 blocks, RunInstances addresses and the
// DescribeInstances Ipv6Address.N filter.

// waitNetwork waits until a VPC or VSwitch is Available.
func (e *confEnv) waitNetwork(id string) {
	e.t.Helper()
	waitFor(e.t, id+" Available", func() bool {
		res := e.srv.Resources()
		for _, v := range res.Vpcs {
			if v.ID == id {
				return v.Status == "Available"
			}
		}
		for _, sw := range res.VSwitches {
			if sw.ID == id {
				return sw.Status == "Available"
			}
		}
		return false
	})
}

// ipv6Vpc creates a 10.0.0.0/16 VPC with IPv6 and waits until it is
// Available.
func (e *confEnv) ipv6Vpc() string {
	id := e.must(pVPC, "CreateVpc", map[string]string{"CidrBlock": "10.0.0.0/16", "EnableIpv6": "true"})["VpcId"].(string)
	e.waitNetwork(id)
	return id
}

// ipv6VSwitch creates a VSwitch in zone H with the /64 of the given index
// (and 10.0.index.0/24) and waits until it is Available.
func (e *confEnv) ipv6VSwitch(vpcID string, index int) string {
	id := e.must(pVPC, "CreateVSwitch", map[string]string{"VpcId": vpcID, "ZoneId": "cn-hangzhou-h",
		"CidrBlock": fmt.Sprintf("10.0.%d.0/24", index), "Ipv6CidrBlock": itoa(index)})["VSwitchId"].(string)
	e.waitNetwork(id)
	return id
}

// ipv6RunParams are valid RunInstances parameters on a new IPv6 VPC and
// VSwitch, overlaid with extra ("" deletes).
func (e *confEnv) ipv6RunParams(extra map[string]string) map[string]string {
	vpcID := e.ipv6Vpc()
	p := map[string]string{"ImageId": "ubuntu_24_04_x64_20G_alibase_20250722.vhd", "InstanceType": "ecs.g7.large",
		"VSwitchId":       e.ipv6VSwitch(vpcID, 1),
		"SecurityGroupId": e.must(pECS, "CreateSecurityGroup", map[string]string{"VpcId": vpcID})["SecurityGroupId"].(string)}
	for k, v := range extra {
		if v == "" {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return p
}

// onPrimaryENI moves the VSwitch and security group of RunInstances
// parameters onto the primary NetworkInterface.1, with extra fields of
// that interface.
func onPrimaryENI(p map[string]string, extra map[string]string) map[string]string {
	p["NetworkInterface.1.InstanceType"] = "Primary"
	p["NetworkInterface.1.VSwitchId"], p["NetworkInterface.1.SecurityGroupId"] = p["VSwitchId"], p["SecurityGroupId"]
	delete(p, "VSwitchId")
	delete(p, "SecurityGroupId")
	for k, v := range extra {
		p["NetworkInterface.1."+k] = v
	}
	return p
}

// vswitchIpv6 returns a VSwitch's /64 from the inventory.
func (e *confEnv) vswitchIpv6(id string) netip.Prefix {
	for _, sw := range e.srv.Resources().VSwitches {
		if sw.ID == id && sw.Ipv6CidrBlock != "" {
			return netip.MustParsePrefix(sw.Ipv6CidrBlock)
		}
	}
	e.t.Fatalf("VSwitch %s has no IPv6 block", id)
	return netip.Prefix{}
}

// hostIn returns the address with the given interface ID in a /64.
func hostIn(p netip.Prefix, host uint16) string {
	b := p.Addr().As16()
	b[14], b[15] = byte(host>>8), byte(host)
	return netip.AddrFrom16(b).String()
}

// instanceResource returns one instance of the inventory.
func (e *confEnv) instanceResource(id string) ecssim.InstanceResource {
	for _, i := range e.srv.Resources().Instances {
		if i.ID == id {
			return i
		}
	}
	e.t.Fatalf("no instance %s", id)
	return ecssim.InstanceResource{}
}

// describedIpv6 returns the IPv6 addresses DescribeInstances shows on an
// instance's primary ENI.
func (e *confEnv) describedIpv6(id string) []string {
	d := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + id + `"]`})
	eni := get(d, "Instances", "Instance", 0, "NetworkInterfaces", "NetworkInterface", 0).(map[string]any)
	require.Equal(e.t, "Primary", eni["Type"])
	out := []string{}
	for _, s := range get(eni, "Ipv6Sets", "Ipv6Set").([]any) {
		out = append(out, s.(map[string]any)["Ipv6Address"].(string))
	}
	return out
}

// requireIpv6Run checks a RunInstances answer: every instance has perInstance
// addresses, all distinct and inside its VSwitch's /64, the same in
// DescribeInstances and in the inventory.
func requireIpv6Run(perInstance int) func(t *testing.T, e *confEnv, resp map[string]any) {
	return func(t *testing.T, e *confEnv, resp map[string]any) {
		seen := map[string]bool{}
		for _, id := range get(resp, "InstanceIdSets", "InstanceIdSet").([]any) {
			inv := e.instanceResource(id.(string))
			block := e.vswitchIpv6(inv.VSwitchID)
			got := e.describedIpv6(inv.ID)
			require.Len(t, got, perInstance)
			require.Equal(t, got, inv.Ipv6Addresses)
			for _, a := range got {
				require.True(t, block.Contains(netip.MustParseAddr(a)), "%s not in %s", a, block)
				require.False(t, seen[a], "address %s given twice", a)
				seen[a] = true
			}
		}
	}
}

func TestConformanceVpcIpv6(t *testing.T) {
	t.Parallel()
	docRange := netip.MustParsePrefix("2001:db8::/32")
	createVSwitch := func(index string) func(e *confEnv) map[string]string {
		return func(e *confEnv) map[string]string {
			return map[string]string{"VpcId": e.ipv6Vpc(), "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.1.0/24", "Ipv6CidrBlock": index}
		}
	}
	runConformance(t, []confCase{
		{name: "enable ipv6", version: pVPC, action: "CreateVpc",
			setup: func(*confEnv) map[string]string {
				return map[string]string{"CidrBlock": "10.0.0.0/16", "EnableIpv6": "true", "Ipv6Isp": "ChinaTelecom"}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				id := resp["VpcId"].(string)
				d := e.must(pVPC, "DescribeVpcs", map[string]string{"VpcId": id})
				v := get(d, "Vpcs", "Vpc", 0).(map[string]any)
				block := netip.MustParsePrefix(v["Ipv6CidrBlock"].(string))
				require.Equal(t, 56, block.Bits())
				require.True(t, docRange.Contains(block.Addr()))
				require.Equal(t, true, v["EnabledIpv6"])
				require.Equal(t, []any{map[string]any{"Ipv6CidrBlock": block.String(), "Ipv6Isp": "ChinaTelecom"}},
					get(v, "Ipv6CidrBlocks", "Ipv6CidrBlock"))
				for _, x := range e.srv.Resources().Vpcs {
					if x.ID == id {
						require.Equal(t, block.String(), x.Ipv6CidrBlock)
					}
				}
			}},
		{name: "each vpc its own block", version: pVPC, action: "CreateVpc",
			setup: func(e *confEnv) map[string]string {
				e.ipv6Vpc()
				return map[string]string{"CidrBlock": "192.168.0.0/16", "EnableIpv6": "true"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				blocks := map[string]bool{}
				for _, v := range e.srv.Resources().Vpcs {
					if v.Ipv6CidrBlock != "" {
						blocks[v.Ipv6CidrBlock] = true
					}
				}
				require.Len(t, blocks, 2)
			}},
		{name: "without ipv6", version: pVPC, action: "CreateVpc",
			setup: func(*confEnv) map[string]string { return map[string]string{"CidrBlock": "10.0.0.0/16"} },
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				d := e.must(pVPC, "DescribeVpcs", map[string]string{"VpcId": resp["VpcId"].(string)})
				require.Equal(t, "", get(d, "Vpcs", "Vpc", 0, "Ipv6CidrBlock"))
				require.Equal(t, false, get(d, "Vpcs", "Vpc", 0, "EnabledIpv6"))
				require.Empty(t, get(d, "Vpcs", "Vpc", 0, "Ipv6CidrBlocks", "Ipv6CidrBlock"))
			}},
		with(pVPC, "CreateVpc", "bad isp", func(*confEnv) map[string]string {
			return map[string]string{"EnableIpv6": "true", "Ipv6Isp": "Carrier-Pigeon"}
		}, 400, "IllegalParam.Ipv6Isp"),
		with(pVPC, "CreateVpc", "EnableIpv6 not boolean", func(*confEnv) map[string]string {
			return map[string]string{"EnableIpv6": "yes"}
		}, 400, "IllegalParam.EnableIpv6"),
		with(pVPC, "CreateVpc", "chosen block", func(*confEnv) map[string]string {
			return map[string]string{"EnableIpv6": "true", "Ipv6CidrBlock": "2001:db8:ff00::/56"}
		}, 400, "OperationFailed.IPv6CidrNotReserved"),
		with(pVPC, "CreateVpc", "malformed chosen block", func(*confEnv) map[string]string {
			return map[string]string{"EnableIpv6": "true", "Ipv6CidrBlock": "10.0.0.0/8"}
		}, 400, "InvalidIpv6CidrBlock.Malformed"),
		with(pVPC, "CreateVpc", "chosen block without ipv6", func(*confEnv) map[string]string {
			return map[string]string{"Ipv6CidrBlock": "2001:db8:ff00::/56"}
		}, 400, "MissingParam.EnableIpv6"),
		with(pVPC, "CreateVpc", "dry run", func(*confEnv) map[string]string {
			return map[string]string{"EnableIpv6": "true", "DryRun": "true"}
		}, 400, "DryRunOperation"),
		{name: "EnableIpv6 filter", version: pVPC, action: "DescribeVpcs",
			setup: func(e *confEnv) map[string]string {
				e.ipv6Vpc()
				return map[string]string{"EnableIpv6": "true"}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.EqualValues(t, 1, resp["TotalCount"])
				require.Equal(t, true, get(resp, "Vpcs", "Vpc", 0, "EnabledIpv6"))
				off := e.must(pVPC, "DescribeVpcs", map[string]string{"EnableIpv6": "false"})
				require.EqualValues(t, 1, off["TotalCount"]) // the default VPC
				require.Equal(t, true, get(off, "Vpcs", "Vpc", 0, "IsDefault"))
			}},
		with(pVPC, "DescribeVpcs", "EnableIpv6 not boolean", func(*confEnv) map[string]string {
			return map[string]string{"EnableIpv6": "maybe"}
		}, 400, "InvalidParameter"),
		{name: "ipv6 block index", version: pVPC, action: "CreateVSwitch", setup: createVSwitch("42"),
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				id := resp["VSwitchId"].(string)
				e.waitNetwork(id)
				var vpcBlock netip.Prefix
				for _, v := range e.srv.Resources().Vpcs {
					if v.Ipv6CidrBlock != "" {
						vpcBlock = netip.MustParsePrefix(v.Ipv6CidrBlock)
					}
				}
				block := e.vswitchIpv6(id)
				require.Equal(t, 64, block.Bits())
				require.True(t, vpcBlock.Contains(block.Addr()))
				require.Equal(t, byte(42), block.Addr().As16()[7], "the index is the last eight bits of the /64")
				d := e.must(pVPC, "DescribeVSwitches", map[string]string{"VSwitchId": id})
				require.Equal(t, block.String(), get(d, "VSwitches", "VSwitch", 0, "Ipv6CidrBlock"))
				require.Equal(t, true, get(d, "VSwitches", "VSwitch", 0, "EnabledIpv6"))
			}},
		{name: "index 0", version: pVPC, action: "CreateVSwitch", setup: createVSwitch("0"),
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Equal(t, byte(0), e.vswitchIpv6(resp["VSwitchId"].(string)).Addr().As16()[7])
			}},
		with(pVPC, "CreateVSwitch", "index 256", createVSwitch("256"), 400, "InvalidIpv6CidrBlock.Malformed"),
		with(pVPC, "CreateVSwitch", "index negative", createVSwitch("-1"), 400, "InvalidIpv6CidrBlock.Malformed"),
		with(pVPC, "CreateVSwitch", "index a cidr", createVSwitch("2001:db8::/64"), 400, "InvalidIpv6CidrBlock.Malformed"),
		with(pVPC, "CreateVSwitch", "vpc without ipv6", func(e *confEnv) map[string]string {
			return map[string]string{"VpcId": e.newVpc("10.0.0.0/16"), "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.1.0/24", "Ipv6CidrBlock": "1"}
		}, 400, "OperationFailed.VpcNotEnableIpv6"),
		with(pVPC, "CreateVSwitch", "index taken by a sibling", func(e *confEnv) map[string]string {
			vpcID := e.ipv6Vpc()
			e.ipv6VSwitch(vpcID, 7)
			return map[string]string{"VpcId": vpcID, "ZoneId": "cn-hangzhou-i", "CidrBlock": "10.0.200.0/24", "Ipv6CidrBlock": "7"}
		}, 400, "InvalidCidrBlock.Overlapped"),
		with(pVPC, "CreateVSwitch", "index taken dry run", func(e *confEnv) map[string]string {
			vpcID := e.ipv6Vpc()
			e.ipv6VSwitch(vpcID, 7)
			return map[string]string{"VpcId": vpcID, "ZoneId": "cn-hangzhou-i", "CidrBlock": "10.0.200.0/24",
				"Ipv6CidrBlock": "7", "DryRun": "true"}
		}, 400, "InvalidCidrBlock.Overlapped"),
		{name: "same index in another vpc", version: pVPC, action: "CreateVSwitch",
			setup: func(e *confEnv) map[string]string {
				e.ipv6VSwitch(e.ipv6Vpc(), 7)
				return map[string]string{"VpcId": e.ipv6Vpc(), "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.7.0/24", "Ipv6CidrBlock": "7"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				blocks := map[string]bool{}
				for _, sw := range e.srv.Resources().VSwitches {
					if sw.Ipv6CidrBlock != "" {
						blocks[sw.Ipv6CidrBlock] = true
					}
				}
				require.Len(t, blocks, 2, "the /64s differ because the VPC /56s do")
			}},
		{name: "VpcIpv6CidrBlock names the vpc block", version: pVPC, action: "CreateVSwitch",
			setup: func(e *confEnv) map[string]string {
				p := createVSwitch("3")(e)
				for _, v := range e.srv.Resources().Vpcs {
					if v.ID == p["VpcId"] {
						p["VpcIpv6CidrBlock"] = v.Ipv6CidrBlock
					}
				}
				return p
			}},
		with(pVPC, "CreateVSwitch", "VpcIpv6CidrBlock of another vpc", func(e *confEnv) map[string]string {
			p := createVSwitch("3")(e)
			p["VpcIpv6CidrBlock"] = "2001:db8:ff:ff00::/56"
			return p
		}, 400, "InvalidParameter"),
		{name: "EnableIpv6 filter", version: pVPC, action: "DescribeVSwitches",
			setup: func(e *confEnv) map[string]string {
				e.ipv6VSwitch(e.ipv6Vpc(), 5)
				return map[string]string{"EnableIpv6": "true"}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.EqualValues(t, 1, resp["TotalCount"])
				require.True(t, strings.HasSuffix(get(resp, "VSwitches", "VSwitch", 0, "Ipv6CidrBlock").(string), "/64"))
				off := e.must(pVPC, "DescribeVSwitches", map[string]string{"EnableIpv6": "false"})
				require.EqualValues(t, 1, off["TotalCount"])
				require.Equal(t, "", get(off, "VSwitches", "VSwitch", 0, "Ipv6CidrBlock"))
				require.Equal(t, false, get(off, "VSwitches", "VSwitch", 0, "EnabledIpv6"))
			}},
	})
}

// run6 builds a RunInstances case on a new IPv6 network.
func run6(name string, extra map[string]string, status int, code string) confCase {
	return confCase{name: name, version: pECS, action: "RunInstances", status: status, code: code,
		setup: func(e *confEnv) map[string]string { return e.ipv6RunParams(extra) }}
}

// chosen builds a RunInstances case on a new IPv6 network whose
// Ipv6Address.N are interface IDs inside the VSwitch's /64.
func chosen(name string, hosts []uint16, extra map[string]string, status int, code string) confCase {
	return confCase{name: name, version: pECS, action: "RunInstances", status: status, code: code,
		setup: func(e *confEnv) map[string]string {
			p := e.ipv6RunParams(extra)
			block := e.vswitchIpv6(p["VSwitchId"])
			for i, h := range hosts {
				p["Ipv6Address."+itoa(i+1)] = hostIn(block, h)
			}
			return p
		}}
}

func TestConformanceRunInstancesIpv6(t *testing.T) {
	t.Parallel()
	withCheck := func(c confCase, check func(t *testing.T, e *confEnv, resp map[string]any)) confCase {
		c.check = check
		return c
	}
	runConformance(t, []confCase{
		withCheck(run6("two addresses", map[string]string{"Ipv6AddressCount": "2"}, 0, ""), requireIpv6Run(2)),
		withCheck(run6("three instances", map[string]string{"Ipv6AddressCount": "2", "Amount": "3"}, 0, ""), requireIpv6Run(2)),
		withCheck(run6("ten on a large type", map[string]string{"Ipv6AddressCount": "10", "InstanceType": "ecs.g7.2xlarge"}, 0, ""),
			requireIpv6Run(10)),
		withCheck(run6("none asked", nil, 0, ""), requireIpv6Run(0)),
		{name: "on the primary network interface", version: pECS, action: "RunInstances", check: requireIpv6Run(3),
			setup: func(e *confEnv) map[string]string {
				return onPrimaryENI(e.ipv6RunParams(nil), map[string]string{"Ipv6AddressCount": "3"})
			}},
		withCheck(chosen("chosen addresses", []uint16{0x1234, 0x5678}, nil, 0, ""),
			func(t *testing.T, e *confEnv, resp map[string]any) {
				id := get(resp, "InstanceIdSets", "InstanceIdSet", 0).(string)
				inv := e.instanceResource(id)
				block := e.vswitchIpv6(inv.VSwitchID)
				require.Equal(t, []string{hostIn(block, 0x1234), hostIn(block, 0x5678)}, inv.Ipv6Addresses)
				require.Equal(t, inv.Ipv6Addresses, e.describedIpv6(id))
			}),
		run("vswitch without ipv6", map[string]string{"Ipv6AddressCount": "1"}, 403, "InvalidVSwitch.Ipv6NotTurnOn"),
		run("vswitch without ipv6 dry run", map[string]string{"Ipv6AddressCount": "1", "DryRun": "true"}, 403, "InvalidVSwitch.Ipv6NotTurnOn"),
		run6("dry run", map[string]string{"Ipv6AddressCount": "2", "DryRun": "true"}, 400, "DryRunOperation"),
		run6("count 0", map[string]string{"Ipv6AddressCount": "0"}, 400, "InvalidParameter"),
		run6("count not a number", map[string]string{"Ipv6AddressCount": "two"}, 400, "InvalidParameter"),
		run6("above the type's limit", map[string]string{"Ipv6AddressCount": "7"}, 403, "InvalidOperation.Ipv6CountExceeded"),
		run6("above the type's limit dry run", map[string]string{"Ipv6AddressCount": "7", "DryRun": "true"},
			403, "InvalidOperation.Ipv6CountExceeded"),
		run6("two on a shared type", map[string]string{"Ipv6AddressCount": "2", "InstanceType": "ecs.t6-c1m2.large"},
			403, "InvalidOperation.Ipv6CountExceeded"),
		run6("eleven on a large type", map[string]string{"Ipv6AddressCount": "11", "InstanceType": "ecs.g7.2xlarge"},
			403, "InvalidOperation.Ipv6CountExceeded"),
		chosen("count and addresses", []uint16{1}, map[string]string{"Ipv6AddressCount": "1"}, 400, "InvalidParameter"),
		chosen("addresses with amount 2", []uint16{1}, map[string]string{"Amount": "2"}, 400, "InvalidParameter"),
		chosen("repeated address", []uint16{9, 9}, nil, 403, "InvalidIp.IpRepeated"),
		chosen("reserved first address", []uint16{0}, nil, 403, "InvalidIp.Address"),
		chosen("seven chosen", []uint16{1, 2, 3, 4, 5, 6, 7}, nil, 403, "InvalidOperation.Ipv6CountExceeded"),
		run6("address outside the vswitch", map[string]string{"Ipv6Address.1": "2001:db8:ffff:ff00::1"}, 403, "InvalidIp.Address"),
		run6("address not ipv6", map[string]string{"Ipv6Address.1": "10.0.1.9"}, 403, "InvalidIp.Address"),
		{name: "ipv6 both on top and on the interface", version: pECS, action: "RunInstances", status: 400, code: "InvalidParameter",
			setup: func(e *confEnv) map[string]string {
				p := onPrimaryENI(e.ipv6RunParams(nil), map[string]string{"Ipv6AddressCount": "1"})
				p["Ipv6AddressCount"] = "1"
				return p
			}},
		{name: "address taken", version: pECS, action: "RunInstances", status: 403, code: "InvalidIp.IpAssigned",
			setup: func(e *confEnv) map[string]string {
				p := e.ipv6RunParams(nil)
				p["Ipv6Address.1"] = hostIn(e.vswitchIpv6(p["VSwitchId"]), 0xbeef)
				e.must(pECS, "RunInstances", p)
				return p
			}},
		{name: "address held while releasing", version: pECS, action: "RunInstances", status: 403, code: "InvalidIp.IpAssigned",
			setup: func(e *confEnv) map[string]string {
				require.NoError(t, e.srv.SetTiming(ecssim.TransitionRelease, time.Hour))
				p := e.ipv6RunParams(nil)
				p["Ipv6Address.1"] = hostIn(e.vswitchIpv6(p["VSwitchId"]), 0xbeef)
				id := get(e.must(pECS, "RunInstances", p), "InstanceIdSets", "InstanceIdSet", 0).(string)
				e.waitStatus(id, "Running")
				e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": id, "Force": "true"})
				return p
			}},
		{name: "no ipv6 for CreateInstance", version: pECS, action: "CreateInstance",
			setup: func(e *confEnv) map[string]string {
				return e.ipv6RunParams(map[string]string{"Ipv6AddressCount": "2"})
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Empty(t, e.instanceResource(resp["InstanceId"].(string)).Ipv6Addresses)
			}},
	})
}

// TestIpv6AddressesLifecycle follows addresses from RunInstances through
// the DescribeInstances filter to their release with the instance, and
// decodes the new fields into the SDK's typed responses.
func TestIpv6AddressesLifecycle(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	p := e.ipv6RunParams(map[string]string{"Ipv6AddressCount": "2"})
	id := e.instance(p)
	e.waitStatus(id, "Running")
	addrs := e.instanceResource(id).Ipv6Addresses
	require.Len(t, addrs, 2)
	other := e.instance(e.runParams(nil)) // no IPv6, default network

	// Ipv6Address.N filters by the addresses, in any spelling.
	for _, q := range []string{addrs[1], strings.ToUpper(addrs[1])} {
		d := e.must(pECS, "DescribeInstances", map[string]string{"Ipv6Address.1": "2001:db8:ffff::1", "Ipv6Address.2": q})
		require.EqualValues(t, 1, d["TotalCount"], q)
		require.Equal(t, id, get(d, "Instances", "Instance", 0, "InstanceId"))
	}
	d := e.must(pECS, "DescribeInstances", map[string]string{"Ipv6Address.1": "2001:db8:ffff::1"})
	require.EqualValues(t, 0, d["TotalCount"])
	d = e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + other + `"]`})
	require.Empty(t, get(d, "Instances", "Instance", 0, "NetworkInterfaces", "NetworkInterface", 0, "Ipv6Sets", "Ipv6Set"))

	// The SDK's typed structs read the same fields.
	di := ecs.CreateDescribeInstancesRequest()
	di.Ipv6Address = &[]string{addrs[0]}
	typed, err := e.cl.DescribeInstances(di)
	require.NoError(t, err)
	require.Len(t, typed.Instances.Instance, 1)
	sets := typed.Instances.Instance[0].NetworkInterfaces.NetworkInterface[0].Ipv6Sets.Ipv6Set
	require.Equal(t, []ecs.Ipv6Set{{Ipv6Address: addrs[0]}, {Ipv6Address: addrs[1]}}, sets)
	vc := vpcClient(t, e.srv)
	vr := vpc.CreateDescribeVpcsRequest()
	vr.EnableIpv6 = requests.NewBoolean(true)
	vpcs, err := vc.DescribeVpcs(vr)
	require.NoError(t, err)
	require.Len(t, vpcs.Vpcs.Vpc, 1)
	require.True(t, vpcs.Vpcs.Vpc[0].EnabledIpv6)
	require.Equal(t, "BGP", vpcs.Vpcs.Vpc[0].Ipv6CidrBlocks.Ipv6CidrBlock[0].Ipv6Isp)
	require.Equal(t, vpcs.Vpcs.Vpc[0].Ipv6CidrBlock, vpcs.Vpcs.Vpc[0].Ipv6CidrBlocks.Ipv6CidrBlock[0].Ipv6CidrBlock)
	sr := vpc.CreateDescribeVSwitchesRequest()
	sr.VSwitchId = p["VSwitchId"]
	sws, err := vc.DescribeVSwitches(sr)
	require.NoError(t, err)
	require.True(t, sws.VSwitches.VSwitch[0].EnabledIpv6)
	require.Equal(t, e.vswitchIpv6(p["VSwitchId"]).String(), sws.VSwitches.VSwitch[0].Ipv6CidrBlock)

	// Released with the instance: a new instance may choose them.
	e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": id, "Force": "true"})
	waitFor(t, id+" gone", func() bool { return e.status(id) == "" })
	p2 := map[string]string{}
	for k, v := range p {
		p2[k] = v
	}
	delete(p2, "Ipv6AddressCount")
	p2["Ipv6Address.1"], p2["Ipv6Address.2"] = addrs[0], addrs[1]
	again := e.instance(p2)
	require.Equal(t, addrs, e.instanceResource(again).Ipv6Addresses)
}

func TestDescribeInstanceTypesIpv6(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	req := ecs.CreateDescribeInstanceTypesRequest()
	req.InstanceTypes = &[]string{"ecs.t6-c1m2.large", "ecs.g7.large", "ecs.g7.2xlarge"}
	resp, err := cl.DescribeInstanceTypes(req)
	require.NoError(t, err)
	got := map[string]int{}
	for _, it := range resp.InstanceTypes.InstanceType {
		got[it.InstanceTypeId] = it.EniIpv6AddressQuantity
	}
	require.Equal(t, map[string]int{"ecs.t6-c1m2.large": 1, "ecs.g7.large": 6, "ecs.g7.2xlarge": 10}, got)

	req = ecs.CreateDescribeInstanceTypesRequest()
	req.MinimumEniIpv6AddressQuantity = requests.NewInteger(10)
	resp, err = cl.DescribeInstanceTypes(req)
	require.NoError(t, err)
	require.NotEmpty(t, resp.InstanceTypes.InstanceType)
	for _, it := range resp.InstanceTypes.InstanceType {
		require.GreaterOrEqual(t, it.EniIpv6AddressQuantity, 10, it.InstanceTypeId)
	}
}
