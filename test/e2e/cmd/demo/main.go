// Command demo shows a newcomer the driver's main job: what Rancher's
// machineprovision job does for every node, against the embedded simulated
// cloud. It starts the simulator, runs `rancher-machine create -d aliyunecs
// --custom-install-script`, shows what the cloud and the guest hold, opens
// an SSH session, removes the machine and shows that nothing is left. It
// leaves nothing running.
//
// Run it with `make demo` (which builds the plugin and rancher-machine).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

const (
	machineName  = "demo-pool1-7xk2q"
	guestSSHPort = 2222
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	binDir := os.Getenv("E2E_BIN_DIR")
	if binDir == "" {
		binDir = "bin"
	}
	binDir, _ = filepath.Abs(binDir)
	if _, _, err := harness.FindBinaries(binDir); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "aliyunecs-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	sim, err := ecssim.New(ecssim.Options{GuestSSHPort: guestSSHPort})
	if err != nil {
		return fmt.Errorf("start the simulator: %w", err)
	}
	defer sim.Close()
	admin := harness.Admin{URL: sim.URL()}
	m := &harness.Machine{
		BinDir: binDir, StorePath: filepath.Join(work, "store"), Endpoint: sim.URL(),
		AccessKeyID: ecssim.DefaultAccessKeyID, AccessKeySecret: ecssim.DefaultAccessKeySecret,
		GuestSSHPort: guestSSHPort,
	}

	title("1. A simulated Alibaba Cloud (ECS + VPC API) is listening on " + sim.URL())
	scriptPath := filepath.Join(work, "install.sh")
	script, err := harness.WriteInstallScript(scriptPath, "https://rancher.example.test", "demo-token")
	if err != nil {
		return err
	}
	fmt.Printf("   Rancher's bootstrap script (%d bytes) is at %s\n", len(script), scriptPath)

	title("2. rancher-machine create -d aliyunecs --custom-install-script ... " + machineName)
	started := time.Now()
	if err := stream(ctx, m, m.CreateArgs(machineName, scriptPath)...); err != nil {
		return err
	}
	fmt.Printf("   create took %s\n", time.Since(started).Round(time.Millisecond))

	title("3. What the cloud holds now")
	inv, err := admin.Resources(ctx)
	if err != nil {
		return err
	}
	instances := harness.Named(inv.Instances, machineName)
	if len(instances) != 1 {
		return fmt.Errorf("expected one instance named %s, found %d", machineName, len(instances))
	}
	inst := instances[0]
	fmt.Printf("   instance %s  %s  public %s  private %s  hostname %s\n", inst.ID, inst.Status, inst.PublicIP, inst.PrivateIP, inst.HostName)
	fmt.Printf("   key pair %s, security group(s) %s\n", inst.KeyPairName, strings.Join(inst.SecurityGroupIDs, ","))
	guest, err := admin.Guest(ctx, inst.ID)
	if err != nil {
		return err
	}
	f := guest.Files["/usr/local/custom_script/install.sh"]
	fmt.Printf("   guest cloud-init: hostname %s, /usr/local/custom_script/install.sh (%d bytes, mode %s), runcmd %q\n",
		guest.HostName, len(f.Content), f.Mode, guest.RunCmd)

	title("4. rancher-machine ssh " + machineName + " hostname")
	if err := stream(ctx, m, "ssh", machineName, "hostname"); err != nil {
		return err
	}

	title("5. rancher-machine rm -y " + machineName)
	if err := stream(ctx, m, "rm", "-y", machineName); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if inv, err = admin.Resources(ctx); err != nil {
			return err
		}
		left := len(harness.Named(inv.Instances, machineName)) + len(harness.KeyPairsOf(inv.KeyPairs, machineName))
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d resources of %s are still there", left, machineName)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("   nothing of %s is left: %d instances, %d key pairs in the account\n", machineName, len(inv.Instances), len(inv.KeyPairs))

	title("Done. The simulator stops now; nothing is left running.")
	return nil
}

func title(s string) { fmt.Printf("\n==> %s\n", s) }

// stream runs rancher-machine with its output indented under the step.
func stream(ctx context.Context, m *harness.Machine, args ...string) error {
	cmd := m.Command(ctx, args...)
	out := &indent{w: os.Stdout, bol: true}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("rancher-machine %s: %w", args[0], err)
	}
	return nil
}

// indent prefixes every line with spaces.
type indent struct {
	w   io.Writer
	bol bool
}

func (i *indent) Write(p []byte) (int, error) {
	for _, b := range p {
		if i.bol {
			if _, err := io.WriteString(i.w, "   | "); err != nil {
				return 0, err
			}
		}
		if _, err := i.w.Write([]byte{b}); err != nil {
			return 0, err
		}
		i.bol = b == '\n'
	}
	return len(p), nil
}
