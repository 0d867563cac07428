package driver

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
)

// preCreateTimeout bounds the read-only checks.
const preCreateTimeout = 3 * time.Minute

// PreCreateCheck validates the configuration against the account with
// read-only calls (credentials, region, zone, instance type, image, network,
// security group, key pair) and checks the user data; nothing is created.
// see [drivers.Driver.PreCreateCheck]. Rancher loops create/delete forever on
// a persistent create error, so everything that can be caught here is.
func (d *Driver) PreCreateCheck() error {
	if d.SSHKeySource != "" {
		if _, err := os.Stat(d.SSHKeySource); err != nil {
			return fmt.Errorf("--%s: %w", flagSSHKeyPath, err)
		}
	}
	payload, err := d.buildUserData()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), preCreateTimeout)
	defer cancel()
	api, err := d.client()
	if err != nil {
		return err
	}
	r, err := d.resolve(ctx, api)
	if err != nil {
		return oneLine(err)
	}
	if d.SSHKeyPair != "" {
		pairs, err := api.DescribeKeyPairs(ctx, d.SSHKeyPair)
		if err != nil {
			return oneLine(fmt.Errorf("could not look up --%s %s: %w", flagSSHKeyPair, d.SSHKeyPair, err))
		}
		if len(pairs) == 0 {
			return fmt.Errorf("--%s: key pair %s does not exist in region %s", flagSSHKeyPair, d.SSHKeyPair, d.Region)
		}
	}
	if err := d.checkSLB(ctx, api); err != nil {
		return oneLine(err)
	}
	if err := d.dryRun(ctx, api, r, payload.Base64); err != nil {
		return oneLine(err)
	}
	d.resolved = r
	log.Infof("Pre-create check passed: region %s, zone %s, %s, image %s", d.Region, r.network.zoneID, r.instanceType, r.image.ID)
	return nil
}

// dryRun asks RunInstances to validate the request without creating
// anything. It needs the VSwitch and security group to exist; when Create
// would make them first, the check is left to Create.
func (d *Driver) dryRun(ctx context.Context, api ecs.API, r *resolved, userData string) error {
	if r.network.vswitchID == "" || r.group == nil {
		return nil
	}
	req := d.runInstancesRequest(r, r.group.ID, userData)
	// The key pair is imported by Create; the dry run checks the rest.
	req.KeyPairName, req.DryRun, req.ClientToken = d.SSHKeyPair, true, ""
	if _, err := api.RunInstances(ctx, req); err != nil && !ecs.IsDryRunOK(err) {
		return fmt.Errorf("RunInstances dry run rejected the configuration: %w", err)
	}
	return nil
}
