package ecssim_test

import (
	"encoding/base64"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/slb"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// The answers of the newer actions decoded into the SDK's own typed
// responses: a wrong JSON key would silently leave a field empty.

func TestTypedEipShapes(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	v := vpcClient(t, e.srv)
	alloc := vpc.CreateAllocateEipAddressRequest()
	alloc.Bandwidth = "8"
	alloc.Name = "edge"
	a, err := v.AllocateEipAddress(alloc)
	require.NoError(t, err)
	require.NotEmpty(t, a.AllocationId)
	require.Equal(t, "rg-acfmecssim0default", a.ResourceGroupId)
	inst := e.running(nil)
	as := vpc.CreateAssociateEipAddressRequest()
	as.AllocationId, as.InstanceId = a.AllocationId, inst
	_, err = v.AssociateEipAddress(as)
	require.NoError(t, err)
	waitFor(t, "InUse", func() bool { return e.eipStatus(a.AllocationId) == "InUse" })
	d := vpc.CreateDescribeEipAddressesRequest()
	d.AllocationId = a.AllocationId
	resp, err := v.DescribeEipAddresses(d)
	require.NoError(t, err)
	got := resp.EipAddresses.EipAddress[0]
	require.Equal(t, a.EipAddress, got.IpAddress)
	require.Equal(t, "InUse", got.Status)
	require.Equal(t, inst, got.InstanceId)
	require.Equal(t, "EcsInstance", got.InstanceType)
	require.Equal(t, "8", got.Bandwidth)
	require.Equal(t, "edge", got.Name)
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, got.AllocationTime)

	ed := ecs.CreateDescribeEipAddressesRequest()
	ed.AllocationId = a.AllocationId
	eresp, err := e.cl.DescribeEipAddresses(ed)
	require.NoError(t, err)
	require.Equal(t, "8", eresp.EipAddresses.EipAddress[0].Bandwidth)
	di := ecs.CreateDescribeInstancesRequest()
	di.InstanceIds = `["` + inst + `"]`
	iresp, err := e.cl.DescribeInstances(di)
	require.NoError(t, err)
	require.Equal(t, a.EipAddress, iresp.Instances.Instance[0].EipAddress.IpAddress)
	require.Equal(t, 8, iresp.Instances.Instance[0].EipAddress.Bandwidth)
	attr := ecs.CreateDescribeInstanceAttributeRequest()
	attr.InstanceId = inst
	aresp, err := e.cl.DescribeInstanceAttribute(attr)
	require.NoError(t, err)
	require.Equal(t, a.AllocationId, aresp.EipAddress.AllocationId)
	require.Equal(t, "Running", aresp.Status)
	require.Equal(t, []string{e.sg()}, aresp.SecurityGroupIds.SecurityGroupId)
}

func TestTypedTagShapes(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	inst := e.instance(nil)
	tr := ecs.CreateTagResourcesRequest()
	tr.ResourceType, tr.ResourceId = "instance", &[]string{inst}
	tr.Tag = &[]ecs.TagResourcesTag{{Key: "owner", Value: "ci"}}
	_, err := e.cl.TagResources(tr)
	require.NoError(t, err)
	lr := ecs.CreateListTagResourcesRequest()
	lr.ResourceType, lr.ResourceId = "instance", &[]string{inst}
	l, err := e.cl.ListTagResources(lr)
	require.NoError(t, err)
	require.Equal(t, []ecs.TagResource{{ResourceType: "instance", ResourceId: inst, TagKey: "owner", TagValue: "ci"}},
		l.TagResources.TagResource)
	ur := ecs.CreateUntagResourcesRequest()
	ur.ResourceType, ur.ResourceId, ur.TagKey = "instance", &[]string{inst}, &[]string{"owner"}
	_, err = e.cl.UntagResources(ur)
	require.NoError(t, err)

	v := vpcClient(t, e.srv)
	vtr := vpc.CreateTagResourcesRequest()
	vtr.ResourceType, vtr.ResourceId = "VSWITCH", &[]string{e.vswitch()}
	vtr.Tag = &[]vpc.TagResourcesTag{{Key: "net", Value: "a"}}
	_, err = v.TagResources(vtr)
	require.NoError(t, err)
	vlr := vpc.CreateListTagResourcesRequest()
	vlr.ResourceType, vlr.ResourceId = "VSWITCH", &[]string{e.vswitch()}
	vl, err := v.ListTagResources(vlr)
	require.NoError(t, err)
	require.Equal(t, "net", vl.TagResources.TagResource[0].TagKey)
	vur := vpc.CreateUnTagResourcesRequest()
	vur.ResourceType, vur.ResourceId, vur.All = "VSWITCH", &[]string{e.vswitch()}, requests.NewBoolean(true)
	_, err = v.UnTagResources(vur)
	require.NoError(t, err)
	require.Empty(t, e.srv.Resources().VSwitches[0].Tags)
}

