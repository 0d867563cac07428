package driver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// These tests run the driver in-process with the real ecs client against the
// simulator and assert on the simulator's resulting inventory.

const simGuestSSHPort = 2222

type simWorld struct {
	sim   *ecssim.Server
	admin harness.Admin
}

func newSimWorld(t *testing.T) *simWorld {
	t.Helper()
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	sim, err := ecssim.New(ecssim.Options{GuestSSHPort: simGuestSSHPort, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return &simWorld{sim: sim, admin: harness.Admin{URL: sim.URL()}}
}

// driver returns a configured driver for machine name; values override flags.
func (w *simWorld) driver(t *testing.T, name string, values map[string]any) *Driver {
	t.Helper()
	d := NewDriver(name, t.TempDir())
	d.timeouts = Timeouts{Running: 20 * time.Second, Delete: 20 * time.Second}
	d.retry = ecs.RetryPolicy{MaxAttempts: 4, Base: time.Millisecond, Cap: 5 * time.Millisecond}
	flags := map[string]any{
		flagAccessKeyID: ecssim.DefaultAccessKeyID, flagAccessKeySecret: ecssim.DefaultAccessKeySecret,
		flagAPIEndpoint: w.sim.URL(), flagSSHPort: simGuestSSHPort,
	}
	for k, v := range values {
		flags[k] = v
	}
	if err := d.SetConfigFromFlags(options(d, flags)); err != nil {
		t.Fatal(err)
	}
	return d
}

func (w *simWorld) inventory(t *testing.T) harness.Inventory {
	t.Helper()
	inv, err := w.admin.Resources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// fault arms a /_sim/faults entry.
func (w *simWorld) fault(t *testing.T, f map[string]any) {
	t.Helper()
	body, _ := json.Marshal(f)
	resp, err := http.Post(w.sim.URL()+"/_sim/faults", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST /_sim/faults: HTTP %d", resp.StatusCode)
	}
}

// assertNothingOf waits until no instance or key pair of machine name exists.
func (w *simWorld) assertNothingOf(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		inv := w.inventory(t)
		inst, keys := harness.Named(inv.Instances, name), harness.KeyPairsOf(inv.KeyPairs, name)
		if len(inst)+len(keys) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: instances %+v, key pairs %+v", inst, keys)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCreateThenRemove(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-a", map[string]any{flagTag: []string{"team=infra"}, flagOpenPort: []string{"8080/tcp"}})
	if err := d.PreCreateCheck(); err != nil {
		t.Fatal(err)
	}
	if calls, _ := w.admin.Calls(context.Background()); mutating(calls) != nil {
		t.Fatalf("PreCreateCheck made mutating calls: %v", mutating(calls))
	}
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}

	inv := w.inventory(t)
	instances := harness.Named(inv.Instances, "node-a")
	if len(instances) != 1 {
		t.Fatalf("want one instance, have %+v", instances)
	}
	inst := instances[0]
	if inst.ID != d.InstanceID || inst.Status != "Running" || inst.PublicIP != d.IPAddress {
		t.Fatalf("driver recorded %s at %s, cloud has %+v", d.InstanceID, d.IPAddress, inst)
	}
	for k, v := range map[string]string{tagMachineName: "node-a", tagMachineID: d.CreateNonce, tagManagedBy: DriverName, "team": "infra"} {
		if inst.Tags[k] != v {
			t.Errorf("instance tag %s = %q, want %q", k, inst.Tags[k], v)
		}
	}
	if inst.KeyPairName != d.KeyPairName || len(harness.KeyPairsOf(inv.KeyPairs, "node-a")) != 1 {
		t.Errorf("key pair %s not imported and used", d.KeyPairName)
	}
	group := findResource(inv.SecurityGroups, d.SecurityGroupID)
	// --aliyunecs-open-port changes the rule set, so the group is the
	// default name with that rule set's suffix.
	if group == nil || !strings.HasPrefix(group.Name, "docker-machine-") || group.Tags[tagManagedBy] != DriverName {
		t.Fatalf("default security group not created and tagged: %+v", group)
	}
	assertRule(t, group, "TCP", "10250/10250", "", group.ID)
	assertRule(t, group, "UDP", "8472/8472", "", group.ID)
	assertRule(t, group, "TCP", "6443/6443", "0.0.0.0/0", "")
	assertRule(t, group, "TCP", "8080/8080", "0.0.0.0/0", "")

	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	w.assertNothingOf(t, "node-a")
	if findResource(w.inventory(t).SecurityGroups, d.SecurityGroupID) == nil {
		t.Fatal("Remove deleted the shared security group")
	}
	if err := d.Remove(); err != nil {
		t.Fatalf("second Remove: %v", err)
	}
}

func TestSecondMachineReusesGroupWithoutDuplicateRules(t *testing.T) {
	w := newSimWorld(t)
	a := w.driver(t, "node-a", nil)
	b := w.driver(t, "node-b", nil)
	for _, d := range []*Driver{a, b} {
		if err := d.Create(); err != nil {
			t.Fatal(err)
		}
	}
	if a.SecurityGroupID != b.SecurityGroupID {
		t.Fatalf("machines use groups %s and %s", a.SecurityGroupID, b.SecurityGroupID)
	}
	group := findResource(w.inventory(t).SecurityGroups, a.SecurityGroupID)
	seen := map[Rule]bool{}
	for _, r := range group.Rules {
		if seen[Rule(r)] {
			t.Fatalf("rule %+v exists twice", r)
		}
		seen[Rule(r)] = true
	}
	for _, d := range []*Driver{a, b} {
		if err := d.Remove(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCreateRollsBackWhenRunInstancesAnswerIsLost(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-lost", nil)
	// RunInstances takes effect but every answer is a 500: the client's
	// retries reuse the ClientToken, then give up, and the rollback must
	// find the instance by its tag.
	w.fault(t, map[string]any{"action": "RunInstances", "code": "InternalError", "httpStatus": 500, "times": 100, "afterEffect": true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- d.Create() }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		t.Fatal("Create did not give up")
	}
	if err == nil {
		t.Fatal("Create succeeded")
	}
	if !strings.Contains(err.Error(), "RunInstances") || !strings.Contains(err.Error(), "InternalError") {
		t.Fatalf("error does not name the action and code: %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error is not one line: %q", err)
	}
	w.assertNothingOf(t, "node-lost")
}

func TestRemoveAfterInstanceDeletedOutOfBand(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-gone", nil)
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	api, err := d.client()
	if err != nil {
		t.Fatal(err)
	}
	if err := api.DeleteInstance(context.Background(), d.InstanceID, true); err != nil {
		t.Fatal(err)
	}
	if err := ecs.WaitInstanceGone(context.Background(), api, d.InstanceID); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(); err != nil {
		t.Fatalf("Remove of an instance deleted out of band: %v", err)
	}
	w.assertNothingOf(t, "node-gone")
}

func TestRemoveWithoutInstanceIDIsANoOp(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "never-made", nil)
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
}

func TestUserSecurityGroupIsUsedReadOnly(t *testing.T) {
	w := newSimWorld(t)
	d := w.driver(t, "node-user-sg", nil)
	api, _ := d.client()
	ctx := context.Background()
	isDefault := true
	vpcs, err := api.DescribeVpcs(ctx, ecs.VpcQuery{IsDefault: &isDefault})
	if err != nil || len(vpcs) == 0 {
		t.Fatalf("no default VPC: %v", err)
	}
	id, err := api.CreateSecurityGroup(ctx, ecs.CreateSecurityGroupRequest{VpcID: vpcs[0].ID, Name: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	d = w.driver(t, "node-user-sg", map[string]any{flagSecurityGroup: id})
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	if g := findResource(w.inventory(t).SecurityGroups, id); g == nil || len(g.Rules) != 0 {
		t.Fatalf("the user's group was changed: %+v", g)
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
}

// Rule is harness.Rule usable as a map key.
type Rule harness.Rule

func findResource(rs []harness.Resource, id string) *harness.Resource {
	for i := range rs {
		if rs[i].ID == id {
			return &rs[i]
		}
	}
	return nil
}

func assertRule(t *testing.T, g *harness.Resource, proto, ports, cidr, group string) {
	t.Helper()
	for _, r := range g.Rules {
		if strings.EqualFold(r.Protocol, proto) && r.PortRange == ports && r.SourceCidr == cidr && r.SourceGroupID == group {
			return
		}
	}
	t.Errorf("group %s lacks %s %s from %q/%q; rules %+v", g.ID, proto, ports, cidr, group, g.Rules)
}

// mutating returns the calls that could change something.
func mutating(calls []harness.Call) []string {
	var out []string
	for _, c := range calls {
		if c.Mutating() {
			out = append(out, c.Action)
		}
	}
	return out
}
