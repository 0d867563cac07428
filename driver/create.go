package driver

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/sshutil"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/userdata"
	"github.com/rancher/machine/libmachine/log"
)

// Create makes the machine; see [drivers.Driver.Create]. It runs a pipeline
// of steps (network → security group → key pair → user data → RunInstances →
// wait Running → wait SSH). rancher-machine does not save a machine whose
// Create failed, so on any failure Create itself removes what it made and
// returns the original error first.
func (d *Driver) Create() error {
	t := d.timeouts.withDefaults()
	ctx, cancel := context.WithTimeout(context.Background(), t.Running+t.SSH+5*time.Minute)
	defer cancel()
	api, err := d.client()
	if err != nil {
		return err
	}
	p := &pipeline{started: time.Now(), rollbackTimeout: t.Delete + time.Minute}
	var r *resolved
	var payload userdata.Payload
	err = p.run(ctx, []step{
		{"resolve", func(ctx context.Context, p *pipeline) error {
			r, err = d.resolveOnce(ctx, api)
			return err
		}},
		{"network", func(ctx context.Context, p *pipeline) error {
			r.network, err = d.ensureNetwork(ctx, api, p, r.network)
			return err
		}},
		{"security group", func(ctx context.Context, p *pipeline) error {
			return d.ensureSecurityGroup(ctx, api, p, r.network.vpcID, r.group)
		}},
		{"key pair", func(ctx context.Context, p *pipeline) error { return d.ensureKeyPair(ctx, api, p) }},
		{"user data", func(ctx context.Context, p *pipeline) error {
			payload, err = d.buildUserData()
			return err
		}},
		{"instance", func(ctx context.Context, p *pipeline) error { return d.runInstance(ctx, api, p, r, payload.Base64) }},
		{"running", func(ctx context.Context, p *pipeline) error { return d.waitRunning(ctx, api, p) }},
		{"ssh", func(ctx context.Context, p *pipeline) error { return d.waitSSH(ctx, p) }},
	})
	if err != nil {
		return err
	}
	log.Infof("Machine %s is ready: instance %s at %s (elapsed %s)", d.MachineName, d.InstanceID, d.IPAddress, p.elapsed())
	return nil
}

// resolveOnce returns what PreCreateCheck resolved, or resolves it now when
// Create runs without it.
func (d *Driver) resolveOnce(ctx context.Context, api ecs.API) (*resolved, error) {
	if d.resolved != nil {
		return d.resolved, nil
	}
	r, err := d.resolve(ctx, api)
	if err != nil {
		return nil, err
	}
	d.resolved = r
	return r, nil
}

// buildUserData reads --aliyunecs-userdata (rancher-machine's merged
// cloud-config in Rancher mode) and adds the data disk set-up. Its content
// is never logged: it carries Rancher's join token.
func (d *Driver) buildUserData() (userdata.Payload, error) {
	opts := userdata.Options{Path: d.UserDataFile}
	if d.DiskSize > 0 {
		opts.DataDisk = &userdata.DataDisk{FS: d.DiskFS, MountPoint: dataDiskMountPoint}
	}
	payload, err := userdata.Build(opts)
	if err != nil {
		return userdata.Payload{}, err
	}
	return payload, nil
}

// dataDiskMountPoint is where RKE2 and K3s keep container images and data.
const dataDiskMountPoint = "/var/lib/rancher"

// waitSSH waits until an SSH session with the machine's key runs `exit 0`,
// so the machine is really usable when Create returns.
func (d *Driver) waitSSH(ctx context.Context, p *pipeline) error {
	ctx, cancel := context.WithTimeout(ctx, d.timeouts.withDefaults().SSH)
	defer cancel()
	signer, err := sshutil.LoadSigner(d.GetSSHKeyPath())
	if err != nil {
		return fmt.Errorf("could not load the machine's SSH key: %w", err)
	}
	port, _ := d.GetSSHPort()
	probe := sshutil.Probe{
		Addr:        net.JoinHostPort(d.IPAddress, strconv.Itoa(port)),
		User:        d.GetSSHUsername(),
		Signer:      signer,
		DialTimeout: 10 * time.Second,
	}
	if err := sshutil.WaitReady(ctx, probe, sshInterval); err != nil {
		return fmt.Errorf("instance %s is Running but SSH on %s never answered: %w", d.InstanceID, probe.Addr, err)
	}
	log.Infof("SSH is ready on %s (elapsed %s)", probe.Addr, p.elapsed())
	return nil
}

// sshInterval polls quickly at first (a booted guest usually answers within
// seconds) and then every 2 s.
func sshInterval(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 5)
	return min(d, 2*time.Second)
}
