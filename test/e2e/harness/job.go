package harness

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// JobStorePath is rancher-machine's default store under home, where the
// machineprovision job keeps machines ($HOME/.docker/machine): the job
// passes no --storage-path.
func JobStorePath(home string) string {
	return filepath.Join(home, ".docker", "machine")
}

// RunJob runs rancher-machine with exactly args, as the job's container does
// after its entrypoint: HOME is home (so the store is JobStorePath(home)),
// no --storage-path and no --native-ssh are added. The environment is
// m.Env(), which carries the cloud credential as Rancher passes it.
func (m *Machine) RunJob(ctx context.Context, home string, args []string) (Result, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(m.BinDir, RancherMachineBinary), args...)
	cmd.Env = append(m.Env(), "HOME="+home)
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

// NewCloudClient builds the project's ECS/VPC client for checks and
// sweeping: against endpoint (the simulator) or, when endpoint is empty,
// the public Alibaba Cloud endpoints of region.
func NewCloudClient(region, endpoint, accessKeyID, accessKeySecret string) (*ecs.Client, error) {
	if accessKeyID == "" || accessKeySecret == "" {
		return nil, errors.New("an access key pair is required")
	}
	return ecs.NewClient(ecs.Config{
		Region: region, Endpoint: endpoint,
		AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret,
		UserAgent: "docker-machine-driver-aliyunecs-e2e",
	})
}
