package ecssim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

func actRunInstances(c *call) (any, error) {
	r, aerr := parseRun(c.p)
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	sw, rg, aerr := r.resolve(c, rs)
	if aerr != nil {
		return nil, aerr
	}
	if r.dryRun {
		return nil, errDryRun()
	}
	// Public addresses first: they are the only step that can fail for
	// reasons outside the request, and nothing must be half-created.
	var publicIPs []string
	if r.bwOut > 0 {
		for range r.amount {
			a, err := allocPublicIP(c.s.cfg.guestSSHPort)
			if err != nil {
				for _, ip := range publicIPs {
					freePublicIP(ip)
				}
				return nil, fmt.Errorf("allocating public address: %w", err)
			}
			publicIPs = append(publicIPs, a.String())
		}
	}
	ids := make([]string, 0, r.amount)
	for i := range r.amount {
		inst := r.newInstance(c, rs, sw, rg, i)
		if len(publicIPs) > 0 {
			inst.PublicIP = publicIPs[i]
		}
		ids = append(ids, inst.ID)
		c.s.launch(inst)
	}
	c.s.cfg.logf("ecssim: RunInstances %s: %s", c.regionID, strings.Join(ids, ","))
	return obj{"OrderId": newOrderID(), "TradePrice": r.price(), "InstanceIdSets": wrap("InstanceIdSet", ids)}, nil
}

// actCreateInstance is the legacy single-instance create: the instance
// starts Stopped, and gets no public IP even with bandwidth (that takes
// AllocatePublicIpAddress).
func actCreateInstance(c *call) (any, error) {
	// RunInstances-only parameters mean nothing to CreateInstance; the
	// real service ignores unknown parameters.
	p := params{}
	for k, v := range c.p {
		if k != "Amount" && k != "UniqueSuffix" && !strings.HasPrefix(k, "HostNames.") &&
			!strings.HasPrefix(k, "SecurityGroupIds.") && !strings.HasPrefix(k, "NetworkInterface.") &&
			k != "Ipv6AddressCount" && !strings.HasPrefix(k, "Ipv6Address.") {
			p[k] = v
		}
	}
	r, aerr := parseRun(p)
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	sw, rg, aerr := r.resolve(c, rs)
	if aerr != nil {
		return nil, aerr
	}
	if r.dryRun {
		return nil, errDryRun()
	}
	inst := r.newInstance(c, rs, sw, rg, 0)
	setStatus(inst, instStopped)
	c.s.cfg.logf("ecssim: CreateInstance %s: %s", c.regionID, inst.ID)
	return obj{"InstanceId": inst.ID, "OrderId": newOrderID(), "TradePrice": r.price()}, nil
}

func newOrderID() string { return fmt.Sprintf("%d", 200000000000000+rand.Int64N(99999999999999)) }

// price is the simulated TradePrice of a create call.
func (r *runRequest) price() float64 {
	p := r.itype.hourlyPrice()
	if r.spotStrategy != "NoSpot" {
		p = r.itype.spotPrice()
	}
	return float64(int(p*float64(r.amount)*1000+0.5)) / 1000
}

// resolve checks a create request against the account and the region's
// resources: network, key pair, RAM role, resource group, deployment set
// and stock, in that order. The store must be locked.
func (r *runRequest) resolve(c *call, rs *regionState) (*vswitch, string, *apiError) {
	sw, aerr := r.resolveNetwork(rs)
	if aerr != nil {
		return nil, "", aerr
	}
	if r.keyPairName != "" && rs.keyPairs[r.keyPairName] == nil {
		return nil, "", apiErr(http.StatusNotFound, "InvalidKeyPairName.NotFound", "The specified parameter KeyPairName does not exist in our records.")
	}
	if r.ramRole != "" && !c.s.st.ramRoles[r.ramRole] {
		return nil, "", apiErr(http.StatusNotFound, "InvalidRamRole.NotFound", "The specified RAM role does not exist.")
	}
	rg, aerr := c.resourceGroupParam()
	if aerr != nil {
		return nil, "", aerr
	}
	if aerr := r.resolveDeploymentSet(rs, sw.ZoneID); aerr != nil {
		return nil, "", aerr
	}
	if !c.s.st.inStockLocked(rs.info.ID, sw.ZoneID, r.itype.ID) {
		return nil, "", errNoStock()
	}
	return sw, rg, nil
}

