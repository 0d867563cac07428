package ecssim

import "sort"

// Resource is what every entry of Resources carries.
type Resource struct {
	ID     string            `json:"id"`
	Region string            `json:"region"`
	Name   string            `json:"name"`
	Status string            `json:"status"`
	Tags   map[string]string `json:"tags"`
}

// InstanceResource is an instance as GET /_sim/resources lists it.
type InstanceResource struct {
	Resource
	PublicIP         string   `json:"publicIp"`
	PrivateIP        string   `json:"privateIp"`
	KeyPairName      string   `json:"keyPairName"`
	SecurityGroupIDs []string `json:"securityGroupIds"`
	HostName         string   `json:"hostName"`
	ZoneID           string   `json:"zoneId"`
	VSwitchID        string   `json:"vswitchId"`
	VpcID            string   `json:"vpcId"`
	InstanceType     string   `json:"instanceType"`
	ImageID          string   `json:"imageId"`
	EipID            string   `json:"eipId"`
	// StoppedMode is Not-applicable, KeepCharging or StopCharging.
	StoppedMode        string `json:"stoppedMode"`
	ChargeType         string `json:"chargeType"`
	RAMRoleName        string `json:"ramRoleName"`
	DeletionProtection bool   `json:"deletionProtection"`
	// Releasing is true between DeleteInstance and the instance vanishing.
	Releasing bool `json:"releasing"`
	// Ipv6Addresses are the primary ENI's IPv6 addresses (RunInstances
	// Ipv6AddressCount or Ipv6Address.N); empty without IPv6.
	Ipv6Addresses []string `json:"ipv6Addresses"`
	// DeploymentSetID is the instance's deployment set, "" for none.
	DeploymentSetID string `json:"deploymentSetId"`
}

// RuleResource is one security group rule.
type RuleResource struct {
	Direction     string `json:"direction"`
	Protocol      string `json:"protocol"`
	PortRange     string `json:"portRange"`
	SourceCidr    string `json:"sourceCidr"`
	SourceGroupID string `json:"sourceGroupId"`
	Policy        string `json:"policy"`
	Priority      int    `json:"priority"`
}

// SecurityGroupResource is a security group with its rules.
type SecurityGroupResource struct {
	Resource
	VpcID             string         `json:"vpcId"`
	InnerAccessPolicy string         `json:"innerAccessPolicy"`
	Rules             []RuleResource `json:"rules"`
}

// KeyPairResource is a key pair.
type KeyPairResource struct {
	Resource
	FingerPrint string `json:"fingerPrint"`
}

// VpcResource is a VPC.
type VpcResource struct {
	Resource
	CidrBlock string `json:"cidrBlock"`
	IsDefault bool   `json:"isDefault"`
	// Ipv6CidrBlock is the VPC's /56, "" unless created with EnableIpv6.
	Ipv6CidrBlock string `json:"ipv6CidrBlock"`
}

// VSwitchResource is a VSwitch.
type VSwitchResource struct {
	Resource
	VpcID     string `json:"vpcId"`
	ZoneID    string `json:"zoneId"`
	CidrBlock string `json:"cidrBlock"`
	IsDefault bool   `json:"isDefault"`
	// Ipv6CidrBlock is the VSwitch's /64, "" without IPv6.
	Ipv6CidrBlock string `json:"ipv6CidrBlock"`
}

// DeploymentSetResource is a deployment set with its members.
type DeploymentSetResource struct {
	Resource
	Strategy   string `json:"strategy"`
	GroupCount int    `json:"groupCount"` // AvailabilityGroup only
	// InstanceIDs are the members in creation order, releasing ones
	// included until they are gone.
	InstanceIDs []string `json:"instanceIds"`
}

// EipResource is an elastic IP address.
type EipResource struct {
	Resource
	IPAddress  string `json:"ipAddress"`
	InstanceID string `json:"instanceId"`
	Bandwidth  int    `json:"bandwidth"`
	ChargeType string `json:"chargeType"`
}

