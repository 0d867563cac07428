// Package harness drives the real rancher-machine CLI and the built driver
// plugin against the ECS simulator, the way Rancher's machineprovision job
// does. The end-to-end tests and `make demo` share it.
package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Binary names inside the bin directory.
const (
	DriverBinary         = "docker-machine-driver-aliyunecs"
	RancherMachineBinary = "rancher-machine"
)

// Machine runs rancher-machine with its own storage path and environment.
type Machine struct {
	// BinDir holds rancher-machine and the driver plugin; it goes first on
	// PATH so rancher-machine finds the plugin as Rancher's image does.
	BinDir string
	// StorePath is rancher-machine's --storage-path.
	StorePath string
	// Endpoint is the simulator's URL, passed as --aliyunecs-api-endpoint.
	Endpoint string
	// AccessKeyID and AccessKeySecret go into the environment as Rancher
	// passes the cloud credential.
	AccessKeyID, AccessKeySecret string
	// GuestSSHPort is the simulator's guest SSH port, passed as
	// --aliyunecs-ssh-port.
	GuestSSHPort int
	// ExtraEnv is appended to the environment (KEY=VALUE).
	ExtraEnv []string
}

// FindBinaries returns the paths of rancher-machine and the plugin in dir,
// or an error that says how to build them.
func FindBinaries(dir string) (rancherMachine, driver string, err error) {
	rancherMachine = filepath.Join(dir, RancherMachineBinary)
	driver = filepath.Join(dir, DriverBinary)
	for _, p := range []string{rancherMachine, driver} {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", "", fmt.Errorf("%s is missing: run `make build rancher-machine` first", p)
		}
	}
	return rancherMachine, driver, nil
}

// Env is the environment rancher-machine runs with: the caller's, minus
// proxies and credentials that could leak in, plus the simulator credential.
func (m *Machine) Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		key, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(key, "ALIYUNECS_"), strings.HasPrefix(key, "ALIBABA_CLOUD_"),
			strings.HasPrefix(key, "ECS_"), strings.HasPrefix(key, "MACHINE_"),
			strings.EqualFold(key, "HTTP_PROXY"), strings.EqualFold(key, "HTTPS_PROXY"), key == "PATH":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"PATH="+m.BinDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"NO_PROXY=127.0.0.0/8,localhost",
		"ALIYUNECS_ACCESS_KEY_ID="+m.AccessKeyID,
		"ALIYUNECS_ACCESS_KEY_SECRET="+m.AccessKeySecret,
		// The credential chain must never fall back to the metadata
		// service (a non-loopback address).
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
	)
	return append(env, m.ExtraEnv...)
}

// Command builds `rancher-machine --storage-path S --native-ssh ARGS...`.
// Native SSH keeps the tests independent of an ssh client on the machine.
func (m *Machine) Command(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{"--storage-path", m.StorePath, "--native-ssh"}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(m.BinDir, RancherMachineBinary), full...)
	cmd.Env = m.Env()
	return cmd
}

// Result is one finished rancher-machine run.
type Result struct {
	Output   string // stdout and stderr, interleaved
	ExitCode int
}

// Run runs rancher-machine to completion. A non-zero exit is not an error;
// only failing to start it is.
func (m *Machine) Run(ctx context.Context, args ...string) (Result, error) {
	cmd := m.Command(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return Result{Output: out.String(), ExitCode: exitErr.ExitCode()}, nil
	}
	if err != nil {
		return Result{Output: out.String(), ExitCode: -1}, err
	}
	return Result{Output: out.String()}, nil
}

// CreateArgs returns the `create` arguments Rancher's job passes, aimed at the
// simulator, with extra driver flags before the machine name.
func (m *Machine) CreateArgs(name, installScript string, extra ...string) []string {
	args := []string{"create", "--driver", "aliyunecs",
		"--aliyunecs-api-endpoint", m.Endpoint,
		"--aliyunecs-ssh-port", strconv.Itoa(m.GuestSSHPort),
	}
	if installScript != "" {
		args = append(args, "--custom-install-script", installScript)
	}
	args = append(args, extra...)
	return append(args, name)
}
