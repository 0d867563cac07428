package ecssim

import (
	"net/http"
	"net/netip"
	"strings"
)

// maxVpcsPerRegion is the default VPC quota [EST].
const maxVpcsPerRegion = 10

func errCidrMalformed() *apiError {
	return apiErr(http.StatusBadRequest, "InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.")
}

func actCreateVpc(c *call) (any, error) {
	cidr, ok := parseCidr(defaultStr(c.p.get("CidrBlock"), "172.16.0.0/12"))
	inPrivate := false
	for _, r := range privateRanges {
		inPrivate = inPrivate || ok && within(r, cidr)
	}
	if !ok || !inPrivate || cidr.Bits() < 8 || cidr.Bits() > 28 {
		return nil, errCidrMalformed()
	}
	name, desc := c.p.get("VpcName"), c.p.get("Description")
	if name != "" && !validName(name, 128) {
		return nil, apiErr(http.StatusBadRequest, "InvalidVpcName.Malformed", "Specified VPC name is not valid.")
	}
	if !validDescription(desc) {
		return nil, apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "Specified description is not valid.")
	}
	tags, aerr := c.p.tags()
	if aerr != nil {
		return nil, aerr
	}
	v6, aerr := parseVpcIpv6(c.p)
	if aerr != nil {
		return nil, aerr
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	rs, unlock := c.lockRegion()
	defer unlock()
	if len(rs.vpcs) >= maxVpcsPerRegion {
		return nil, apiErr(http.StatusBadRequest, "QuotaExceeded.Vpc", "VPC quota exceeded.")
	}
	rg, aerr := c.resourceGroupParam()
	if aerr != nil {
		return nil, aerr
	}
	if dry {
		return nil, errDryRun()
	}
	code := rs.info.Code
	v := &vpc{
		ID: newID("vpc", code, lenVpcID), Region: rs.info.ID, Name: name, Description: desc, Cidr: cidr,
		Status: statusPending, VRouterID: newID("vrt", code, lenVpcID), RouteTableID: newID("vtb", code, lenVpcID),
		ResourceGroupID: rg, Tags: tags, CreationTime: c.now, seq: st.nextSeq(),
	}
	if v6.enable {
		v.Ipv6Cidr, v.Ipv6Isp = st.nextVpcIpv6Block(), v6.isp
	}
	rs.vpcs[v.ID] = v
	c.s.networkReady(rs.info.ID, v.ID, c.s.delay(TransitionVPC))
	return obj{"VpcId": v.ID, "VRouterId": v.VRouterID, "RouteTableId": v.RouteTableID, "ResourceGroupId": v.ResourceGroupID}, nil
}

func actDescribeVpcs(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 50)
	if aerr != nil {
		return nil, aerr
	}
	isDefault, aerr := c.p.boolean("IsDefault", false)
	if aerr != nil {
		return nil, aerr
	}
	var ids map[string]bool
	if v := c.p.get("VpcId"); v != "" {
		parts := strings.Split(v, ",")
		if len(parts) > 20 {
			return nil, errInvalid("VpcId")
		}
		ids = map[string]bool{}
		for _, id := range parts {
			ids[strings.TrimSpace(id)] = true
		}
	}
	wantIpv6, ipv6Set, aerr := ipv6Filter(c.p)
	if aerr != nil {
		return nil, aerr
	}
	tagFilters := c.p.tagFilters()
	rs, unlock := c.lockRegion()
	defer unlock()
	var match []*vpc
	for _, v := range rs.vpcList() {
		switch {
		case ids != nil && !ids[v.ID],
			c.p.get("VpcName") != "" && c.p.get("VpcName") != v.Name,
			c.p.get("IsDefault") != "" && isDefault != v.IsDefault,
			c.p.get("ResourceGroupId") != "" && c.p.get("ResourceGroupId") != v.ResourceGroupID,
			ipv6Set && wantIpv6 != v.Ipv6Cidr.IsValid(),
			!matchTags(v.Tags, tagFilters):
			continue
		}
		match = append(match, v)
	}
	out := []obj{}
	for _, v := range pageOf(match, pg) {
		swIDs := []string{}
		for _, sw := range rs.vswitchList() {
			if sw.VpcID == v.ID {
				swIDs = append(swIDs, sw.ID)
			}
		}
		out = append(out, obj{
			"VpcId": v.ID, "VpcName": v.Name, "RegionId": v.Region, "Status": v.Status, "CidrBlock": v.Cidr.String(),
			"Description": v.Description, "IsDefault": v.IsDefault, "CreationTime": fmtSecond(v.CreationTime),
			"VRouterId": v.VRouterID, "ResourceGroupId": v.ResourceGroupID, "Ipv6CidrBlock": ipv6View(v.Ipv6Cidr),
			"EnabledIpv6": v.Ipv6Cidr.IsValid(), "DhcpOptionsSetId": "", "DhcpOptionsSetStatus": "", "CenStatus": "Detached",
			"DnsHostnameStatus": "DISABLED", "NetworkAclNum": "0", "AdvancedResource": true,
			"SupportAdvancedFeature": true, "OwnerId": 0,
			"VSwitchIds":          wrap("VSwitchId", swIDs),
			"UserCidrs":           wrap("UserCidr", []string{}),
			"SecondaryCidrBlocks": wrap("SecondaryCidrBlock", []string{}),
			"NatGatewayIds":       wrap("NatGatewayIds", []string{}),
			"RouterTableIds":      wrap("RouterTableIds", []string{v.RouteTableID}),
			"Ipv6CidrBlocks":      vpcIpv6Blocks(v),
			"Tags":                vpcTags(v.Tags),
		})
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size, "Vpcs": wrap("Vpc", out)}, nil
}

