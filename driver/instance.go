package driver

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
)

// runInstance launches the instance. Its undo is registered by launch before
// the call: if RunInstances takes effect but its answer is lost, the undo
// finds the instance by its docker-machine-id tag.
func (d *Driver) runInstance(ctx context.Context, api ecs.API, p *pipeline, r *resolved, userData string) error {
	req := d.runInstancesRequest(r, d.SecurityGroupID, userData)
	ids, err := api.RunInstances(ctx, req)
	if err != nil {
		return fmt.Errorf("could not create the instance: %w", err)
	}
	if len(ids) != 1 {
		return fmt.Errorf("could not create the instance: RunInstances returned %d instance IDs", len(ids))
	}
	d.InstanceID = ids[0]
	log.Infof("Created instance %s (%s, %s, zone %s) (elapsed %s)", d.InstanceID, req.InstanceType, req.ImageID, req.ZoneID, p.elapsed())
	return nil
}

// runInstancesRequest maps the configuration to RunInstances.
func (d *Driver) runInstancesRequest(r *resolved, groupID, userData string) ecs.RunInstancesRequest {
	req := ecs.RunInstancesRequest{
		ImageID:            r.image.ID,
		InstanceType:       r.instanceType,
		ZoneID:             r.network.zoneID,
		VSwitchID:          r.network.vswitchID,
		SecurityGroupIDs:   []string{groupID},
		InstanceName:       instanceName(d.MachineName),
		HostName:           hostName(d.MachineName),
		Description:        d.Description,
		KeyPairName:        d.KeyPairName,
		Password:           d.SSHPassword,
		UserData:           userData,
		PrivateIPAddress:   d.PrivateIP,
		InternetChargeType: d.InternetChargeType,
		InstanceChargeType: d.InstanceChargeType,
		SpotStrategy:       d.SpotStrategy,
		SystemDiskCategory: d.SystemDiskCategory,
		SystemDiskSize:     d.SystemDiskSize,
		IoOptimized:        d.IoOptimized,
		ResourceGroupID:    d.ResourceGroupID,
		Tags:               d.machineTags(),
		// One token per zone: a retry in the same zone reuses it, a move
		// to another zone is a different request.
		ClientToken:                d.clientToken("instance/" + r.network.zoneID),
		SystemDiskPerformanceLevel: d.SystemDiskPerformanceLevel,
		SystemDiskEncrypted:        d.DiskEncrypted,
		SystemDiskKMSKeyID:         d.KMSKeyID,
		RAMRoleName:                d.RAMRoleName,
		HTTPTokens:                 d.MetadataHTTPTokens,
		Ipv6AddressCount:           d.IPv6AddressCount,
		DeploymentSetID:            d.DeploymentSetID,
	}
	if !d.PrivateAddressOnly && !d.AllocatePublicStaticIP {
		req.InternetMaxBandwidthOut = max(d.InternetMaxBandwidth, 1)
	}
	if d.InstanceChargeType == "PrePaid" {
		req.Period, req.PeriodUnit = d.Period, d.PeriodUnit
		if req.PeriodUnit == "" {
			req.PeriodUnit = "Month"
		}
	}
	if d.SpotStrategy == "SpotWithPriceLimit" {
		req.SpotPriceLimit = d.SpotPriceLimit
	}
	if d.SpotStrategy != "" && d.SpotStrategy != "NoSpot" {
		duration := d.SpotDuration
		req.SpotDuration = &duration
	}
	if d.DiskSize > 0 {
		req.DataDisks = []ecs.DataDisk{{
			SizeGiB: d.DiskSize, Category: d.DiskCategory, PerformanceLevel: d.DiskPerformanceLevel,
			Encrypted: d.DiskEncrypted, KMSKeyID: d.KMSKeyID, DeleteWithInstance: true, Name: d.resourceName() + "-data",
		}}
	}
	return req
}

// waitRunning waits for Running and records the addresses.
func (d *Driver) waitRunning(ctx context.Context, api ecs.API, p *pipeline) error {
	ctx, cancel := context.WithTimeout(ctx, d.timeouts.withDefaults().Running)
	defer cancel()
	inst, err := ecs.WaitInstanceStatus(ctx, api, d.InstanceID, ecs.StatusRunning)
	if err != nil {
		return fmt.Errorf("instance %s did not reach Running: %w", d.InstanceID, err)
	}
	d.recordAddresses(inst)
	if d.IPAddress == "" && !d.AllocatePublicStaticIP {
		return fmt.Errorf("instance %s is Running but has no address", d.InstanceID)
	}
	if d.IPv6AddressCount > 0 && d.IPv6Address == "" {
		return fmt.Errorf("instance %s is Running but has none of the %d IPv6 addresses --%s asked for", d.InstanceID, d.IPv6AddressCount, flagIPv6AddressCount)
	}
	if d.IPv6Address != "" {
		log.Infof("Instance %s is Running at %s (private %s, IPv6 %s) (elapsed %s)", d.InstanceID, d.IPAddress, d.PrivateIPAddress, d.IPv6Address, p.elapsed())
		return nil
	}
	log.Infof("Instance %s is Running at %s (private %s) (elapsed %s)", d.InstanceID, d.IPAddress, d.PrivateIPAddress, p.elapsed())
	return nil
}

// recordAddresses stores the address rancher-machine should use: the public
// one, the EIP, or with --aliyunecs-private-address-only the private one.
// The first IPv6 address is what GetIPv6 answers.
func (d *Driver) recordAddresses(inst *ecs.Instance) {
	d.PrivateIPAddress = inst.PrivateIP
	d.IPv6Address = ""
	if len(inst.IPv6Addresses) > 0 {
		d.IPv6Address = inst.IPv6Addresses[0]
	}
	switch {
	case d.PrivateAddressOnly:
		d.IPAddress = inst.PrivateIP
	case inst.EipAddress != "":
		d.IPAddress = inst.EipAddress
	default:
		d.IPAddress = inst.PublicIP
	}
}

// instanceNamePattern is ECS's InstanceName rule: 2-128 characters starting
// with a letter, then letters, digits, ':', '_', '.', '-'.
var instanceNamePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9:_.\-]{1,127}$`)

// instanceName is the machine name when ECS accepts it; otherwise empty,
// which lets ECS name the instance after its ID (the tags still carry the
// machine name).
func instanceName(machine string) string {
	if instanceNamePattern.MatchString(machine) {
		return machine
	}
	return ""
}

// hostName turns the machine name into a valid Linux ECS HostName: at most 64
// characters of letters, digits, '-' and '.', no leading, trailing or doubled
// separators. rancher-machine sets the same hostname through cloud-init.
func hostName(machine string) string {
	var b strings.Builder
	lastSep := true
	for _, r := range machine {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
			lastSep = false
		case (r == '-' || r == '.') && !lastSep:
			b.WriteRune(r)
			lastSep = true
		}
	}
	h := b.String()
	if len(h) > 64 {
		h = h[:64]
	}
	h = strings.TrimRight(h, "-.")
	if len(h) < 2 {
		return ""
	}
	return h
}
