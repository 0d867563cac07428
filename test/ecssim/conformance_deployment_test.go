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

// Deployment sets: the three actions, RunInstances membership and
// per-zone capacity, and the gateway machinery (calls, faults, throttles)
// that comes with the action table.

// deploymentSet creates a deployment set and returns its ID.
func (e *confEnv) deploymentSet(p map[string]string) string {
	return e.must(pECS, "CreateDeploymentSet", p)["DeploymentSetId"].(string)
}

// describeSet returns one DescribeDeploymentSets entry.
func (e *confEnv) describeSet(id string) map[string]any {
	d := e.must(pECS, "DescribeDeploymentSets", map[string]string{"DeploymentSetIds": `["` + id + `"]`})
	require.EqualValues(e.t, 1, d["TotalCount"])
	return get(d, "DeploymentSets", "DeploymentSet", 0).(map[string]any)
}

// setResource returns one deployment set of the inventory.
func (e *confEnv) setResource(id string) ecssim.DeploymentSetResource {
	for _, d := range e.srv.Resources().DeploymentSets {
		if d.ID == id {
			return d
		}
	}
	e.t.Fatalf("no deployment set %s", id)
	return ecssim.DeploymentSetResource{}
}

// inSet builds a RunInstances case whose setup creates a deployment set
// with setParams, runs before instances into it in the default VSwitch,
// and then asks for extra more.
func inSet(name string, setParams map[string]string, before int, extra map[string]string, status int, code string) confCase {
	return confCase{name: name, version: pECS, action: "RunInstances", status: status, code: code,
		setup: func(e *confEnv) map[string]string {
			id := e.deploymentSet(setParams)
			if before > 0 {
				e.must(pECS, "RunInstances", e.runParams(map[string]string{"DeploymentSetId": id, "Amount": itoa(before)}))
			}
			p := e.runParams(extra)
			p["DeploymentSetId"] = id
			return p
		}}
}

