package ecssim

import (
	"net/netip"
	"sort"
	"sync"
	"time"
)

// store is the simulated world: every resource of every region, guarded by
// one mutex. It knows nothing about HTTP; handlers lock it, read and change
// resources, and schedule lifecycle timers.
type store struct {
	mu      sync.Mutex
	regions map[string]*regionState
	seq     int64 // creation order of resources, for stable listings
	// epoch changes on every reset so timers scheduled before it find
	// nothing to do.
	epoch int64
	idem  map[idemKey]*idemEntry
	// soldOut marks (region, zone, instance type) without stock; see
	// Server.SetStock. It is world state and goes with a Reset.
	soldOut map[stockKey]bool
	// ramRoles and resourceGroups are account settings, not world state:
	// seeded once, extended through the admin API, kept across Reset like
	// credentials.
	ramRoles       map[string]bool
	resourceGroups map[string]bool
	// ipv6Seq numbers the VPC IPv6 blocks handed out, so each VPC's /56 is
	// unique across regions (see nextVpcIpv6Block).
	ipv6Seq int
}

// regionState is one region's resources, keyed by ID (key pairs by name,
// which is their identity in the API).
type regionState struct {
	info      *regionInfo
	instances map[string]*instance
	groups    map[string]*securityGroup
	keyPairs  map[string]*keyPair
	vpcs      map[string]*vpc
	vswitches map[string]*vswitch
	eips      map[string]*eip
	disks     map[string]*disk
	lbs       map[string]*loadBalancer
	dsets     map[string]*deploymentSet
}

// defaultResourceGroupID is the account's default resource group.
const defaultResourceGroupID = "rg-acfmecssim0default"

// Resource records. Exported field names only for readability; none of
// these leave the package (admin.go builds its own views).

type instance struct {
	ID, Region, ZoneID           string
	Name, HostName, Description  string
	ImageID, InstanceType        string
	Status                       string
	VpcID, VSwitchID, PrivateIP  string
	PublicIP, EipID              string
	SecurityGroupIDs             []string
	KeyPairName, Password        string
	AuthorizedKey                string // the key pair's key at creation; deleting the pair keeps it
	UserData                     []byte
	Tags                         []Tag
	BandwidthOut, BandwidthIn    int
	InternetChargeType           string
	InstanceChargeType           string
	SpotStrategy                 string
	SpotPriceLimit               float64
	SpotDuration                 int
	SpotInterruptionBehavior     string
	DeletionProtection           bool
	ResourceGroupID              string
	HTTPEndpoint, HTTPTokens     string
	HopLimit                     int
	RAMRoleName                  string
	Period                       int    // PrePaid only
	PeriodUnit                   string // PrePaid only: Week | Month
	AutoRenew                    bool
	ExpiredTime                  time.Time // PrePaid only
	CreationTime, StartTime      time.Time
	SystemDiskID                 string
	DataDiskIDs                  []string
	ENIID, MAC, SerialNumber     string
	StoppedMode, AutoReleaseTime string
	ENITags                      []Tag
	Ipv6Addresses                []string // of the primary ENI, from the VSwitch's /64
	DeploymentSetID              string   // the only record of membership: a released instance leaves by vanishing
	Releasing                    bool     // DeleteInstance accepted; gone after the release delay
	// WantPublicIP records that the instance has a system public IP that
	// StopCharging took away; the next start assigns a new one.
	WantPublicIP bool

	gen      int  // bumped on every status change; stale timers compare it
	bootGen  int  // bumped each time the instance reaches Running
	sshReady bool // the guest SSH server should be up (Running + SSH delay)
	// HostName and Password changes take effect at the next boot; the
	// guest sees the values captured when the instance last reached
	// Running.
	bootHostName, bootPassword string
	seq                        int64
}

type securityGroup struct {
	ID, Region, Name, Description string
	Type, VpcID, ResourceGroupID  string
	InnerAccessPolicy             string
	Tags                          []Tag
	Rules                         []*sgRule
	CreationTime                  time.Time
	seq                           int64
}

