package driver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/sshutil"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// Feature tests: each creates a machine with one feature on and asserts on
// the simulator's inventory, then removes it and asserts nothing billable of
// the machine is left.

func (w *simWorld) billableOf(name string) int {
	b := w.sim.Billable()
	n := 0
	for _, i := range b.Instances {
		if i.Tags[tagMachineName] == name {
			n++
		}
	}
	for _, e := range b.Eips {
		if e.Tags[tagMachineName] == name || strings.Contains(e.Name, name) {
			n++
		}
	}
	for _, d := range b.Disks {
		if d.Tags[tagMachineName] == name {
			n++
		}
	}
	return n
}

func (w *simWorld) createAndRemove(t *testing.T, d *Driver, check func(ecssim.Resources)) {
	t.Helper()
	if err := d.PreCreateCheck(); err != nil {
		t.Fatalf("PreCreateCheck: %v", err)
	}
	if err := d.Create(); err != nil {
		t.Fatalf("Create: %v", err)
	}
	check(w.sim.Resources())
	if err := d.Remove(); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	w.assertNothingOf(t, d.MachineName)
	if n := w.billableOf(d.MachineName); n != 0 {
		t.Fatalf("%d billable resources of %s left", n, d.MachineName)
	}
}

func instanceOf(t *testing.T, res ecssim.Resources, id string) ecssim.InstanceResource {
	t.Helper()
	return byID(t, "instance", res.Instances, id, func(i ecssim.InstanceResource) string { return i.ID })
}

// byID returns the item of the inventory list with the given ID, failing
// the test when there is none.
func byID[T any](t *testing.T, kind string, items []T, id string, idOf func(T) string) T {
	t.Helper()
	for _, it := range items {
		if idOf(it) == id {
			return it
		}
	}
	t.Fatalf("%s %s not in the inventory", kind, id)
	var zero T
	return zero
}

func TestElasticIPMode(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-eip", map[string]any{flagAllocatePublicStaticIP: true, flagInternetMaxBandwidth: 5, flagTag: []string{"team=infra"}})
	w.createAndRemove(t, d, func(res ecssim.Resources) {
		inst := instanceOf(t, res, d.InstanceID)
		if inst.PublicIP != "" {
			t.Errorf("the instance got a bandwidth public IP %s besides the EIP", inst.PublicIP)
		}
		if len(res.Eips) != 1 {
			t.Fatalf("want one EIP, have %+v", res.Eips)
		}
		eip := res.Eips[0]
		if eip.ID != d.EipAllocationID || eip.InstanceID != d.InstanceID || eip.IPAddress != d.IPAddress {
			t.Fatalf("EIP %+v not bound as recorded (%s, %s)", eip, d.EipAllocationID, d.IPAddress)
		}
		if eip.Tags[tagMachineName] != "node-eip" || eip.Tags["team"] != "infra" || eip.Bandwidth != 5 {
			t.Errorf("EIP tags/bandwidth %+v", eip)
		}
	})
	if res := w.sim.Resources(); len(res.Eips) != 0 {
		t.Fatalf("EIPs left after rm: %+v", res.Eips)
	}
}

func TestLoadBalancerAttachAndDetach(t *testing.T) {
	w := newSimWorld(t)
	lb, err := w.sim.CreateLoadBalancer("cn-hangzhou", "ingress")
	if err != nil {
		t.Fatal(err)
	}
	d := w.driver(t, "node-slb", map[string]any{flagSLBID: lb})
	w.createAndRemove(t, d, func(res ecssim.Resources) {
		if len(res.LoadBalancers) != 1 || len(res.LoadBalancers[0].Backends) != 1 || res.LoadBalancers[0].Backends[0].ServerID != d.InstanceID {
			t.Fatalf("instance %s is not the backend of %s: %+v", d.InstanceID, lb, res.LoadBalancers)
		}
	})
	if backends := w.sim.Resources().LoadBalancers[0].Backends; len(backends) != 0 {
		t.Fatalf("backends left after rm: %+v", backends)
	}
}