func TestConformanceDeploymentSets(t *testing.T) {
	t.Parallel()
	var firstID string // the "client token replays" case's first answer
	tokenParams := map[string]string{"DeploymentSetName": "web", "ClientToken": "ds-token-1"}
	runConformance(t, []confCase{
		{name: "defaults", version: pECS, action: "CreateDeploymentSet",
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				id := resp["DeploymentSetId"].(string)
				require.Regexp(t, `^ds-bp[a-z0-9]{18}$`, id)
				d := e.describeSet(id)
				require.Equal(t, "Availability", d["Strategy"])
				require.Equal(t, "Availability", d["DeploymentStrategy"])
				require.Equal(t, "Default", d["Domain"])
				require.Equal(t, "Host", d["Granularity"])
				require.EqualValues(t, 0, d["InstanceAmount"])
				require.EqualValues(t, 0, d["GroupCount"])
				require.Equal(t, []any{}, get(d, "InstanceIds", "InstanceId"))
				require.Equal(t, []any{}, get(d, "Capacities", "Capacity"))
				require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, d["CreationTime"])
				res := e.setResource(id)
				require.Equal(t, "Availability", res.Strategy)
				require.Empty(t, res.InstanceIDs)
			}},
		{name: "availability group", version: pECS, action: "CreateDeploymentSet",
			setup: func(*confEnv) map[string]string {
				return map[string]string{"Strategy": "AvailabilityGroup", "GroupCount": "4", "DeploymentSetName": "k8s-nodes",
					"Description": "rke2 workers", "OnUnableToRedeployFailedInstance": "KeepStopped"}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				d := e.describeSet(resp["DeploymentSetId"].(string))
				require.Equal(t, "AvailabilityGroup", d["Strategy"])
				require.EqualValues(t, 4, d["GroupCount"])
				require.Equal(t, "k8s-nodes", d["DeploymentSetName"])
				require.Equal(t, "rke2 workers", d["DeploymentSetDescription"])
				require.Equal(t, 4, e.setResource(resp["DeploymentSetId"].(string)).GroupCount)
			}},
		{name: "group count defaults to 3", version: pECS, action: "CreateDeploymentSet",
			setup: func(*confEnv) map[string]string { return map[string]string{"Strategy": "AvailabilityGroup"} },
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.EqualValues(t, 3, e.describeSet(resp["DeploymentSetId"].(string))["GroupCount"])
			}},
		{name: "low latency", version: pECS, action: "CreateDeploymentSet",
			setup: func(*confEnv) map[string]string { return map[string]string{"Strategy": "LowLatency"} },
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Equal(t, "LowLatency", e.describeSet(resp["DeploymentSetId"].(string))["Strategy"])
			}},
		with(pECS, "CreateDeploymentSet", "bad name", func(*confEnv) map[string]string {
			return map[string]string{"DeploymentSetName": "1st-set"}
		}, 400, "InvalidDeploymentSetName.Malformed"),
		with(pECS, "CreateDeploymentSet", "bad description", func(*confEnv) map[string]string {
			return map[string]string{"Description": "x"}
		}, 400, "InvalidDescription.Malformed"),
		with(pECS, "CreateDeploymentSet", "unknown strategy", func(*confEnv) map[string]string {
			return map[string]string{"Strategy": "Spread"}
		}, 400, "InvalidParameter.Strategy"),
		with(pECS, "CreateDeploymentSet", "eight groups", func(*confEnv) map[string]string {
			return map[string]string{"Strategy": "AvailabilityGroup", "GroupCount": "8"}
		}, 400, "InvalidParameter"),
		with(pECS, "CreateDeploymentSet", "bad failover answer", func(*confEnv) map[string]string {
			return map[string]string{"OnUnableToRedeployFailedInstance": "Explode"}
		}, 400, "InvalidParameter"),
		{name: "client token replays", version: pECS, action: "CreateDeploymentSet",
			setup: func(e *confEnv) map[string]string {
				firstID = e.deploymentSet(tokenParams)
				return tokenParams
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Equal(t, firstID, resp["DeploymentSetId"])
				require.Len(t, e.srv.Resources().DeploymentSets, 1)
			}},
		with(pECS, "CreateDeploymentSet", "client token reused", func(e *confEnv) map[string]string {
			e.deploymentSet(map[string]string{"DeploymentSetName": "web", "ClientToken": "ds-token-2"})
			return map[string]string{"DeploymentSetName": "api", "ClientToken": "ds-token-2"}
		}, 400, "IdempotentParameterMismatch"),
		with(pECS, "CreateDeploymentSet", "quota", func(e *confEnv) map[string]string {
			for range 150 {
				e.deploymentSet(nil)
			}
			return nil
		}, 400, "DEPLOYMENTSET.QUOTA_FULL"),
		{name: "filters and pages", version: pECS, action: "DescribeDeploymentSets",
			setup: func(e *confEnv) map[string]string {
				e.deploymentSet(map[string]string{"DeploymentSetName": "set-a"})
				e.deploymentSet(map[string]string{"DeploymentSetName": "set-b", "Strategy": "AvailabilityGroup"})
				e.deploymentSet(map[string]string{"DeploymentSetName": "set-c", "Strategy": "LowLatency"})
				return map[string]string{"PageSize": "2", "PageNumber": "2"}
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.EqualValues(t, 3, resp["TotalCount"])
				require.EqualValues(t, 2, resp["PageNumber"])
				require.EqualValues(t, 2, resp["PageSize"])
				require.Equal(t, "cn-hangzhou", resp["RegionId"])
				require.Equal(t, "set-c", get(resp, "DeploymentSets", "DeploymentSet", 0, "DeploymentSetName"))
				names := func(p map[string]string) []string {
					var out []string
					for _, d := range get(e.must(pECS, "DescribeDeploymentSets", p), "DeploymentSets", "DeploymentSet").([]any) {
						out = append(out, d.(map[string]any)["DeploymentSetName"].(string))
					}
					return out
				}
				sets := e.srv.Resources().DeploymentSets
				ids := fmt.Sprintf(`[%q,%q,"ds-nope"]`, sets[0].ID, sets[2].ID)
				require.Equal(t, []string{"set-a", "set-c"}, names(map[string]string{"DeploymentSetIds": ids}))
				require.Equal(t, []string{"set-b"}, names(map[string]string{"DeploymentSetName": "set-b"}))
				require.Equal(t, []string{"set-c"}, names(map[string]string{"Strategy": "LowLatency"}))
				require.Equal(t, []string{"set-a", "set-b", "set-c"}, names(nil))
			}},
		with(pECS, "DescribeDeploymentSets", "ids not json", func(*confEnv) map[string]string {
			return map[string]string{"DeploymentSetIds": "ds-1,ds-2"}
		}, 400, "InvalidParameter"),
		with(pECS, "DescribeDeploymentSets", "page size 51", func(*confEnv) map[string]string {
			return map[string]string{"PageSize": "51"}
		}, 400, "InvalidParameter"),
		{name: "empty", version: pECS, action: "DeleteDeploymentSet",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"DeploymentSetId": e.deploymentSet(nil)}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				require.Empty(t, e.srv.Resources().DeploymentSets)
			}},
		with(pECS, "DeleteDeploymentSet", "with an instance", func(e *confEnv) map[string]string {
			id := e.deploymentSet(nil)
			e.instance(map[string]string{"DeploymentSetId": id})
			return map[string]string{"DeploymentSetId": id}
		}, 403, "DependencyViolation.NotEmpty"),
		with(pECS, "DeleteDeploymentSet", "with a releasing instance", func(e *confEnv) map[string]string {
			require.NoError(t, e.srv.SetTiming(ecssim.TransitionRelease, time.Hour))
			id := e.deploymentSet(nil)
			inst := e.running(map[string]string{"DeploymentSetId": id})
			e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": inst, "Force": "true"})
			return map[string]string{"DeploymentSetId": id}
		}, 403, "DependencyViolation.NotEmpty"),
		{name: "after its instance is released", version: pECS, action: "DeleteDeploymentSet",
			setup: func(e *confEnv) map[string]string {
				id := e.deploymentSet(nil)
				inst := e.running(map[string]string{"DeploymentSetId": id})
				e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": inst, "Force": "true"})
				waitFor(t, inst+" gone", func() bool { return e.status(inst) == "" })
				require.Empty(t, e.setResource(id).InstanceIDs)
				require.EqualValues(t, 0, e.describeSet(id)["InstanceAmount"])
				return map[string]string{"DeploymentSetId": id}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				require.Empty(t, e.srv.Resources().DeploymentSets)
			}},
		with(pECS, "DeleteDeploymentSet", "unknown", func(*confEnv) map[string]string {
			return map[string]string{"DeploymentSetId": "ds-bp0000000000000000xx"}
		}, 404, "InvalidDeploymentSetId.NotFound"),
		with(pECS, "DeleteDeploymentSet", "no id", nil, 400, "MissingParameter"),
	})
}

