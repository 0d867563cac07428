package driver

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
)

// The VPC the driver creates when the region has no usable one. Its
// VSwitches take /20 blocks of it, one per zone.
const (
	driverVpcCIDR      = "172.16.0.0/12"
	driverVSwitchBits  = 20
	driverNetworkName  = "docker-machine"
	driverNetworkUsage = "Created by docker-machine-driver-aliyunecs; shared by its machines"
)

// networkPlan is where the instance goes. When vswitchID is empty the
// network step creates what is missing (a VPC when vpcID is empty too).
type networkPlan struct {
	vpcID     string
	vswitchID string
	zoneID    string
	// vpcIPv6 is the VPC's IPv6 block when the network step creates a
	// VSwitch in an IPv6-enabled VPC of the driver's (the VSwitch then gets
	// a /64 of it).
	vpcIPv6 string
}

// planNetwork resolves where an instance in zone goes, read-only. found is
// false when no usable VSwitch exists there yet; the plan then says what
// ensureNetwork creates (a VSwitch in plan.vpcID, or a VPC too when vpcID is
// empty). A given --aliyunecs-vpc-id must already hold a VSwitch in the zone.
// With --aliyunecs-ipv6address-count only VSwitches with an IPv6 block
// count, and only the driver's VPCs that have IPv6 get new ones.
func (d *Driver) planNetwork(ctx context.Context, api ecs.API, zone string) (plan networkPlan, found bool, err error) {
	if d.VpcID != "" {
		plan, found, err = d.findVSwitch(ctx, api, ecs.VSwitchQuery{VpcID: d.VpcID, ZoneID: zone})
		return plan, found, err
	}
	// Nothing given: the region's default VPC, then the VPC this driver made
	// earlier, then a new one.
	isDefault := true
	defaults, err := api.DescribeVpcs(ctx, ecs.VpcQuery{IsDefault: &isDefault})
	if err != nil {
		return networkPlan{}, false, fmt.Errorf("could not list the default VPC: %w", err)
	}
	for _, vpc := range defaults {
		if plan, found, err := d.findVSwitch(ctx, api, ecs.VSwitchQuery{VpcID: vpc.ID, ZoneID: zone}); err != nil || found {
			return plan, found, err
		}
	}
	owned, err := api.DescribeVpcs(ctx, ecs.VpcQuery{Tags: ownershipTags()})
	if err != nil {
		return networkPlan{}, false, fmt.Errorf("could not list the driver's VPCs: %w", err)
	}
	owned = slices.DeleteFunc(owned, func(v ecs.Vpc) bool { return d.IPv6AddressCount > 0 && v.Ipv6CidrBlock == "" })
	for _, vpc := range owned {
		q := ecs.VSwitchQuery{VpcID: vpc.ID, ZoneID: zone, Tags: ownershipTags()}
		if plan, found, err := d.findVSwitch(ctx, api, q); err != nil || found {
			return plan, found, err
		}
	}
	plan = networkPlan{zoneID: zone}
	if len(owned) > 0 {
		plan.vpcID, plan.vpcIPv6 = owned[0].ID, owned[0].Ipv6CidrBlock
	}
	return plan, false, nil
}

// planGivenVSwitch resolves --aliyunecs-vswitch-id, which fixes the VPC and
// the zone; a mismatching --aliyunecs-vpc-id or --aliyunecs-zone is an error.
func (d *Driver) planGivenVSwitch(ctx context.Context, api ecs.API) (networkPlan, error) {
	vsws, err := api.DescribeVSwitches(ctx, ecs.VSwitchQuery{VSwitchID: d.VSwitchID})
	if err != nil {
		return networkPlan{}, fmt.Errorf("could not look up --%s %s: %w", flagVSwitchID, d.VSwitchID, err)
	}
	if len(vsws) == 0 {
		return networkPlan{}, fmt.Errorf("--%s: VSwitch %s does not exist in region %s", flagVSwitchID, d.VSwitchID, d.Region)
	}
	vsw := vsws[0]
	if d.VpcID != "" && d.VpcID != vsw.VpcID {
		return networkPlan{}, fmt.Errorf("--%s %s belongs to VPC %s, not --%s %s", flagVSwitchID, vsw.ID, vsw.VpcID, flagVpcID, d.VpcID)
	}
	if d.Zone != "" && d.Zone != vsw.ZoneID {
		return networkPlan{}, fmt.Errorf("--%s %s is in zone %s, not --%s %s", flagVSwitchID, vsw.ID, vsw.ZoneID, flagZone, d.Zone)
	}
	if d.IPv6AddressCount > 0 && vsw.Ipv6CidrBlock == "" {
		return networkPlan{}, fmt.Errorf("--%s needs a VSwitch with an IPv6 block; --%s %s has none (enable IPv6 on it and its VPC)", flagIPv6AddressCount, flagVSwitchID, vsw.ID)
	}
	return networkPlan{vpcID: vsw.VpcID, vswitchID: vsw.ID, zoneID: vsw.ZoneID}, nil
}

