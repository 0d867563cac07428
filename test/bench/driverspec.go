package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// DriverSpec names the docker-machine plugin under test and the flags it is
// created with. Flags may hold the placeholders {{endpoint}} (the simulated
// API's base URL), {{ssh-port}} (the guests' SSH port), {{access-key-id}} and
// {{access-key-secret}}, replaced per world.
type DriverSpec struct {
	// Name is the driver name, `rancher-machine create --driver NAME`.
	Name string
	// Bin is the plugin binary; rancher-machine finds it on PATH as
	// docker-machine-driver-NAME.
	Bin string
	// Flags go between the driver name and the machine name.
	Flags []string
	// Ours marks this repository's driver, for which the in-process and
	// call-baseline measurements exist.
	Ours bool
}

// OurDriver is the aliyunecs plugin in binDir, aimed at the simulator.
func OurDriver(binDir string) DriverSpec {
	return DriverSpec{
		Name: "aliyunecs",
		Bin:  filepath.Join(binDir, harness.DriverBinary),
		Flags: []string{
			"--aliyunecs-api-endpoint={{endpoint}}",
			"--aliyunecs-ssh-port={{ssh-port}}",
		},
		Ours: true,
	}
}

// PluginBase is the file name rancher-machine looks for.
func (s DriverSpec) PluginBase() string { return "docker-machine-driver-" + s.Name }

// Validate checks that the binary exists and the name is plain.
func (s DriverSpec) Validate() error {
	if s.Name == "" || strings.ContainsAny(s.Name, "/ \t") {
		return fmt.Errorf("driver name %q: want a plain name such as aliyunecs", s.Name)
	}
	st, err := os.Stat(s.Bin)
	if err != nil {
		return fmt.Errorf("driver binary: %w", err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("driver binary %s is not an executable file", s.Bin)
	}
	return nil
}

// ExpandFlags returns the flags with the placeholders of world w filled in.
func (s DriverSpec) ExpandFlags(w *World) []string {
	r := strings.NewReplacer(
		"{{endpoint}}", w.Endpoint,
		"{{ssh-port}}", strconv.Itoa(GuestSSHPort()),
		"{{access-key-id}}", ecssim.DefaultAccessKeyID,
		"{{access-key-secret}}", ecssim.DefaultAccessKeySecret,
	)
	out := make([]string, len(s.Flags))
	for i, f := range s.Flags {
		out[i] = r.Replace(f)
	}
	return out
}

// MakeBinDir creates dir holding rancher-machine and the plugin under the
// name rancher-machine looks for (symbolic links), to go first on PATH.
func (s DriverSpec) MakeBinDir(dir, rancherMachine string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, target := range map[string]string{harness.RancherMachineBinary: rancherMachine, s.PluginBase(): s.Bin} {
		abs, err := filepath.Abs(target)
		if err != nil {
			return err
		}
		link := filepath.Join(dir, name)
		_ = os.Remove(link)
		if err := os.Symlink(abs, link); err != nil {
			return err
		}
	}
	return nil
}

// machine returns a rancher-machine environment for world w with its own
// storage path, as every Rancher job has.
func machine(binDir, store string, w *World) *harness.Machine {
	return &harness.Machine{
		BinDir: binDir, StorePath: store, Endpoint: w.Endpoint,
		AccessKeyID: ecssim.DefaultAccessKeyID, AccessKeySecret: ecssim.DefaultAccessKeySecret,
		GuestSSHPort: GuestSSHPort(),
	}
}

// createArgs is the `create` command line of Rancher's machineprovision job
// (after its entrypoint split the arguments).
func (s DriverSpec) createArgs(w *World, name, script string) []string {
	args := []string{"create", "--driver", s.Name, "--custom-install-script", script}
	args = append(args, s.ExpandFlags(w)...)
	return append(args, name)
}
