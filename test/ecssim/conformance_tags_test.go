package ecssim_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func instanceTags(e *confEnv, id string) map[string]string {
	for _, i := range e.srv.Resources().Instances {
		if i.ID == id {
			return i.Tags
		}
	}
	return nil
}

func TestConformanceTags(t *testing.T) {
	t.Parallel()
	tagInst := func(extra map[string]string) func(e *confEnv) map[string]string {
		return func(e *confEnv) map[string]string {
			p := map[string]string{"ResourceType": "instance", "ResourceId.1": e.instance(nil), "Tag.1.Key": "k", "Tag.1.Value": "v"}
			for k, v := range extra {
				p[k] = v
			}
			return p
		}
	}
	runConformance(t, []confCase{
		{name: "instance", version: pECS, action: "TagResources", setup: tagInst(nil),
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				require.Equal(t, map[string]string{"k": "v"}, e.srv.Resources().Instances[0].Tags)
			}},
		with(pECS, "TagResources", "unknown type", tagInst(map[string]string{"ResourceType": "spaceship"}), 400, "InvalidResourceType.NotSupported"),
		with(pECS, "TagResources", "vpc type on ECS", tagInst(map[string]string{"ResourceType": "VSWITCH"}), 400, "InvalidResourceType.NotSupported"),
		with(pECS, "TagResources", "unknown id", tagInst(map[string]string{"ResourceId.2": "i-nope"}), 404, "InvalidResourceId.NotFound"),
		with(pECS, "TagResources", "no tags", func(e *confEnv) map[string]string {
			return map[string]string{"ResourceType": "instance", "ResourceId.1": e.instance(nil)}
		}, 400, "MissingParameter"),
		with(pECS, "TagResources", "acs: key", tagInst(map[string]string{"Tag.1.Key": "acs:x"}), 400, "InvalidTagKey.Malformed"),
		with(pECS, "TagResources", "21st tag", func(e *confEnv) map[string]string {
			p := tagInst(nil)(e)
			for i := 1; i <= 20; i++ {
				p[fmt.Sprintf("Tag.%d.Key", i)], p[fmt.Sprintf("Tag.%d.Value", i)] = fmt.Sprintf("k%d", i), "v"
			}
			e.must(pECS, "TagResources", p)
			return map[string]string{"ResourceType": "instance", "ResourceId.1": p["ResourceId.1"], "Tag.1.Key": "one-more"}
		}, 403, "QuotaExceed.Tags"),
		{name: "key pair by name, disk, eni, group", version: pECS, action: "TagResources",
			setup: func(e *confEnv) map[string]string {
				_, pub := newKey(e.t)
				e.must(pECS, "ImportKeyPair", map[string]string{"KeyPairName": "kp", "PublicKeyBody": pub})
				return map[string]string{"ResourceType": "keypair", "ResourceId.1": "kp", "Tag.1.Key": "owner"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				require.Equal(t, map[string]string{"owner": ""}, e.srv.Resources().KeyPairs[0].Tags)
				id := e.instance(nil)
				d := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + id + `"]`})
				eni := get(d, "Instances", "Instance", 0, "NetworkInterfaces", "NetworkInterface", 0, "NetworkInterfaceId").(string)
				disk := e.srv.Resources().Disks[0].ID
				for typ, rid := range map[string]string{"eni": eni, "disk": disk, "securitygroup": e.sg()} {
					e.must(pECS, "TagResources", map[string]string{"ResourceType": typ, "ResourceId.1": rid, "Tag.1.Key": "t"})
					l := e.must(pECS, "ListTagResources", map[string]string{"ResourceType": typ, "ResourceId.1": rid})
					require.Equal(t, typ, get(l, "TagResources", "TagResource", 0, "ResourceType"))
				}
			}},
		{name: "vpc, vswitch, eip, route table", version: pVPC, action: "TagResources",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"ResourceType": "VPC", "ResourceId.1": defaultVpc(e.t, e.srv), "Tag.1.Key": "env", "Tag.1.Value": "ci"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				d := e.must(pVPC, "DescribeVpcs", map[string]string{"VpcId": defaultVpc(t, e.srv)})
				require.Equal(t, "env", get(d, "Vpcs", "Vpc", 0, "Tags", "Tag", 0, "Key")) // VPC shape: Key/Value
				eipID := e.eip()
				for typ, rid := range map[string]string{"vswitch": e.vswitch(), "EIP": eipID, "ROUTETABLE": routeTable(e)} {
					e.must(pVPC, "TagResources", map[string]string{"ResourceType": typ, "ResourceId.1": rid, "Tag.1.Key": "env"})
				}
				l := e.must(pVPC, "ListTagResources", map[string]string{"ResourceType": "EIP", "Tag.1.Key": "env"})
				require.Equal(t, eipID, get(l, "TagResources", "TagResource", 0, "ResourceId"))
				e.must(pVPC, "UnTagResources", map[string]string{"ResourceType": "EIP", "ResourceId.1": eipID, "All": "true"})
				require.Empty(t, e.srv.Resources().Eips[0].Tags)
			}},
		with(pVPC, "TagResources", "ecs type on VPC", func(e *confEnv) map[string]string {
			return map[string]string{"ResourceType": "instance", "ResourceId.1": "i-1", "Tag.1.Key": "k"}
		}, 400, "InvalidResourceType.NotSupported"),
		{name: "by key", version: pECS, action: "UntagResources",
			setup: func(e *confEnv) map[string]string {
				p := tagInst(map[string]string{"Tag.2.Key": "keep"})(e)
				e.must(pECS, "TagResources", p)
				return map[string]string{"ResourceType": "instance", "ResourceId.1": p["ResourceId.1"], "TagKey.1": "k"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				require.Equal(t, map[string]string{"keep": ""}, e.srv.Resources().Instances[0].Tags)
			}},
		with(pECS, "UntagResources", "no ids", func(*confEnv) map[string]string {
			return map[string]string{"ResourceType": "instance", "TagKey.1": "k"}
		}, 400, "MissingParameter"),
		{name: "pages and filters", version: pECS, action: "ListTagResources",
			setup: func(e *confEnv) map[string]string {
				for i := range 30 {
					e.instance(map[string]string{"Tag.1.Key": "cluster", "Tag.1.Value": fmt.Sprintf("c%d", i%3), "Tag.2.Key": "n"})
				}
				return map[string]string{"ResourceType": "instance"}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Len(t, get(resp, "TagResources", "TagResource"), 50) // 60 rows, 50 a page
				next := e.must(pECS, "ListTagResources", map[string]string{"ResourceType": "instance", "NextToken": resp["NextToken"].(string)})
				require.Len(t, get(next, "TagResources", "TagResource"), 10)
				require.Equal(t, "", next["NextToken"])
				f := e.must(pECS, "ListTagResources", map[string]string{"ResourceType": "instance",
					"TagFilter.1.TagKey": "cluster", "TagFilter.1.TagValues.1": "c1", "TagFilter.1.TagValues.2": "c2"})
				require.Len(t, get(f, "TagResources", "TagResource"), 40) // 20 instances x 2 tags
			}},
		{name: "legacy add, describe, remove", version: pECS, action: "AddTags",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"ResourceType": "instance", "ResourceId": e.instance(nil), "Tag.1.Key": "a", "Tag.1.Value": "1"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				id := e.srv.Resources().Instances[0].ID
				require.Equal(t, map[string]string{"a": "1"}, instanceTags(e, id))
				d := e.must(pECS, "DescribeTags", map[string]string{"ResourceType": "instance"})
				require.Equal(t, "a", get(d, "Tags", "Tag", 0, "TagKey"))
				require.EqualValues(t, 1, get(d, "Tags", "Tag", 0, "ResourceTypeCount", "Instance"))
				e.must(pECS, "RemoveTags", map[string]string{"ResourceType": "instance", "ResourceId": id, "Tag.1.Key": "a"})
				require.Empty(t, instanceTags(e, id))
			}},
		with(pECS, "AddTags", "unknown resource", func(*confEnv) map[string]string {
			return map[string]string{"ResourceType": "instance", "ResourceId": "i-nope", "Tag.1.Key": "a"}
		}, 404, "InvalidResourceId.NotFound"),
	})
}