func TestTypedSlbShapes(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	var created map[string]string
	require.Equal(t, 200, adminJSON(t, e.srv, "POST", "/_sim/loadbalancers", `{"region":"cn-hangzhou","name":"web"}`, &created))
	lb := created["id"]
	inst := e.running(nil)
	cl, err := slb.NewClientWithAccessKey(region, ecssim.DefaultAccessKeyID, ecssim.DefaultAccessKeySecret)
	require.NoError(t, err)
	cl.Domain = e.srv.Addr()
	add := slb.CreateAddBackendServersRequest()
	add.LoadBalancerId, add.BackendServers = lb, `[{"ServerId":"`+inst+`","Weight":"70","Type":"ecs"}]`
	ar, err := cl.AddBackendServers(add)
	require.NoError(t, err)
	require.Equal(t, lb, ar.LoadBalancerId)
	require.Equal(t, "70", ar.BackendServers.BackendServer[0].Weight)
	da := slb.CreateDescribeLoadBalancerAttributeRequest()
	da.LoadBalancerId = lb
	dr, err := cl.DescribeLoadBalancerAttribute(da)
	require.NoError(t, err)
	require.Equal(t, "web", dr.LoadBalancerName)
	require.Equal(t, 70, dr.BackendServers.BackendServer[0].Weight)
	require.Equal(t, inst, dr.BackendServers.BackendServer[0].ServerId)
	var res map[string]any
	require.Equal(t, 200, adminJSON(t, e.srv, "GET", "/_sim/resources", "", &res))
	require.Equal(t, inst, get(res, "loadBalancers", 0, "backends", 0, "serverId"))
	rm := slb.CreateRemoveBackendServersRequest()
	rm.LoadBalancerId, rm.BackendServers = lb, `[{"ServerId":"`+inst+`"}]`
	rr, err := cl.RemoveBackendServers(rm)
	require.NoError(t, err)
	require.Empty(t, rr.BackendServers.BackendServer)
	require.Equal(t, 400, adminJSON(t, e.srv, "POST", "/_sim/loadbalancers", `{"region":"mars"}`, nil))
}

func TestTypedInstanceAttributeShapes(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	_, pub := newKey(t)
	e.must(pECS, "ImportKeyPair", map[string]string{"KeyPairName": "kp", "PublicKeyBody": pub})
	id := e.running(map[string]string{"KeyPairName": "kp", "InternetMaxBandwidthOut": "5", "HostName": "before"})
	ud := base64.StdEncoding.EncodeToString([]byte("#cloud-config\nruncmd: [echo new]\n"))
	m := ecs.CreateModifyInstanceAttributeRequest()
	m.InstanceId, m.HostName = id, "after"
	_, err := e.cl.ModifyInstanceAttribute(m)
	require.NoError(t, err)
	// The new host name shows at once but the guest gets it on reboot.
	waitFor(t, "guest", func() bool { info, err := e.srv.Guest(id); return err == nil && info.Running })
	info, _ := e.srv.Guest(id)
	require.Equal(t, "before", info.HostName)
	e.must(pECS, "RebootInstance", map[string]string{"InstanceId": id})
	waitFor(t, "rebooted guest", func() bool {
		info, err := e.srv.Guest(id)
		return err == nil && info.Running && info.HostName == "after"
	})

	mo := ecs.CreateModifyInstanceMetadataOptionsRequest()
	mo.InstanceId, mo.HttpTokens, mo.HttpPutResponseHopLimit = id, "required", requests.NewInteger(4)
	_, err = e.cl.ModifyInstanceMetadataOptions(mo)
	require.NoError(t, err)
	di := ecs.CreateDescribeInstancesRequest()
	di.InstanceIds = `["` + id + `"]`
	resp, err := e.cl.DescribeInstances(di)
	require.NoError(t, err)
	require.Equal(t, "after", resp.Instances.Instance[0].HostName)
	require.Equal(t, "required", resp.Instances.Instance[0].MetadataOptions.HttpTokens)
	require.Equal(t, 4, resp.Instances.Instance[0].MetadataOptions.HttpPutResponseHopLimit)

	e.must(pECS, "StopInstance", map[string]string{"InstanceId": id})
	e.waitStatus(id, "Stopped")
	m = ecs.CreateModifyInstanceAttributeRequest()
	m.InstanceId, m.UserData, m.SecurityGroupIds = id, ud, &[]string{e.sg()}
	_, err = e.cl.ModifyInstanceAttribute(m)
	require.NoError(t, err)
	u := ecs.CreateDescribeUserDataRequest()
	u.InstanceId = id
	uresp, err := e.cl.DescribeUserData(u)
	require.NoError(t, err)
	require.Equal(t, ud, uresp.UserData)
	require.Equal(t, region, uresp.RegionId)

	ck := ecs.CreateCreateKeyPairRequest()
	ck.KeyPairName = "generated"
	kresp, err := e.cl.CreateKeyPair(ck)
	require.NoError(t, err)
	require.Contains(t, kresp.PrivateKeyBody, "PRIVATE KEY")
	require.Regexp(t, `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`, kresp.KeyPairFingerPrint)
}
