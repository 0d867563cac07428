package ecssim

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// ruleFields are the parameters of one ingress rule, both as the fields of
// Permissions.N.* and as the legacy flat parameters.
var ruleFields = []string{
	"IpProtocol", "PortRange", "SourceCidrIp", "Ipv6SourceCidrIp", "SourceGroupId", "SourcePrefixListId",
	"SourcePortRange", "DestCidrIp", "Ipv6DestCidrIp", "Policy", "Priority", "NicType",
}

// maxRules is the rule limit of a security group, ingress and egress
// together.
const maxRules = 200

// ruleInputs returns the raw rules of an AuthorizeSecurityGroup call from
// either form; mixing the two is an error.
func ruleInputs(p params) ([]map[string]string, *apiError) {
	perms := p.structs("Permissions")
	flat := false
	for _, f := range ruleFields {
		if p[f] != "" {
			flat = true
		}
	}
	switch {
	case len(perms) > 0 && flat:
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter",
			"Permissions.N cannot be used together with the legacy rule parameters (IpProtocol, PortRange, ...).")
	case len(perms) > 100:
		return nil, errInvalid("Permissions")
	case len(perms) > 0:
		return perms, nil
	case flat:
		m := map[string]string{"Description": p["Description"]}
		for _, f := range ruleFields {
			m[f] = p[f]
		}
		return []map[string]string{m}, nil
	}
	return nil, errMissing("IpProtocol")
}

// parseRule validates one raw rule and normalises it as the service shows
// it back (upper-case protocol, Accept/Drop policy).
func parseRule(rs *regionState, m map[string]string) (*sgRule, *apiError) {
	r := &sgRule{Direction: "ingress", Description: m["Description"]}
	switch strings.ToUpper(m["IpProtocol"]) {
	case "":
		return nil, errMissing("IpProtocol")
	case "TCP", "UDP", "ICMP", "GRE", "ALL":
		r.Protocol = strings.ToUpper(m["IpProtocol"])
	case "ICMPV6":
		r.Protocol = "ICMPv6"
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidIpProtocol.Malformed", "The specified IpProtocol is not valid.")
	}
	r.PortRange = m["PortRange"]
	if r.PortRange == "" {
		if r.Protocol == "TCP" || r.Protocol == "UDP" {
			return nil, errMissing("PortRange")
		}
		r.PortRange = "-1/-1"
	}
	if !validPortRange(r.Protocol, r.PortRange) {
		return nil, apiErr(http.StatusBadRequest, "InvalidPortRange.Malformed", "The specified PortRange is not valid.")
	}
	r.SourceCidr, r.Ipv6SourceCidr = m["SourceCidrIp"], m["Ipv6SourceCidrIp"]
	r.SourceGroupID, r.SourcePrefixListID = m["SourceGroupId"], m["SourcePrefixListId"]
	if r.SourceCidr == "" && r.Ipv6SourceCidr == "" && r.SourceGroupID == "" && r.SourcePrefixListID == "" {
		return nil, errMissing("SourceCidrIp")
	}
	if r.SourceCidr != "" && !validCidrOrIP(r.SourceCidr, true) {
		return nil, apiErr(http.StatusBadRequest, "InvalidSourceCidrIp.Malformed", "The specified SourceCidrIp is not valid.")
	}
	if r.Ipv6SourceCidr != "" && !validCidrOrIP(r.Ipv6SourceCidr, false) {
		return nil, apiErr(http.StatusBadRequest, "InvalidIpv6SourceCidrIp.Malformed", "The specified Ipv6SourceCidrIp is not valid.")
	}
	if r.SourceGroupID != "" && rs.groups[r.SourceGroupID] == nil {
		return nil, errSecurityGroupNotFound()
	}
	r.DestCidr, r.Ipv6DestCidr, r.SourcePortRange = m["DestCidrIp"], m["Ipv6DestCidrIp"], m["SourcePortRange"]
	if r.DestCidr != "" && !validCidrOrIP(r.DestCidr, true) {
		return nil, apiErr(http.StatusBadRequest, "InvalidDestCidrIp.Malformed", "The specified DestCidrIp is not valid.")
	}
	switch strings.ToLower(m["Policy"]) {
	case "", "accept":
		r.Policy = "Accept"
	case "drop":
		r.Policy = "Drop"
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidPolicy.Malformed", "The specified Policy is not valid.")
	}
	r.Priority = 1
	if v := m["Priority"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, apiErr(http.StatusBadRequest, "InvalidPriority.Malformed", "The specified Priority is not valid.")
		}
		r.Priority = n
	}
	switch strings.ToLower(m["NicType"]) {
	case "", "intranet":
		r.NicType = "intranet"
	case "internet":
		r.NicType = "internet"
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidNicType.ValueNotSupported", "The specified NicType is not valid.")
	}
	return r, nil
}

func validPortRange(protocol, pr string) bool {
	lo, hi, ok := strings.Cut(pr, "/")
	if !ok {
		return false
	}
	if protocol != "TCP" && protocol != "UDP" {
		return pr == "-1/-1"
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	return err1 == nil && err2 == nil && a >= 1 && b <= 65535 && a <= b
}

func validCidrOrIP(s string, v4 bool) bool {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Addr().Is4() == v4
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4() == v4
}

// sameRule reports whether two rules are the same rule; the description
// does not count.
func sameRule(a, b *sgRule) bool {
	return a.Direction == b.Direction && a.Protocol == b.Protocol && a.PortRange == b.PortRange &&
		a.SourceCidr == b.SourceCidr && a.Ipv6SourceCidr == b.Ipv6SourceCidr &&
		a.SourceGroupID == b.SourceGroupID && a.SourcePrefixListID == b.SourcePrefixListID &&
		a.SourcePortRange == b.SourcePortRange && a.DestCidr == b.DestCidr && a.Ipv6DestCidr == b.Ipv6DestCidr &&
		a.Policy == b.Policy && a.Priority == b.Priority && a.NicType == b.NicType
}

func permissionView(r *sgRule) obj {
	return obj{
		"SecurityGroupRuleId": r.ID, "Direction": r.Direction, "IpProtocol": r.Protocol, "PortRange": r.PortRange,
		"SourceCidrIp": r.SourceCidr, "Ipv6SourceCidrIp": r.Ipv6SourceCidr, "SourceGroupId": r.SourceGroupID,
		"SourceGroupName": "", "SourceGroupOwnerAccount": "", "SourcePrefixListId": r.SourcePrefixListID,
		"SourcePrefixListName": "", "SourcePortRange": r.SourcePortRange, "DestCidrIp": r.DestCidr,
		"Ipv6DestCidrIp": r.Ipv6DestCidr, "DestGroupId": "", "DestGroupName": "", "DestGroupOwnerAccount": "",
		"DestPrefixListId": "", "DestPrefixListName": "", "Policy": r.Policy,
		// Real responses carry Priority as a number; the SDK's string field
		// decodes it fuzzily.
		"Priority": r.Priority, "NicType": r.NicType, "Description": r.Description,
		"CreateTime": fmtSecond(r.CreateTime),
	}
}