// findVSwitch returns the first VSwitch matching q that suits the machine
// (has an IPv6 block when --aliyunecs-ipv6address-count asks for one).
func (d *Driver) findVSwitch(ctx context.Context, api ecs.API, q ecs.VSwitchQuery) (networkPlan, bool, error) {
	vsws, err := api.DescribeVSwitches(ctx, q)
	if err != nil {
		return networkPlan{}, false, fmt.Errorf("could not list the VSwitches of VPC %s: %w", q.VpcID, err)
	}
	for _, vsw := range vsws {
		if vsw.ZoneID == q.ZoneID && (d.IPv6AddressCount == 0 || vsw.Ipv6CidrBlock != "") {
			return networkPlan{vpcID: vsw.VpcID, vswitchID: vsw.ID, zoneID: vsw.ZoneID}, true, nil
		}
	}
	return networkPlan{}, false, nil
}

// ensureNetwork creates the VPC and VSwitch a plan lacks. They are tagged as
// the driver's, shared by later machines and never deleted by rm, so a failed
// create leaves them (they cost nothing) rather than racing another machine
// that is starting to use them.
func (d *Driver) ensureNetwork(ctx context.Context, api ecs.API, p *pipeline, plan networkPlan) (networkPlan, error) {
	if plan.vswitchID != "" {
		return plan, nil
	}
	if plan.vpcID == "" {
		ipv6 := d.IPv6AddressCount > 0
		id, err := createShared(func(gone string) (string, error) {
			return api.CreateVpc(ctx, ecs.CreateVpcRequest{
				CidrBlock: driverVpcCIDR, Name: driverNetworkName, Description: driverNetworkUsage,
				ResourceGroupID: d.ResourceGroupID, EnableIpv6: ipv6,
				ClientToken: sharedToken(time.Now(), "vpc", d.Region, d.ResourceGroupID, fmt.Sprint(ipv6), tagsKey(d.sharedTags()), gone),
				Tags:        d.sharedTags(),
			})
		}, func(id string) (err error) {
			plan.vpcIPv6, err = waitVpcAvailable(ctx, api, id)
			return err
		})
		if err != nil {
			return plan, fmt.Errorf("could not create a VPC: %w", err)
		}
		if ipv6 && plan.vpcIPv6 == "" {
			return plan, fmt.Errorf("VPC %s was created with IPv6 enabled but has no IPv6 block", id)
		}
		plan.vpcID = id
		log.Infof("Created VPC %s (%s%s) for the driver's machines (elapsed %s)", id, driverVpcCIDR, prefixed(", ", plan.vpcIPv6), p.elapsed())
	}
	existing, err := api.DescribeVSwitches(ctx, ecs.VSwitchQuery{VpcID: plan.vpcID})
	if err != nil {
		return plan, fmt.Errorf("could not list the VSwitches of VPC %s: %w", plan.vpcID, err)
	}
	// Another machine may have just made the zone's VSwitch: use it rather
	// than a second one in the next free block.
	for _, v := range existing {
		if v.ZoneID == plan.zoneID && hasTag(v.Tags, tagManagedBy, tagManagedByValue) && (d.IPv6AddressCount == 0 || v.Ipv6CidrBlock != "") {
			plan.vswitchID = v.ID
			return plan, waitVSwitchAvailable(ctx, api, v.ID)
		}
	}
	cidr, err := freeSubnet(driverVpcCIDR, driverVSwitchBits, existing)
	if err != nil {
		return plan, fmt.Errorf("VPC %s: %w", plan.vpcID, err)
	}
	// Every VSwitch of an IPv6-enabled VPC of the driver's gets a /64, so
	// later dual-stack machines can share it.
	var ipv6Index *int
	if plan.vpcIPv6 != "" {
		i, err := freeIPv6Index(plan.vpcIPv6, existing)
		if err != nil {
			return plan, fmt.Errorf("VPC %s: %w", plan.vpcID, err)
		}
		ipv6Index = &i
	}
	id, err := createShared(func(gone string) (string, error) {
		return api.CreateVSwitch(ctx, ecs.CreateVSwitchRequest{
			VpcID: plan.vpcID, ZoneID: plan.zoneID, CidrBlock: cidr, Name: driverNetworkName, Description: driverNetworkUsage,
			Ipv6Index:   ipv6Index,
			ClientToken: sharedToken(time.Now(), "vswitch", plan.vpcID, plan.zoneID, cidr, fmt.Sprint(ipv6Index != nil), tagsKey(d.sharedTags()), gone),
			Tags:        d.sharedTags(),
		})
	}, func(id string) error { return waitVSwitchAvailable(ctx, api, id) })
	if err != nil {
		return plan, fmt.Errorf("could not create a VSwitch in VPC %s zone %s: %w", plan.vpcID, plan.zoneID, err)
	}
	plan.vswitchID = id
	log.Infof("Created VSwitch %s (%s%s) in zone %s (elapsed %s)", id, cidr, ipv6IndexNote(ipv6Index), plan.zoneID, p.elapsed())
	return plan, nil
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func ipv6IndexNote(i *int) string {
	if i == nil {
		return ""
	}
	return fmt.Sprintf(", IPv6 /64 #%d", *i)
}

// createShared creates a shared resource with a sharedToken and waits for
// it. A token that the cloud still remembers can hand back a resource
// someone has since deleted; then ready reports NotFound and the resource is
// created once more with a token that names the gone ID.
func createShared(create func(gone string) (string, error), ready func(id string) error) (string, error) {
	gone := ""
	for {
		id, err := create(gone)
		if err != nil {
			return "", err
		}
		err = ready(id)
		if ecs.IsNotFound(err) && gone != id {
			gone = id
			continue
		}
		return id, err
	}
}

// freeSubnet returns the first /bits block of parent that overlaps none of
// the existing VSwitches.
func freeSubnet(parent string, bits int, existing []ecs.VSwitch) (string, error) {
	pp, err := netip.ParsePrefix(parent)
	if err != nil {
		return "", err
	}
	var used []netip.Prefix
	for _, v := range existing {
		if p, err := netip.ParsePrefix(v.CidrBlock); err == nil {
			used = append(used, p.Masked())
		}
	}
	step := uint32(1) << (32 - bits)
	base := pp.Masked().Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	count := uint32(1) << (bits - pp.Bits())
	for i := uint32(0); i < count; i++ {
		a := start + i*step
		candidate := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), bits)
		free := true
		for _, u := range used {
			if u.Overlaps(candidate) {
				free = false
				break
			}
		}
		if free {
			return candidate.String(), nil
		}
	}
	return "", fmt.Errorf("no free /%d block left in %s", bits, parent)
}