// resolveNetwork checks the VSwitch, zone, security groups and private
// and IPv6 addresses of a create request against the region's resources.
func (r *runRequest) resolveNetwork(rs *regionState) (*vswitch, *apiError) {
	if r.zoneID != "" && !rs.info.hasZone(r.zoneID) {
		return nil, apiErr(http.StatusNotFound, "InvalidZoneId.NotFound", "The specified zone does not exist.")
	}
	if r.vswitchID == "" {
		return nil, errMissing("VSwitchId")
	}
	sw := rs.vswitches[r.vswitchID]
	if sw == nil {
		return nil, errVSwitchNotFound()
	}
	if sw.Status != statusAvailable {
		return nil, apiErr(http.StatusBadRequest, "IncorrectVSwitchStatus", "The current status of virtual switch does not support this operation.")
	}
	if r.zoneID != "" && r.zoneID != sw.ZoneID {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Mismatch", "Specified virtual switch is not in the specified zone.")
	}
	if len(r.groupIDs) == 0 {
		return nil, errMissing("SecurityGroupId")
	}
	for _, id := range r.groupIDs {
		g := rs.groups[id]
		if g == nil {
			return nil, errSecurityGroupNotFound()
		}
		if g.VpcID != sw.VpcID {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Mismatch", "Specified security group and virtual switch are not in the same VPC.")
		}
	}
	if r.privateIP.IsValid() {
		if aerr := sw.checkIP(r.privateIP); aerr != nil {
			return nil, aerr
		}
	}
	if sw.availableIPs() < r.amount {
		return nil, apiErr(http.StatusBadRequest, "InvalidVSwitchId.IpNotEnough", "The specified VSwitch has not enough IP addresses.")
	}
	if aerr := r.resolveIpv6(sw); aerr != nil {
		return nil, aerr
	}
	return sw, nil
}

// newInstance creates the i-th instance of a request with its disks; the
// store is locked. The caller sets the status.
func (r *runRequest) newInstance(c *call, rs *regionState, sw *vswitch, rg string, i int) *instance {
	st := c.s.st
	code := rs.info.Code
	id := newID("i", code, lenInstanceID)
	name, host := r.nameFor(i)
	inst := &instance{
		ID: id, Region: rs.info.ID, ZoneID: sw.ZoneID, Name: defaultStr(name, id),
		HostName: defaultStr(host, "iZ"+strings.TrimPrefix(id, "i-")+"Z"), Description: r.description,
		ImageID: r.image.ID, InstanceType: r.itype.ID, VpcID: sw.VpcID, VSwitchID: sw.ID,
		SecurityGroupIDs: append([]string(nil), r.groupIDs...), KeyPairName: r.keyPairName, Password: r.password,
		UserData: r.userData, Tags: cloneTags(r.tags), ENITags: cloneTags(r.tags), BandwidthOut: r.bwOut,
		BandwidthIn: r.bwIn, InternetChargeType: r.internetCharge, InstanceChargeType: r.chargeType,
		SpotStrategy: r.spotStrategy, SpotPriceLimit: r.spotPrice, SpotDuration: r.spotDuration,
		SpotInterruptionBehavior: r.spotBehavior, DeletionProtection: r.deletionProtection, ResourceGroupID: rg,
		HTTPEndpoint: r.httpEndpoint, HTTPTokens: r.httpTokens, HopLimit: r.hopLimit, RAMRoleName: r.ramRole,
		Period: r.period, PeriodUnit: r.periodUnit, AutoRenew: r.autoRenew, CreationTime: c.now,
		ENIID: newID("eni", code, lenOtherID), MAC: newMAC(), SerialNumber: strings.ToLower(newRequestID()),
		StoppedMode: "Not-applicable", AutoReleaseTime: r.autoRelease, DeploymentSetID: r.deploymentSetID,
		seq: st.nextSeq(),
	}
	if r.chargeType == "PrePaid" {
		inst.ExpiredTime = c.now.AddDate(0, r.period, 0)
		if r.periodUnit == "Week" {
			inst.ExpiredTime = c.now.Add(time.Duration(r.period) * 7 * 24 * time.Hour)
		}
	}
	if kp := rs.keyPairs[r.keyPairName]; kp != nil {
		inst.AuthorizedKey = kp.PublicKey
	}
	if r.privateIP.IsValid() {
		sw.usedIPs[r.privateIP] = id
		inst.PrivateIP = r.privateIP.String()
	} else if a, ok := sw.allocIP(id); ok {
		inst.PrivateIP = a.String()
	}
	r.assignIpv6(sw, inst)
	newDisk := func(spec diskSpec, typ string) *disk {
		d := &disk{
			ID: newID("d", code, lenDiskID), Region: rs.info.ID, ZoneID: sw.ZoneID, InstanceID: id,
			Name: spec.name, Description: spec.description, Type: typ, Category: spec.category, Device: spec.device,
			PerformanceLevel: spec.pl, Status: "In_use", Size: spec.size, DeleteWithInstance: spec.deleteWithInstance,
			Encrypted: spec.encrypted, KMSKeyID: spec.kmsKeyID, Tags: cloneTags(r.tags), CreationTime: c.now,
			seq: st.nextSeq(),
		}
		rs.disks[d.ID] = d
		return d
	}
	inst.SystemDiskID = newDisk(r.sysDisk, "system").ID
	for _, dd := range r.dataDisks {
		inst.DataDiskIDs = append(inst.DataDiskIDs, newDisk(dd, "data").ID)
	}
	rs.instances[id] = inst
	return inst
}

func cloneTags(tags []Tag) []Tag { return append([]Tag(nil), tags...) }
