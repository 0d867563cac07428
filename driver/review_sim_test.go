package driver

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/cloudops"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
	"github.com/rancher/machine/libmachine/log"
)

// Adversarial review of the driver against the simulator: first the tests
// that pin defects, then coverage the other suites lack (Create's rollback
// alone, lost answers, same-name machines, Remove in odd states).

// nonDefaultZone is a zone of cn-hangzhou without a default VSwitch: the
// driver makes (or reuses) its own VPC and VSwitch there.
const nonDefaultZone = "cn-hangzhou-j"

// rdriver is w.driver without the SSH wait unless flags set one: guest SSH
// servers of every simulator in every test process on this host share
// 127.77.x.y:2222, so another suite's guest may answer the probe.
func (w *simWorld) rdriver(t *testing.T, name string, flags map[string]any) *Driver {
	t.Helper()
	all := map[string]any{flagSSHWait: 0}
	for k, v := range flags {
		all[k] = v
	}
	return w.driver(t, name, all)
}

// leftovers lists what machine d still has that costs money, plus its
// imported key pair. Instances being released do not count.
func (w *simWorld) leftovers(d *Driver) []string {
	b := w.sim.Billable()
	var out []string
	add := func(ok bool, what string) {
		if ok {
			out = append(out, what)
		}
	}
	for _, i := range b.Instances {
		add(i.Tags[tagMachineID] == d.CreateNonce, "instance "+i.ID+" ("+i.Status+")")
	}
	for _, e := range b.Eips {
		add(e.Tags[tagMachineID] == d.CreateNonce || e.Name == d.resourceName(), "EIP "+e.ID+" ("+e.Status+")")
	}
	for _, disk := range b.Disks {
		add(disk.Tags[tagMachineID] == d.CreateNonce, "disk "+disk.ID)
	}
	for _, be := range b.SLBBackends {
		add(true, "SLB backend "+be.ServerID)
	}
	for _, kp := range w.sim.Resources().KeyPairs {
		add(kp.Name == d.resourceName(), "key pair "+kp.Name)
	}
	return out
}

func (w *simWorld) assertNoLeftovers(t *testing.T, d *Driver) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left := w.leftovers(d)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("machine %s left behind: %v", d.MachineName, left)
		}
	}
}

// within runs f and fails the test if f does not return within limit (a
// hung f is abandoned; the simulator closes at cleanup).
func within(t *testing.T, limit time.Duration, what string, f func() error) (err error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- f() }()
	select {
	case err = <-errc:
	case <-time.After(limit):
		t.Fatalf("%s did not return within %s", what, limit)
	}
	return err
}

func addFault(t *testing.T, w *simWorld, f ecssim.Fault) {
	t.Helper()
	if err := w.sim.AddFault(f); err != nil {
		t.Fatal(err)
	}
}

// captureLog sends libmachine's log output to a buffer until the test ends.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	var mu sync.Mutex
	wr := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	log.SetOutWriter(wr)
	log.SetErrWriter(wr)
	t.Cleanup(func() { log.SetOutWriter(os.Stdout); log.SetErrWriter(os.Stderr) })
	return &buf
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lostAnswerWorld has a load balancer and a driver that uses every kind of
// resource: its own VPC and VSwitch, an EIP and an SLB backend.
func lostAnswerWorld(t *testing.T) (*simWorld, *Driver) {
	w := newSimWorld(t)
	lb, err := w.sim.CreateLoadBalancer("cn-hangzhou", "ingress")
	if err != nil {
		t.Fatal(err)
	}
	return w, w.rdriver(t, "rv-drop", map[string]any{flagZone: nonDefaultZone, flagAllocatePublicStaticIP: true, flagSLBID: lb})
}

// ---- Defects ----

