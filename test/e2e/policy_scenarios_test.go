package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/sshutil"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/cloudops"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// scenario is one end-to-end use of the driver. Together the scenarios are
// meant to exercise every feature, so that the API actions they call are
// exactly the RAM policy's (policy_test.go).
type scenario struct {
	name string
	run  func(t *testing.T, b *backend)
}

// featureScenarios are run against the simulator by the policy test. Add one
// for every driver feature that calls an API action no scenario calls yet.
var featureScenarios = []scenario{
	{"default create, ssh and rm", scenarioDefault},
	{"Rancher machineprovision job", runJobScenario},
	{"stop, start, restart, kill", scenarioPowerCycle},
	{"new VPC and VSwitch in an empty zone", scenarioNewNetwork},
	{"existing key pair and security group", scenarioExistingResources},
	{"elastic IP", scenarioElasticIP},
	{"load balancer backend", scenarioLoadBalancer},
	{"dual stack in a deployment set", scenarioDualStackSpread},
	{"failed create rolls back, rm cleans up", scenarioFailedCreate},
}

// scenarioDefault is `create` with Rancher's install script and nothing
// else, an SSH session, then `rm -y`.
func scenarioDefault(t *testing.T, b *backend) {
	name := b.machineName("default")
	if res := b.run(t, b.createArgs(name, installScript(t))...); res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	if res := b.run(t, "ssh", name, "exit", "0"); res.ExitCode != 0 {
		t.Fatalf("ssh exited %d", res.ExitCode)
	}
	if res := b.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm exited %d", res.ExitCode)
	}
	b.waitGone(t, name)
}

// scenarioPowerCycle drives the state methods: status, ip, url, stop,
// start, restart, kill, then rm.
func scenarioPowerCycle(t *testing.T, b *backend) {
	name := b.machineName("power")
	if res := b.run(t, b.createArgs(name, installScript(t))...); res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	steps := []struct {
		args []string
		want string // in the output, when set
	}{
		{[]string{"status", name}, "Running"},
		{[]string{"ip", name}, ""},
		{[]string{"url", name}, "tcp://"},
		{[]string{"stop", name}, ""},
		{[]string{"status", name}, "Stopped"},
		{[]string{"start", name}, "was started"},
		{[]string{"status", name}, "Running"},
		{[]string{"restart", name}, "Restarting"},
		{[]string{"status", name}, "Running"},
		{[]string{"kill", name}, ""},
		{[]string{"status", name}, "Stopped"},
		{[]string{"rm", "-y", name}, ""},
	}
	for _, s := range steps {
		res := b.run(t, s.args...)
		ok := res.ExitCode == 0
		if !ok && (s.args[0] == "start" || s.args[0] == "restart") && b.world != nil {
			// After start/restart rancher-machine detects the guest OS over
			// SSH (cat /etc/os-release) for its Docker setup, which
			// simulated guests cannot answer; the driver's part is done.
			ok = strings.Contains(res.Output, "/etc/os-release")
		}
		if !ok || !strings.Contains(res.Output, s.want) {
			t.Fatalf("%v exited %d, want success with %q in the output", s.args, res.ExitCode, s.want)
		}
	}
	b.waitGone(t, name)
}

// scenarioNewNetwork places a machine in a zone where the region's default
// VPC has no VSwitch: the driver creates (and keeps, shared) its own VPC and
// VSwitch.
func scenarioNewNetwork(t *testing.T, b *backend) {
	if b.world == nil {
		t.Skip("needs a zone known to have no VSwitch (simulator only)")
	}
	name := b.machineName("net")
	const zone = "cn-hangzhou-k" // the default VSwitch is in cn-hangzhou-h
	if res := b.run(t, b.createArgs(name, installScript(t), "--aliyunecs-zone", zone)...); res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	inst := b.instanceOf(t, name)
	if inst.ZoneID != zone {
		t.Errorf("instance is in zone %s, want %s", inst.ZoneID, zone)
	}
	if res := b.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm exited %d", res.ExitCode)
	}
	b.waitGone(t, name)
}

// scenarioExistingResources uses a key pair and a security group the user
// made: the driver reads them, changes neither, and rm leaves both.
func scenarioExistingResources(t *testing.T, b *backend) {
	name := b.machineName("byo")
	ctx := t.Context()
	keyPath := filepath.Join(t.TempDir(), "id_user")
	pub, err := sshutil.GenerateKeyPair(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	pairName := "byo-user-key-" + b.runID                         // not named after the machine
	runTag := []ecs.Tag{{Key: harness.RunTagKey, Value: b.runID}} // for the sweeper, should cleanup not run
	if _, err := b.cloud.ImportKeyPair(ctx, ecs.ImportKeyPairRequest{Name: pairName, PublicKeyBody: pub, Tags: runTag}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.cloud.DeleteKeyPairs(context.Background(), []string{pairName}) })
	isDefault := true
	vpcs, err := b.cloud.DescribeVpcs(ctx, ecs.VpcQuery{IsDefault: &isDefault})
	if err != nil {
		t.Fatalf("list the default VPC: %v", err)
	}
	if len(vpcs) == 0 {
		t.Skipf("region %s has no default VPC to make a security group in", b.region)
	}
	sg, err := b.cloud.CreateSecurityGroup(ctx, ecs.CreateSecurityGroupRequest{VpcID: vpcs[0].ID, Name: "user-group-" + name, Tags: runTag})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloudops.DeleteSecurityGroup(context.Background(), b.cloud, sg) })
	before, err := b.cloud.DescribeSecurityGroupAttribute(ctx, sg)
	if err != nil {
		t.Fatal(err)
	}

	args := b.createArgs(name, installScript(t), "--aliyunecs-ssh-keypair", pairName, "--aliyunecs-ssh-keypath", keyPath,
		"--aliyunecs-security-group", sg)
	if res := b.run(t, args...); res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	inst := b.instanceOf(t, name)
	if inst.KeyPairName != pairName || len(inst.SecurityGroupIDs) != 1 || inst.SecurityGroupIDs[0] != sg {
		t.Errorf("instance uses key pair %q and groups %v, want %s and [%s]", inst.KeyPairName, inst.SecurityGroupIDs, pairName, sg)
	}
	if res := b.run(t, "ssh", name, "exit", "0"); res.ExitCode != 0 {
		t.Fatalf("ssh with the user's key exited %d", res.ExitCode)
	}
	if res := b.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm exited %d", res.ExitCode)
	}
	b.waitGone(t, name)

	after, err := b.cloud.DescribeSecurityGroupAttribute(ctx, sg)
	if err != nil {
		t.Fatalf("the user's security group is gone after rm: %v", err)
	}
	if len(after.Rules) != len(before.Rules) {
		t.Errorf("the driver changed the user's security group: %d rules before, %d after", len(before.Rules), len(after.Rules))
	}
	pairs, err := b.cloud.DescribeKeyPairs(ctx, pairName)
	if err != nil || len(pairs) != 1 {
		t.Errorf("the user's key pair %s is gone after rm (%v, %v)", pairName, pairs, err)
	}
}