func actDeleteVpc(c *call) (any, error) {
	id, aerr := c.p.required("VpcId")
	if aerr != nil {
		return nil, aerr
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	v := rs.vpcs[id]
	if v == nil {
		return nil, errVpcNotFound()
	}
	if v.Status != statusAvailable {
		return nil, apiErr(http.StatusBadRequest, "IncorrectVpcStatus", "Current VPC status does not support this operation.")
	}
	for _, sw := range rs.vswitches {
		if sw.VpcID == id {
			return nil, apiErr(http.StatusBadRequest, "DependencyViolation.VSwitch", "Specified object has dependent resources.")
		}
	}
	for _, g := range rs.groups {
		if g.VpcID == id {
			return nil, apiErr(http.StatusBadRequest, "DependencyViolation.SecurityGroup", "Specified object has dependent resources.")
		}
	}
	if len(v.Routes) > 0 {
		return nil, apiErr(http.StatusBadRequest, "DependencyViolation.RouteEntry", "Specified object has dependent resources.")
	}
	if dry {
		return nil, errDryRun()
	}
	delete(rs.vpcs, id)
	return nil, nil
}

func actCreateVSwitch(c *call) (any, error) {
	vpcID, aerr := c.p.required("VpcId")
	if aerr != nil {
		return nil, aerr
	}
	zoneID, aerr := c.p.required("ZoneId")
	if aerr != nil {
		return nil, aerr
	}
	cidrStr, aerr := c.p.required("CidrBlock")
	if aerr != nil {
		return nil, aerr
	}
	cidr, ok := parseCidr(cidrStr)
	if !ok {
		return nil, errCidrMalformed()
	}
	name, desc := c.p.get("VSwitchName"), c.p.get("Description")
	if name != "" && !validName(name, 128) {
		return nil, apiErr(http.StatusBadRequest, "InvalidVSwitchName.Malformed", "Specified VSwitch name is not valid.")
	}
	if !validDescription(desc) {
		return nil, apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "Specified description is not valid.")
	}
	v6, aerr := parseVSwitchIpv6(c.p)
	if aerr != nil {
		return nil, aerr
	}
	tags, aerr := c.p.tags()
	if aerr != nil {
		return nil, aerr
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	rs, unlock := c.lockRegion()
	defer unlock()
	v := rs.vpcs[vpcID]
	if v == nil {
		return nil, errVpcNotFound()
	}
	if v.Status != statusAvailable {
		return nil, apiErr(http.StatusBadRequest, "IncorrectVpcStatus", "Current VPC status does not support this operation.")
	}
	if !rs.info.hasZone(zoneID) {
		return nil, apiErr(http.StatusNotFound, "InvalidZoneId.NotFound", "Specified zone does not exist.")
	}
	if cidr.Bits() < 16 || cidr.Bits() > 29 || !within(v.Cidr, cidr) {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "Specified CIDR block is not valid in VPC.")
	}
	for _, sw := range rs.vswitches {
		if sw.VpcID == vpcID && sw.Cidr.Overlaps(cidr) {
			return nil, apiErr(http.StatusBadRequest, "InvalidCidrBlock.Overlapped", "Specified CIDR block overlapped with other subnets.")
		}
	}
	ipv6Block, aerr := v6.resolve(rs, v)
	if aerr != nil {
		return nil, aerr
	}
	if dry {
		return nil, errDryRun()
	}
	sw := &vswitch{
		ID: newID("vsw", rs.info.Code, lenVSwitchID), Region: rs.info.ID, VpcID: vpcID, ZoneID: zoneID,
		Name: name, Description: desc, Cidr: cidr, Ipv6Cidr: ipv6Block, Status: statusPending, Tags: tags,
		CreationTime: c.now, usedIPs: map[netip.Addr]string{}, usedIPv6: map[netip.Addr]string{}, seq: st.nextSeq(),
	}
	rs.vswitches[sw.ID] = sw
	c.s.networkReady(rs.info.ID, sw.ID, c.s.delay(TransitionVSwitch))
	return obj{"VSwitchId": sw.ID}, nil
}

