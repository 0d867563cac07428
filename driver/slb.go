package driver

import (
	"context"
	"fmt"
	"slices"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
)

// slbWeight is the backend weight the legacy driver used.
const slbWeight = 100

// checkSLB makes sure --aliyunecs-slb-id exists, read-only.
func (d *Driver) checkSLB(ctx context.Context, api ecs.API) error {
	if d.SLBID == "" {
		return nil
	}
	if _, err := api.DescribeLoadBalancerAttribute(ctx, d.SLBID); err != nil {
		return fmt.Errorf("--%s %s: %w", flagSLBID, d.SLBID, err)
	}
	return nil
}

// attachSLB adds the instance to --aliyunecs-slb-id as a backend.
func (d *Driver) attachSLB(ctx context.Context, api ecs.API, p *pipeline) error {
	id := d.InstanceID
	p.onFailure("load balancer backend "+id, func(ctx context.Context) error { return d.detachSLB(ctx, api, []string{id}) })
	err := api.AddBackendServers(ctx, d.SLBID, []ecs.BackendServer{{ServerID: id, Weight: slbWeight}})
	if err != nil {
		return fmt.Errorf("could not add instance %s to load balancer %s: %w", id, d.SLBID, err)
	}
	log.Infof("Added instance %s to load balancer %s (elapsed %s)", id, d.SLBID, p.elapsed())
	return nil
}

// detachSLB removes the instances from --aliyunecs-slb-id where they are
// backends. The membership check, rather than a saved flag, decides, so a
// create that died right after adding the backend is cleaned up too. A load
// balancer that is gone is fine.
func (d *Driver) detachSLB(ctx context.Context, api ecs.API, instanceIDs []string) error {
	if d.SLBID == "" || len(instanceIDs) == 0 {
		return nil
	}
	lb, err := api.DescribeLoadBalancerAttribute(ctx, d.SLBID)
	if ecs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not read load balancer %s: %w", d.SLBID, err)
	}
	var members []string
	for _, b := range lb.Backends {
		if slices.Contains(instanceIDs, b.ServerID) {
			members = append(members, b.ServerID)
		}
	}
	if len(members) == 0 {
		return nil
	}
	if err := api.RemoveBackendServers(ctx, d.SLBID, members); err != nil && !ecs.IsNotFound(err) {
		return fmt.Errorf("could not remove %v from load balancer %s: %w", members, d.SLBID, err)
	}
	log.Infof("Removed %v from load balancer %s", members, d.SLBID)
	return nil
}
