package ecssim

import (
	"net/http"
	"net/netip"
	"strconv"
)

// The IPv6 parameters of CreateVpc and CreateVSwitch, their checks and
// their part of the Describe answers. Codes are the VPC API's (CreateVpc
// error table) where it has one; see README "where it knowingly differs"
// for the estimated ones.

// vpcIpv6Request is what CreateVpc asks for IPv6.
type vpcIpv6Request struct {
	enable bool
	isp    string
}

// parseVpcIpv6 reads EnableIpv6, Ipv6Isp and Ipv6CidrBlock. A chosen block
// needs AllocateVpcIpv6Cidr first, which the simulator does not have, so
// it is always refused as not reserved.
func parseVpcIpv6(p params) (vpcIpv6Request, *apiError) {
	var r vpcIpv6Request
	var aerr *apiError
	if r.enable, aerr = p.boolean("EnableIpv6", false); aerr != nil {
		return r, apiErr(http.StatusBadRequest, "IllegalParam.EnableIpv6", "The specified EnableIpv6 is illegal.")
	}
	r.isp = defaultStr(p.get("Ipv6Isp"), "BGP")
	if r.enable && !ipv6Isps[r.isp] {
		return r, apiErr(http.StatusBadRequest, "IllegalParam.Ipv6Isp", "The specified Ipv6Isp is illegal.")
	}
	if block := p.get("Ipv6CidrBlock"); block != "" {
		if !r.enable {
			return r, apiErr(http.StatusBadRequest, "MissingParam.EnableIpv6", "The parameter EnableIpv6 is mandatory when Ipv6CidrBlock is specified.")
		}
		if pf, err := netip.ParsePrefix(block); err != nil || !pf.Addr().Is6() || pf.Masked() != pf {
			return r, apiErr(http.StatusBadRequest, "InvalidIpv6CidrBlock.Malformed", "Specified Ipv6CidrBlock is not valid.")
		}
		return r, apiErr(http.StatusBadRequest, "OperationFailed.IPv6CidrNotReserved",
			"The IPv6 CIDR block %s is not reserved, call AllocateVpcIpv6Cidr first.", block)
	}
	return r, nil
}

// vswitchIpv6Request is what CreateVSwitch asks for IPv6: the index of the
// /64 inside the VPC's /56, or none.
type vswitchIpv6Request struct {
	want     bool
	index    int
	vpcBlock string // VpcIpv6CidrBlock, "" for the VPC's only block
}

// parseVSwitchIpv6 reads Ipv6CidrBlock (an integer 0-255, not a CIDR,
// despite the name) and VpcIpv6CidrBlock.
func parseVSwitchIpv6(p params) (vswitchIpv6Request, *apiError) {
	r := vswitchIpv6Request{vpcBlock: p.get("VpcIpv6CidrBlock")}
	v := p.get("Ipv6CidrBlock")
	if v == "" {
		return r, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 255 {
		return r, apiErr(http.StatusBadRequest, "InvalidIpv6CidrBlock.Malformed", "Specified Ipv6CidrBlock is not valid.")
	}
	r.want, r.index = true, n
	return r, nil
}

// resolve checks the request against the VPC and its VSwitches and returns
// the new VSwitch's /64 (zero when none was asked for). The store must be
// locked.
func (r vswitchIpv6Request) resolve(rs *regionState, v *vpc) (netip.Prefix, *apiError) {
	if !r.want {
		return netip.Prefix{}, nil
	}
	if !v.Ipv6Cidr.IsValid() {
		return netip.Prefix{}, apiErr(http.StatusBadRequest, "OperationFailed.VpcNotEnableIpv6",
			"The specified VPC %s has not enabled IPv6.", v.ID)
	}
	if r.vpcBlock != "" {
		if pf, err := netip.ParsePrefix(r.vpcBlock); err != nil || pf != v.Ipv6Cidr {
			return netip.Prefix{}, errInvalid("VpcIpv6CidrBlock")
		}
	}
	block := vswitchIpv6Block(v.Ipv6Cidr, r.index)
	for _, sw := range rs.vswitches {
		if sw.VpcID == v.ID && sw.Ipv6Cidr == block {
			// The IPv4 overlap code: two VSwitches cannot share a /64
			// any more than an IPv4 range.
			return netip.Prefix{}, apiErr(http.StatusBadRequest, "InvalidCidrBlock.Overlapped",
				"Specified IPv6 CIDR block overlapped with other subnets.")
		}
	}
	return block, nil
}

// vpcIpv6Blocks is DescribeVpcs' Ipv6CidrBlocks list: the VPC's one
// block with its ISP, or empty.
func vpcIpv6Blocks(v *vpc) obj {
	blocks := []obj{}
	if v.Ipv6Cidr.IsValid() {
		blocks = append(blocks, obj{"Ipv6CidrBlock": v.Ipv6Cidr.String(), "Ipv6Isp": v.Ipv6Isp})
	}
	return wrap("Ipv6CidrBlock", blocks)
}

// ipv6Filter reads a Describe call's EnableIpv6 filter; set is false when
// the call has none.
func ipv6Filter(p params) (want, set bool, aerr *apiError) {
	if p.get("EnableIpv6") == "" {
		return false, false, nil
	}
	want, aerr = p.boolean("EnableIpv6", false)
	return want, true, aerr
}