func TestUnknownLoadBalancerFailsBeforeAnythingIsMade(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-slb", map[string]any{flagSLBID: "lb-doesnotexist0000000"})
	err := d.PreCreateCheck()
	if err == nil || !strings.Contains(err.Error(), "--"+flagSLBID) {
		t.Fatalf("PreCreateCheck error %v does not name --%s", err, flagSLBID)
	}
	if m := mutating(simCalls(w)); len(m) != 0 {
		t.Fatalf("mutating calls before the failure: %v", m)
	}
}

func TestSoldOutZoneIsSkipped(t *testing.T) {
	w := newSimWorld(t)
	// The default VSwitch's zone is the driver's first choice; sell it out.
	first := w.driver(t, "probe", nil)
	api, _ := first.client()
	r, err := first.resolve(context.Background(), api)
	if err != nil {
		t.Fatal(err)
	}
	soldOut := r.network.zoneID
	if err := w.sim.SetStock("cn-hangzhou", soldOut, r.instanceType, false); err != nil {
		t.Fatal(err)
	}
	d := w.driver(t, "node-stock", nil)
	w.createAndRemove(t, d, func(res ecssim.Resources) {
		if zone := instanceOf(t, res, d.InstanceID).ZoneID; zone == soldOut {
			t.Fatalf("instance launched in sold-out zone %s", zone)
		}
	})
}