// BackendResource is one backend server of a load balancer.
type BackendResource struct {
	ServerID    string `json:"serverId"`
	Weight      int    `json:"weight"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

// LoadBalancerResource is a Classic Load Balancer with its backends.
type LoadBalancerResource struct {
	Resource
	Address  string            `json:"address"`
	Backends []BackendResource `json:"backends"`
}

// DiskResource is a cloud disk.
type DiskResource struct {
	Resource
	InstanceID         string `json:"instanceId"`
	Size               int    `json:"size"`
	Category           string `json:"category"`
	Type               string `json:"type"` // system | data
	DeleteWithInstance bool   `json:"deleteWithInstance"`
	PerformanceLevel   string `json:"performanceLevel"`
	Encrypted          bool   `json:"encrypted"`
	KMSKeyID           string `json:"kmsKeyId"`
}

// Resources is every resource that exists now, in creation order, as GET
// /_sim/resources returns it. Every list is present, possibly empty.
type Resources struct {
	Instances      []InstanceResource      `json:"instances"`
	SecurityGroups []SecurityGroupResource `json:"securityGroups"`
	KeyPairs       []KeyPairResource       `json:"keyPairs"`
	Vpcs           []VpcResource           `json:"vpcs"`
	VSwitches      []VSwitchResource       `json:"vswitches"`
	Eips           []EipResource           `json:"eips"`
	Disks          []DiskResource          `json:"disks"`
	LoadBalancers  []LoadBalancerResource  `json:"loadBalancers"`
	DeploymentSets []DeploymentSetResource `json:"deploymentSets"`
}

// seqSort orders a snapshot list by the store's creation sequence.
func seqSort[T any](items []T, seqs []int64) {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return seqs[idx[a]] < seqs[idx[b]] })
	sorted := make([]T, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}

// Resources returns a snapshot of the simulated world.
func (s *Server) Resources() Resources {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := Resources{
		Instances: []InstanceResource{}, SecurityGroups: []SecurityGroupResource{}, KeyPairs: []KeyPairResource{},
		Vpcs: []VpcResource{}, VSwitches: []VSwitchResource{}, Eips: []EipResource{}, Disks: []DiskResource{},
		LoadBalancers: []LoadBalancerResource{}, DeploymentSets: []DeploymentSetResource{},
	}
	var iSeq, gSeq, kSeq, vSeq, swSeq, eSeq, dSeq, lSeq, dsSeq []int64
	for _, region := range st.regionIDs() {
		rs := st.regions[region]
		for _, i := range rs.instances {
			out.Instances = append(out.Instances, InstanceResource{
				Resource: Resource{i.ID, i.Region, i.Name, i.Status, tagMap(i.Tags)},
				PublicIP: i.PublicIP, PrivateIP: i.PrivateIP, KeyPairName: i.KeyPairName,
				SecurityGroupIDs: append([]string{}, i.SecurityGroupIDs...), HostName: i.HostName,
				ZoneID: i.ZoneID, VSwitchID: i.VSwitchID, VpcID: i.VpcID, InstanceType: i.InstanceType,
				ImageID: i.ImageID, EipID: i.EipID, StoppedMode: i.StoppedMode, ChargeType: i.InstanceChargeType,
				RAMRoleName: i.RAMRoleName, DeletionProtection: i.DeletionProtection, Releasing: i.Releasing,
				Ipv6Addresses: append([]string{}, i.Ipv6Addresses...), DeploymentSetID: i.DeploymentSetID,
			})
			iSeq = append(iSeq, i.seq)
		}
		for _, g := range rs.groups {
			rules := []RuleResource{}
			for _, r := range g.Rules {
				src := r.SourceCidr
				if src == "" {
					src = r.Ipv6SourceCidr
				}
				rules = append(rules, RuleResource{r.Direction, r.Protocol, r.PortRange, src, r.SourceGroupID, r.Policy, r.Priority})
			}
			out.SecurityGroups = append(out.SecurityGroups, SecurityGroupResource{
				Resource: Resource{g.ID, g.Region, g.Name, statusAvailable, tagMap(g.Tags)},
				VpcID:    g.VpcID, InnerAccessPolicy: g.InnerAccessPolicy, Rules: rules,
			})
			gSeq = append(gSeq, g.seq)
		}
		for _, k := range rs.keyPairs {
			out.KeyPairs = append(out.KeyPairs, KeyPairResource{
				Resource: Resource{k.ID, k.Region, k.Name, statusAvailable, tagMap(k.Tags)}, FingerPrint: k.FingerPrint,
			})
			kSeq = append(kSeq, k.seq)
		}
		for _, v := range rs.vpcs {
			out.Vpcs = append(out.Vpcs, VpcResource{
				Resource: Resource{v.ID, v.Region, v.Name, v.Status, tagMap(v.Tags)}, CidrBlock: v.Cidr.String(), IsDefault: v.IsDefault,
				Ipv6CidrBlock: ipv6View(v.Ipv6Cidr),
			})
			vSeq = append(vSeq, v.seq)
		}
		for _, sw := range rs.vswitches {
			out.VSwitches = append(out.VSwitches, VSwitchResource{
				Resource: Resource{sw.ID, sw.Region, sw.Name, sw.Status, tagMap(sw.Tags)},
				VpcID:    sw.VpcID, ZoneID: sw.ZoneID, CidrBlock: sw.Cidr.String(), IsDefault: sw.IsDefault,
				Ipv6CidrBlock: ipv6View(sw.Ipv6Cidr),
			})
			swSeq = append(swSeq, sw.seq)
		}
		for _, e := range rs.eips {
			out.Eips = append(out.Eips, EipResource{
				Resource: Resource{e.ID, e.Region, e.Name, e.Status, tagMap(e.Tags)}, IPAddress: e.IP, InstanceID: e.InstanceID,
				Bandwidth: e.Bandwidth, ChargeType: e.ChargeType,
			})
			eSeq = append(eSeq, e.seq)
		}
		for _, d := range rs.disks {
			out.Disks = append(out.Disks, DiskResource{
				Resource:   Resource{d.ID, d.Region, d.Name, d.Status, tagMap(d.Tags)},
				InstanceID: d.InstanceID, Size: d.Size, Category: d.Category, Type: d.Type, DeleteWithInstance: d.DeleteWithInstance,
				PerformanceLevel: d.PerformanceLevel, Encrypted: d.Encrypted, KMSKeyID: d.KMSKeyID,
			})
			dSeq = append(dSeq, d.seq)
		}
		for _, lb := range rs.lbs {
			backends := []BackendResource{}
			for _, b := range lb.Backends {
				backends = append(backends, BackendResource{b.ServerID, b.Weight, b.Type, b.Description})
			}
			out.LoadBalancers = append(out.LoadBalancers, LoadBalancerResource{
				Resource: Resource{lb.ID, lb.Region, lb.Name, "active", map[string]string{}},
				Address:  lb.Address, Backends: backends,
			})
			lSeq = append(lSeq, lb.seq)
		}
		for _, d := range rs.dsets {
			members := []string{}
			for _, inst := range rs.deploymentSetMembers(d.ID) {
				members = append(members, inst.ID)
			}
			out.DeploymentSets = append(out.DeploymentSets, DeploymentSetResource{
				Resource: Resource{d.ID, d.Region, d.Name, statusAvailable, map[string]string{}},
				Strategy: d.Strategy, GroupCount: d.GroupCount, InstanceIDs: members,
			})
			dsSeq = append(dsSeq, d.seq)
		}
	}
	seqSort(out.Instances, iSeq)
	seqSort(out.SecurityGroups, gSeq)
	seqSort(out.KeyPairs, kSeq)
	seqSort(out.Vpcs, vSeq)
	seqSort(out.VSwitches, swSeq)
	seqSort(out.Eips, eSeq)
	seqSort(out.Disks, dSeq)
	seqSort(out.LoadBalancers, lSeq)
	seqSort(out.DeploymentSets, dsSeq)
	return out
}
