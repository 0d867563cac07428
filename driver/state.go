package driver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/state"
)

// lifecycleTimeout bounds Start, Stop, Restart, Kill and GetState.
const lifecycleTimeout = 5 * time.Minute

// keepCharging stops an instance without releasing its public IP: the
// account's default "economy mode" would drop it, and the machine's recorded
// address with it.
const keepCharging = "KeepCharging"

// errNoInstance is returned by the lifecycle methods of a machine whose
// instance was never created.
var errNoInstance = errors.New("the machine has no instance ID")

// stateOf maps every ECS status to a libmachine state; an unknown status is
// an error rather than a silent None.
func stateOf(status string) (state.State, error) {
	switch status {
	case ecs.StatusPending, ecs.StatusStarting:
		return state.Starting, nil
	case ecs.StatusRunning:
		return state.Running, nil
	case ecs.StatusStopping:
		return state.Stopping, nil
	case ecs.StatusStopped:
		return state.Stopped, nil
	default:
		return state.Error, fmt.Errorf("unknown instance status %q", status)
	}
}

// describe returns the machine's instance, or an error if it is gone.
func (d *Driver) describe(ctx context.Context) (*ecs.Instance, error) {
	if d.InstanceID == "" {
		return nil, errNoInstance
	}
	api, err := d.client()
	if err != nil {
		return nil, err
	}
	found, err := api.DescribeInstances(ctx, ecs.InstanceQuery{InstanceIDs: []string{d.InstanceID}})
	if err != nil {
		return nil, fmt.Errorf("could not describe instance %s: %w", d.InstanceID, err)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("instance %s does not exist", d.InstanceID)
	}
	return &found[0], nil
}

// GetState returns the instance's state; see [drivers.Driver.GetState].
func (d *Driver) GetState() (state.State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), lifecycleTimeout)
	defer cancel()
	inst, err := d.describe(ctx)
	if err != nil {
		return state.Error, err
	}
	return stateOf(inst.Status)
}

// GetIP returns the address rancher-machine uses for the machine; see
// [drivers.Driver.GetIP].
func (d *Driver) GetIP() (string, error) {
	if d.IPAddress != "" {
		return d.IPAddress, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), lifecycleTimeout)
	defer cancel()
	inst, err := d.describe(ctx)
	if err != nil {
		return "", err
	}
	d.recordAddresses(inst)
	if d.IPAddress == "" {
		return "", fmt.Errorf("instance %s has no address yet", d.InstanceID)
	}
	return d.IPAddress, nil
}

// GetSSHHostname returns the address SSH connects to; see
// [drivers.Driver.GetSSHHostname].
func (d *Driver) GetSSHHostname() (string, error) {
	return d.GetIP()
}

// GetURL returns the Docker URL tcp://IP:2376, or "" while the machine has
// no address; see [drivers.Driver.GetURL]. Rancher never uses it.
func (d *Driver) GetURL() (string, error) {
	ip, err := d.GetIP()
	if err != nil || ip == "" {
		return "", nil
	}
	return "tcp://" + net.JoinHostPort(ip, "2376"), nil
}

// Start starts a stopped instance and waits for Running; see
// [drivers.Driver.Start].
func (d *Driver) Start() error {
	return d.transition(func(ctx context.Context, api ecs.API) error {
		return api.StartInstance(ctx, d.InstanceID)
	}, ecs.StatusRunning)
}

// Stop stops the instance gracefully and waits for Stopped; see
// [drivers.Driver.Stop].
func (d *Driver) Stop() error {
	return d.transition(func(ctx context.Context, api ecs.API) error {
		return api.StopInstance(ctx, d.InstanceID, false, keepCharging)
	}, ecs.StatusStopped)
}

// Kill powers the instance off and waits for Stopped; see
// [drivers.Driver.Kill].
func (d *Driver) Kill() error {
	return d.transition(func(ctx context.Context, api ecs.API) error {
		return api.StopInstance(ctx, d.InstanceID, true, keepCharging)
	}, ecs.StatusStopped)
}

// Restart reboots the instance and waits for Running; see
// [drivers.Driver.Restart].
func (d *Driver) Restart() error {
	return d.transition(func(ctx context.Context, api ecs.API) error {
		return api.RebootInstance(ctx, d.InstanceID, false)
	}, ecs.StatusRunning)
}

// transition calls op and waits until the instance reaches want, refreshing
// the recorded addresses (a public IP can change across a stop).
func (d *Driver) transition(op func(context.Context, ecs.API) error, want string) error {
	if d.InstanceID == "" {
		return errNoInstance
	}
	ctx, cancel := context.WithTimeout(context.Background(), lifecycleTimeout)
	defer cancel()
	api, err := d.client()
	if err != nil {
		return err
	}
	if err := op(ctx, api); err != nil {
		return oneLine(err)
	}
	inst, err := ecs.WaitInstanceStatus(ctx, api, d.InstanceID, want)
	if err != nil {
		return oneLine(fmt.Errorf("instance %s did not reach %s: %w", d.InstanceID, want, err))
	}
	d.recordAddresses(inst)
	return nil
}