func TestNoStockAtLaunchMovesToTheNextZone(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-nostock", nil)
	if err := d.PreCreateCheck(); err != nil {
		t.Fatal(err)
	}
	if len(d.resolved.candidates) < 2 {
		t.Fatalf("only %v to choose from", d.resolved.candidates)
	}
	firstZone := d.resolved.candidates[0]
	// The stock check said yes, RunInstances says no: the zone sold out in
	// between, as happens in the real cloud.
	if err := w.sim.AddFault(ecssim.Fault{Action: "RunInstances", Code: "OperationDenied.NoStock", HTTPStatus: 403, Times: 1}); err != nil {
		t.Fatal(err)
	}
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	if zone := instanceOf(t, w.sim.Resources(), d.InstanceID).ZoneID; zone == firstZone {
		t.Fatalf("instance is in %s, the zone that had no stock", zone)
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	w.assertNothingOf(t, "node-nostock")
}

func TestNoStockInAGivenZoneFails(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-zone", map[string]any{flagZone: "cn-hangzhou-i"})
	if err := w.sim.AddFault(ecssim.Fault{Action: "RunInstances", Code: "OperationDenied.NoStock", HTTPStatus: 403, Times: 1}); err != nil {
		t.Fatal(err)
	}
	err := d.Create()
	if !ecs.IsCode(err, "OperationDenied.NoStock") {
		t.Fatalf("Create in a user-chosen zone without stock: %v", err)
	}
	w.assertNothingOf(t, "node-zone")
}

func TestDisksBillingAndInstanceOptionsReachTheCloud(t *testing.T) {
	w := newSimWorld(t)
	if err := w.sim.AddRAMRole("rke2-node"); err != nil {
		t.Fatal(err)
	}
	d := w.driver(t, "node-opts", map[string]any{
		flagSystemDiskCategory: "cloud_essd", flagSystemDiskSize: 60, flagSystemDiskPL: "PL1",
		flagDiskCategory: "cloud_essd", flagDiskSize: 100, flagDiskPL: "PL0", flagDiskEncrypted: true,
		flagSpotStrategy: "SpotAsPriceGo", flagRAMRoleName: "rke2-node", flagMetadataHTTPTokens: "required",
		flagTag: []string{"env=prod=eu"},
	})
	w.createAndRemove(t, d, func(res ecssim.Resources) {
		inst := instanceOf(t, res, d.InstanceID)
		if inst.RAMRoleName != "rke2-node" || inst.Tags["env"] != "prod=eu" {
			t.Errorf("instance options %+v", inst)
		}
		var system, data *ecssim.DiskResource
		for i := range res.Disks {
			disk := &res.Disks[i]
			if disk.InstanceID != d.InstanceID {
				continue
			}
			if disk.Type == "system" {
				system = disk
			} else {
				data = disk
			}
			if disk.Tags[tagMachineName] != "node-opts" {
				t.Errorf("disk %s lacks the machine tags: %v", disk.ID, disk.Tags)
			}
		}
		if system == nil || system.Size != 60 || system.PerformanceLevel != "PL1" || !system.Encrypted {
			t.Errorf("system disk %+v", system)
		}
		if data == nil || data.Size != 100 || data.Category != "cloud_essd" || !data.Encrypted || !data.DeleteWithInstance {
			t.Errorf("data disk %+v", data)
		}
	})
}

func TestUnknownRAMRoleFailsInPreCreateCheck(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-role", map[string]any{flagRAMRoleName: "no-such-role"})
	// The dry run needs an existing group; the default VPC has none named
	// docker-machine yet, so make the first machine create it.
	first := w.driver(t, "node-first", nil)
	if err := first.Create(); err != nil {
		t.Fatal(err)
	}
	before := len(mutating(simCalls(w)))
	err := d.PreCreateCheck()
	if !ecs.IsCode(err, "InvalidRamRole.NotFound") {
		t.Fatalf("PreCreateCheck with an unknown role: %v", err)
	}
	if after := len(mutating(simCalls(w))); after != before {
		t.Fatalf("PreCreateCheck made %d mutating calls", after-before)
	}
	if err := first.Remove(); err != nil {
		t.Fatal(err)
	}
}

func TestPrivateAddressOnly(t *testing.T) {
	w := newSimWorld(t)
	// The SSH wait would dial the private address, which the simulated
	// world never serves; 0 skips it.
	d := w.driver(t, "node-private", map[string]any{flagPrivateAddressOnly: true, flagSSHWait: 0})
	w.createAndRemove(t, d, func(res ecssim.Resources) {
		inst := instanceOf(t, res, d.InstanceID)
		if inst.PublicIP != "" || d.IPAddress != inst.PrivateIP || d.IPAddress == "" {
			t.Fatalf("private-only machine: driver IP %q, instance %+v", d.IPAddress, inst)
		}
	})
}

func TestNetworkMismatchesFailBeforeAnythingIsMade(t *testing.T) {
	w := newSimWorld(t)
	probe := w.driver(t, "probe", nil)
	api, _ := probe.client()
	ctx := context.Background()
	isDefault := true
	vsws, err := api.DescribeVSwitches(ctx, ecs.VSwitchQuery{IsDefault: &isDefault})
	if err != nil || len(vsws) == 0 {
		t.Fatalf("no default VSwitch: %v", err)
	}
	vsw := vsws[0]
	other, err := api.CreateVpc(ctx, ecs.CreateVpcRequest{CidrBlock: "10.0.0.0/16", Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]map[string]any{
		flagVpcID:     {flagVSwitchID: vsw.ID, flagVpcID: other},
		flagZone:      {flagVSwitchID: vsw.ID, flagZone: "cn-hangzhou-k"},
		flagVSwitchID: {flagVSwitchID: "vsw-doesnotexist000000000"},
	}
	for flag, values := range cases {
		t.Run(flag, func(t *testing.T) {
			before := len(mutating(simCalls(w)))
			d := w.driver(t, "node-mismatch", values)
			err := d.PreCreateCheck()
			if err == nil || !strings.Contains(err.Error(), "--"+flag) {
				t.Fatalf("error %v does not name --%s", err, flag)
			}
			if after := len(mutating(simCalls(w))); after != before {
				t.Fatalf("%d mutating calls", after-before)
			}
		})
	}
}

func simCalls(w *simWorld) []harness.Call {
	var out []harness.Call
	for _, c := range w.sim.Calls() {
		out = append(out, harness.Call{Action: c.Action, Code: c.Code, Params: c.Params})
	}
	return out
}

func TestStopStartRestartKillKeepTheAddress(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-life", nil)
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	ip := d.IPAddress
	steps := []struct {
		name string
		op   func() error
		want string
	}{
		{"stop", d.Stop, "Stopped"}, {"start", d.Start, "Running"},
		{"restart", d.Restart, "Running"}, {"kill", d.Kill, "Stopped"}, {"start again", d.Start, "Running"},
	}
	for _, s := range steps {
		if err := s.op(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		st, err := d.GetState()
		if err != nil || st.String() != s.want {
			t.Fatalf("after %s: state %v, %v; want %s", s.name, st, err, s.want)
		}
		if d.IPAddress != ip {
			t.Fatalf("after %s the address changed from %s to %s", s.name, ip, d.IPAddress)
		}
	}
	if inst := instanceOf(t, w.sim.Resources(), d.InstanceID); inst.StoppedMode != "KeepCharging" && inst.StoppedMode != "Not-applicable" {
		t.Errorf("stopped mode %q", inst.StoppedMode)
	}
	if url, _ := d.GetURL(); url != "tcp://"+ip+":2376" {
		t.Errorf("GetURL = %q", url)
	}
	// rm of a stopped instance works too.
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	w.assertNothingOf(t, "node-life")
}

func TestExistingKeyPairAndKeyFile(t *testing.T) {
	w := newSimWorld(t)
	// A key the user made and registered in ECS, as Rancher mounts it:
	// readable by the world, outside the store.
	seed := w.driver(t, "seed", nil)
	keyDir := t.TempDir()
	pub, err := sshutil.GenerateKeyPair(filepath.Join(keyDir, "id_rsa"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(keyDir, "id_rsa"), 0o644); err != nil {
		t.Fatal(err)
	}
	api, _ := seed.client()
	if _, err := api.ImportKeyPair(context.Background(), ecs.ImportKeyPairRequest{Name: "team-key", PublicKeyBody: pub}); err != nil {
		t.Fatal(err)
	}
	d := w.driver(t, "node-key", map[string]any{flagSSHKeyPair: "team-key", flagSSHKeyPath: filepath.Join(keyDir, "id_rsa")})
	w.createAndRemove(t, d, func(res ecssim.Resources) {
		if inst := instanceOf(t, res, d.InstanceID); inst.KeyPairName != "team-key" {
			t.Fatalf("instance uses key pair %q", inst.KeyPairName)
		}
		st, err := os.Stat(d.GetSSHKeyPath())
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("the key copy in the store: %v, %v", st, err)
		}
	})
	if kps := w.sim.Resources().KeyPairs; len(kps) != 1 || kps[0].Name != "team-key" {
		t.Fatalf("the user's key pair was touched: %+v", kps)
	}
}

func TestImageByNameAndArmTypes(t *testing.T) {
	w := newSimWorld(t)
	probe := w.driver(t, "probe", nil)
	api, _ := probe.client()
	images, err := api.DescribeImages(context.Background(), ecs.ImageQuery{OwnerAlias: "system", Architecture: "arm64"})
	if err != nil || len(images) == 0 {
		t.Fatalf("no arm64 images: %v", err)
	}
	types, err := api.DescribeInstanceTypes(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	armType := ""
	for _, it := range types {
		if strings.EqualFold(it.CPUArchitecture, "ARM") {
			armType = it.ID
			break
		}
	}
	if armType == "" {
		t.Skip("the catalogue has no ARM type")
	}
	d := w.driver(t, "node-arm", map[string]any{flagInstanceType: armType})
	api2, _ := d.client()
	r, err := d.resolve(context.Background(), api2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.image.ID, "arm64") {
		t.Fatalf("ARM type %s got image %s", armType, r.image.ID)
	}
	byName := w.driver(t, "node-name", map[string]any{flagImageID: images[0].Name})
	r, err = byName.resolve(context.Background(), api2)
	if err != nil || r.image.ID != images[0].ID {
		t.Fatalf("image by name %q → %+v, %v", images[0].Name, r.image, err)
	}
}