// scenarioFailedCreate makes RunInstances fail for good: create must fail
// with a one-line error carrying the code and RequestId and remove what it
// made; the rm Rancher then runs succeeds and leaves nothing.
func scenarioFailedCreate(t *testing.T, b *backend) {
	if b.world == nil {
		t.Skip("needs fault injection (simulator only)")
	}
	name := b.machineName("fail")
	fault := harness.AdminFault{Action: "RunInstances", Code: "InvalidParameter", HTTPStatus: 400, Times: 1}
	if err := b.world.admin.AddFault(t.Context(), fault); err != nil {
		t.Fatal(err)
	}
	res := b.run(t, b.createArgs(name, installScript(t))...)
	if res.ExitCode == 0 {
		t.Fatal("create succeeded although RunInstances failed")
	}
	last := lastLine(res.Output)
	if !strings.Contains(last, "InvalidParameter") || !strings.Contains(last, "RequestId") {
		t.Errorf("the last line of the log, which Rancher shows, lacks the code or RequestId: %q", last)
	}
	if res := b.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm after a failed create exited %d", res.ExitCode)
	}
	b.waitGone(t, name)
}

// installScript writes a Rancher-like bootstrap script and returns its
// path. Every scenario passes one: without it rancher-machine would install
// Docker over SSH, which is not how Rancher uses the driver.
func installScript(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "value")
	if _, err := harness.WriteInstallScript(path, "https://rancher.example.test", "e2e-token-scenario"); err != nil {
		t.Fatal(err)
	}
	return path
}

// lastLine is the last non-empty line of s, ignoring the plugin's closing
// chatter.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && !strings.Contains(l, "Closing plugin on server side") {
			return l
		}
	}
	return ""
}

// scenarioElasticIP creates and removes a machine whose address is an EIP
// the driver allocates, tags, binds and releases.
func scenarioElasticIP(t *testing.T, b *backend) {
	name := b.machineName("eip")
	if res := b.run(t, b.createArgs(name, installScript(t), "--aliyunecs-allocate-public-static-ip")...); res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	if res := b.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm exited %d", res.ExitCode)
	}
	b.waitGone(t, name)
}

// scenarioDualStackSpread creates a machine with an IPv6 address in a
// deployment set the user made (the driver makes its own IPv6-enabled VPC
// and VSwitch), checks both on the instance, and removes it.
func scenarioDualStackSpread(t *testing.T, b *backend) {
	name := b.machineName("v6ds")
	set, err := cloudops.CreateDeploymentSet(t.Context(), b.cloud, "e2e-"+b.runID, "Availability")
	if err != nil {
		t.Fatal(err)
	}
	// After rm: the set can go once its member is released.
	t.Cleanup(func() { _ = cloudops.DeleteDeploymentSet(context.Background(), b.cloud, set) })
	args := b.createArgs(name, installScript(t), "--aliyunecs-ipv6address-count", "1", "--aliyunecs-deployment-set-id", set)
	if res := b.run(t, args...); res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	if inst := b.instanceOf(t, name); len(inst.IPv6Addresses) != 1 || inst.DeploymentSetID != set {
		t.Errorf("instance has IPv6 %v and deployment set %q; want one address and %s", inst.IPv6Addresses, inst.DeploymentSetID, set)
	}
	if res := b.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm exited %d", res.ExitCode)
	}
	b.waitGone(t, name)
}

// scenarioLoadBalancer creates a machine as a backend of a classic load
// balancer and removes it. The simulator has no API to create one, so the
// scenario needs the simulator's admin API and is skipped on a real account.
func scenarioLoadBalancer(t *testing.T, b *backend) {
	if b.world == nil {
		t.Skip("needs a load balancer made through the simulator's admin API")
	}
	lb, err := b.world.sim.CreateLoadBalancer(b.region, "policy-lb")
	if err != nil {
		t.Fatal(err)
	}
	name := b.machineName("slb")
	if res := b.run(t, b.createArgs(name, installScript(t), "--aliyunecs-slb-id", lb)...); res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	if res := b.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm exited %d", res.ExitCode)
	}
	b.waitGone(t, name)
}
