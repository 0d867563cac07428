package driver

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/cloudops"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// IPv6 and deployment set tests: the simulator's inventory shows the
// addresses, the IPv6 blocks and the set membership the flags asked for.

func (w *simWorld) cloud(t *testing.T) *ecs.Client {
	t.Helper()
	c, err := ecs.NewClient(ecs.Config{Region: defaultRegion, Endpoint: w.sim.URL(),
		AccessKeyID: ecssim.DefaultAccessKeyID, AccessKeySecret: ecssim.DefaultAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// preCreateFails asserts that PreCreateCheck refuses d with a one-line error
// naming flag and containing want, and that nothing billable was made.
func (w *simWorld) preCreateFails(t *testing.T, d *Driver, flag, want string) {
	t.Helper()
	before := w.sim.Billable()
	err := d.PreCreateCheck()
	if err == nil {
		t.Fatalf("PreCreateCheck accepted the configuration")
	}
	if msg := err.Error(); !strings.Contains(msg, "--"+flag) || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
		t.Fatalf("error %q: want one line naming --%s and saying %q", msg, flag, want)
	}
	if after := w.sim.Billable(); len(after.Instances) != len(before.Instances) || len(after.Eips) != len(before.Eips) {
		t.Fatalf("PreCreateCheck created something: %+v", after)
	}
}

func vswitchOf(t *testing.T, res ecssim.Resources, id string) ecssim.VSwitchResource {
	t.Helper()
	return byID(t, "VSwitch", res.VSwitches, id, func(v ecssim.VSwitchResource) string { return v.ID })
}

func TestIPv6OnTheDriversNetwork(t *testing.T) {
	w := newSimWorld(t)
	var vswitch string
	a := w.rdriver(t, "v6-a", map[string]any{flagIPv6AddressCount: 2})
	w.createAndRemove(t, a, func(res ecssim.Resources) {
		inst := instanceOf(t, res, a.InstanceID)
		if len(inst.Ipv6Addresses) != 2 {
			t.Fatalf("instance IPv6 addresses = %v, want 2", inst.Ipv6Addresses)
		}
		if ip, err := a.GetIPv6(); err != nil || ip != inst.Ipv6Addresses[0] {
			t.Errorf("GetIPv6 = %q, %v; want %s", ip, err, inst.Ipv6Addresses[0])
		}
		vsw := vswitchOf(t, res, inst.VSwitchID)
		if vsw.Ipv6CidrBlock == "" || vsw.IsDefault {
			t.Fatalf("instance in VSwitch %+v: want the driver's own IPv6 VSwitch (the default one has no IPv6)", vsw)
		}
		vswitch = vsw.ID
	})
	// The next dual-stack machine shares that network.
	b := w.rdriver(t, "v6-b", map[string]any{flagIPv6AddressCount: 1})
	w.createAndRemove(t, b, func(res ecssim.Resources) {
		if inst := instanceOf(t, res, b.InstanceID); inst.VSwitchID != vswitch || len(inst.Ipv6Addresses) != 1 {
			t.Fatalf("second machine: VSwitch %s, IPv6 %v; want %s and one address", inst.VSwitchID, inst.Ipv6Addresses, vswitch)
		}
	})
	// A machine without IPv6 keeps using the default VPC, and gets none.
	c := w.rdriver(t, "v4-c", nil)
	w.createAndRemove(t, c, func(res ecssim.Resources) {
		inst := instanceOf(t, res, c.InstanceID)
		if len(inst.Ipv6Addresses) != 0 || !vswitchOf(t, res, inst.VSwitchID).IsDefault {
			t.Fatalf("IPv4 machine: %+v", inst)
		}
		if _, err := c.GetIPv6(); err == nil {
			t.Error("GetIPv6 of an IPv4-only machine answered")
		}
	})
}

func TestIPv6ConfigErrorsFailBeforeAnythingIsMade(t *testing.T) {
	w := newSimWorld(t)
	var defaultVSwitch string
	for _, v := range w.sim.Resources().VSwitches {
		if v.IsDefault {
			defaultVSwitch = v.ID
			break
		}
	}
	w.preCreateFails(t, w.rdriver(t, "v6-vsw", map[string]any{flagIPv6AddressCount: 1, flagVSwitchID: defaultVSwitch}),
		flagIPv6AddressCount, "has none")
	// ecs.g7.large (2 vCPUs) takes 6 IPv6 addresses per network interface.
	w.preCreateFails(t, w.rdriver(t, "v6-many", map[string]any{flagIPv6AddressCount: 7, flagInstanceType: "ecs.g7.large"}),
		flagIPv6AddressCount, "at most 6")
	if vpcs := w.sim.Resources().Vpcs; slices.ContainsFunc(vpcs, func(v ecssim.VpcResource) bool { return !v.IsDefault }) {
		t.Errorf("a refused configuration created a VPC: %+v", vpcs)
	}
}

func TestDeploymentSet(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	cloud := w.cloud(t)
	set, err := cloudops.CreateDeploymentSet(ctx, cloud, "pool-a", "Availability")
	if err != nil {
		t.Fatal(err)
	}
	a := w.rdriver(t, "ds-a", map[string]any{flagDeploymentSetID: set})
	var like ecssim.InstanceResource
	w.createAndRemove(t, a, func(res ecssim.Resources) {
		inst := instanceOf(t, res, a.InstanceID)
		if inst.DeploymentSetID != set {
			t.Fatalf("instance deployment set = %q, want %s", inst.DeploymentSetID, set)
		}
		i := slices.IndexFunc(res.DeploymentSets, func(s ecssim.DeploymentSetResource) bool { return s.ID == set })
		if i < 0 || !slices.Contains(res.DeploymentSets[i].InstanceIDs, a.InstanceID) {
			t.Fatalf("deployment set %s does not list %s: %+v", set, a.InstanceID, res.DeploymentSets)
		}
		like = inst
	})
	zone := like.ZoneID

	// Fill the set in that zone (20 instances per zone for Availability):
	// a machine pinned there is refused before anything is made, one free
	// to choose goes to another zone.
	fillDeploymentSet(t, cloud, set, like)
	w.preCreateFails(t, w.rdriver(t, "ds-full", map[string]any{flagDeploymentSetID: set, flagZone: zone}),
		flagDeploymentSetID, "no room left in zone "+zone)
	b := w.rdriver(t, "ds-b", map[string]any{flagDeploymentSetID: set})
	w.createAndRemove(t, b, func(res ecssim.Resources) {
		if got := instanceOf(t, res, b.InstanceID); got.ZoneID == zone || got.DeploymentSetID != set {
			t.Fatalf("machine in zone %s, set %q; want another zone than the full %s, in set %s", got.ZoneID, got.DeploymentSetID, zone, set)
		}
	})

	w.preCreateFails(t, w.rdriver(t, "ds-none", map[string]any{flagDeploymentSetID: "ds-doesnotexist"}),
		flagDeploymentSetID, "does not exist")
}

// fillDeploymentSet launches 20 instances like the given one into set in
// its zone, which fills an Availability set there.
func fillDeploymentSet(t *testing.T, cloud *ecs.Client, set string, like ecssim.InstanceResource) {
	t.Helper()
	err := cloud.Invoke(context.Background(), ecs.ServiceECS, "RunInstances", map[string]string{
		"Amount": "20", "ZoneId": like.ZoneID, "VSwitchId": like.VSwitchID, "SecurityGroupId": like.SecurityGroupIDs[0],
		"ImageId": like.ImageID, "InstanceType": like.InstanceType, "DeploymentSetId": set,
	}, nil)
	if err != nil {
		t.Fatalf("filling deployment set %s in %s: %v", set, like.ZoneID, err)
	}
}

func TestMissingVpcIsNamed(t *testing.T) {
	w := newSimWorld(t)
	w.preCreateFails(t, w.rdriver(t, "no-vpc", map[string]any{flagVpcID: "vpc-doesnotexist"}), flagVpcID, "does not exist")
}
