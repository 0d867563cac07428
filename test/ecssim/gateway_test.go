package ecssim_test

import (
	"encoding/base64"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

func TestIdempotency(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	p := e.runParams(map[string]string{"ClientToken": "tok-1", "Amount": "2"})
	first := e.must(pECS, "RunInstances", p)
	again := e.must(pECS, "RunInstances", p)
	require.Equal(t, get(first, "InstanceIdSets"), get(again, "InstanceIdSets"))
	require.Len(t, e.srv.Resources().Instances, 2)
	p["InstanceName"] = "changed"
	_, err := e.do(pECS, "RunInstances", p)
	requireAPIError(t, err, 400, "IdempotentParameterMismatch")
	p["ClientToken"] = longName(65)
	_, err = e.do(pECS, "RunInstances", p)
	requireAPIError(t, err, 400, "InvalidClientToken.ValueNotSupported")
	require.Len(t, e.srv.Resources().Instances, 2)

	// A slow first attempt: its token is in progress until the answer
	// leaves, so a retry meets IdempotentProcessing; after it, a replay.
	require.NoError(t, e.srv.AddFault(ecssim.Fault{Action: "AllocateEipAddress", HangMs: 1500}))
	q := map[string]string{"ClientToken": "eip-tok"}
	var wg sync.WaitGroup
	var slow map[string]any
	wg.Add(1)
	f := e.fork()
	go func() {
		defer wg.Done()
		slow, _ = f.do(pVPC, "AllocateEipAddress", q)
	}()
	waitFor(t, "first attempt recorded", func() bool { return len(e.srv.Resources().Eips) == 1 })
	_, err = e.do(pVPC, "AllocateEipAddress", q)
	requireAPIError(t, err, 403, "IdempotentProcessing")
	wg.Wait()
	replay := e.must(pVPC, "AllocateEipAddress", q)
	require.Equal(t, slow["AllocationId"], replay["AllocationId"])
	require.Len(t, e.srv.Resources().Eips, 1)
}

func TestThrottleCodes(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t, func(o *ecssim.Options) {
		o.ThrottleRules = []ecssim.ThrottleRule{{Action: "RunInstances", PerSecond: 0.001, Code: "Throttling.Resource"}}
	})
	e.instance(nil)
	_, err := e.do(pECS, "RunInstances", e.runParams(nil))
	requireAPIError(t, err, 429, "Throttling.Resource")
	require.Len(t, e.srv.Resources().Instances, 1)

	var rules []ecssim.ThrottleRule
	require.Equal(t, 200, adminJSON(t, e.srv, "POST", "/_sim/throttle",
		`{"action":"DescribeRegions","perSecond":0.001,"code":"Throttling.Api"}`, &rules))
	require.Len(t, rules, 2)
	e.must(pECS, "DescribeRegions", nil)
	_, err = e.do(pECS, "DescribeRegions", nil)
	requireAPIError(t, err, 400, "Throttling.Api")
	require.Equal(t, 400, adminJSON(t, e.srv, "POST", "/_sim/throttle", `{"action":"X","perSecond":1,"code":"Slow"}`, nil))
	require.NoError(t, e.srv.SetThrottleRule(ecssim.ThrottleRule{Action: "*", PerSecond: 0.001, Code: "Throttling"}))
	e.must(pECS, "DescribeZones", nil)
	_, err = e.do(pECS, "DescribeZones", nil)
	requireAPIError(t, err, 400, "Throttling")
}

func TestFaultNthCallStatusAndDrop(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	// The 3rd and 4th DescribeVpcs fail with a chosen code and status.
	require.Equal(t, 200, adminJSON(t, e.srv, "POST", "/_sim/faults",
		`{"action":"DescribeVpcs","code":"Gateway.Timeout","httpStatus":502,"skip":2,"times":2}`, nil))
	for i := 1; i <= 5; i++ {
		_, err := e.do(pVPC, "DescribeVpcs", nil)
		if i == 3 || i == 4 {
			requireAPIError(t, err, 502, "Gateway.Timeout")
		} else {
			require.NoError(t, err, "call %d", i)
		}
	}

	// drop: the connection closes without an answer and nothing happens.
	require.NoError(t, e.srv.AddFault(ecssim.Fault{Action: "CreateVpc", Drop: true}))
	_, err := e.do(pVPC, "CreateVpc", nil)
	require.Error(t, err)
	require.Len(t, e.srv.Resources().Vpcs, 8)
	// drop after the effect: the VPC exists, the client saw nothing.
	require.NoError(t, e.srv.AddFault(ecssim.Fault{Action: "CreateVpc", Drop: true, AfterEffect: true}))
	_, err = e.do(pVPC, "CreateVpc", nil)
	require.Error(t, err)
	require.Len(t, e.srv.Resources().Vpcs, 9)
	calls := e.srv.Calls()
	require.True(t, calls[len(calls)-1].Dropped)
	require.Equal(t, 400, adminJSON(t, e.srv, "POST", "/_sim/faults", `{"action":"X","drop":true,"code":"Y"}`, nil))

	// afterEffect with a 5xx: the instance is created, the client sees 503.
	require.NoError(t, e.srv.AddFault(ecssim.Fault{Action: "RunInstances", Code: "ServiceUnavailable", AfterEffect: true}))
	_, err = e.do(pECS, "RunInstances", e.runParams(nil))
	requireAPIError(t, err, 503, "ServiceUnavailable")
	require.Len(t, e.srv.Resources().Instances, 1)
}

