package driver

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// portSpec is one parsed --aliyunecs-open-port value.
type portSpec struct {
	protocol string // TCP or UDP
	from, to int
}

// rangeString is the ECS PortRange form "from/to".
func (p portSpec) rangeString() string {
	return fmt.Sprintf("%d/%d", p.from, p.to)
}

// parsePortSpec accepts "port", "port/proto", "a-b" and "a-b/proto" with
// proto tcp (default) or udp.
func parsePortSpec(s string) (portSpec, error) {
	ports, proto, hasProto := strings.Cut(strings.TrimSpace(s), "/")
	spec := portSpec{protocol: "TCP"}
	if hasProto {
		switch strings.ToLower(proto) {
		case "tcp":
		case "udp":
			spec.protocol = "UDP"
		default:
			return portSpec{}, fmt.Errorf("%q: protocol must be tcp or udp", s)
		}
	}
	from, to, isRange := strings.Cut(ports, "-")
	if !isRange {
		to = from
	}
	var err error
	if spec.from, err = strconv.Atoi(from); err != nil || spec.from < 1 || spec.from > 65535 {
		return portSpec{}, fmt.Errorf("%q: %q is not a port 1-65535", s, from)
	}
	if spec.to, err = strconv.Atoi(to); err != nil || spec.to < 1 || spec.to > 65535 {
		return portSpec{}, fmt.Errorf("%q: %q is not a port 1-65535", s, to)
	}
	if spec.to < spec.from {
		return portSpec{}, fmt.Errorf("%q: the range ends before it starts", s)
	}
	return spec, nil
}

// clusterPorts are the RKE2/K3s ports nodes use among themselves. They are
// opened only to members of the same security group.
var clusterPorts = []portSpec{
	{"TCP", 6443, 6443},   // Kubernetes API server
	{"TCP", 9345, 9345},   // RKE2 supervisor
	{"TCP", 2379, 2380},   // etcd client and peer
	{"UDP", 8472, 8472},   // flannel VXLAN
	{"UDP", 4789, 4789},   // VXLAN (Calico and others)
	{"TCP", 9796, 9796},   // node exporter
	{"TCP", 10256, 10256}, // kube-proxy health
	{"TCP", 10250, 10250}, // kubelet
	{"TCP", 10251, 10251}, // kube-scheduler (RKE1-era, harmless)
	{"TCP", 10252, 10252}, // kube-controller-manager (RKE1-era, harmless)
}

// publicPorts are opened to --aliyunecs-ingress-cidr (the world by default):
// SSH for rancher-machine ssh, the API server for kubectl, ingress and
// NodePorts.
var publicPorts = []portSpec{
	{"TCP", 22, 22},
	{"TCP", 6443, 6443},
	{"TCP", 80, 80},
	{"TCP", 443, 443},
	{"TCP", 30000, 32767},
	{"UDP", 30000, 32767},
}

// wantedRules is the rule set of a security group the driver owns.
func (d *Driver) wantedRules(groupID string) []ecs.Permission {
	var rules []ecs.Permission
	for _, p := range clusterPorts {
		rules = append(rules, ecs.Permission{IPProtocol: p.protocol, PortRange: p.rangeString(), SourceGroupID: groupID, NicType: "intranet"})
	}
	ingress := d.IngressCIDRs
	if len(ingress) == 0 {
		ingress = []string{defaultIngressCIDR}
	}
	for _, cidr := range ingress {
		for _, p := range publicPorts {
			rules = append(rules, ecs.Permission{IPProtocol: p.protocol, PortRange: p.rangeString(), SourceCidrIP: cidr, NicType: "intranet"})
		}
	}
	// --aliyunecs-open-port opens to the world, as the PANDARIA fork and
	// amazonec2's --open-port do.
	for _, raw := range d.OpenPorts {
		if p, err := parsePortSpec(raw); err == nil {
			rules = append(rules, ecs.Permission{IPProtocol: p.protocol, PortRange: p.rangeString(), SourceCidrIP: "0.0.0.0/0", NicType: "intranet"})
		}
	}
	return rules
}

// missingRules returns the wanted rules that existing does not already hold,
// so that authorising them converges instead of piling up duplicates.
func missingRules(wanted, existing []ecs.Permission) []ecs.Permission {
	have := make(map[string]bool, len(existing))
	for _, r := range existing {
		have[ruleKey(r)] = true
	}
	var missing []ecs.Permission
	for _, r := range wanted {
		k := ruleKey(r)
		if !have[k] {
			missing = append(missing, r)
			have[k] = true
		}
	}
	return missing
}

func ruleKey(r ecs.Permission) string {
	dir := r.Direction
	if dir == "" {
		dir = "ingress"
	}
	return strings.ToLower(strings.Join([]string{dir, r.IPProtocol, r.PortRange, r.SourceCidrIP, r.SourceGroupID}, "|"))
}