type sgRule struct {
	ID, Direction, Protocol, PortRange      string
	SourceCidr, Ipv6SourceCidr              string
	SourceGroupID, SourcePrefixListID       string
	SourcePortRange, DestCidr, Ipv6DestCidr string
	Policy, NicType, Description            string
	Priority                                int
	CreateTime                              time.Time
}

type keyPair struct {
	ID, Region, Name, FingerPrint string
	PublicKey, ResourceGroupID    string
	Tags                          []Tag
	CreationTime                  time.Time
	seq                           int64
}

type vpc struct {
	ID, Region, Name, Description string
	Cidr                          netip.Prefix
	Ipv6Cidr                      netip.Prefix // zero unless created with EnableIpv6
	Ipv6Isp                       string
	Status                        string
	IsDefault                     bool
	VRouterID, RouteTableID       string
	ResourceGroupID               string
	Tags                          []Tag
	RouteTableTags                []Tag
	Routes                        []*routeEntry // custom entries of the system route table
	CreationTime                  time.Time
	seq                           int64
}

// routeEntry is a custom route (legacy CreateRouteEntry).
type routeEntry struct {
	Dest                   netip.Prefix
	NextHopType, NextHopID string
	CreationTime           time.Time
}

type vswitch struct {
	ID, Region, VpcID, ZoneID string
	Name, Description         string
	Cidr                      netip.Prefix
	Ipv6Cidr                  netip.Prefix // a /64 of the VPC's /56; zero without IPv6
	Status                    string
	IsDefault                 bool
	Tags                      []Tag
	CreationTime              time.Time
	usedIPs                   map[netip.Addr]string // private IP -> instance ID
	usedIPv6                  map[netip.Addr]string // IPv6 address -> instance ID
	seq                       int64
}

type eip struct {
	ID, Region, Name, Description, IP string
	Status, InstanceID                string
	Bandwidth                         int
	InternetChargeType, ChargeType    string // PayByTraffic | PayByBandwidth; PostPaid | PrePaid
	ISP, Netmode, ResourceGroupID     string
	Tags                              []Tag
	AllocationTime, ExpiredTime       time.Time
	gen                               int // bumped on every status change; stale timers compare it
	seq                               int64
}

// deploymentSet is an ECS deployment set. Its members are the instances
// whose DeploymentSetID names it.
type deploymentSet struct {
	ID, Region, Name, Description string
	Strategy                      string // Availability | AvailabilityGroup | LowLatency
	GroupCount                    int    // AvailabilityGroup only
	CreationTime                  time.Time
	seq                           int64
}

// loadBalancer is a Classic Load Balancer (SLB 2014-05-15). Only tests and
// the admin API create them; the API only manages their backends.
type loadBalancer struct {
	ID, Region, Name, Address string
	Backends                  []*lbBackend
	CreationTime              time.Time
	seq                       int64
}

type lbBackend struct {
	ServerID, Type, Description string
	Weight                      int
}

type disk struct {
	ID, Region, ZoneID, InstanceID string
	Name, Type, Category, Device   string // Type: system | data
	PerformanceLevel, Status       string
	Description, KMSKeyID          string
	Encrypted                      bool
	Size                           int
	DeleteWithInstance             bool
	Tags                           []Tag
	CreationTime                   time.Time
	seq                            int64
}

func newStore() *store {
	st := &store{ramRoles: map[string]bool{}, resourceGroups: map[string]bool{}}
	for _, r := range seedRAMRoles {
		st.ramRoles[r] = true
	}
	for _, g := range seedResourceGroups {
		st.resourceGroups[g] = true
	}
	st.resetLocked()
	return st
}

