package ecssim

import (
	"strconv"
	"strings"
)

func actDescribeEipsVpc(c *call) (any, error) { return describeEips(c, vpcEip) }
func actDescribeEipsEcs(c *call) (any, error) { return describeEips(c, ecsEip) }

// commaSet parses a comma-separated filter of at most max values; nil when
// absent.
func (p params) commaSet(k string, max int) (map[string]bool, *apiError) {
	v := p.get(k)
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) > max {
		return nil, errInvalid(k)
	}
	set := map[string]bool{}
	for _, s := range parts {
		set[strings.TrimSpace(s)] = true
	}
	return set, nil
}

func describeEips(c *call, f eipFlavor) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 100)
	if aerr != nil {
		return nil, aerr
	}
	ids, aerr := c.p.commaSet("AllocationId", 50)
	if aerr != nil {
		return nil, aerr
	}
	ips, aerr := c.p.commaSet("EipAddress", 50)
	if aerr != nil {
		return nil, aerr
	}
	if dry, aerr := c.p.dryRun(); aerr != nil || dry {
		return nil, firstErr(aerr, errDryRun())
	}
	tagFilters := c.p.tagFilters()
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	var match []*eip
	for _, e := range c.region().eipList() {
		eq := func(param, have string) bool { v := c.p.get(param); return v == "" || v == have }
		if ids != nil && !ids[e.ID] || ips != nil && !ips[e.IP] || !eq("Status", e.Status) ||
			!eq("AssociatedInstanceId", e.InstanceID) || !eq("EipName", e.Name) || !eq("ChargeType", e.ChargeType) ||
			!eq("ISP", e.ISP) || !eq("ResourceGroupId", e.ResourceGroupID) || c.p.get("LockReason") != "" ||
			!matchTags(e.Tags, tagFilters) ||
			c.p.get("AssociatedInstanceType") != "" && (e.InstanceID == "" || c.p.get("AssociatedInstanceType") != "EcsInstance") {
			continue
		}
		match = append(match, e)
	}
	out := []obj{}
	for _, e := range pageOf(match, pg) {
		out = append(out, eipView(e, f))
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"EipAddresses": wrap("EipAddress", out)}, nil
}

// eipView renders one EIP in the flavor's shape (ECS's is a subset with
// Bandwidth as a string too).
func eipView(e *eip, f eipFlavor) obj {
	instType, expired := "", ""
	if e.InstanceID != "" {
		instType = "EcsInstance"
	}
	if !e.ExpiredTime.IsZero() {
		expired = fmtSecond(e.ExpiredTime)
	}
	o := obj{
		"AllocationId": e.ID, "IpAddress": e.IP, "Status": e.Status, "InstanceId": e.InstanceID,
		"InstanceType": instType, "RegionId": e.Region, "Bandwidth": strconv.Itoa(e.Bandwidth),
		"EipBandwidth": strconv.Itoa(e.Bandwidth), "InternetChargeType": e.InternetChargeType,
		"ChargeType": e.ChargeType, "AllocationTime": fmtSecond(e.AllocationTime), "ExpiredTime": expired,
		"OperationLocks": wrap("LockReason", []obj{}),
	}
	if f.ecs {
		return o
	}
	o["InstanceRegionId"], o["PrivateIpAddress"] = "", ""
	if e.InstanceID != "" {
		o["InstanceRegionId"] = e.Region
	}
	o["Name"], o["Description"], o["Descritpion"] = e.Name, e.Description, e.Description
	o["ISP"], o["Netmode"], o["Mode"], o["ResourceGroupId"] = e.ISP, e.Netmode, "NAT", e.ResourceGroupID
	o["DeletionProtection"], o["SecondLimited"], o["BusinessStatus"] = false, false, "Normal"
	o["HasReservationData"], o["BandwidthPackageId"], o["BandwidthPackageType"] = "false", "", ""
	o["BandwidthPackageBandwidth"], o["HDMonitorStatus"], o["ServiceManaged"] = "", "OFF", 0
	o["PublicIpAddressPoolId"], o["SegmentInstanceId"], o["VpcId"], o["Zone"], o["BizType"] = "", "", "", "", ""
	o["AvailableRegions"] = wrap("AvailableRegion", []string{e.Region})
	o["SecurityProtectionTypes"] = wrap("SecurityProtectionType", []string{})
	o["Tags"] = vpcTags(e.Tags)
	return o
}
