package driver

import (
	"context"
	"fmt"
	"strings"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// findDeploymentSet looks up --aliyunecs-deployment-set-id, so that a wrong
// ID fails the pre-create check rather than RunInstances.
func (d *Driver) findDeploymentSet(ctx context.Context, api ecs.API) (*ecs.DeploymentSet, error) {
	if d.DeploymentSetID == "" {
		return nil, nil
	}
	sets, err := api.DescribeDeploymentSets(ctx, []string{d.DeploymentSetID})
	if err != nil {
		return nil, fmt.Errorf("could not look up --%s %s: %w", flagDeploymentSetID, d.DeploymentSetID, err)
	}
	for i := range sets {
		if sets[i].ID == d.DeploymentSetID {
			return &sets[i], nil
		}
	}
	return nil, fmt.Errorf("--%s: deployment set %s does not exist in region %s", flagDeploymentSetID, d.DeploymentSetID, d.Region)
}

// deploymentSetRoom reports whether the deployment set can take one more
// instance in zone. The cloud reports a capacity only for zones the set
// already uses; a zone it does not list has room.
func (d *Driver) deploymentSetRoom(set *ecs.DeploymentSet, zone string) error {
	if set == nil {
		return nil
	}
	if left, known := set.Available[zone]; known && left <= 0 {
		return fmt.Errorf("--%s: deployment set %s (%s) has no room left in zone %s; use another set or zone", flagDeploymentSetID, set.ID, set.Strategy, zone)
	}
	return nil
}

// checkIPv6Type checks, when IPv6 addresses are wanted, that the instance
// type can hold them (one DescribeInstanceTypes call, made only then).
func (d *Driver) checkIPv6Type(ctx context.Context, api ecs.API, instanceType string) error {
	if d.IPv6AddressCount == 0 {
		return nil
	}
	types, err := api.DescribeInstanceTypes(ctx, []string{instanceType})
	if err != nil {
		return fmt.Errorf("could not look up instance type %s: %w", instanceType, err)
	}
	return d.checkIPv6Capacity(types, instanceType)
}

// checkIPv6Capacity compares --aliyunecs-ipv6address-count with what the
// instance type's network interface takes.
func (d *Driver) checkIPv6Capacity(types []ecs.InstanceType, instanceType string) error {
	if d.IPv6AddressCount == 0 {
		return nil
	}
	for _, t := range types {
		if t.ID != instanceType {
			continue
		}
		if t.IPv6PerENI < d.IPv6AddressCount {
			return fmt.Errorf("--%s: instance type %s takes at most %d IPv6 addresses, not %d", flagIPv6AddressCount, instanceType, t.IPv6PerENI, d.IPv6AddressCount)
		}
		return nil
	}
	return nil // the type is unknown to DescribeInstanceTypes; the dry run decides
}

// noVSwitchInVpc explains why --aliyunecs-vpc-id gave no VSwitch: the VPC
// does not exist, or it has no (IPv6-enabled) VSwitch in a zone that offers
// the instance type. The extra lookup happens only on this error path.
func (d *Driver) noVSwitchInVpc(ctx context.Context, api ecs.API, r *resolved) error {
	vpcs, err := api.DescribeVpcs(ctx, ecs.VpcQuery{VpcIDs: []string{d.VpcID}})
	if err != nil {
		return fmt.Errorf("could not look up --%s %s: %w", flagVpcID, d.VpcID, err)
	}
	if len(vpcs) == 0 {
		return fmt.Errorf("--%s: VPC %s does not exist in region %s", flagVpcID, d.VpcID, d.Region)
	}
	kind := "VSwitch"
	if d.IPv6AddressCount > 0 {
		kind = "VSwitch with an IPv6 block"
	}
	return fmt.Errorf("--%s %s has no %s in a zone that offers %s (%s); pass --%s", flagVpcID, d.VpcID, kind, r.instanceType, strings.Join(r.candidates, ", "), flagVSwitchID)
}