// freeIPv6Index returns the lowest /64 index (0-255) of the VPC's /56 that
// no existing VSwitch uses.
func freeIPv6Index(vpcBlock string, existing []ecs.VSwitch) (int, error) {
	if _, err := netip.ParsePrefix(vpcBlock); err != nil {
		return 0, fmt.Errorf("IPv6 block %q: %w", vpcBlock, err)
	}
	used := map[int]bool{}
	for _, v := range existing {
		if p, err := netip.ParsePrefix(v.Ipv6CidrBlock); err == nil && p.Addr().Is6() {
			used[int(p.Addr().As16()[7])] = true // bits 56-63: the /64 within the /56
		}
	}
	for i := 0; i < 256; i++ {
		if !used[i] {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no free IPv6 /64 left in %s", vpcBlock)
}

// notListedPolls is how many polls in a row must miss a just-created
// resource before a wait calls it gone (listings can lag a create briefly).
const notListedPolls = 5

// waitVpcAvailable waits for the VPC and returns its IPv6 block ("" when it
// has none).
func waitVpcAvailable(ctx context.Context, api ecs.API, id string) (ipv6 string, err error) {
	missing := 0
	err = ecs.WaitFor(ctx, func(ctx context.Context) (bool, error) {
		vpcs, err := api.DescribeVpcs(ctx, ecs.VpcQuery{VpcIDs: []string{id}})
		if err != nil {
			return !ecs.IsRetryable(err), err
		}
		if len(vpcs) == 0 {
			missing++
			return missing >= notListedPolls, &ecs.APIError{Action: "DescribeVpcs", Code: "InvalidVpcId.NotFound", Message: "VPC " + id + " is not listed"}
		}
		ipv6 = vpcs[0].Ipv6CidrBlock
		return vpcs[0].Status == "Available", nil
	}, ecs.Backoff{})
	if err != nil {
		return "", fmt.Errorf("VPC %s did not become Available: %w", id, err)
	}
	return ipv6, nil
}

func waitVSwitchAvailable(ctx context.Context, api ecs.API, id string) error {
	missing := 0
	err := ecs.WaitFor(ctx, func(ctx context.Context) (bool, error) {
		vsws, err := api.DescribeVSwitches(ctx, ecs.VSwitchQuery{VSwitchID: id})
		if err != nil {
			return !ecs.IsRetryable(err), err
		}
		if len(vsws) == 0 {
			missing++
			return missing >= notListedPolls, &ecs.APIError{Action: "DescribeVSwitches", Code: "InvalidVSwitchId.NotFound", Message: "VSwitch " + id + " is not listed"}
		}
		return vsws[0].Status == "Available", nil
	}, ecs.Backoff{})
	if err != nil {
		return fmt.Errorf("VSwitch %s did not become Available: %w", id, err)
	}
	return nil
}
