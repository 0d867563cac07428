package ecssim

import (
	"net/http"
	"net/netip"
	"strconv"
)

// IPv6 addresses of new instances: RunInstances Ipv6AddressCount or
// Ipv6Address.N give the primary ENI addresses from the VSwitch's /64.
// Codes are RunInstances' own (InvalidVSwitch.Ipv6NotTurnOn,
// InvalidOperation.Ipv6CountExceeded, InvalidIp.*), all 403 as listed.

// parseIpv6 reads Ipv6AddressCount and Ipv6Address.N, at the top level or
// on the primary NetworkInterface.N (not both), and checks them against
// the instance type's per-ENI limit. What needs the VSwitch waits for
// resolveIpv6.
func (r *runRequest) parseIpv6(p params) *apiError {
	count, addrs := p.get("Ipv6AddressCount"), p.indexed("Ipv6Address")
	for _, ni := range p.structs("NetworkInterface") {
		sub := params(ni)
		c, a := sub.get("Ipv6AddressCount"), sub.indexed("Ipv6Address")
		if ni["InstanceType"] != "Primary" || c == "" && len(a) == 0 {
			continue
		}
		if count != "" || len(addrs) > 0 {
			return apiErr(http.StatusBadRequest, "InvalidParameter",
				"IPv6 addresses cannot be specified both at the top level and on NetworkInterface.N.")
		}
		count, addrs = c, a
	}
	if count != "" && len(addrs) > 0 {
		return apiErr(http.StatusBadRequest, "InvalidParameter",
			"Ipv6AddressCount and Ipv6Address.N cannot be specified at the same time.")
	}
	n := len(addrs)
	if count != "" {
		v, err := strconv.Atoi(count)
		if err != nil || v < 1 {
			return errInvalid("Ipv6AddressCount")
		}
		n = v
	}
	seen := map[netip.Addr]bool{}
	for _, s := range addrs {
		a, ok := parseIPv6(s)
		if !ok {
			return errIpv6Address(s)
		}
		if seen[a] {
			return apiErr(http.StatusForbidden, "InvalidIp.IpRepeated", "The specified IPv6 address %s is repeated.", s)
		}
		seen[a] = true
		r.ipv6Addrs = append(r.ipv6Addrs, a)
	}
	// Chosen addresses can belong to one instance only.
	if len(addrs) > 0 && r.amount != 1 {
		return errInvalid("Ipv6Address.N")
	}
	if limit := r.itype.ipv6PerENI(); n > limit {
		return apiErr(http.StatusForbidden, "InvalidOperation.Ipv6CountExceeded",
			"The number of eni ipv6 address exceeds the limit(%d). target instanceType %s. Assigned:0. Expecting assign:%d.",
			limit, r.itype.ID, n)
	}
	r.ipv6Count = n
	return nil
}

// resolveIpv6 checks the IPv6 part of a request against its VSwitch: IPv6
// must be on, chosen addresses in its /64 and free. The store must be
// locked.
func (r *runRequest) resolveIpv6(sw *vswitch) *apiError {
	if r.ipv6Count == 0 {
		return nil
	}
	if !sw.Ipv6Cidr.IsValid() {
		return apiErr(http.StatusForbidden, "InvalidVSwitch.Ipv6NotTurnOn",
			"The specified VSwitch %q ipv6 function not turn on.", sw.ID)
	}
	for _, a := range r.ipv6Addrs {
		if aerr := sw.checkIPv6(a); aerr != nil {
			return aerr
		}
	}
	return nil
}

// assignIpv6 gives a new instance its addresses: the chosen ones, or
// Ipv6AddressCount fresh ones. The store must be locked.
func (r *runRequest) assignIpv6(sw *vswitch, inst *instance) {
	for _, a := range r.ipv6Addrs {
		sw.usedIPv6[a] = inst.ID
		inst.Ipv6Addresses = append(inst.Ipv6Addresses, a.String())
	}
	for range r.ipv6Count - len(r.ipv6Addrs) {
		inst.Ipv6Addresses = append(inst.Ipv6Addresses, sw.allocIPv6(inst.ID).String())
	}
}
