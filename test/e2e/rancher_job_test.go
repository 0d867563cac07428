package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/driver"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// dashboardForm is what the Rancher dashboard's aliyunecs machine-config
// form (shell/machine-config/aliyunecs.vue) writes on top of the CRD
// defaults when a user only picks the placement: numbers as strings, the
// default security group name and the default openPort list.
const dashboardForm = `{
  "region": "cn-hangzhou",
  "resourceGroupId": "",
  "vpcId": "",
  "vswitchId": "",
  "systemDiskCategory": "cloud_essd",
  "systemDiskSize": "40",
  "diskCategory": "",
  "diskSize": "0",
  "diskFs": "ext4",
  "internetChargeType": "PayByTraffic",
  "internetMaxBandwidth": "1",
  "instanceChargeType": "PostPaid",
  "ioOptimized": "optimized",
  "upgradeKernel": false,
  "securityGroup": "docker-machine",
  "openPort": ["6443/tcp", "2379/tcp", "2380/tcp", "8472/udp", "4789/udp", "9796/tcp",
               "10256/tcp", "10250/tcp", "10251/tcp", "10252/tcp"],
  "privateAddressOnly": false,
  "tag": []
}`

// jobConfig is the AliyunecsConfig document for b: every schema field with
// its CRD default (derived from the driver's flags, so new flags join in),
// the dashboard's form values, the placement, and the backend's endpoint,
// SSH port and run tag. It round-trips through JSON like the API server.
func jobConfig(t *testing.T, b *backend) map[string]any {
	t.Helper()
	cfg, err := harness.RancherConfigDefaults(driver.New().GetCreateFlags())
	if err != nil {
		t.Fatal(err)
	}
	var form map[string]any
	if err := json.Unmarshal([]byte(dashboardForm), &form); err != nil {
		t.Fatal(err)
	}
	for k, v := range form {
		cfg[k] = v
	}
	for k, v := range b.placement {
		cfg[k] = v
	}
	cfg["region"] = b.region
	cfg["apiEndpoint"] = b.endpoint
	cfg["sshPort"] = strconv.Itoa(b.sshPort) // an IntFlag: a string in the schema
	cfg["tag"] = []any{harness.RunTagKey + "=" + b.runID, "team=e2e=rancher"}
	cfg["apiVersion"] = "rke-machine-config.cattle.io/v1"
	cfg["kind"] = "AliyunecsConfig"
	cfg["metadata"] = map[string]any{"name": "nc-e2e-pool1-x7k2q", "namespace": "fleet-default"}

	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestRancherMachineProvisionJob is Rancher's machineprovision job against
// the simulator: create from an AliyunecsConfig with the job's exact argv,
// the state carried to the delete job through a state-secret tarball, a
// rotated cloud credential, then `rm -y --update-config`.
func TestRancherMachineProvisionJob(t *testing.T) {
	runJobScenario(t, simBackend(t))
}

// runJobScenario is the job scenario on any backend.
func runJobScenario(t *testing.T, b *backend) {
	name := b.machineName("pool1")
	const token = "e2e-cattle-token-must-not-leak-5d1e"
	const installURL = "https://github.com/aliyunecs/docker-machine-driver-aliyunecs/releases/download/v0.0.0/docker-machine-driver-aliyunecs_linux-amd64.tar.gz"
	state := harness.JobState{Namespace: "fleet-default", SecretName: name + "-machine-state"}

	scriptPath := filepath.Join(t.TempDir(), "run", "secrets", "machine", "value")
	if err := os.MkdirAll(filepath.Dir(scriptPath), 0o755); err != nil {
		t.Fatal(err)
	}
	script, err := harness.WriteInstallScript(scriptPath, "https://rancher.example.test", token)
	if err != nil {
		t.Fatal(err)
	}

	spec := harness.RancherMachineSpec(jobConfig(t, b), "cattle-global-data:cc-e2e01")
	jobArgs := harness.RancherCreateJobArgs(state, installURL, strings.Repeat("ab", 32), scriptPath, name, spec)
	argv := harness.WithoutSecretStore(harness.EntrypointArgs(jobArgs))
	checkJobArgv(t, argv)

	home := t.TempDir()
	store := harness.JobStorePath(home)
	jb := *b
	jm := *b.machine
	jm.StorePath = store
	jb.machine = &jm

	res := jb.runJob(t, home, argv)
	if res.ExitCode != 0 {
		t.Fatalf("create job exited %d", res.ExitCode)
	}
	for _, secret := range []string{token, b.machine.AccessKeySecret} {
		if strings.Contains(res.Output, secret) {
			t.Fatal("the create job's log holds a secret (install script token or access key secret)")
		}
	}

	inst := jb.instanceOf(t, name)
	if inst.Status != "Running" || inst.HostName != name {
		t.Errorf("instance %s is %s with host name %q, want Running and %q", inst.ID, inst.Status, inst.HostName, name)
	}
	for _, tag := range [][2]string{{harness.RunTagKey, b.runID}, {"team", "e2e=rancher"}} {
		if !hasTag(inst.Tags, tag[0], tag[1]) {
			t.Errorf("instance %s lacks tag %s=%s: %+v", inst.ID, tag[0], tag[1], inst.Tags)
		}
	}
	// The install script reaches the guest through user data, minus the
	// shebang rancher-machine strips.
	const installPath = "/usr/local/custom_script/install.sh"
	delivered := harness.DeliveredScript(script)
	if got := jb.guestFile(t, name, installPath); !strings.Contains(got, string(delivered)) {
		t.Errorf("ssh cat %s does not show the install script (%d bytes read, %d expected)", installPath, len(got), len(delivered))
	}
	if b.world != nil {
		guest, err := b.world.admin.Guest(t.Context(), inst.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := guest.Files[installPath]; !ok || !bytes.Equal(f.Content, delivered) {
			t.Errorf("guest %s is not the install script minus its shebang", installPath)
		}
	}

	// The state secret: tar the machines directory, wipe the store, restore.
	archive, err := harness.TarMachines(filepath.Join(store, "machines"))
	if err != nil {
		t.Fatal(err)
	}
	checkStateArchive(t, archive, store, name, token)
	if err := os.RemoveAll(filepath.Join(home, ".docker")); err != nil {
		t.Fatal(err)
	}
	if err := harness.RestoreMachines(archive, home); err != nil {
		t.Fatal(err)
	}

	// The cloud credential is rotated before the delete job runs.
	rotatedFrom := 0
	if b.world != nil {
		const newID, newSecret = "e2e-rotated-ak", "e2e-rotated-secret"
		calls, err := b.world.admin.Calls(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		rotatedFrom = harness.LastSeq(calls)
		if err := b.world.admin.AddCredential(t.Context(), newID, newSecret); err != nil {
			t.Fatal(err)
		}
		if err := b.world.admin.RevokeCredential(t.Context(), jm.AccessKeyID); err != nil {
			t.Fatal(err)
		}
		jm.AccessKeyID, jm.AccessKeySecret = newID, newSecret
	}

	rmArgv := harness.WithoutSecretStore(harness.EntrypointArgs(harness.RancherDeleteJobArgs(state, installURL, strings.Repeat("ab", 32), name)))
	if res := jb.runJob(t, home, rmArgv); res.ExitCode != 0 {
		t.Fatalf("delete job exited %d", res.ExitCode)
	}
	jb.waitGone(t, name)
	if _, err := os.Stat(filepath.Join(store, "machines", name)); !os.IsNotExist(err) {
		t.Errorf("the machine's store directory is still there after rm (err %v)", err)
	}

	if b.world != nil {
		calls, err := b.world.admin.CallsSince(t.Context(), rotatedFrom)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range calls {
			if c.AccessKeyID == b.checkerKey {
				continue
			}
			n++
			if c.AccessKeyID != jm.AccessKeyID {
				t.Errorf("after the rotation, %s was called with AccessKey %q, want only the new one", c.Action, c.AccessKeyID)
			}
		}
		if n == 0 {
			t.Error("the delete job made no API call")
		}
	}
}

// checkJobArgv checks what the job hands rancher-machine: only flags the
// driver declares, no false booleans, no providerID or common, the openPort
// list repeated in order.
func checkJobArgv(t *testing.T, argv []string) {
	t.Helper()
	known := map[string]bool{}
	for _, f := range driver.New().GetCreateFlags() {
		known["--"+f.String()] = true
	}
	var ports []string
	for i, a := range argv {
		if !strings.HasPrefix(a, "--aliyunecs-") {
			continue
		}
		if !known[a] {
			t.Errorf("the job passes %s, which the driver does not declare", a)
		}
		if i+1 < len(argv) && (argv[i+1] == "false" || argv[i+1] == "true") {
			t.Errorf("the job passes %s %s; Rancher passes booleans bare and only when true", a, argv[i+1])
		}
		if a == "--aliyunecs-open-port" {
			ports = append(ports, argv[i+1])
		}
	}
	want := []string{"6443/tcp", "2379/tcp", "2380/tcp", "8472/udp", "4789/udp", "9796/tcp", "10256/tcp", "10250/tcp", "10251/tcp", "10252/tcp"}
	if !slices.Equal(ports, want) {
		t.Errorf("open ports passed as %v, want %v", ports, want)
	}
	for _, bad := range []string{"--aliyunecs-provider-id", "--aliyunecs-common", "--aliyunecs-api-version", "--aliyunecs-kind", "--aliyunecs-metadata"} {
		if slices.Contains(argv, bad) {
			t.Errorf("the job passes %s", bad)
		}
	}
	if argv[0] != "create" {
		t.Errorf("argv %v does not start with create", argv)
	}
}

// checkStateArchive checks the state secret's content: small, absolute
// paths under the store, the machine's config and key, and no user data.
func checkStateArchive(t *testing.T, archive []byte, store, name, token string) {
	t.Helper()
	if len(archive) > harness.StateSecretLimit/4 {
		t.Errorf("the state archive is %d bytes; a Kubernetes secret holds 1 MiB", len(archive))
	}
	names, err := harness.ArchiveNames(archive)
	if err != nil {
		t.Fatal(err)
	}
	machineDir := filepath.Join(store, "machines", name)
	for _, want := range []string{filepath.Join(machineDir, "config.json"), filepath.Join(machineDir, "id_rsa")} {
		if !slices.Contains(names, want) {
			t.Errorf("the state archive lacks %s; it holds %v", want, names)
		}
	}
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(token)) {
		t.Error("the state archive holds the install script (its CATTLE_TOKEN); only the user data path may be persisted")
	}
}
