package driver

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
)

// findSecurityGroup resolves --aliyunecs-security-group, an ID (the Rancher
// UI sends IDs) or a name, in the machine's VPC. It returns nil when the name
// does not exist yet and the driver will create it. vpcID may be empty when
// the VPC is still to be created, in which case no group can exist yet.
func (d *Driver) findSecurityGroup(ctx context.Context, api ecs.API, vpcID string) (*ecs.SecurityGroup, error) {
	if strings.HasPrefix(d.SecurityGroup, "sg-") {
		groups, err := api.DescribeSecurityGroups(ctx, ecs.SecurityGroupQuery{SecurityGroupIDs: []string{d.SecurityGroup}})
		if err != nil {
			return nil, fmt.Errorf("could not look up --%s %s: %w", flagSecurityGroup, d.SecurityGroup, err)
		}
		if len(groups) == 0 {
			return nil, fmt.Errorf("--%s: security group %s does not exist in region %s", flagSecurityGroup, d.SecurityGroup, d.Region)
		}
		if vpcID == "" {
			return nil, fmt.Errorf("--%s %s is in VPC %s, which has no VSwitch where the instance goes; pass --%s or --%s", flagSecurityGroup, groups[0].ID, groups[0].VpcID, flagVSwitchID, flagVpcID)
		}
		if groups[0].VpcID != vpcID {
			return nil, fmt.Errorf("--%s %s is in VPC %s, but the instance goes to VPC %s", flagSecurityGroup, groups[0].ID, groups[0].VpcID, vpcID)
		}
		return &groups[0], nil
	}
	if vpcID == "" {
		return nil, nil
	}
	groups, err := api.DescribeSecurityGroups(ctx, ecs.SecurityGroupQuery{VpcID: vpcID, Name: d.SecurityGroup})
	if err != nil {
		return nil, fmt.Errorf("could not look up security group %q: %w", d.SecurityGroup, err)
	}
	// Prefer a group the driver owns: two machines racing to create the
	// default group may both succeed, and converging on the owned one keeps
	// later machines together.
	var found *ecs.SecurityGroup
	for i := range groups {
		g := &groups[i]
		if g.Name != d.SecurityGroup || g.VpcID != vpcID {
			continue
		}
		if hasTag(g.Tags, tagManagedBy, tagManagedByValue) {
			return g, nil
		}
		if found == nil {
			found = g
		}
	}
	return found, nil
}

// ensureSecurityGroup finds the group of r's VPC (unless resolve just
// looked) and creates it when missing; r.group then holds it. A group the
// user made is used as it is: the driver never changes what it does not own.
// The rules of an owned group are opened later by openGroupRules.
func (d *Driver) ensureSecurityGroup(ctx context.Context, api ecs.API, p *pipeline, r *resolved) error {
	vpcID := r.network.vpcID
	group := r.group
	if !r.groupLooked {
		var err error
		if group, err = d.findSecurityGroup(ctx, api, vpcID); err != nil {
			return err
		}
	}
	r.groupRules = nil
	if group == nil {
		var created *ecs.SecurityGroup
		id, err := createShared(func(gone string) (string, error) {
			return api.CreateSecurityGroup(ctx, ecs.CreateSecurityGroupRequest{
				VpcID: vpcID, Name: d.SecurityGroup, Description: driverNetworkUsage, ResourceGroupID: d.ResourceGroupID,
				ClientToken: sharedToken(time.Now(), "security-group", d.Region, vpcID, d.SecurityGroup, tagsKey(d.sharedTags()), gone),
				Tags:        d.sharedTags(),
			})
		}, func(id string) (err error) {
			// Reading the rules proves the group exists (a replayed token can
			// name a deleted one) and saves reading them again later.
			created, err = api.DescribeSecurityGroupAttribute(ctx, id)
			return err
		})
		if err != nil {
			return fmt.Errorf("could not create security group %q in VPC %s: %w", d.SecurityGroup, vpcID, err)
		}
		// The group is shared by every machine that names it, so a failed
		// create keeps it: another machine may already be launching into it.
		log.Infof("Created security group %s (%s) in VPC %s (elapsed %s)", id, d.SecurityGroup, vpcID, p.elapsed())
		group = &ecs.SecurityGroup{ID: id, Name: d.SecurityGroup, VpcID: vpcID, Tags: ownershipTags()}
		r.groupRules = append([]ecs.Permission{}, created.Rules...)
	}
	r.group, r.groupLooked = group, true
	d.SecurityGroupID = group.ID
	if !hasTag(group.Tags, tagManagedBy, tagManagedByValue) {
		log.Infof("Using security group %s (%s) as it is: the driver did not create it", group.ID, group.Name)
	}
	return nil
}

// openGroupRules adds the rules a driver-owned group lacks. It runs after
// RunInstances: until it is done the instance is only less reachable, and
// its two round trips overlap the boot instead of delaying it.
func (d *Driver) openGroupRules(ctx context.Context, api ecs.API, p *pipeline, r *resolved) error {
	group := r.group
	if group == nil || !hasTag(group.Tags, tagManagedBy, tagManagedByValue) {
		return nil
	}
	rules := r.groupRules
	if rules == nil {
		attr, err := api.DescribeSecurityGroupAttribute(ctx, group.ID)
		if err != nil {
			return fmt.Errorf("could not read the rules of security group %s: %w", group.ID, err)
		}
		rules = attr.Rules
	}
	missing := missingRules(d.wantedRules(group.ID), rules)
	if len(missing) == 0 {
		return nil
	}
	if err := api.AuthorizeSecurityGroup(ctx, group.ID, missing); err != nil {
		return fmt.Errorf("could not open ports in security group %s: %w", group.ID, err)
	}
	log.Infof("Opened %d rule(s) in security group %s (elapsed %s)", len(missing), group.ID, p.elapsed())
	return nil
}