func TestConformanceRunInstancesDeploymentSet(t *testing.T) {
	t.Parallel()
	availability := map[string]string{}
	runConformance(t, []confCase{
		{name: "member", version: pECS, action: "RunInstances",
			setup: func(e *confEnv) map[string]string {
				return e.runParams(map[string]string{"DeploymentSetId": e.deploymentSet(nil)})
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				inst := get(resp, "InstanceIdSets", "InstanceIdSet", 0).(string)
				set := e.srv.Resources().DeploymentSets[0]
				require.Equal(t, []string{inst}, set.InstanceIDs)
				require.Equal(t, set.ID, e.instanceResource(inst).DeploymentSetID)
				d := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + inst + `"]`})
				require.Equal(t, set.ID, get(d, "Instances", "Instance", 0, "DeploymentSetId"))
				ds := e.describeSet(set.ID)
				require.EqualValues(t, 1, ds["InstanceAmount"])
				require.Equal(t, []any{inst}, get(ds, "InstanceIds", "InstanceId"))
				require.Equal(t, []any{map[string]any{"ZoneId": "cn-hangzhou-h", "UsedAmount": 1.0, "AvailableAmount": 19.0}},
					get(ds, "Capacities", "Capacity"))
			}},
		{name: "not in a set", version: pECS, action: "RunInstances",
			setup: func(e *confEnv) map[string]string { return e.runParams(nil) },
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				inst := get(resp, "InstanceIdSets", "InstanceIdSet", 0).(string)
				d := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + inst + `"]`})
				require.Equal(t, "", get(d, "Instances", "Instance", 0, "DeploymentSetId"))
			}},
		run("unknown set", map[string]string{"DeploymentSetId": "ds-bp0000000000000000xx"}, 404, "InvalidDeploymentSetId.NotFound"),
		run("unknown set dry run", map[string]string{"DeploymentSetId": "ds-bp0000000000000000xx", "DryRun": "true"},
			404, "InvalidDeploymentSetId.NotFound"),
		inSet("21st in a zone", availability, 20, nil, 403, "QuotaExceed.DeploymentSetInstanceQuotaFull"),
		inSet("21st in a zone dry run", availability, 20, map[string]string{"DryRun": "true"}, 403, "QuotaExceed.DeploymentSetInstanceQuotaFull"),
		inSet("a batch of 21", availability, 0, map[string]string{"Amount": "21"}, 403, "QuotaExceed.DeploymentSetInstanceQuotaFull"),
		inSet("dry run with room", availability, 19, map[string]string{"DryRun": "true"}, 400, "DryRunOperation"),
		inSet("one group holds 20", map[string]string{"Strategy": "AvailabilityGroup", "GroupCount": "1"}, 0,
			map[string]string{"Amount": "21"}, 403, "QuotaExceed.DeploymentSetInstanceQuotaFull"),
		{name: "two groups hold 40", version: pECS, action: "RunInstances",
			setup: func(e *confEnv) map[string]string {
				id := e.deploymentSet(map[string]string{"Strategy": "AvailabilityGroup", "GroupCount": "2"})
				return e.runParams(map[string]string{"DeploymentSetId": id, "Amount": "21"})
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				ds := e.describeSet(e.srv.Resources().DeploymentSets[0].ID)
				require.EqualValues(t, 21, ds["InstanceAmount"])
				require.EqualValues(t, 19, get(ds, "Capacities", "Capacity", 0, "AvailableAmount"))
			}},
		{name: "low latency has no zone limit", version: pECS, action: "RunInstances",
			setup: func(e *confEnv) map[string]string {
				id := e.deploymentSet(map[string]string{"Strategy": "LowLatency"})
				return e.runParams(map[string]string{"DeploymentSetId": id, "Amount": "21"})
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				ds := e.describeSet(e.srv.Resources().DeploymentSets[0].ID)
				require.EqualValues(t, 21, ds["InstanceAmount"])
				require.Empty(t, get(ds, "Capacities", "Capacity"))
			}},
		{name: "another zone has room", version: pECS, action: "RunInstances",
			setup: func(e *confEnv) map[string]string {
				id := e.deploymentSet(nil)
				e.must(pECS, "RunInstances", e.runParams(map[string]string{"DeploymentSetId": id, "Amount": "20"}))
				sw := e.must(pVPC, "CreateVSwitch", map[string]string{"VpcId": defaultVpc(e.t, e.srv), "ZoneId": "cn-hangzhou-i",
					"CidrBlock": "172.16.16.0/20"})["VSwitchId"].(string)
				e.waitNetwork(sw)
				return e.runParams(map[string]string{"DeploymentSetId": id, "VSwitchId": sw})
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				ds := e.describeSet(e.srv.Resources().DeploymentSets[0].ID)
				require.Equal(t, []any{
					map[string]any{"ZoneId": "cn-hangzhou-h", "UsedAmount": 20.0, "AvailableAmount": 0.0},
					map[string]any{"ZoneId": "cn-hangzhou-i", "UsedAmount": 1.0, "AvailableAmount": 19.0},
				}, get(ds, "Capacities", "Capacity"))
			}},
		{name: "CreateInstance joins too", version: pECS, action: "CreateInstance",
			setup: func(e *confEnv) map[string]string {
				return e.runParams(map[string]string{"DeploymentSetId": e.deploymentSet(nil)})
			},
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Equal(t, []string{resp["InstanceId"].(string)}, e.srv.Resources().DeploymentSets[0].InstanceIDs)
			}},
		{name: "CreateInstance unknown set", version: pECS, action: "CreateInstance", status: 404, code: "InvalidDeploymentSetId.NotFound",
			setup: func(e *confEnv) map[string]string {
				return e.runParams(map[string]string{"DeploymentSetId": "ds-bp0000000000000000xx"})
			}},
	})
}

