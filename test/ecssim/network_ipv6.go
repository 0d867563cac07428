package ecssim

import (
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"net/netip"
)

// IPv6 in the simulated VPC world. Real VPCs get a /56 from the ISP's pool
// and every VSwitch one /64 of it, chosen by the last eight bits
// (CreateVSwitch Ipv6CidrBlock 0-255). The simulator hands out blocks of
// the documentation range 2001:db8::/32 (RFC 3849), so nothing it invents
// can ever be routed anywhere.

// ipv6DocRange is where every simulated VPC IPv6 block comes from.
var ipv6DocRange = netip.MustParsePrefix("2001:db8::/32")

// Prefix lengths the real service uses for VPCs and VSwitches.
const (
	vpcIpv6Bits     = 56
	vswitchIpv6Bits = 64
)

// ipv6Isps are the valid CreateVpc Ipv6Isp values; BGP is the default and
// the only one every account may use, the single-ISP ones are accepted as
// the simulated account is allowed everything.
var ipv6Isps = map[string]bool{"BGP": true, "ChinaMobile": true, "ChinaUnicom": true, "ChinaTelecom": true}

// vpcIpv6Block returns the k-th VPC block, 2001:db8:KKKK:KK00::/56 with k
// in the 24 bits between the /32 and the /56, so blocks are unique as long
// as k is.
func vpcIpv6Block(k int) netip.Prefix {
	b := ipv6DocRange.Addr().As16()
	b[4], b[5], b[6] = byte(k>>16), byte(k>>8), byte(k)
	return netip.PrefixFrom(netip.AddrFrom16(b), vpcIpv6Bits)
}

// nextVpcIpv6Block allocates a block no VPC of any region holds. The store
// must be locked.
func (st *store) nextVpcIpv6Block() netip.Prefix {
	st.ipv6Seq++
	return vpcIpv6Block(st.ipv6Seq)
}

// vswitchIpv6Block returns the /64 with the given index (0-255) inside a
// VPC's /56.
func vswitchIpv6Block(vpcBlock netip.Prefix, index int) netip.Prefix {
	b := vpcBlock.Addr().As16()
	b[7] = byte(index)
	return netip.PrefixFrom(netip.AddrFrom16(b), vswitchIpv6Bits)
}

// ipv6Index is the last eight bits of a VSwitch /64, the value
// CreateVSwitch Ipv6CidrBlock chose.
func ipv6Index(p netip.Prefix) int { return int(p.Addr().As16()[7]) }

// Like IPv4 VSwitches, IPv6 ones reserve addresses: the first and the last
// nine of the /64 (VPC reserved-CIDR docs).
const ipv6ReservedTail = 9

// ipv6Reserved reports whether a is one of its /64's reserved addresses.
func ipv6Reserved(a netip.Addr) bool {
	b := a.As16()
	host := binary.BigEndian.Uint64(b[8:])
	return host == 0 || host > ^uint64(0)-ipv6ReservedTail
}

// allocIPv6 takes a free address of the VSwitch's /64 for an instance.
// Real interface IDs look random, so these are too; with 2^64 candidates a
// collision only costs another draw.
func (sw *vswitch) allocIPv6(instanceID string) netip.Addr {
	b := sw.Ipv6Cidr.Addr().As16()
	for {
		binary.BigEndian.PutUint64(b[8:], rand.Uint64())
		a := netip.AddrFrom16(b)
		if _, used := sw.usedIPv6[a]; !used && !ipv6Reserved(a) {
			sw.usedIPv6[a] = instanceID
			return a
		}
	}
}

// checkIPv6 reports whether a chosen address (RunInstances Ipv6Address.N)
// lies in the VSwitch's /64, is not reserved and is free.
func (sw *vswitch) checkIPv6(a netip.Addr) *apiError {
	if !sw.Ipv6Cidr.Contains(a) || ipv6Reserved(a) {
		return errIpv6Address(a.String())
	}
	if _, used := sw.usedIPv6[a]; used {
		return apiErr(http.StatusForbidden, "InvalidIp.IpAssigned", "The specified IPv6 address %s is already assigned.", a)
	}
	return nil
}

// parseIPv6 parses one IPv6 address as the API accepts it: IPv6 proper,
// not an IPv4-mapped form, without a zone.
func parseIPv6(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

func errIpv6Address(s string) *apiError {
	return apiErr(http.StatusForbidden, "InvalidIp.Address", "The specified IPv6 address %s is not valid.", s)
}

// ipv6View renders an optional block as the VPC API does: "" when IPv6 is
// off.
func ipv6View(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}
