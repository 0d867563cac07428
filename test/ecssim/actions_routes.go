package ecssim

import (
	"net/http"
	"net/netip"
)

// Legacy ECS (2014-05-26) router actions older drivers call to route a
// pod CIDR to an instance: DescribeVRouters, DescribeRouteTables,
// CreateRouteEntry, DeleteRouteEntry. Each VPC has one VRouter with one
// system route table; its system entries follow the VSwitches, custom
// entries point at instances.

// vpcByRouter finds the VPC of a VRouter or route table ID.
func (rs *regionState) vpcByRouter(vrouterID, tableID string) *vpc {
	for _, v := range rs.vpcList() {
		if vrouterID != "" && v.VRouterID == vrouterID || tableID != "" && v.RouteTableID == tableID {
			return v
		}
	}
	return nil
}

// routesVia reports whether a custom route entry uses an instance as its
// next hop.
func (rs *regionState) routesVia(instanceID string) bool {
	for _, v := range rs.vpcs {
		for _, r := range v.Routes {
			if r.NextHopID == instanceID {
				return true
			}
		}
	}
	return false
}

func actDescribeVRouters(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 50)
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	var match []*vpc
	for _, v := range c.region().vpcList() {
		if id := c.p.get("VRouterId"); id == "" || id == v.VRouterID {
			match = append(match, v)
		}
	}
	out := []obj{}
	for _, v := range pageOf(match, pg) {
		out = append(out, obj{
			"VRouterId": v.VRouterID, "VRouterName": "", "VpcId": v.ID, "RegionId": v.Region, "Description": "",
			"CreationTime": fmtSecond(v.CreationTime), "RouteTableIds": wrap("RouteTableId", []string{v.RouteTableID}),
		})
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size, "VRouters": wrap("VRouter", out)}, nil
}

func actDescribeRouteTables(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 50)
	if aerr != nil {
		return nil, aerr
	}
	router := defaultStr(c.p.get("VRouterId"), c.p.get("RouterId"))
	table := c.p.get("RouteTableId")
	if router == "" && table == "" {
		return nil, errMissing("VRouterId")
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	var match []*vpc
	if v := rs.vpcByRouter(router, table); v != nil && (table == "" || v.RouteTableID == table) &&
		(router == "" || v.VRouterID == router) {
		match = append(match, v)
	}
	out := []obj{}
	for _, v := range pageOf(match, pg) {
		out = append(out, obj{
			"RouteTableId": v.RouteTableID, "VRouterId": v.VRouterID, "RouteTableType": "System",
			"CreationTime": fmtSecond(v.CreationTime), "ResourceGroupId": v.ResourceGroupID,
			"RouteEntrys": wrap("RouteEntry", routeEntryViews(rs, v)),
		})
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size, "RouteTables": wrap("RouteTable", out)}, nil
}

// routeEntryViews lists a VPC's system entries (one per VSwitch, plus the
// cloud service range) and then its custom entries.
func routeEntryViews(rs *regionState, v *vpc) []obj {
	entry := func(dest, typ, hopType, hop string) obj {
		return obj{"RouteTableId": v.RouteTableID, "DestinationCidrBlock": dest, "Type": typ, "Status": "Available",
			"NextHopType": hopType, "InstanceId": hop, "NextHops": wrap("NextHop", []obj{})}
	}
	out := []obj{}
	for _, sw := range rs.vswitchList() {
		if sw.VpcID == v.ID {
			out = append(out, entry(sw.Cidr.String(), "System", "local", ""))
		}
	}
	out = append(out, entry("100.64.0.0/10", "System", "service", ""))
	for _, r := range v.Routes {
		out = append(out, entry(r.Dest.String(), "Custom", r.NextHopType, r.NextHopID))
	}
	return out
}

// routeRequest reads RouteTableId and DestinationCidrBlock and finds the
// VPC; the store must be locked.
func routeRequest(c *call) (*vpc, netip.Prefix, *apiError) {
	table, aerr := c.p.required("RouteTableId")
	if aerr != nil {
		return nil, netip.Prefix{}, aerr
	}
	destStr, aerr := c.p.required("DestinationCidrBlock")
	if aerr != nil {
		return nil, netip.Prefix{}, aerr
	}
	dest, ok := parseCidr(destStr)
	if !ok {
		return nil, netip.Prefix{}, apiErr(http.StatusBadRequest, "InvalidDestinationCidrBlock.Malformed", "The specified DestinationCidrBlock is not valid.")
	}
	v := c.region().vpcByRouter("", table)
	if v == nil {
		return nil, netip.Prefix{}, apiErr(http.StatusNotFound, "InvalidRouteTableId.NotFound", "The specified route table does not exist.")
	}
	return v, dest, nil
}

func actCreateRouteEntry(c *call) (any, error) {
	rs, unlock := c.lockRegion()
	defer unlock()
	v, dest, aerr := routeRequest(c)
	if aerr != nil {
		return nil, aerr
	}
	hopType := defaultStr(c.p.get("NextHopType"), "Instance")
	if hopType != "Instance" {
		return nil, apiErr(http.StatusBadRequest, "InvalidNextHopType.ValueNotSupported", "Only Instance next hops are simulated.")
	}
	hop, aerr := c.p.required("NextHopId")
	if aerr != nil {
		return nil, aerr
	}
	inst := rs.instances[hop]
	if inst == nil {
		return nil, apiErr(http.StatusNotFound, "InvalidNextHopId.NotFound", "The specified next hop does not exist.")
	}
	if inst.VpcID != v.ID {
		return nil, apiErr(http.StatusBadRequest, "InvalidNextHopId.NotInVpc", "The specified next hop is not in the VPC of the route table.")
	}
	for _, sw := range rs.vswitches {
		if sw.VpcID == v.ID && within(dest, sw.Cidr) || sw.VpcID == v.ID && within(sw.Cidr, dest) {
			return nil, apiErr(http.StatusBadRequest, "InvalidDestinationCidrBlock.Overlapped",
				"The destination CIDR block overlaps with a VSwitch of the VPC.")
		}
	}
	for _, r := range v.Routes {
		if r.Dest == dest {
			return nil, apiErr(http.StatusBadRequest, "InvalidCIDRBlock.Duplicate", "The specified route entry has already exist.")
		}
	}
	v.Routes = append(v.Routes, &routeEntry{Dest: dest, NextHopType: hopType, NextHopID: hop, CreationTime: c.now})
	return nil, nil
}

func actDeleteRouteEntry(c *call) (any, error) {
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	v, dest, aerr := routeRequest(c)
	if aerr != nil {
		return nil, aerr
	}
	hop := c.p.get("NextHopId")
	for i, r := range v.Routes {
		if r.Dest == dest && (hop == "" || hop == r.NextHopID) {
			v.Routes = append(v.Routes[:i], v.Routes[i+1:]...)
			return nil, nil
		}
	}
	return nil, apiErr(http.StatusNotFound, "InvalidRouteEntry.NotFound", "The specified route entry does not exist.")
}