func TestLatencyIsConcurrent(t *testing.T) {
	t.Parallel()
	const latency = 200 * time.Millisecond
	e := newConfEnv(t, func(o *ecssim.Options) { o.Latency = latency })
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		f := e.fork()
		go func() {
			defer wg.Done()
			one := time.Now()
			_, err := f.do(pECS, "DescribeRegions", nil)
			require.NoError(t, err)
			require.GreaterOrEqual(t, time.Since(one), latency)
		}()
	}
	wg.Wait()
	// Ten calls in parallel take about one latency, not ten.
	require.Less(t, time.Since(start), 5*latency)
	_, err := e.do(pECS, "DescribeZones", map[string]string{"RegionId": "nowhere"})
	require.Error(t, err) // errors are delayed too, and still answered
}

func TestCallsMaskSecretsAndAreCapped(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t, func(o *ecssim.Options) { o.CallHistory = 5 })
	e.must(pECS, "RunInstances", e.runParams(map[string]string{"Password": "Sim-Passw0rd",
		"UserData": base64.StdEncoding.EncodeToString([]byte("#cloud-config\n"))}))
	calls := e.srv.Calls()
	last := calls[len(calls)-1]
	require.Equal(t, "RunInstances", last.Action)
	require.Equal(t, "***", last.Params["Password"])
	require.Equal(t, "***", last.Params["UserData"])
	require.Equal(t, "***", last.Params["Signature"])
	require.NotContains(t, last.Params, "AccessKeySecret")
	require.NotEmpty(t, last.RequestID)
	for range 20 {
		e.must(pECS, "DescribeRegions", nil)
	}
	calls = e.srv.Calls()
	require.Len(t, calls, 5)
	require.Equal(t, calls[0].Seq+4, calls[4].Seq)
}

func TestStoppedMode(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	keep := e.running(map[string]string{"InternetMaxBandwidthOut": "5"})
	stop := e.running(map[string]string{"InternetMaxBandwidthOut": "5"})
	ipOf := func(id string) string {
		for _, i := range e.srv.Resources().Instances {
			if i.ID == id {
				return i.PublicIP
			}
		}
		return ""
	}
	keepIP, stopIP := ipOf(keep), ipOf(stop)
	e.must(pECS, "StopInstance", map[string]string{"InstanceId": keep, "StoppedMode": "KeepCharging"})
	e.must(pECS, "StopInstance", map[string]string{"InstanceId": stop, "StoppedMode": "StopCharging"})
	e.waitStatus(keep, "Stopped")
	e.waitStatus(stop, "Stopped")
	require.Equal(t, keepIP, ipOf(keep))
	require.Empty(t, ipOf(stop))
	d := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + stop + `"]`})
	require.Equal(t, "StopCharging", get(d, "Instances", "Instance", 0, "StoppedMode"))
	require.Empty(t, get(d, "Instances", "Instance", 0, "PublicIpAddress", "IpAddress"))
	e.must(pECS, "StartInstance", map[string]string{"InstanceId": stop})
	e.waitStatus(stop, "Running")
	require.NotEmpty(t, ipOf(stop)) // a new address (possibly the same number)
	require.NotEqual(t, keepIP, ipOf(stop))
	_ = stopIP
}

func TestBillable(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	inst := e.running(map[string]string{"DataDisk.1.Size": "40", "DataDisk.1.DeleteWithInstance": "false"})
	eipID := e.eip()
	lb := e.lb()
	e.must(pSLB, "AddBackendServers", map[string]string{"LoadBalancerId": lb, "BackendServers": `[{"ServerId":"` + inst + `"}]`})
	var b ecssim.Billable
	require.Equal(t, 200, adminJSON(t, e.srv, "GET", "/_sim/billable", "", &b))
	require.Len(t, b.Instances, 1)
	require.Len(t, b.Eips, 1)
	require.Len(t, b.Disks, 2)
	require.Len(t, b.SLBBackends, 1)

	e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": inst, "Force": "true"})
	b = e.srv.Billable()
	require.Empty(t, b.Instances) // releasing: no longer billed
	require.Len(t, b.Disks, 1)    // the kept data disk
	e.must(pVPC, "ReleaseEipAddress", map[string]string{"AllocationId": eipID})
	e.waitStatus(inst, "")
	b = e.srv.Billable()
	require.Empty(t, b.Eips)
	require.Empty(t, b.SLBBackends)
	require.Len(t, b.Disks, 1)
	require.Equal(t, "", b.Disks[0].InstanceID)
}