// resetLocked drops every resource and seeds each region with its default
// VPC and VSwitch, as a fresh real account has them.
func (st *store) resetLocked() {
	st.epoch++
	st.idem = map[idemKey]*idemEntry{}
	st.soldOut = map[stockKey]bool{}
	st.ipv6Seq = 0
	st.regions = make(map[string]*regionState, len(regions))
	now := time.Now()
	for i := range regions {
		info := &regions[i]
		rs := &regionState{
			info:      info,
			instances: map[string]*instance{},
			groups:    map[string]*securityGroup{},
			keyPairs:  map[string]*keyPair{},
			vpcs:      map[string]*vpc{},
			vswitches: map[string]*vswitch{},
			eips:      map[string]*eip{},
			disks:     map[string]*disk{},
			lbs:       map[string]*loadBalancer{},
			dsets:     map[string]*deploymentSet{},
		}
		st.regions[info.ID] = rs
		v := &vpc{
			ID: newID("vpc", info.Code, lenVpcID), Region: info.ID,
			Cidr: netip.MustParsePrefix("172.16.0.0/12"), Status: statusAvailable, IsDefault: true,
			VRouterID: newID("vrt", info.Code, lenVpcID), RouteTableID: newID("vtb", info.Code, lenVpcID),
			ResourceGroupID: defaultResourceGroupID, CreationTime: now, seq: st.nextSeq(),
		}
		rs.vpcs[v.ID] = v
		sw := &vswitch{
			ID: newID("vsw", info.Code, lenVSwitchID), Region: info.ID, VpcID: v.ID, ZoneID: info.ZoneIDs[0],
			Cidr: netip.MustParsePrefix("172.16.0.0/20"), Status: statusAvailable, IsDefault: true,
			CreationTime: now, usedIPs: map[netip.Addr]string{}, usedIPv6: map[netip.Addr]string{}, seq: st.nextSeq(),
		}
		rs.vswitches[sw.ID] = sw
	}
}

func (st *store) nextSeq() int64 {
	st.seq++
	return st.seq
}

// Status values shared by VPCs, VSwitches and EIPs.
const (
	statusPending   = "Pending"
	statusAvailable = "Available"
)

// Instance statuses (aliyun-api.md §5.1).
const (
	instPending  = "Pending"
	instStarting = "Starting"
	instRunning  = "Running"
	instStopping = "Stopping"
	instStopped  = "Stopped"
)

// bySeq returns the values of m in creation order.
func bySeq[T any](m map[string]*T, seq func(*T) int64) []*T {
	out := make([]*T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return seq(out[i]) < seq(out[j]) })
	return out
}

func (rs *regionState) instanceList() []*instance {
	return bySeq(rs.instances, func(i *instance) int64 { return i.seq })
}

func (rs *regionState) groupList() []*securityGroup {
	return bySeq(rs.groups, func(g *securityGroup) int64 { return g.seq })
}

func (rs *regionState) keyPairList() []*keyPair {
	return bySeq(rs.keyPairs, func(k *keyPair) int64 { return k.seq })
}

func (rs *regionState) vpcList() []*vpc { return bySeq(rs.vpcs, func(v *vpc) int64 { return v.seq }) }

func (rs *regionState) vswitchList() []*vswitch {
	return bySeq(rs.vswitches, func(v *vswitch) int64 { return v.seq })
}

func (rs *regionState) eipList() []*eip { return bySeq(rs.eips, func(e *eip) int64 { return e.seq }) }

func (rs *regionState) lbList() []*loadBalancer {
	return bySeq(rs.lbs, func(l *loadBalancer) int64 { return l.seq })
}

func (rs *regionState) diskList() []*disk {
	return bySeq(rs.disks, func(d *disk) int64 { return d.seq })
}

func (rs *regionState) deploymentSetList() []*deploymentSet {
	return bySeq(rs.dsets, func(d *deploymentSet) int64 { return d.seq })
}

// instancesUsingGroup counts instances (releasing ones included, as they
// still hold their ENI) that reference a security group.
func (rs *regionState) instancesUsingGroup(id string) int {
	n := 0
	for _, inst := range rs.instances {
		for _, g := range inst.SecurityGroupIDs {
			if g == id {
				n++
				break
			}
		}
	}
	return n
}

// regionNames returns the sorted region IDs of the catalogue.
func (st *store) regionIDs() []string {
	out := make([]string, 0, len(st.regions))
	for id := range st.regions {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
