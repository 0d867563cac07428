package e2e

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// Environment of the real-account run (README: "Testing against a real
// account").
const (
	envReal         = "ALIYUNECS_E2E_REAL"          // "1" to run
	envRegion       = "ALIYUNECS_E2E_REGION"        // e.g. cn-hangzhou
	envZone         = "ALIYUNECS_E2E_ZONE"          // optional placement
	envInstanceType = "ALIYUNECS_E2E_INSTANCE_TYPE" // optional
	envImageID      = "ALIYUNECS_E2E_IMAGE_ID"      // optional
	envSweepAge     = "ALIYUNECS_E2E_SWEEP_AGE"     // optional, default 2h
)

// realBackend is a real Alibaba Cloud account, or a loud skip. It differs
// from simBackend only in what a real account forces: the public endpoints
// (no --aliyunecs-api-endpoint), SSH on port 22, the region from the
// environment, and longer waits.
func realBackend(t *testing.T) *backend {
	t.Helper()
	if os.Getenv(envReal) != "1" {
		t.Skipf("SKIPPING the end-to-end scenarios against a real Alibaba Cloud account: set %s=1, "+
			"ALIYUNECS_ACCESS_KEY_ID, ALIYUNECS_ACCESS_KEY_SECRET and %s to run them (they create and delete real instances)",
			envReal, envRegion)
	}
	id, secret, region := os.Getenv("ALIYUNECS_ACCESS_KEY_ID"), os.Getenv("ALIYUNECS_ACCESS_KEY_SECRET"), os.Getenv(envRegion)
	var missing []string
	for k, v := range map[string]string{"ALIYUNECS_ACCESS_KEY_ID": id, "ALIYUNECS_ACCESS_KEY_SECRET": secret, envRegion: region} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Skipf("SKIPPING the real-account scenarios: %s=1 but %s not set", envReal, strings.Join(missing, ", "))
	}
	cloud, err := harness.NewCloudClient(region, "", id, secret)
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if v := os.Getenv(k); v != "" {
			extra = append(extra, k+"="+v) // the harness drops proxies; a real account may need one
		}
	}
	return &backend{
		name: "real account",
		machine: &harness.Machine{
			BinDir: binDir, StorePath: t.TempDir(),
			AccessKeyID: id, AccessKeySecret: secret, GuestSSHPort: 22, ExtraEnv: extra,
		},
		cloud: cloud, checkerKey: id, region: region, sshPort: 22,
		runID: harness.NewRunID(time.Now()),
		placement: map[string]string{
			"zone": os.Getenv(envZone), "instanceType": os.Getenv(envInstanceType), "imageId": os.Getenv(envImageID),
		},
		timeout: 10 * time.Minute,
	}
}

// TestRealAccount runs the feature scenarios, unchanged, against a real
// account. Everything it creates carries e2e-run=<run ID>; before it starts
// it sweeps what failed runs older than ALIYUNECS_E2E_SWEEP_AGE (2h) left,
// and when it ends it sweeps its own run.
func TestRealAccount(t *testing.T) {
	b := realBackend(t)
	age := 2 * time.Hour
	if v := os.Getenv(envSweepAge); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s: %v", envSweepAge, err)
		}
		age = d
	}
	t.Logf("real-account run %s in %s", b.runID, b.region)
	sweepRuns(t, b, harness.SweepOlderThan(age, time.Now()))
	t.Cleanup(func() { sweepRuns(t, b, func(id string) bool { return id == b.runID }) })
	for _, sc := range featureScenarios {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, b) })
	}
}

func sweepRuns(t *testing.T, b *backend, match func(string) bool) harness.Swept {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	swept, err := harness.Sweep(ctx, b.cloud, match, t.Logf)
	if err != nil {
		t.Errorf("sweep: %v", err)
	}
	return swept
}

// TestSweeper holds the sweeper to its contract on the simulator: what an
// old failed run left (instance, key pair) goes; a run in progress, a
// machine without the run tag and a network resource still in use stay.
func TestSweeper(t *testing.T) {
	b := simBackend(t)
	old := *b
	old.runID = harness.NewRunID(time.Now().Add(-3 * time.Hour))
	crashed, current, untagged := old.machineName("crashed"), b.machineName("current"), b.machineName("untagged")

	script := installScript(t)
	if res := old.run(t, old.createArgs(crashed, script)...); res.ExitCode != 0 {
		t.Fatalf("create %s exited %d", crashed, res.ExitCode)
	}
	if res := b.run(t, b.createArgs(current, script)...); res.ExitCode != 0 {
		t.Fatalf("create %s exited %d", current, res.ExitCode)
	}
	noTag := []string{"create", "--driver", "aliyunecs", "--aliyunecs-api-endpoint", b.endpoint,
		"--aliyunecs-ssh-port", "2222", "--custom-install-script", script, untagged}
	if res := b.run(t, noTag...); res.ExitCode != 0 {
		t.Fatalf("create %s exited %d", untagged, res.ExitCode)
	}
	crashedID := b.instanceOf(t, crashed).ID

	swept := sweepRuns(t, b, harness.SweepOlderThan(time.Hour, time.Now()))
	if !slices.Equal(swept.Instances, []string{crashedID}) || len(swept.KeyPairs) != 1 || !strings.Contains(swept.KeyPairs[0], crashed) {
		t.Errorf("swept %+v, want instance %s and the key pair of %s", swept, crashedID, crashed)
	}
	// The old run created the shared security group; the others use it.
	if len(swept.SecurityGroups) != 0 {
		t.Errorf("swept security groups %v that running machines use", swept.SecurityGroups)
	}
	b.waitGone(t, crashed)
	for _, name := range []string{current, untagged} {
		if inst := b.instanceOf(t, name); inst.Status != "Running" {
			t.Errorf("%s is %s after the sweep, want Running", name, inst.Status)
		}
	}

	swept = sweepRuns(t, b, func(id string) bool { return id == b.runID })
	if len(swept.Instances) != 1 {
		t.Errorf("sweeping the current run deleted instances %v, want the one of %s", swept.Instances, current)
	}
	b.waitGone(t, current)
	if inst := b.instanceOf(t, untagged); inst.Status != "Running" {
		t.Errorf("the untagged machine is %s, want Running", inst.Status)
	}
}

// TestRunIDs checks the run ID format the sweeper's age rule reads.
func TestRunIDs(t *testing.T) {
	now := time.Now()
	id := harness.NewRunID(now.Add(-90 * time.Minute))
	started, ok := harness.RunStarted(id)
	if !ok || now.Sub(started) < 89*time.Minute {
		t.Fatalf("RunStarted(%q) = %v, %v", id, started, ok)
	}
	older := harness.SweepOlderThan(time.Hour, now)
	if !older(id) || older(harness.NewRunID(now)) || !older("hand-made") {
		t.Error("SweepOlderThan: want old and unparsable run IDs selected, a fresh one kept")
	}
}