func TestConformanceSlbAndRoutes(t *testing.T) {
	t.Parallel()
	backends := func(e *confEnv, ids ...string) string {
		s := "["
		for i, id := range ids {
			if i > 0 {
				s += ","
			}
			s += `{"ServerId":"` + id + `","Weight":"50"}`
		}
		return s + "]"
	}
	runConformance(t, []confCase{
		{name: "add", version: pSLB, action: "AddBackendServers",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"LoadBalancerId": e.lb(), "BackendServers": backends(e, e.running(nil))}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Equal(t, "50", get(resp, "BackendServers", "BackendServer", 0, "Weight"))
				require.Len(t, e.srv.Billable().SLBBackends, 1)
			}},
		with(pSLB, "AddBackendServers", "unknown lb", func(e *confEnv) map[string]string {
			return map[string]string{"LoadBalancerId": "lb-nope", "BackendServers": backends(e, e.running(nil))}
		}, 404, "InvalidLoadBalancerId.NotFound"),
		with(pSLB, "AddBackendServers", "not running", func(e *confEnv) map[string]string {
			return map[string]string{"LoadBalancerId": e.lb(), "BackendServers": backends(e, e.stopped(nil))}
		}, 400, "IncorrectStatus.BackendServer"),
		with(pSLB, "AddBackendServers", "unknown server", func(e *confEnv) map[string]string {
			return map[string]string{"LoadBalancerId": e.lb(), "BackendServers": backends(e, "i-nope")}
		}, 400, "InvalidBackendServers.ServerIdNotExist"),
		with(pSLB, "AddBackendServers", "not json", func(e *confEnv) map[string]string {
			return map[string]string{"LoadBalancerId": e.lb(), "BackendServers": "i-1"}
		}, 400, "InvalidParameter"),
		with(pSLB, "AddBackendServers", "21 servers", func(e *confEnv) map[string]string {
			ids := make([]string, 21)
			for i := range ids {
				ids[i] = fmt.Sprintf("i-%d", i)
			}
			return map[string]string{"LoadBalancerId": e.lb(), "BackendServers": backends(e, ids...)}
		}, 400, "InvalidParameter"),
		{name: "remove by id list", version: pSLB, action: "RemoveBackendServers",
			setup: func(e *confEnv) map[string]string {
				lb, inst := e.lb(), e.running(nil)
				e.must(pSLB, "AddBackendServers", map[string]string{"LoadBalancerId": lb, "BackendServers": backends(e, inst)})
				return map[string]string{"LoadBalancerId": lb, "BackendServers": `["` + inst + `"]`}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Empty(t, get(resp, "BackendServers", "BackendServer"))
				require.Empty(t, e.srv.Billable().SLBBackends)
			}},
		{name: "released instance leaves", version: pSLB, action: "DescribeLoadBalancerAttribute",
			setup: func(e *confEnv) map[string]string {
				lb, inst := e.lb(), e.running(nil)
				e.must(pSLB, "AddBackendServers", map[string]string{"LoadBalancerId": lb, "BackendServers": backends(e, inst)})
				e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": inst, "Force": "true"})
				e.waitStatus(inst, "")
				return map[string]string{"LoadBalancerId": lb}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Empty(t, get(resp, "BackendServers", "BackendServer"))
				require.Equal(t, "active", resp["LoadBalancerStatus"])
			}},
		{name: "route to instance", version: pECS, action: "CreateRouteEntry",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"RouteTableId": routeTable(e), "DestinationCidrBlock": "10.42.1.0/24", "NextHopId": e.running(nil)}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				rt := routeTable(e)
				d := e.must(pECS, "DescribeRouteTables", map[string]string{"RouteTableId": rt})
				entries := get(d, "RouteTables", "RouteTable", 0, "RouteEntrys", "RouteEntry").([]any)
				last := entries[len(entries)-1].(map[string]any)
				require.Equal(t, "Custom", last["Type"])
				_, err := e.do(pVPC, "DeleteVpc", map[string]string{"VpcId": defaultVpc(t, e.srv)})
				requireAPIError(t, err, 400, "DependencyViolation.VSwitch")
				e.must(pECS, "DeleteRouteEntry", map[string]string{"RouteTableId": rt, "DestinationCidrBlock": "10.42.1.0/24"})
				_, err = e.do(pECS, "DeleteRouteEntry", map[string]string{"RouteTableId": rt, "DestinationCidrBlock": "10.42.1.0/24"})
				requireAPIError(t, err, 404, "InvalidRouteEntry.NotFound")
			}},
		with(pECS, "CreateRouteEntry", "duplicate", func(e *confEnv) map[string]string {
			p := map[string]string{"RouteTableId": routeTable(e), "DestinationCidrBlock": "10.42.1.0/24", "NextHopId": e.running(nil)}
			e.must(pECS, "CreateRouteEntry", p)
			return p
		}, 400, "InvalidCIDRBlock.Duplicate"),
		with(pECS, "CreateRouteEntry", "vswitch range", func(e *confEnv) map[string]string {
			return map[string]string{"RouteTableId": routeTable(e), "DestinationCidrBlock": "172.16.0.0/24", "NextHopId": e.running(nil)}
		}, 400, "InvalidDestinationCidrBlock.Overlapped"),
		with(pECS, "CreateRouteEntry", "unknown table", func(e *confEnv) map[string]string {
			return map[string]string{"RouteTableId": "vtb-nope", "DestinationCidrBlock": "10.42.1.0/24", "NextHopId": "i-1"}
		}, 404, "InvalidRouteTableId.NotFound"),
		with(pECS, "DescribeRouteTables", "no router", func(*confEnv) map[string]string { return nil }, 400, "MissingParameter"),
	})
}
