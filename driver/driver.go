// Package driver implements the docker-machine / rancher-machine driver
// "aliyunecs" for Alibaba Cloud ECS.
//
// rancher-machine runs it as a plugin: it calls SetConfigFromFlags (pure
// parsing, no network), PreCreateCheck (read-only API calls), Create (a
// pipeline of steps that rolls itself back on failure, see create.go) and,
// when the machine is deleted, Remove (idempotent, see remove.go). Every
// exported field of Driver is persisted by rancher-machine in the machine's
// config.json (and, under Rancher, in the machine-state secret).
package driver

import (
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/drivers"
)

// DriverName is the name rancher-machine and Rancher know this driver by; the
// plugin binary must be called docker-machine-driver-<DriverName>.
const DriverName = "aliyunecs"

// Driver is the aliyunecs machine driver. Exported fields are its persisted
// configuration and the IDs of what it created; unexported fields are runtime
// only.
type Driver struct {
	*drivers.BaseDriver

	// Credentials. They are persisted like amazonec2 does (rancher-machine
	// needs them for rm when no flag is given); UnmarshalJSON replaces them
	// with the values of the current process's flags and environment.
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	APIEndpoint     string

	Region          string
	Zone            string
	VpcID           string
	VSwitchID       string
	ResourceGroupID string

	InstanceType       string
	ImageID            string
	Description        string
	PrivateIP          string
	InstanceChargeType string
	Period             int
	PeriodUnit         string
	SpotStrategy       string
	SpotPriceLimit     float64
	SpotDuration       int
	IoOptimized        string
	UserDataFile       string
	RAMRoleName        string
	MetadataHTTPTokens string
	DeploymentSetID    string

	SystemDiskCategory         string
	SystemDiskSize             int
	DiskCategory               string
	DiskSize                   int
	DiskFS                     string
	SystemDiskPerformanceLevel string
	DiskPerformanceLevel       string
	DiskEncrypted              bool
	KMSKeyID                   string

	InternetChargeType     string
	InternetMaxBandwidth   int
	PrivateAddressOnly     bool
	AllocatePublicStaticIP bool
	IPv6AddressCount       int
	SLBID                  string
	SecurityGroup          string
	OpenPorts              []string
	IngressCIDRs           []string
	Tags                   []string

	SSHKeyPair string
	// SSHKeySource is the user's --aliyunecs-ssh-keypath; the key is copied
	// into the machine directory because Rancher's mounted file disappears
	// with the job.
	SSHKeySource string
	// SSHPassword is never persisted: it is only needed while Create runs in
	// the same plugin process that parsed the flags.
	SSHPassword string `json:"-"`
	// SSHWaitSeconds bounds the SSH wait after Running; 0 skips it.
	SSHWaitSeconds int

	// CreateNonce is generated once per machine by SetConfigFromFlags and
	// saved before Create runs. The RunInstances ClientToken and the
	// docker-machine-id tag derive from it, so every retry of this create
	// reuses the token while a later machine of the same name never collides,
	// and Remove can find an instance whose ID was never saved.
	CreateNonce string

	// What Create found or made. Each ID is recorded the moment it exists.
	InstanceID       string
	PrivateIPAddress string
	SecurityGroupID  string
	KeyPairName      string
	KeyPairImported  bool
	// EipAllocationID is the elastic IP the driver allocated (and releases
	// with the machine); empty when it allocated none.
	EipAllocationID string

	// newAPI builds the cloud client; tests may swap it.
	newAPI func(ecs.Config) (ecs.API, error)
	// api caches the client for the life of the plugin process.
	api ecs.API
	// resolved caches PreCreateCheck's lookups for Create.
	resolved *resolved
	// timeouts bounds the waits; tests shorten them.
	timeouts Timeouts
	// retry is the API retry policy; zero takes the ecs defaults, tests
	// shorten it.
	retry ecs.RetryPolicy
}

// Timeouts bounds the driver's waits. Zero values take the defaults.
type Timeouts struct {
	// Running is how long Create waits for the instance to reach Running.
	Running time.Duration
	// Delete is how long Remove and rollback wait for an instance to go.
	Delete time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	if t.Running == 0 {
		t.Running = 5 * time.Minute
	}
	if t.Delete == 0 {
		t.Delete = 5 * time.Minute
	}
	return t
}

// New returns a driver with an empty configuration, as the plugin registers
// it; rancher-machine then calls SetConfigRaw with the machine name and store.
func New() *Driver {
	return NewDriver("", "")
}

// NewDriver returns a driver for the named machine in the given store.
func NewDriver(machineName, storePath string) *Driver {
	return &Driver{
		BaseDriver: &drivers.BaseDriver{
			MachineName: machineName,
			StorePath:   storePath,
			SSHUser:     defaultSSHUser,
			SSHPort:     defaultSSHPort,
		},
		Region:         defaultRegion,
		SecurityGroup:  defaultSecurityGroupName,
		SSHWaitSeconds: defaultSSHWaitSeconds,
		newAPI:         func(cfg ecs.Config) (ecs.API, error) { return ecs.NewClient(cfg) },
	}
}

// DriverName returns "aliyunecs"; see [drivers.Driver.DriverName].
func (d *Driver) DriverName() string {
	return DriverName
}

// Version is the driver's version, stamped at build time with -ldflags.
var Version = "dev"
