package driver

import (
	"context"
	"fmt"
	"time"

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
	if d.AllocatePublicStaticIP {
		return fmt.Errorf("--%s: elastic IPs are not supported by this version yet; use --%s", flagAllocatePublicStaticIP, flagInternetMaxBandwidth)
	}
	if d.SLBID != "" {
		return fmt.Errorf("--%s: load balancer attachment is not supported by this version yet", flagSLBID)
	}
	if _, err := d.buildUserData(); err != nil {
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
	d.resolved = r
	log.Infof("Pre-create check passed: region %s, zone %s, %s, image %s", d.Region, r.network.zoneID, r.instanceType, r.image.ID)
	return nil
}
