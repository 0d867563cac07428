package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// backend is where a scenario runs: the simulator, or a real Alibaba Cloud
// account (real_account_test.go). Scenarios are written once against it;
// only the endpoint, the region and the guest SSH port differ, and
// simulator-only checks look at b.world.
type backend struct {
	name    string
	world   *world // nil on a real account
	machine *harness.Machine
	// cloud is the project's ecs client, for leftover checks and sweeping.
	cloud *ecs.Client
	// checkerKey is the AccessKey ID of cloud; its calls are not the
	// driver's (the policy test leaves them out).
	checkerKey string
	region     string
	// endpoint is --aliyunecs-api-endpoint; empty on a real account.
	endpoint string
	sshPort  int
	runID    string
	// placement is what a dashboard user picks from the lists (zone,
	// instanceType, imageId); empty values let the driver choose.
	placement map[string]string
	// timeout bounds one rancher-machine run.
	timeout time.Duration
}

// simBackend is the simulator, with a separate credential for the checks.
func simBackend(t *testing.T) *backend {
	t.Helper()
	w := newWorld(t)
	const checkerID, checkerSecret = "e2e-checker-ak", "e2e-checker-secret"
	if err := w.admin.AddCredential(t.Context(), checkerID, checkerSecret); err != nil {
		t.Fatal(err)
	}
	cloud, err := harness.NewCloudClient("cn-hangzhou", w.sim.URL(), checkerID, checkerSecret)
	if err != nil {
		t.Fatal(err)
	}
	return &backend{
		name: "simulator", world: w, machine: w.machine, cloud: cloud, checkerKey: checkerID,
		region: "cn-hangzhou", endpoint: w.sim.URL(), sshPort: guestSSHPort,
		runID: harness.NewRunID(time.Now()),
		// From test/ecssim/catalogue.go, as the dashboard lists them.
		placement: map[string]string{
			"zone": "cn-hangzhou-h", "instanceType": "ecs.g7.large",
			"imageId": "ubuntu_24_04_x64_20G_alibase_20250722.vhd",
		},
		timeout: 2 * time.Minute,
	}
}

// machineName is a Rancher-like instance name (≤63, [a-z0-9-]) that is
// unique per run.
func (b *backend) machineName(pool string) string {
	suffix := strings.ReplaceAll(b.runID, "-", "")
	if len(suffix) > 12 {
		suffix = suffix[len(suffix)-12:]
	}
	return "e2e-" + pool + "-" + suffix
}

// targetArgs are the only flags that differ between backends, plus the
// run tag every resource carries.
func (b *backend) targetArgs() []string {
	var args []string
	if b.endpoint != "" {
		args = append(args, "--aliyunecs-api-endpoint", b.endpoint)
	}
	return append(args,
		"--aliyunecs-region", b.region,
		"--aliyunecs-ssh-port", strconv.Itoa(b.sshPort),
		"--aliyunecs-tag", harness.RunTagKey+"="+b.runID)
}

// createArgs is `create -d aliyunecs` with the backend's flags, extra flags
// and the machine name.
func (b *backend) createArgs(name, installScript string, extra ...string) []string {
	args := append([]string{"create", "--driver", "aliyunecs"}, b.targetArgs()...)
	if installScript != "" {
		args = append(args, "--custom-install-script", installScript)
	}
	args = append(args, extra...)
	return append(args, name)
}

// run runs rancher-machine (with --storage-path and --native-ssh) and logs
// its output, which never holds a secret: credentials travel in the
// environment.
func (b *backend) run(t *testing.T, args ...string) harness.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	res, err := b.machine.Run(ctx, args...)
	if err != nil {
		t.Fatalf("rancher-machine %v: %v", args, err)
	}
	t.Logf("[%s] rancher-machine %v → exit %d\n%s", b.name, args, res.ExitCode, res.Output)
	return res
}

// runJob runs rancher-machine as the job container does (see RunJob).
func (b *backend) runJob(t *testing.T, home string, args []string) harness.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	res, err := b.machine.RunJob(ctx, home, args)
	if err != nil {
		t.Fatalf("rancher-machine %v: %v", args, err)
	}
	t.Logf("[%s] job: rancher-machine %v → exit %d\n%s", b.name, args, res.ExitCode, res.Output)
	return res
}

// instanceOf returns the one instance of machine name, through the API.
func (b *backend) instanceOf(t *testing.T, name string) ecs.Instance {
	t.Helper()
	insts, _, err := harness.MachineLeftovers(t.Context(), b.cloud, name)
	if err != nil {
		t.Fatalf("look up machine %s: %v", name, err)
	}
	if len(insts) != 1 {
		t.Fatalf("want one instance of machine %s, have %d: %+v", name, len(insts), insts)
	}
	return insts[0]
}

// waitGone waits until no instance or key pair of machine name is left,
// through the API (both backends) and, on the simulator, its inventory.
func (b *backend) waitGone(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(b.timeout)
	for {
		insts, pairs, err := harness.MachineLeftovers(t.Context(), b.cloud, name)
		if err == nil && len(insts) == 0 && len(pairs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("machine %s left instances %+v and key pairs %v (err %v)", name, insts, pairs, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if b.world != nil {
		b.world.waitNothingOf(t, name)
	}
}

// guestFile reads a file on the machine over `rancher-machine ssh NAME cat
// PATH`, retrying while cloud-init may still be writing it.
func (b *backend) guestFile(t *testing.T, name, path string) string {
	t.Helper()
	deadline := time.Now().Add(b.timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := b.machine.Run(ctx, "ssh", name, "cat", path)
		cancel()
		if err == nil && res.ExitCode == 0 {
			// The session runs on a terminal, which turns \n into \r\n.
			return strings.ReplaceAll(res.Output, "\r\n", "\n")
		}
		if time.Now().After(deadline) {
			t.Fatalf("ssh %s cat %s: exit %d, err %v: %s", name, path, res.ExitCode, err, tail(res.Output, 400))
		}
		time.Sleep(2 * time.Second)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

func hasTag(tags []ecs.Tag, key, value string) bool {
	for _, tg := range tags {
		if tg.Key == key && tg.Value == value {
			return true
		}
	}
	return false
}

func (b *backend) String() string { return fmt.Sprintf("%s (%s)", b.name, b.region) }