func TestStockAdmin(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	var sold []ecssim.StockRule
	require.Equal(t, 200, adminJSON(t, e.srv, "POST", "/_sim/stock",
		`{"region":"cn-hangzhou","zone":"cn-hangzhou-h","instanceType":"ecs.g7.large","available":false}`, &sold))
	require.Len(t, sold, 1)
	require.Equal(t, 400, adminJSON(t, e.srv, "POST", "/_sim/stock", `{"region":"cn-hangzhou","zone":"x","instanceType":"ecs.g7.large"}`, nil))

	avail := func(dest string, extra map[string]string) map[string]any {
		p := map[string]string{"DestinationResource": dest, "ZoneId": "cn-hangzhou-h"}
		for k, v := range extra {
			p[k] = v
		}
		return e.must(pECS, "DescribeAvailableResource", p)
	}
	d := avail("InstanceType", nil)
	for _, r := range get(d, "AvailableZones", "AvailableZone", 0, "AvailableResources", "AvailableResource", 0,
		"SupportedResources", "SupportedResource").([]any) {
		m := r.(map[string]any)
		if m["Value"] == "ecs.g7.large" {
			require.Equal(t, "SoldOut", m["Status"])
			require.Equal(t, "WithoutStock", m["StatusCategory"])
		} else {
			require.Equal(t, "WithStock", m["StatusCategory"])
		}
	}
	d = avail("Zone", map[string]string{"InstanceType": "ecs.g7.large"})
	require.Equal(t, "WithoutStock", get(d, "AvailableZones", "AvailableZone", 0, "StatusCategory"))
	d = avail("SystemDisk", map[string]string{"InstanceType": "ecs.g7.large", "ZoneId": "cn-hangzhou-i"})
	require.Equal(t, "WithStock", get(d, "AvailableZones", "AvailableZone", 0, "StatusCategory"))
	z := e.must(pECS, "DescribeZones", nil)
	require.Contains(t, get(z, "Zones", "Zone", 0, "AvailableInstanceTypes", "InstanceTypes"), "ecs.g7.large")

	// Another zone still has stock; giving the stock back works.
	sw := e.must(pVPC, "CreateVSwitch", map[string]string{"VpcId": defaultVpc(t, e.srv), "ZoneId": "cn-hangzhou-i",
		"CidrBlock": "172.17.0.0/24"})["VSwitchId"].(string)
	waitFor(t, "vswitch", func() bool {
		_, err := e.do(pECS, "RunInstances", e.runParams(map[string]string{"VSwitchId": sw}))
		return err == nil
	})
	require.NoError(t, e.srv.SetStock(region, "cn-hangzhou-h", "ecs.g7.large", true))
	e.instance(nil)
	require.Empty(t, e.srv.SoldOut())
}

// TestPagination walks more resources than one page in both styles.
func TestPagination(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	for i := range 25 {
		e.instance(map[string]string{"InstanceName": fmt.Sprintf("n%02d", i)})
	}
	var byNumber, byToken []string
	for page := 1; ; page++ {
		d := e.must(pECS, "DescribeInstances", map[string]string{"PageNumber": itoa(page), "PageSize": "10"})
		require.EqualValues(t, 25, d["TotalCount"])
		list := get(d, "Instances", "Instance").([]any)
		for _, i := range list {
			byNumber = append(byNumber, i.(map[string]any)["InstanceName"].(string))
		}
		if len(list) < 10 {
			break
		}
	}
	token := ""
	for {
		p := map[string]string{"MaxResults": "10"}
		if token != "" {
			p["NextToken"] = token
		}
		d := e.must(pECS, "DescribeInstances", p)
		for _, i := range get(d, "Instances", "Instance").([]any) {
			byToken = append(byToken, i.(map[string]any)["InstanceName"].(string))
		}
		if token = d["NextToken"].(string); token == "" {
			break
		}
	}
	require.Len(t, byNumber, 25)
	require.Equal(t, byNumber, byToken)
	require.Equal(t, "n00", byNumber[0])
	require.Equal(t, "n24", byNumber[24])

	st := ecs.CreateDescribeInstanceStatusRequest()
	st.PageSize = "50"
	resp, err := e.cl.DescribeInstanceStatus(st)
	require.NoError(t, err)
	require.Len(t, resp.InstanceStatuses.InstanceStatus, 25)
	for range 12 {
		e.eip()
	}
	d := e.must(pVPC, "DescribeEipAddresses", map[string]string{"PageNumber": "2", "PageSize": "10"})
	require.EqualValues(t, 12, d["TotalCount"])
	require.Len(t, get(d, "EipAddresses", "EipAddress"), 2)
}