func actDescribeVSwitches(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 50)
	if aerr != nil {
		return nil, aerr
	}
	isDefault, aerr := c.p.boolean("IsDefault", false)
	if aerr != nil {
		return nil, aerr
	}
	wantIpv6, ipv6Set, aerr := ipv6Filter(c.p)
	if aerr != nil {
		return nil, aerr
	}
	tagFilters := c.p.tagFilters()
	rs, unlock := c.lockRegion()
	defer unlock()
	var match []*vswitch
	for _, sw := range rs.vswitchList() {
		switch {
		case c.p.get("VpcId") != "" && c.p.get("VpcId") != sw.VpcID,
			c.p.get("VSwitchId") != "" && c.p.get("VSwitchId") != sw.ID,
			c.p.get("ZoneId") != "" && c.p.get("ZoneId") != sw.ZoneID,
			c.p.get("VSwitchName") != "" && c.p.get("VSwitchName") != sw.Name,
			c.p.get("IsDefault") != "" && isDefault != sw.IsDefault,
			ipv6Set && wantIpv6 != sw.Ipv6Cidr.IsValid(),
			!matchTags(sw.Tags, tagFilters):
			continue
		}
		match = append(match, sw)
	}
	out := []obj{}
	for _, sw := range pageOf(match, pg) {
		rt := ""
		if v := rs.vpcs[sw.VpcID]; v != nil {
			rt = v.RouteTableID
		}
		out = append(out, obj{
			"VSwitchId": sw.ID, "VSwitchName": sw.Name, "VpcId": sw.VpcID, "ZoneId": sw.ZoneID,
			"CidrBlock": sw.Cidr.String(), "Status": sw.Status, "AvailableIpAddressCount": sw.availableIPs(),
			"Description": sw.Description, "IsDefault": sw.IsDefault, "CreationTime": fmtSecond(sw.CreationTime),
			"ResourceGroupId": defaultResourceGroupID, "NetworkAclId": "", "ShareType": "",
			"Ipv6CidrBlock": ipv6View(sw.Ipv6Cidr), "EnabledIpv6": sw.Ipv6Cidr.IsValid(), "OwnerId": 0,
			"RouteTable": obj{"RouteTableId": rt, "RouteTableType": "System"},
			"Tags":       vpcTags(sw.Tags),
		})
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"VSwitches": wrap("VSwitch", out)}, nil
}

func actDeleteVSwitch(c *call) (any, error) {
	id, aerr := c.p.required("VSwitchId")
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	sw := rs.vswitches[id]
	if sw == nil {
		return nil, apiErr(http.StatusNotFound, "InvalidVSwitchId.NotFound", "VSwitch not exist.")
	}
	if sw.Status != statusAvailable {
		return nil, apiErr(http.StatusBadRequest, "IncorrectVSwitchStatus", "The current status of virtual switch does not support this operation.")
	}
	for _, inst := range rs.instances {
		if inst.VSwitchID == id {
			return nil, apiErr(http.StatusBadRequest, "DependencyViolation", "Specified object has dependent resources.")
		}
	}
	delete(rs.vswitches, id)
	return nil, nil
}
