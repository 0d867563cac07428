package e2e

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// TestRancherJobLifecycle is the machine's whole life as Rancher drives it:
// `create` with --custom-install-script through the real plugin protocol,
// an SSH session, then `rm -y`.
func TestRancherJobLifecycle(t *testing.T) {
	w := newWorld(t)
	const name = "e2e-pool1-a1b2c"
	const token = "e2e-cattle-token-do-not-log-7f3a"
	scriptPath := filepath.Join(t.TempDir(), "value")
	script, err := harness.WriteInstallScript(scriptPath, "https://rancher.example.test", token)
	if err != nil {
		t.Fatal(err)
	}

	res := w.run(t, w.machine.CreateArgs(name, scriptPath)...)
	if res.ExitCode != 0 {
		t.Fatalf("create exited %d", res.ExitCode)
	}
	if strings.Contains(res.Output, token) {
		t.Fatalf("the create output contains the install script's CATTLE_TOKEN")
	}

	inv := w.inventory(t)
	instances := harness.Named(inv.Instances, name)
	if len(instances) != 1 {
		t.Fatalf("want one instance named %s, have %+v", name, instances)
	}
	inst := instances[0]
	if inst.Status != "Running" {
		t.Fatalf("instance %s is %s, want Running", inst.ID, inst.Status)
	}
	if inst.HostName != name {
		t.Errorf("ECS HostName is %q, want %q", inst.HostName, name)
	}

	guest, err := w.admin.Guest(t.Context(), inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	const installPath = "/usr/local/custom_script/install.sh"
	file, ok := guest.Files[installPath]
	if !ok {
		t.Fatalf("the guest has no %s; files: %v", installPath, keys(guest.Files))
	}
	// rancher-machine strips the script's shebang line; the rest must
	// arrive byte for byte.
	if !bytes.Equal(file.Content, harness.DeliveredScript(script)) {
		t.Fatalf("%s differs from the install script (%d vs %d bytes)", installPath, len(file.Content), len(harness.DeliveredScript(script)))
	}
	if !slices.ContainsFunc(guest.RunCmd, func(c string) bool { return strings.Contains(c, installPath) }) {
		t.Errorf("no runcmd runs %s: %q", installPath, guest.RunCmd)
	}
	if guest.HostName != name {
		t.Errorf("guest hostname is %q, want %q", guest.HostName, name)
	}

	// rancher-machine's ssh passes everything after the name to the remote
	// shell verbatim, "--" included (a real sh would fail on it), so the
	// command is given without one.
	if res := w.run(t, "ssh", name, "exit", "0"); res.ExitCode != 0 {
		t.Fatalf("rancher-machine ssh exited %d", res.ExitCode)
	}

	if res := w.run(t, "rm", "-y", name); res.ExitCode != 0 {
		t.Fatalf("rm exited %d", res.ExitCode)
	}
	w.waitNothingOf(t, name)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
