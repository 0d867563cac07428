package ecs

// Domain types returned and accepted by Client. They hold only the fields the
// driver uses; the wire shapes (PascalCase JSON with list wrappers) are decoded
// into unexported structs in the per-resource files and converted to these.

// Instance status values as the ECS API reports them.
const (
	StatusPending  = "Pending"
	StatusStarting = "Starting"
	StatusRunning  = "Running"
	StatusStopping = "Stopping"
	StatusStopped  = "Stopped"
)

// Region is one entry of DescribeRegions.
type Region struct {
	ID       string
	Endpoint string
}

// Zone is one entry of DescribeZones.
type Zone struct {
	ID             string
	InstanceTypes  []string
	DiskCategories []string
	ResourceTypes  []string
}

// Image is one entry of DescribeImages.
type Image struct {
	ID                 string
	Name               string
	Family             string
	OwnerAlias         string
	OSType             string
	OSName             string
	Platform           string
	Architecture       string
	SizeGiB            int
	CreationTime       string
	IsSupportCloudinit bool
}

// ImageQuery filters DescribeImages. Empty fields are not sent.
type ImageQuery struct {
	ImageIDs     []string // sent comma-separated
	ImageName    string
	OwnerAlias   string // system, self, others, marketplace
	OSType       string
	Architecture string
}

// InstanceType is one entry of DescribeInstanceTypes.
type InstanceType struct {
	ID              string
	Family          string
	CPUCores        int
	MemoryGiB       float64
	CPUArchitecture string
	// IPv6PerENI is how many IPv6 addresses one network interface of the
	// type can hold (EniIpv6AddressQuantity); 0 means no IPv6.
	IPv6PerENI int
}

// Tag is a key/value pair. ECS answers TagKey/TagValue, VPC answers Key/Value;
// the decoder accepts both.
type Tag struct {
	Key   string
	Value string
}

// Vpc is one entry of DescribeVpcs.
type Vpc struct {
	ID         string
	Name       string
	CidrBlock  string
	Status     string
	IsDefault  bool
	VSwitchIDs []string
	// Ipv6CidrBlock is the VPC's IPv6 block (a /56), empty when IPv6 is not
	// enabled.
	Ipv6CidrBlock string
	Tags          []Tag
}

// VpcQuery filters DescribeVpcs.
type VpcQuery struct {
	VpcIDs    []string
	Name      string
	IsDefault *bool
	Tags      []Tag
}

// CreateVpcRequest is the input of CreateVpc.
type CreateVpcRequest struct {
	CidrBlock       string
	Name            string
	Description     string
	ResourceGroupID string
	// EnableIpv6 asks for an IPv6 block (a /56 from the cloud's BGP pool).
	EnableIpv6  bool
	ClientToken string
	Tags        []Tag
}

// VSwitch is one entry of DescribeVSwitches.
type VSwitch struct {
	ID        string
	Name      string
	VpcID     string
	ZoneID    string
	CidrBlock string
	Status    string
	IsDefault bool
	// Ipv6CidrBlock is the VSwitch's IPv6 block (a /64), empty when IPv6 is
	// not enabled on it.
	Ipv6CidrBlock string
	Tags          []Tag
}

// VSwitchQuery filters DescribeVSwitches.
type VSwitchQuery struct {
	VSwitchID string
	VpcID     string
	ZoneID    string
	IsDefault *bool
	Tags      []Tag
}

// CreateVSwitchRequest is the input of CreateVSwitch.
type CreateVSwitchRequest struct {
	VpcID       string
	ZoneID      string
	CidrBlock   string
	Name        string
	Description string
	// Ipv6Index, when not nil, enables IPv6 on the VSwitch with the /64 at
	// that index (0-255) of the VPC's /56.
	Ipv6Index   *int
	ClientToken string
	Tags        []Tag
}

// SecurityGroup is one entry of DescribeSecurityGroups, or the result of
// DescribeSecurityGroupAttribute (which also fills Rules and InnerAccessPolicy).
type SecurityGroup struct {
	ID                string
	Name              string
	Description       string
	VpcID             string
	InnerAccessPolicy string
	Tags              []Tag
	Rules             []Permission
}

// SecurityGroupQuery filters DescribeSecurityGroups.
type SecurityGroupQuery struct {
	SecurityGroupIDs []string // sent as a JSON array
	VpcID            string
	Name             string
	Tags             []Tag
}