// TestReview_DeletedSharedResourcesAreRecreated: rm never deletes the
// shared security group, VSwitch or VPC, so users delete them once no
// machine uses them; the next machine must make new ones. Their ClientTokens
// (sharedToken: what is made, where, tags, UTC day) are the same all day, so
// the cloud replays the deleted resource's ID. For the group every create
// that day fails with InvalidSecurityGroupId.NotFound (Rancher loops
// create/delete); for the VSwitch (and VPC) waitVSwitchAvailable polls an
// unlisted VSwitch without giving up, so Create hangs until its overall
// deadline (Running + SSH wait + 5 min: 15 min by default). Make a new one
// (e.g. retry with the gone ID folded into the token) and end a wait on an
// unlisted resource after a few polls.
func TestReview_DeletedSharedResourcesAreRecreated(t *testing.T) {
	ctx := context.Background()
	for name, del := range map[string]func(api ecs.API, d *Driver, inst ecssim.InstanceResource) error{
		"security group": func(api ecs.API, d *Driver, _ ecssim.InstanceResource) error {
			return cloudops.DeleteSecurityGroup(ctx, api.(cloudops.Invoker), d.SecurityGroupID)
		},
		"VSwitch": func(api ecs.API, _ *Driver, inst ecssim.InstanceResource) error {
			return cloudops.DeleteVSwitch(ctx, api.(cloudops.Invoker), inst.VSwitchID)
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := newSimWorld(t)
			a := w.rdriver(t, "rv-del-a", map[string]any{flagZone: nonDefaultZone})
			if err := a.Create(); err != nil {
				t.Fatal(err)
			}
			inst := instanceOf(t, w.sim.Resources(), a.InstanceID)
			if err := a.Remove(); err != nil {
				t.Fatal(err)
			}
			api, _ := a.client()
			if err := del(api, a, inst); err != nil {
				t.Fatalf("deleting the unused %s: %v", name, err)
			}
			b := w.rdriver(t, "rv-del-b", map[string]any{flagZone: nonDefaultZone})
			if err := within(t, 10*time.Second, "Create", b.Create); err != nil {
				t.Fatalf("Create after the shared %s was deleted: %v", name, err)
			}
		})
	}
}

// TestReview_ConcurrentCreatesShareOneVSwitch: two machines created at once
// (one process, -race clean) in a zone where the driver makes its network
// must share one VSwitch, as sharedToken promises. The second ensureNetwork
// lists the VPC after the first made its VSwitch, picks the next free /20,
// and so gets a different token and a second VSwitch in the same zone; a
// pool scale-up of N nodes can make N VSwitches.
func TestReview_ConcurrentCreatesShareOneVSwitch(t *testing.T) {
	w := newSimWorld(t)
	ds := []*Driver{w.rdriver(t, "rv-par-1", map[string]any{flagZone: nonDefaultZone}), w.rdriver(t, "rv-par-2", map[string]any{flagZone: nonDefaultZone})}
	var wg sync.WaitGroup
	errs := make([]error, len(ds))
	for i, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = d.PreCreateCheck(); errs[i] == nil {
				errs[i] = d.Create()
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("machine %d: %v", i+1, err)
		}
	}
	res := w.sim.Resources()
	vpcs, vsws := 0, 0
	for _, v := range res.Vpcs {
		vpcs += boolInt(!v.IsDefault)
	}
	for _, s := range res.VSwitches {
		vsws += boolInt(s.ZoneID == nonDefaultZone)
	}
	if vpcs != 1 || vsws != 1 || len(res.SecurityGroups) != 1 {
		t.Errorf("want one VPC, VSwitch and group; have %d VPCs, %d VSwitches in %s, %d groups", vpcs, vsws, nonDefaultZone, len(res.SecurityGroups))
	}
}

