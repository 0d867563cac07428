package ecssim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
)

func actRunInstances(c *call) (any, error) {
	r, aerr := parseRun(c.p)
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	rs := c.region()
	sw, aerr := r.resolveNetwork(rs)
	if aerr != nil {
		return nil, aerr
	}
	if r.keyPairName != "" && rs.keyPairs[r.keyPairName] == nil {
		return nil, apiErr(http.StatusNotFound, "InvalidKeyPairName.NotFound", "The specified parameter KeyPairName does not exist in our records.")
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
		inst := r.newInstance(c, rs, sw)
		if len(publicIPs) > 0 {
			inst.PublicIP = publicIPs[i]
		}
		ids = append(ids, inst.ID)
		c.s.launch(inst)
	}
	c.s.cfg.logf("ecssim: RunInstances %s: %s", c.regionID, strings.Join(ids, ","))
	price := 0.165 * float64(r.amount)
	return obj{"OrderId": fmt.Sprintf("%d", 200000000000000+rand.Int64N(99999999999999)),
		"TradePrice": price, "InstanceIdSets": wrap("InstanceIdSet", ids)}, nil
}

// resolveNetwork checks the VSwitch, zone, security groups and private
// addresses of a RunInstances request against the region's resources.
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
	return sw, nil
}

// newInstance creates one instance with its disks; the store is locked.
func (r *runRequest) newInstance(c *call, rs *regionState, sw *vswitch) *instance {
	st := c.s.st
	code := rs.info.Code
	id := newID("i", code, lenInstanceID)
	inst := &instance{
		ID: id, Region: rs.info.ID, ZoneID: sw.ZoneID, Name: defaultStr(r.name, id),
		HostName: defaultStr(r.hostName, "iZ"+strings.TrimPrefix(id, "i-")+"Z"), Description: r.description,
		ImageID: r.image.ID, InstanceType: r.itype.ID, VpcID: sw.VpcID, VSwitchID: sw.ID,
		SecurityGroupIDs: append([]string(nil), r.groupIDs...), KeyPairName: r.keyPairName, Password: r.password,
		UserData: r.userData, Tags: append([]Tag(nil), r.tags...), BandwidthOut: r.bwOut, BandwidthIn: r.bwIn,
		InternetChargeType: r.internetCharge, InstanceChargeType: r.chargeType, SpotStrategy: r.spotStrategy,
		SpotPriceLimit: r.spotPrice, SpotDuration: r.spotDuration, SpotInterruptionBehavior: r.spotBehavior,
		DeletionProtection: r.deletionProtection, ResourceGroupID: r.resourceGroupID,
		HTTPEndpoint: r.httpEndpoint, HTTPTokens: r.httpTokens, CreationTime: c.now,
		ENIID: newID("eni", code, lenOtherID), MAC: newMAC(), SerialNumber: strings.ToLower(newRequestID()),
		StoppedMode: "Not-applicable", AutoReleaseTime: r.autoRelease, seq: st.nextSeq(),
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
	newDisk := func(spec diskSpec, typ string) *disk {
		d := &disk{
			ID: newID("d", code, lenDiskID), Region: rs.info.ID, ZoneID: sw.ZoneID, InstanceID: id,
			Name: spec.name, Type: typ, Category: spec.category, Device: spec.device, PerformanceLevel: spec.pl,
			Status: "In_use", Size: spec.size, DeleteWithInstance: spec.deleteWithInstance,
			Tags: append([]Tag(nil), r.tags...), CreationTime: c.now, seq: st.nextSeq(),
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

// instanceFilter is the DescribeInstances filter set.
type instanceFilter struct {
	p                         params
	ids, privIPs, pubIPs, eip map[string]bool
	tags                      []Tag
}

func newInstanceFilter(p params) (*instanceFilter, *apiError) {
	f := &instanceFilter{p: p, tags: p.tagFilters()}
	for _, x := range []struct {
		key, code string
		dst       *map[string]bool
	}{
		{"InstanceIds", "InvalidInstanceIds.Malformed", &f.ids},
		{"PrivateIpAddresses", "InvalidPrivateIpAddresses.Malformed", &f.privIPs},
		{"PublicIpAddresses", "InvalidPublicIpAddresses.Malformed", &f.pubIPs},
		{"EipAddresses", "InvalidEipAddresses.Malformed", &f.eip},
	} {
		list, ok, aerr := p.jsonList(x.key, x.code, 100)
		if aerr != nil {
			return nil, aerr
		}
		if ok {
			*x.dst = map[string]bool{}
			for _, v := range list {
				(*x.dst)[v] = true
			}
		}
	}
	return f, nil
}

func (f *instanceFilter) match(rs *regionState, inst *instance) bool {
	eq := func(param, have string) bool { v := f.p.get(param); return v == "" || v == have }
	groupOK := f.p.get("SecurityGroupId") == ""
	for _, g := range inst.SecurityGroupIDs {
		groupOK = groupOK || g == f.p.get("SecurityGroupId")
	}
	eipIP := ""
	if e := rs.eips[inst.EipID]; e != nil {
		eipIP = e.IP
	}
	family := ""
	if t := findInstanceType(inst.InstanceType); t != nil {
		family = t.Family
	}
	return (f.ids == nil || f.ids[inst.ID]) && (f.privIPs == nil || f.privIPs[inst.PrivateIP]) &&
		(f.pubIPs == nil || f.pubIPs[inst.PublicIP]) && (f.eip == nil || f.eip[eipIP]) &&
		(f.p.get("InstanceName") == "" || wildcard(f.p.get("InstanceName"), inst.Name)) &&
		eq("Status", inst.Status) && eq("VpcId", inst.VpcID) && eq("VSwitchId", inst.VSwitchID) &&
		eq("ZoneId", inst.ZoneID) && eq("KeyPairName", inst.KeyPairName) && eq("InstanceType", inst.InstanceType) &&
		eq("InstanceTypeFamily", family) && eq("ImageId", inst.ImageID) &&
		eq("InstanceChargeType", inst.InstanceChargeType) && eq("InternetChargeType", inst.InternetChargeType) &&
		eq("ResourceGroupId", inst.ResourceGroupID) && eq("InstanceNetworkType", "vpc") &&
		groupOK && matchTags(inst.Tags, f.tags)
}

func actDescribeInstances(c *call) (any, error) {
	pg, aerr := c.p.paging(10, 100, 10, true)
	if aerr != nil {
		return nil, aerr
	}
	f, aerr := newInstanceFilter(c.p)
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	rs := c.region()
	var match []*instance
	for _, inst := range rs.instanceList() {
		if f.match(rs, inst) {
			match = append(match, inst)
		}
	}
	out := []obj{}
	for _, inst := range pageOf(match, pg) {
		out = append(out, instanceView(rs, inst))
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"NextToken": pg.next(len(match)), "Instances": wrap("Instance", out)}, nil
}

func actDescribeInstanceStatus(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 50)
	if aerr != nil {
		return nil, aerr
	}
	ids := map[string]bool{}
	for _, id := range c.p.indexed("InstanceId") {
		ids[id] = true
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	var match []*instance
	for _, inst := range c.region().instanceList() {
		if (len(ids) == 0 || ids[inst.ID]) && (c.p.get("ZoneId") == "" || c.p.get("ZoneId") == inst.ZoneID) {
			match = append(match, inst)
		}
	}
	out := []obj{}
	for _, inst := range pageOf(match, pg) {
		out = append(out, obj{"InstanceId": inst.ID, "Status": inst.Status})
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"InstanceStatuses": wrap("InstanceStatus", out)}, nil
}

// instanceView renders the DescribeInstances object (aliyun-api.md §3.1).
func instanceView(rs *regionState, inst *instance) obj {
	im := findImage(inst.ImageID)
	it := findInstanceType(inst.InstanceType)
	publicIPs := []string{}
	if inst.PublicIP != "" {
		publicIPs = append(publicIPs, inst.PublicIP)
	}
	eipView := obj{"AllocationId": "", "IpAddress": "", "InternetChargeType": "", "Bandwidth": 0, "IsSupportUnassociate": false}
	if e := rs.eips[inst.EipID]; e != nil {
		eipView = obj{"AllocationId": e.ID, "IpAddress": e.IP, "InternetChargeType": e.InternetChargeType,
			"Bandwidth": e.Bandwidth, "IsSupportUnassociate": true}
	}
	startTime := ""
	if !inst.StartTime.IsZero() {
		startTime = fmtMinute(inst.StartTime)
	}
	return obj{
		"InstanceId": inst.ID, "InstanceName": inst.Name, "HostName": inst.HostName, "Description": inst.Description,
		"RegionId": inst.Region, "ZoneId": inst.ZoneID, "InstanceType": inst.InstanceType,
		"InstanceTypeFamily": it.Family, "Cpu": it.CPU, "Memory": int(it.MemGiB * 1024), "GPUAmount": 0, "GPUSpec": "",
		"ImageId": inst.ImageID, "OSName": im.OSName, "OSNameEn": im.OSNameEn, "OSType": "linux",
		"Status": inst.Status, "InstanceNetworkType": "vpc", "InstanceChargeType": inst.InstanceChargeType,
		"InternetChargeType": inst.InternetChargeType, "InternetMaxBandwidthIn": inst.BandwidthIn,
		"InternetMaxBandwidthOut": inst.BandwidthOut, "SpotStrategy": inst.SpotStrategy,
		"SpotPriceLimit": inst.SpotPriceLimit, "SpotDuration": inst.SpotDuration,
		"SpotInterruptionBehavior": inst.SpotInterruptionBehavior, "StoppedMode": inst.StoppedMode,
		"CreationTime": fmtMinute(inst.CreationTime), "StartTime": startTime, "ExpiredTime": "2099-12-31T15:59Z",
		"AutoReleaseTime": inst.AutoReleaseTime, "DeletionProtection": inst.DeletionProtection,
		"KeyPairName": inst.KeyPairName, "ResourceGroupId": inst.ResourceGroupID, "SerialNumber": inst.SerialNumber,
		"IoOptimized": true, "DeviceAvailable": true, "Recyclable": false, "VlanId": "", "CreditSpecification": "",
		"DeploymentSetId": "", "HpcClusterId": "", "SaleCycle": "", "LocalStorageAmount": 0, "LocalStorageCapacity": 0,
		"SecurityGroupIds": wrap("SecurityGroupId", append([]string{}, inst.SecurityGroupIDs...)),
		"PublicIpAddress":  wrap("IpAddress", publicIPs),
		"InnerIpAddress":   wrap("IpAddress", []string{}),
		"RdmaIpAddress":    wrap("IpAddress", []string{}),
		"VpcAttributes": obj{"VpcId": inst.VpcID, "VSwitchId": inst.VSwitchID, "NatIpAddress": "",
			"PrivateIpAddress": wrap("IpAddress", nonEmpty(inst.PrivateIP))},
		"EipAddress": eipView,
		"NetworkInterfaces": wrap("NetworkInterface", []obj{{
			"NetworkInterfaceId": inst.ENIID, "MacAddress": inst.MAC, "PrimaryIpAddress": inst.PrivateIP, "Type": "Primary",
			"PrivateIpSets": wrap("PrivateIpSet", []obj{{"PrivateIpAddress": inst.PrivateIP, "Primary": true}}),
		}}),
		"MetadataOptions":            obj{"HttpEndpoint": inst.HTTPEndpoint, "HttpTokens": inst.HTTPTokens, "HttpPutResponseHopLimit": 1},
		"Tags":                       ecsTags(inst.Tags),
		"OperationLocks":             wrap("LockReason", []obj{}),
		"CpuOptions":                 obj{"CoreCount": max(it.CPU/2, 1), "ThreadsPerCore": 2, "Numa": ""},
		"HibernationOptions":         obj{"Configured": false},
		"DedicatedHostAttribute":     obj{"DedicatedHostId": "", "DedicatedHostName": "", "DedicatedHostClusterId": ""},
		"EcsCapacityReservationAttr": obj{"CapacityReservationId": "", "CapacityReservationPreference": ""},
		"DedicatedInstanceAttribute": obj{"Affinity": "", "Tenancy": ""},
		"ImageOptions":               obj{"LoginAsNonRoot": false},
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}