// TestDeploymentSetMachinery decodes the answers into the SDK's typed
// responses and checks that the new actions get calls, faults and
// throttles like every other action.
func TestDeploymentSetMachinery(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	cr := ecs.CreateCreateDeploymentSetRequest()
	cr.DeploymentSetName = "typed"
	cr.Strategy = "AvailabilityGroup"
	cr.GroupCount = requests.NewInteger(2)
	created, err := e.cl.CreateDeploymentSet(cr)
	require.NoError(t, err)
	inst := e.instance(map[string]string{"DeploymentSetId": created.DeploymentSetId})

	dr := ecs.CreateDescribeDeploymentSetsRequest()
	dr.DeploymentSetIds = `["` + created.DeploymentSetId + `"]`
	described, err := e.cl.DescribeDeploymentSets(dr)
	require.NoError(t, err)
	require.Equal(t, 1, described.TotalCount)
	require.Equal(t, "cn-hangzhou", described.RegionId)
	got := described.DeploymentSets.DeploymentSet[0]
	require.Equal(t, created.DeploymentSetId, got.DeploymentSetId)
	require.Equal(t, "typed", got.DeploymentSetName)
	require.Equal(t, "AvailabilityGroup", got.Strategy)
	require.Equal(t, "AvailabilityGroup", got.DeploymentStrategy)
	require.Equal(t, 2, got.GroupCount)
	require.Equal(t, 1, got.InstanceAmount)
	require.Equal(t, []string{inst}, got.InstanceIds.InstanceId)
	require.Equal(t, []ecs.Capacity{{ZoneId: "cn-hangzhou-h", UsedAmount: 1, AvailableAmount: 39}}, got.Capacities.Capacity)
	di := ecs.CreateDescribeInstancesRequest()
	di.InstanceIds = `["` + inst + `"]`
	instances, err := e.cl.DescribeInstances(di)
	require.NoError(t, err)
	require.Equal(t, created.DeploymentSetId, instances.Instances.Instance[0].DeploymentSetId)

	del := ecs.CreateDeleteDeploymentSetRequest()
	del.DeploymentSetId = created.DeploymentSetId
	_, err = e.cl.DeleteDeploymentSet(del)
	requireAPIError(t, err, 403, "DependencyViolation.NotEmpty")

	// Calls are recorded with their product version.
	last := e.srv.Calls()[len(e.srv.Calls())-1]
	require.Equal(t, "DeleteDeploymentSet", last.Action)
	require.Equal(t, pECS, last.Version)
	require.Equal(t, "DependencyViolation.NotEmpty", last.Code)

	// Faults and throttles name the new actions like any other.
	require.NoError(t, e.srv.AddFault(ecssim.Fault{Action: "DescribeDeploymentSets", Code: "ServiceUnavailable"}))
	_, err = e.cl.DescribeDeploymentSets(ecs.CreateDescribeDeploymentSetsRequest())
	requireAPIError(t, err, 503, "ServiceUnavailable")
	_, err = e.cl.DescribeDeploymentSets(ecs.CreateDescribeDeploymentSetsRequest())
	require.NoError(t, err)
	require.NoError(t, e.srv.SetThrottleRule(ecssim.ThrottleRule{Action: "CreateDeploymentSet", PerSecond: 0.001}))
	e.deploymentSet(nil)
	_, err = e.do(pECS, "CreateDeploymentSet", nil)
	requireAPIError(t, err, 400, "Throttling.User")
	require.Len(t, e.srv.Resources().DeploymentSets, 2)

	// A Reset drops deployment sets with everything else.
	e.srv.Reset()
	require.Empty(t, e.srv.Resources().DeploymentSets)
}