// TestReview_RemoveWhileInstanceIsStopping: Remove waits out a transition.
// An instance that is Stopping (stopped in the console, a spot reclaim)
// refuses DeleteInstance with IncorrectInstanceStatus even with Force;
// ecs.DeleteInstance retries only IncorrectInstanceStatus.Initializing, so
// Remove fails and Rancher's delete job burns one of its three attempts.
func TestReview_RemoveWhileInstanceIsStopping(t *testing.T) {
	w := newSimWorld(t)
	d := w.rdriver(t, "rv-stopping", nil)
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.SetTiming(ecssim.TransitionStopping, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	api, _ := d.client()
	if err := api.StopInstance(context.Background(), d.InstanceID, false, keepCharging); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(); err != nil {
		t.Fatalf("Remove of a Stopping instance: %v", err)
	}
	w.assertNoLeftovers(t, d)
}

// TestReview_LostEipAnswersAreRetriedSafely: AssociateEipAddress and
// UnassociateEipAddress take effect on the first attempt; when that answer
// is lost the client's plain retry meets IncorrectEipStatus (already
// Associating / Unassociating), so Create fails (Rancher discards the
// machine) or Remove fails. Send a ClientToken (both actions take one; the
// simulator honours it) or accept "already in the state asked for".
func TestReview_LostEipAnswersAreRetriedSafely(t *testing.T) {
	t.Run("AssociateEipAddress in Create", func(t *testing.T) {
		w, d := lostAnswerWorld(t)
		addFault(t, w, ecssim.Fault{Action: "AssociateEipAddress", Drop: true, AfterEffect: true})
		if err := within(t, time.Minute, "Create", d.Create); err != nil {
			t.Fatalf("Create after one lost AssociateEipAddress answer: %v", err)
		}
	})
	t.Run("UnassociateEipAddress in Remove", func(t *testing.T) {
		w, d := lostAnswerWorld(t)
		if err := d.Create(); err != nil {
			t.Fatal(err)
		}
		addFault(t, w, ecssim.Fault{Action: "UnassociateEipAddress", Drop: true, AfterEffect: true})
		if err := within(t, time.Minute, "Remove", d.Remove); err != nil {
			t.Fatalf("Remove after one lost UnassociateEipAddress answer: %v", err)
		}
		w.assertNoLeftovers(t, d)
	})
}

// TestReview_UserSecurityGroupDecidesTheVPC: a group given by ID fixes the
// VPC. In a zone where that VPC has no VSwitch the driver plans a VPC of its
// own (findSecurityGroup skips the VPC check while the VPC is still to be
// made), PreCreateCheck passes, and Create makes a VPC and VSwitch and then
// fails RunInstances with InvalidParameter.Mismatch. PreCreateCheck must
// refuse it before anything is made, or the instance must go to the group's
// VPC.
func TestReview_UserSecurityGroupDecidesTheVPC(t *testing.T) {
	w := newSimWorld(t)
	api, _ := w.rdriver(t, "probe", nil).client()
	isDefault := true
	vpcs, err := api.DescribeVpcs(context.Background(), ecs.VpcQuery{IsDefault: &isDefault})
	if err != nil || len(vpcs) == 0 {
		t.Fatalf("no default VPC: %v", err)
	}
	sg, err := api.CreateSecurityGroup(context.Background(), ecs.CreateSecurityGroupRequest{VpcID: vpcs[0].ID, Name: "team"})
	if err != nil {
		t.Fatal(err)
	}
	before := len(mutating(simCalls(w)))
	d := w.rdriver(t, "rv-user-sg", map[string]any{flagSecurityGroup: sg, flagZone: nonDefaultZone})
	if err := d.PreCreateCheck(); err != nil {
		if !strings.Contains(err.Error(), "--"+flagSecurityGroup) {
			t.Errorf("PreCreateCheck error does not name --%s: %v", flagSecurityGroup, err)
		}
		if n := len(mutating(simCalls(w))) - before; n != 0 {
			t.Errorf("%d mutating calls before the refusal", n)
		}
		return
	}
	if err := d.Create(); err != nil {
		t.Fatalf("PreCreateCheck passed but Create failed: %v", err)
	}
	if vpc := instanceOf(t, w.sim.Resources(), d.InstanceID).VpcID; vpc != vpcs[0].ID {
		t.Fatalf("instance in VPC %s, its security group in %s", vpc, vpcs[0].ID)
	}
}

// TestReview_ArmImageLookupErrorIsNotIgnored: chooseImage drops the error
// of DescribeInstanceTypes and then assumes x86_64, so a RAM policy without
// ecs:DescribeInstanceTypes (or throttling that outlasts the retries) gives
// an ARM type an x86 image. The error must be returned (or the architecture
// found another way).
func TestReview_ArmImageLookupErrorIsNotIgnored(t *testing.T) {
	w := newSimWorld(t)
	api, _ := w.rdriver(t, "probe", nil).client()
	types, err := api.DescribeInstanceTypes(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	armType := ""
	for i := len(types) - 1; i >= 0; i-- {
		if strings.EqualFold(types[i].CPUArchitecture, "ARM") {
			armType = types[i].ID
		}
	}
	if armType == "" {
		t.Skip("the catalogue has no ARM type")
	}
	addFault(t, w, ecssim.Fault{Action: "DescribeInstanceTypes", Code: "Forbidden.RAM", Times: -1})
	d := w.rdriver(t, "rv-arm", map[string]any{flagInstanceType: armType})
	r, err := d.resolve(context.Background(), api)
	if err == nil && !strings.Contains(r.image.ID, "arm64") {
		t.Fatalf("ARM type %s got image %s", armType, r.image.ID)
	}
}

// TestReview_TagsTheCloudRejectsFailInSetConfig: ECS refuses tag values
// containing http:// or https:// and more than 20 tags on a resource (the
// driver adds 3). parseUserTag checks only keys and nothing counts tags, so
// both pass SetConfigFromFlags and, for an account's first machine (no
// group yet, so no dry run), PreCreateCheck; Create then fails on every
// retry Rancher makes. SetConfigFromFlags must refuse them, naming the flag.
func TestReview_TagsTheCloudRejectsFailInSetConfig(t *testing.T) {
	many := make([]string, 18)
	for i := range many {
		many[i] = "k" + string(rune('a'+i)) + "=v"
	}
	for name, tags := range map[string][]string{"URL value": {"docs=https://wiki.example.com/rke2"}, "18 tags": many} {
		t.Run(name, func(t *testing.T) {
			w := newSimWorld(t)
			d := NewDriver("rv-tags", t.TempDir())
			err := d.SetConfigFromFlags(options(d, map[string]any{
				flagAccessKeyID: ecssim.DefaultAccessKeyID, flagAccessKeySecret: ecssim.DefaultAccessKeySecret,
				flagAPIEndpoint: w.sim.URL(), flagSSHWait: 0, flagTag: tags,
			}))
			if err != nil {
				if !strings.Contains(err.Error(), "--"+flagTag) {
					t.Errorf("error does not name --%s: %v", flagTag, err)
				}
				return
			}
			if err := d.PreCreateCheck(); err != nil {
				t.Fatalf("accepted by SetConfigFromFlags, refused by PreCreateCheck: %v", err)
			}
			t.Fatalf("accepted by SetConfigFromFlags and PreCreateCheck; Create: %v", d.Create())
		})
	}
}

// TestReview_IngressCIDRIsNotWidenedBySharedGroup (design level): a pool
// with --aliyunecs-ingress-cidr 203.0.113.0/24 joins the shared default
// group another pool filled with 0.0.0.0/0 rules, so its SSH and API server
// are open to the world while the user believes them restricted. No rule of
// the restricted machine's groups may admit SSH from elsewhere: use a group
// per rule set (e.g. docker-machine-<hash>) or refuse in PreCreateCheck.
func TestReview_IngressCIDRIsNotWidenedBySharedGroup(t *testing.T) {
	w := newSimWorld(t)
	if err := w.rdriver(t, "rv-open", nil).Create(); err != nil {
		t.Fatal(err)
	}
	d := w.rdriver(t, "rv-closed", map[string]any{flagIngressCIDR: "203.0.113.0/24"})
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	res := w.sim.Resources()
	for _, id := range instanceOf(t, res, d.InstanceID).SecurityGroupIDs {
		for _, g := range res.SecurityGroups {
			for _, r := range g.Rules {
				if g.ID == id && r.PortRange == "22/22" && r.SourceCidr == "0.0.0.0/0" {
					t.Fatalf("machine restricted to 203.0.113.0/24 has SSH open to the world through group %s", id)
				}
			}
		}
	}
}

// ---- Coverage (passing today) ----

// TestReview_CreateRollbackAloneLeavesNothing: whatever step of Create
// fails, Create's own rollback (no Remove: rancher-machine does not save a
// machine whose Create failed) leaves nothing billable and no key pair; the
// error is one line with action, code and RequestId; neither it nor any log
// line holds the access key secret, the password or the user data.
func TestReview_CreateRollbackAloneLeavesNothing(t *testing.T) {
	eip, slb, zone := map[string]any{flagAllocatePublicStaticIP: true}, map[string]any{flagSLBID: "slb"}, map[string]any{flagZone: nonDefaultZone}
	lost := func(action string) ecssim.Fault {
		return ecssim.Fault{Action: action, Code: "InternalError", HTTPStatus: 500, Times: -1, AfterEffect: true}
	}
	refused := func(action string, times int) ecssim.Fault {
		return ecssim.Fault{Action: action, Code: "Forbidden.RAM", Times: times}
	}
	cases := []struct {
		name  string
		flags map[string]any
		fault ecssim.Fault
	}{
		{"import key pair lost", nil, lost("ImportKeyPair")},
		{"create group refused", nil, refused("CreateSecurityGroup", -1)},
		{"authorize refused", nil, refused("AuthorizeSecurityGroup", -1)},
		{"create VPC refused", zone, refused("CreateVpc", -1)},
		{"create VSwitch lost", zone, lost("CreateVSwitch")},
		{"run instances lost (4xx)", nil, ecssim.Fault{Action: "RunInstances", Code: "InvalidParameter", Times: -1, AfterEffect: true}},
		{"wait running refused", nil, refused("DescribeInstances", 1)},
		{"allocate EIP lost", eip, lost("AllocateEipAddress")},
		{"tag EIP refused", eip, refused("TagResources", -1)},
		{"associate EIP lost", eip, lost("AssociateEipAddress")},
		{"wait EIP refused", eip, refused("DescribeEipAddresses", 1)},
		{"add backend lost", slb, lost("AddBackendServers")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newSimWorld(t)
			const secret, password, userData = "SECRETMARK-rv7", "PassMARK-rv7x", "USERDATAMARK-rv7"
			if err := w.sim.AddCredential(ecssim.Credential{ID: "rv-ak", Secret: secret}); err != nil {
				t.Fatal(err)
			}
			flags := map[string]any{flagAccessKeyID: "rv-ak", flagAccessKeySecret: secret, flagSSHPassword: password,
				flagUserData: "#cloud-config\nwrite_files:\n- path: /etc/rv\n  content: " + userData + "\n"}
			for k, v := range c.flags {
				flags[k] = v
			}
			if flags[flagSLBID] != nil {
				id, err := w.sim.CreateLoadBalancer("cn-hangzhou", "ingress")
				if err != nil {
					t.Fatal(err)
				}
				flags[flagSLBID] = id
			}
			d := w.rdriver(t, "rv-rollback", flags)
			logs := captureLog(t)
			addFault(t, w, c.fault)
			err := within(t, time.Minute, "Create", d.Create)
			if err == nil {
				t.Fatal("Create succeeded despite the fault")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, c.fault.Action) || !strings.Contains(msg, c.fault.Code) || !strings.Contains(msg, "RequestId") {
				t.Errorf("error is not one line with action, code and RequestId: %q", msg)
			}
			if !strings.Contains(logs.String(), "Create failed after") {
				t.Error("the log was not captured")
			}
			for _, m := range []string{secret, password, userData} {
				if strings.Contains(msg, m) || strings.Contains(logs.String(), m) {
					t.Errorf("%s leaked into the error or the log", m)
				}
			}
			w.sim.ClearFaults()
			w.assertNoLeftovers(t, d)
		})
	}
}

// TestReview_LostAnswersAreIdempotent: a call whose answer is lost (it took
// effect, the connection dropped) is retried by the client; for every
// create and teardown call the retry neither fails nor makes a second
// resource or rule.
func TestReview_LostAnswersAreIdempotent(t *testing.T) {
	for _, action := range []string{
		"ImportKeyPair", "CreateVpc", "CreateVSwitch", "CreateSecurityGroup", "AuthorizeSecurityGroup", "RunInstances",
		"AllocateEipAddress", "TagResources", "AddBackendServers",
		"RemoveBackendServers", "ReleaseEipAddress", "DeleteInstance", "DeleteKeyPairs",
	} {
		t.Run(action, func(t *testing.T) {
			w, d := lostAnswerWorld(t)
			addFault(t, w, ecssim.Fault{Action: action, Drop: true, AfterEffect: true})
			if err := within(t, time.Minute, "Create", d.Create); err != nil {
				t.Fatalf("Create after one lost %s answer: %v", action, err)
			}
			res := w.sim.Resources()
			count := map[string]int{"security group": len(res.SecurityGroups), "instance": len(res.Instances),
				"EIP": len(res.Eips), "key pair": len(res.KeyPairs), "backend": len(res.LoadBalancers[0].Backends)}
			for _, v := range res.Vpcs {
				count["VPC"] += boolInt(!v.IsDefault)
			}
			for _, v := range res.VSwitches {
				count["VSwitch"] += boolInt(!v.IsDefault)
			}
			for what, n := range count {
				if n != 1 {
					t.Errorf("%d %s(s) after one lost %s answer, want 1", n, what, action)
				}
			}
			seen := map[ecssim.RuleResource]bool{}
			for _, r := range res.SecurityGroups[0].Rules {
				if r.Priority = 0; seen[r] {
					t.Errorf("rule %+v exists twice", r)
				}
				seen[r] = true
			}
			if err := within(t, time.Minute, "Remove", d.Remove); err != nil {
				t.Fatalf("Remove (lost %s answer): %v", action, err)
			}
			w.assertNoLeftovers(t, d)
		})
	}
}

// TestReview_SameNameMachinesStayApart: two machines of one name never share
// an instance: the second's lost RunInstances answers, its rollback and its
// Remove with no saved instance ID touch only its own things.
func TestReview_SameNameMachinesStayApart(t *testing.T) {
	w := newSimWorld(t)
	a := w.rdriver(t, "rv-twin", nil)
	if err := a.Create(); err != nil {
		t.Fatal(err)
	}
	b := w.rdriver(t, "rv-twin", nil)
	addFault(t, w, ecssim.Fault{Action: "RunInstances", Code: "InternalError", HTTPStatus: 500, Times: -1, AfterEffect: true})
	if err := b.Create(); err == nil || b.InstanceID == a.InstanceID {
		t.Fatalf("second Create: %v, instance %q", err, b.InstanceID)
	}
	w.sim.ClearFaults()
	b.InstanceID = "" // as saved before Create
	if err := b.Remove(); err != nil {
		t.Fatal(err)
	}
	res := w.sim.Resources()
	if inst := instanceOf(t, res, a.InstanceID); inst.Status != "Running" {
		t.Fatalf("the first machine's instance is %s", inst.Status)
	}
	if len(res.KeyPairs) != 1 || res.KeyPairs[0].Name != a.KeyPairName {
		t.Fatalf("key pairs %+v, want only the first machine's %s", res.KeyPairs, a.KeyPairName)
	}
	w.assertNoLeftovers(t, b)
	if err := a.Remove(); err != nil {
		t.Fatal(err)
	}
	w.assertNoLeftovers(t, a)
}

// TestReview_RemoveInOddStates: Remove succeeds and leaves nothing with the
// EIP mid-association and the key pair already gone.
func TestReview_RemoveInOddStates(t *testing.T) {
	ctx := context.Background()
	w, d := lostAnswerWorld(t) // EIP and SLB
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	api, _ := d.client()
	if err := api.DeleteKeyPairs(ctx, []string{d.KeyPairName}); err != nil {
		t.Fatal(err)
	}
	if err := api.UnassociateEipAddress(ctx, d.EipAllocationID, d.InstanceID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := ecs.WaitEipStatus(ctx, api, d.EipAllocationID, ecs.EipAvailable); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.SetTiming(ecssim.TransitionEIP, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := api.AssociateEipAddress(ctx, d.EipAllocationID, d.InstanceID); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(); err != nil {
		t.Fatalf("Remove with the EIP Associating and the key pair gone: %v", err)
	}
	w.assertNoLeftovers(t, d)
}
