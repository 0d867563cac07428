package driver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
)

// eipWait bounds each elastic IP state change (seconds in the real cloud).
const eipWait = 2 * time.Minute

// attachEIP allocates an elastic IP for the machine, tags it, associates it
// with the instance and makes it the machine's address. The EIP carries the
// machine's resource name from the start, so rollback and Remove find it
// even if its allocation answer was lost before the tags were set.
func (d *Driver) attachEIP(ctx context.Context, api ecs.API, p *pipeline) error {
	p.onFailure("the elastic IP of machine "+d.MachineName, func(ctx context.Context) error { return d.releaseEIPs(ctx, api) })
	eip, err := api.AllocateEipAddress(ctx, ecs.AllocateEipRequest{
		Bandwidth:          max(d.InternetMaxBandwidth, 1),
		InternetChargeType: d.InternetChargeType,
		Name:               d.resourceName(),
		Description:        "docker-machine " + d.MachineName,
		ResourceGroupID:    d.ResourceGroupID,
		ClientToken:        d.clientToken("eip"),
	})
	if err != nil {
		return fmt.Errorf("could not allocate an elastic IP: %w", err)
	}
	d.EipAllocationID = eip.AllocationID
	log.Infof("Allocated elastic IP %s (%s) (elapsed %s)", eip.AllocationID, eip.IPAddress, p.elapsed())
	if err := api.TagVpcResources(ctx, "EIP", []string{eip.AllocationID}, d.machineTags()); err != nil {
		return fmt.Errorf("could not tag elastic IP %s: %w", eip.AllocationID, err)
	}
	if err := api.AssociateEipAddress(ctx, eip.AllocationID, d.InstanceID); err != nil {
		return fmt.Errorf("could not associate elastic IP %s with instance %s: %w", eip.AllocationID, d.InstanceID, err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, eipWait)
	defer cancel()
	bound, err := ecs.WaitEipStatus(waitCtx, api, eip.AllocationID, ecs.EipInUse)
	if err != nil {
		return fmt.Errorf("elastic IP %s did not become InUse: %w", eip.AllocationID, err)
	}
	d.IPAddress = bound.IPAddress
	log.Infof("Elastic IP %s is bound to %s (elapsed %s)", bound.IPAddress, d.InstanceID, p.elapsed())
	return nil
}

// releaseEIPs unassociates and releases the elastic IPs this machine
// allocated: the recorded one, and any carrying the machine's resource name
// (an allocation whose answer was lost). EIPs outlive their instance and stay
// billable, so this runs before and independently of the instance's deletion.
func (d *Driver) releaseEIPs(ctx context.Context, api ecs.API) error {
	ids, err := d.eipsToRelease(ctx, api)
	if err != nil {
		return err
	}
	var errs []error
	for _, eip := range ids {
		if err := d.releaseEIP(ctx, api, eip); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		d.EipAllocationID = ""
	}
	return errors.Join(errs...)
}

func (d *Driver) eipsToRelease(ctx context.Context, api ecs.API) ([]ecs.EipAddress, error) {
	if !d.AllocatePublicStaticIP && d.EipAllocationID == "" {
		return nil, nil
	}
	byName, err := api.DescribeEipAddresses(ctx, ecs.EipQuery{Name: d.resourceName()})
	if err != nil {
		return nil, fmt.Errorf("could not look for the elastic IPs of machine %s: %w", d.MachineName, err)
	}
	found := map[string]ecs.EipAddress{}
	for _, e := range byName {
		found[e.AllocationID] = e
	}
	if d.EipAllocationID != "" {
		if _, ok := found[d.EipAllocationID]; !ok {
			byID, err := api.DescribeEipAddresses(ctx, ecs.EipQuery{AllocationIDs: []string{d.EipAllocationID}})
			if err != nil {
				return nil, fmt.Errorf("could not describe elastic IP %s: %w", d.EipAllocationID, err)
			}
			for _, e := range byID {
				found[e.AllocationID] = e
			}
		}
	}
	out := make([]ecs.EipAddress, 0, len(found))
	for _, e := range found {
		out = append(out, e)
	}
	return out, nil
}

// releaseEIP waits out a transition, unassociates the EIP if it is bound and
// releases it once Available.
func (d *Driver) releaseEIP(ctx context.Context, api ecs.API, eip ecs.EipAddress) error {
	ctx, cancel := context.WithTimeout(ctx, 2*eipWait)
	defer cancel()
	id := eip.AllocationID
	if eip.Status == ecs.EipAssociating || eip.Status == ecs.EipInUse {
		if eip.Status == ecs.EipAssociating {
			if _, err := ecs.WaitEipStatus(ctx, api, id, ecs.EipInUse); err != nil {
				return fmt.Errorf("elastic IP %s: %w", id, err)
			}
		}
		if err := api.UnassociateEipAddress(ctx, id, eip.InstanceID, false); err != nil && !ecs.IsNotFound(err) {
			return fmt.Errorf("could not unassociate elastic IP %s: %w", id, err)
		}
	}
	if eip.Status != ecs.EipAvailable {
		if _, err := ecs.WaitEipStatus(ctx, api, id, ecs.EipAvailable); err != nil {
			if ecs.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("elastic IP %s did not become Available: %w", id, err)
		}
	}
	if err := api.ReleaseEipAddress(ctx, id); err != nil && !ecs.IsNotFound(err) {
		return fmt.Errorf("could not release elastic IP %s: %w", id, err)
	}
	log.Infof("Released elastic IP %s (%s)", id, eip.IPAddress)
	return nil
}
