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
// of steps (resolve → key pair → user data → network, security group and
// RunInstances, moving to the next zone when one is out of stock → wait
// Running → elastic IP → load balancer → wait SSH). rancher-machine does not
// save a machine whose Create failed, so on any failure Create itself removes
// what it made and returns the original error first.
func (d *Driver) Create() error {
	t := d.timeouts.withDefaults()
	ctx, cancel := context.WithTimeout(context.Background(), t.Running+d.sshWait()+5*time.Minute)
	defer cancel()
	api, err := d.client()
	if err != nil {
		return err
	}
	p := &pipeline{started: time.Now(), rollbackTimeout: t.Delete + time.Minute}
	var r *resolved
	var payload userdata.Payload
	key := d.prepareKey()
	steps := []step{
		{"resolve", func(ctx context.Context, p *pipeline) error {
			r, err = d.resolveOnce(ctx, api)
			return err
		}},
		// The network and group of the first zone are made while the key is
		// still being generated.
		{"network", func(ctx context.Context, p *pipeline) error { return d.placeFirst(ctx, api, p, r) }},
		{"key pair", func(ctx context.Context, p *pipeline) error { return d.ensureKeyPair(ctx, api, p, key) }},
		{"user data", func(ctx context.Context, p *pipeline) error {
			payload, err = d.buildUserData()
			return err
		}},
		{"instance", func(ctx context.Context, p *pipeline) error { return d.launch(ctx, api, p, r, payload.Base64) }},
		// The group's rules are opened while the instance boots: nothing
		// reaches it before then, and the round trips leave the critical
		// path.
		{"security group rules", func(ctx context.Context, p *pipeline) error { return d.openGroupRules(ctx, api, p, r) }},
		{"running", func(ctx context.Context, p *pipeline) error { return d.waitRunning(ctx, api, p) }},
	}
	if d.AllocatePublicStaticIP {
		steps = append(steps, step{"elastic IP", func(ctx context.Context, p *pipeline) error { return d.attachEIP(ctx, api, p) }})
	}
	if d.SLBID != "" {
		steps = append(steps, step{"load balancer", func(ctx context.Context, p *pipeline) error { return d.attachSLB(ctx, api, p) }})
	}
	if d.sshWait() > 0 {
		steps = append(steps, step{"ssh", func(ctx context.Context, p *pipeline) error { return d.waitSSH(ctx, p) }})
	}
	if err := p.run(ctx, steps); err != nil {
		return err
	}
	log.Infof("Machine %s is ready: instance %s at %s (elapsed %s)", d.MachineName, d.InstanceID, d.IPAddress, p.elapsed())
	return nil
}

// sshWait is the bound of the SSH wait; 0 skips it.
func (d *Driver) sshWait() time.Duration {
	return time.Duration(d.SSHWaitSeconds) * time.Second
}

// launch places the network and security group and runs the instance in the
// first candidate zone, moving to the next one when the cloud answers that a
// zone the driver chose has no stock.
func (d *Driver) launch(ctx context.Context, api ecs.API, p *pipeline, r *resolved, userData string) error {
	p.onFailure("the instance of machine "+d.MachineName, func(ctx context.Context) error { return d.removeInstances(ctx, api) })
	for i, zone := range r.candidates {
		if i > 0 {
			plan, _, err := d.planNetwork(ctx, api, zone)
			if err != nil {
				return err
			}
			r.network, r.group, r.groupLooked, r.groupRules = plan, nil, false, nil
			if err := d.placeFirst(ctx, api, p, r); err != nil {
				return err
			}
		}
		err := d.runInstance(ctx, api, p, r, userData)
		if err == nil || !isNoStock(err) || i == len(r.candidates)-1 {
			return err
		}
		log.Infof("Zone %s has no stock for %s (%v); trying zone %s", zone, r.instanceType, err, r.candidates[i+1])
	}
	return nil
}

// placeFirst makes the network and security group of r's current zone.
func (d *Driver) placeFirst(ctx context.Context, api ecs.API, p *pipeline, r *resolved) error {
	var err error
	if r.network, err = d.ensureNetwork(ctx, api, p, r.network); err != nil {
		return err
	}
	return d.ensureSecurityGroup(ctx, api, p, r)
}

// isNoStock reports the answers that mean "not in this zone now".
func isNoStock(err error) bool {
	return ecs.IsCode(err, "OperationDenied.NoStock", "Zone.NotOnSale", "Zone.NotOpen",
		"InvalidInstanceType.ZoneNotSupported", "OperationDenied.ZoneNotAllowed", "InvalidResourceType.NotSupported")
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
// so the machine is really usable when Create returns. In private-only mode
// the address is the private one: Rancher then runs in the same network.
func (d *Driver) waitSSH(ctx context.Context, p *pipeline) error {
	ctx, cancel := context.WithTimeout(ctx, d.sshWait())
	defer cancel()
	signer, err := sshutil.LoadSigner(d.GetSSHKeyPath())
	if err != nil {
		return fmt.Errorf("could not load the machine's SSH key: %w", err)
	}
	port, _ := d.GetSSHPort()
	probe := sshutil.Probe{
		Addr:   net.JoinHostPort(d.IPAddress, strconv.Itoa(port)),
		User:   d.GetSSHUsername(),
		Signer: signer,
		// Until the guest's network is up a SYN may go unanswered; a new
		// attempt soon beats waiting out TCP's retransmission back-off.
		DialTimeout:      2 * time.Second,
		HandshakeTimeout: 15 * time.Second,
	}
	if err := sshutil.WaitReady(ctx, probe, sshInterval); err != nil {
		return fmt.Errorf("instance %s is Running but SSH on %s never answered: %w", d.InstanceID, probe.Addr, err)
	}
	log.Infof("SSH is ready on %s (elapsed %s)", probe.Addr, p.elapsed())
	return nil
}

// sshInterval polls every 200 ms after a quicker first retry: a probe is
// one TCP connection to the guest (refused at once while sshd is not up),
// costs no API quota, and half an interval on average is time the node
// waits after it is really up.
func sshInterval(attempt int) time.Duration {
	if attempt <= 1 {
		return 100 * time.Millisecond
	}
	return 200 * time.Millisecond
}
