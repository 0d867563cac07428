package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// binDir holds the built rancher-machine and plugin (make test sets
// E2E_BIN_DIR; E2E_REQUIRE=1 turns missing binaries into a failure).
var binDir string

func TestMain(m *testing.M) {
	binDir = os.Getenv("E2E_BIN_DIR")
	if binDir == "" {
		binDir, _ = filepath.Abs("../../bin")
	}
	if _, _, err := harness.FindBinaries(binDir); err != nil {
		if os.Getenv("E2E_REQUIRE") == "1" {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "e2e: SKIPPING end-to-end tests:", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// guestSSHPort is an unprivileged port so the suite also runs as non-root.
const guestSSHPort = 2222

// world is one simulator plus a rancher-machine environment pointed at it.
type world struct {
	sim     *ecssim.Server
	admin   harness.Admin
	machine *harness.Machine
}

func newWorld(t *testing.T) *world {
	t.Helper()
	sim, err := ecssim.New(ecssim.Options{GuestSSHPort: guestSSHPort, Logf: t.Logf})
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { sim.Close() })
	return &world{
		sim:   sim,
		admin: harness.Admin{URL: sim.URL()},
		machine: &harness.Machine{
			BinDir:          binDir,
			StorePath:       t.TempDir(),
			Endpoint:        sim.URL(),
			AccessKeyID:     ecssim.DefaultAccessKeyID,
			AccessKeySecret: ecssim.DefaultAccessKeySecret,
			GuestSSHPort:    guestSSHPort,
		},
	}
}

// run runs rancher-machine and logs its output.
func (w *world) run(t *testing.T, args ...string) harness.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := w.machine.Run(ctx, args...)
	if err != nil {
		t.Fatalf("rancher-machine %v: %v", args, err)
	}
	t.Logf("rancher-machine %v → exit %d\n%s", args, res.ExitCode, res.Output)
	return res
}

func (w *world) inventory(t *testing.T) harness.Inventory {
	t.Helper()
	inv, err := w.admin.Resources(context.Background())
	if err != nil {
		t.Fatalf("read simulator inventory: %v", err)
	}
	return inv
}

// waitNothingOf polls until no instance or key pair of machine name is left
// (a deleted instance stays visible for the release delay).
func (w *world) waitNothingOf(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		inv := w.inventory(t)
		inst, keys := harness.Named(inv.Instances, name), harness.KeyPairsOf(inv.KeyPairs, name)
		if len(inst) == 0 && len(keys) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("machine %s left instances %+v and key pairs %+v", name, inst, keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