// CreateSecurityGroupRequest is the input of CreateSecurityGroup.
type CreateSecurityGroupRequest struct {
	VpcID           string
	Name            string
	Description     string
	ResourceGroupID string
	ClientToken     string
	Tags            []Tag
}

// Permission is one ingress rule. PortRange is "start/end" ("-1/-1" for
// protocols without ports). Exactly one of SourceCidrIP and SourceGroupID is set.
type Permission struct {
	Direction     string // ingress (default) or egress; output only
	IPProtocol    string // TCP, UDP, ICMP, GRE, ALL
	PortRange     string
	SourceCidrIP  string
	SourceGroupID string
	Policy        string // Accept (default) or Drop
	Priority      string
	NicType       string // intranet for VPC groups
	Description   string
}

// KeyPair is one entry of DescribeKeyPairs.
type KeyPair struct {
	Name        string
	Fingerprint string
	Tags        []Tag
}

// ImportKeyPairRequest is the input of ImportKeyPair.
type ImportKeyPairRequest struct {
	Name            string
	PublicKeyBody   string
	ResourceGroupID string
	Tags            []Tag
}

// DataDisk describes one RunInstances data disk.
type DataDisk struct {
	SizeGiB            int
	Category           string
	PerformanceLevel   string
	Encrypted          bool
	KMSKeyID           string // with Encrypted; empty uses the account's default key
	DeleteWithInstance bool
	Name               string
}

// RunInstancesRequest is the input of RunInstances. Zero values are not sent.
type RunInstancesRequest struct {
	ImageID                 string
	InstanceType            string
	ZoneID                  string
	VSwitchID               string
	SecurityGroupIDs        []string
	InstanceName            string
	HostName                string
	Description             string
	KeyPairName             string
	Password                string
	UserData                string // already base64-encoded
	PrivateIPAddress        string
	InternetMaxBandwidthOut int
	InternetChargeType      string
	InstanceChargeType      string
	Period                  int
	PeriodUnit              string
	SpotStrategy            string
	SpotPriceLimit          float64
	SpotDuration            *int
	SystemDiskCategory      string
	SystemDiskSize          int
	// SystemDiskPerformanceLevel is PL0-PL3 for cloud_essd.
	SystemDiskPerformanceLevel string
	SystemDiskEncrypted        bool
	SystemDiskKMSKeyID         string
	DataDisks                  []DataDisk
	IoOptimized                string
	ResourceGroupID            string
	RAMRoleName                string
	// HTTPEndpoint and HTTPTokens are the metadata service options:
	// enabled|disabled and optional|required (required = token-only access).
	HTTPEndpoint string
	HTTPTokens   string
	// Ipv6AddressCount gives the primary network interface that many IPv6
	// addresses; the VSwitch must have an IPv6 block.
	Ipv6AddressCount int
	// DeploymentSetID places the instance in a deployment set (spread over
	// physical servers).
	DeploymentSetID string
	Tags            []Tag
	ClientToken     string
	DryRun          bool
}

// Instance is one entry of DescribeInstances.
type Instance struct {
	ID               string
	Name             string
	HostName         string
	Status           string
	RegionID         string
	ZoneID           string
	InstanceType     string
	ImageID          string
	VpcID            string
	VSwitchID        string
	PrivateIP        string
	PublicIP         string // first PublicIpAddress, empty if none
	EipAllocationID  string
	EipAddress       string
	KeyPairName      string
	SecurityGroupIDs []string
	// IPv6Addresses are the primary network interface's IPv6 addresses.
	IPv6Addresses   []string
	DeploymentSetID string
	Tags            []Tag
}

// DeploymentSet is one entry of DescribeDeploymentSets.
type DeploymentSet struct {
	ID       string
	Name     string
	Strategy string
	// Capacities is how many more instances each zone can take (Availability
	// strategy: 20 per zone), by zone ID.
	Available map[string]int
}

// InstanceQuery filters DescribeInstances. Client.DescribeInstances follows
// pagination and returns every match.
type InstanceQuery struct {
	InstanceIDs  []string // sent as a JSON array, at most 100
	InstanceName string
	Status       string
	VpcID        string
	Tags         []Tag
}
