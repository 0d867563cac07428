package ecssim

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// instanceFilter is the DescribeInstances filter set.
type instanceFilter struct {
	p                         params
	ids, privIPs, pubIPs, eip map[string]bool
	ipv6                      map[string]bool // Ipv6Address.N, canonical form
	tags                      []Tag
	// impossible is set by filters on things no simulated instance has
	// (classic inner IPs, RDMA, operation locks): nothing matches.
	impossible           bool
	createdAfter, before time.Time
	// eqs are the exact-match filters present in the request, resolved
	// once so matching 1,000 instances stays cheap.
	eqs []eqFilter
}

type eqFilter struct {
	want string
	have func(*instance) string
}

// eqFields are the DescribeInstances filters that compare one field.
var eqFields = map[string]func(*instance) string{
	"Status": func(i *instance) string { return i.Status }, "VpcId": func(i *instance) string { return i.VpcID },
	"VSwitchId": func(i *instance) string { return i.VSwitchID }, "ZoneId": func(i *instance) string { return i.ZoneID },
	"KeyPairName":  func(i *instance) string { return i.KeyPairName },
	"InstanceType": func(i *instance) string { return i.InstanceType },
	"InstanceTypeFamily": func(i *instance) string {
		if t := findInstanceType(i.InstanceType); t != nil {
			return t.Family
		}
		return ""
	},
	"ImageId":                 func(i *instance) string { return i.ImageID },
	"InstanceChargeType":      func(i *instance) string { return i.InstanceChargeType },
	"InternetChargeType":      func(i *instance) string { return i.InternetChargeType },
	"ResourceGroupId":         func(i *instance) string { return i.ResourceGroupID },
	"InstanceNetworkType":     func(*instance) string { return "vpc" },
	"HttpEndpoint":            func(i *instance) string { return i.HTTPEndpoint },
	"HttpTokens":              func(i *instance) string { return i.HTTPTokens },
	"HttpPutResponseHopLimit": func(i *instance) string { return strconv.Itoa(i.HopLimit) },
	"IoOptimized":             func(*instance) string { return "true" },
	"DeviceAvailable":         func(*instance) string { return "true" },
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
	for _, k := range []string{"InnerIpAddresses", "RdmaIpAddresses"} {
		list, ok, aerr := p.jsonList(k, "Invalid"+k+".Malformed", 100)
		if aerr != nil {
			return nil, aerr
		}
		f.impossible = f.impossible || ok && len(list) > 0
	}
	f.impossible = f.impossible || p.get("LockReason") != "" || p.get("HpcClusterId") != ""
	// Addresses compare in canonical form, so 2001:DB8:0:100::1 finds
	// 2001:db8:0:100::1; what does not parse is kept and matches nothing.
	for _, v := range p.indexed("Ipv6Address") {
		if f.ipv6 == nil {
			f.ipv6 = map[string]bool{}
		}
		if a, ok := parseIPv6(v); ok {
			v = a.String()
		}
		f.ipv6[v] = true
	}
	for _, flt := range p.structs("Filter") {
		t, err := time.Parse(timeMinute, flt["Value"])
		if err != nil {
			return nil, errInvalid("Filter.N.Value")
		}
		switch flt["Key"] {
		case "CreationStartTime":
			f.createdAfter = t
		case "CreationEndTime":
			f.before = t
		default:
			return nil, errInvalid("Filter.N.Key")
		}
	}
	if v := p.get("HttpPutResponseHopLimit"); v != "" {
		if _, err := strconv.Atoi(v); err != nil {
			return nil, errInvalid("HttpPutResponseHopLimit")
		}
	}
	for _, b := range []string{"IoOptimized", "DeviceAvailable"} {
		if _, aerr := p.boolean(b, true); aerr != nil {
			return nil, aerr
		}
	}
	for k, have := range eqFields {
		if v := p.get(k); v != "" {
			if k == "IoOptimized" || k == "DeviceAvailable" {
				v = strings.ToLower(v)
			}
			f.eqs = append(f.eqs, eqFilter{v, have})
		}
	}
	return f, nil
}

func (f *instanceFilter) match(rs *regionState, inst *instance) bool {
	if f.impossible {
		return false
	}
	for _, e := range f.eqs {
		if e.have(inst) != e.want {
			return false
		}
	}
	if g := f.p.get("SecurityGroupId"); g != "" && !slices.Contains(inst.SecurityGroupIDs, g) {
		return false
	}
	if f.eip != nil {
		e := rs.boundEip(inst)
		if e == nil || !f.eip[e.IP] {
			return false
		}
	}
	if f.ipv6 != nil && !slices.ContainsFunc(inst.Ipv6Addresses, func(a string) bool { return f.ipv6[a] }) {
		return false
	}
	created := inst.CreationTime.Truncate(time.Minute)
	return (f.ids == nil || f.ids[inst.ID]) && (f.privIPs == nil || f.privIPs[inst.PrivateIP]) &&
		(f.pubIPs == nil || f.pubIPs[inst.PublicIP]) &&
		(f.p.get("InstanceName") == "" || wildcard(f.p.get("InstanceName"), inst.Name)) &&
		(f.createdAfter.IsZero() || !created.Before(f.createdAfter)) && (f.before.IsZero() || !created.After(f.before)) &&
		matchTags(inst.Tags, f.tags)
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
	if dry, aerr := c.p.dryRun(); aerr != nil || dry {
		return nil, firstErr(aerr, errDryRun())
	}
	rs, unlock := c.lockRegion()
	defer unlock()
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
	idList := c.p.indexed("InstanceId")
	if len(idList) > 100 {
		return nil, errInvalid("InstanceId")
	}
	ids := map[string]bool{}
	for _, id := range idList {
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

// firstErr returns the first non-nil error.
func firstErr(errs ...*apiError) *apiError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// findInstance returns a region's instance or 404 InvalidInstanceId.NotFound.
func (rs *regionState) findInstance(id string) (*instance, *apiError) {
	if inst := rs.instances[id]; inst != nil {
		return inst, nil
	}
	return nil, errInstanceNotFound()
}
