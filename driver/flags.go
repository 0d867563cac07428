package driver

import "github.com/rancher/machine/libmachine/mcnflag"

// Flag names. Every name of the legacy cnrancher/AliyunContainerService driver
// (29) and of the PANDARIA fork (7) is kept verbatim with its type: Rancher
// derives the AliyunecsConfig schema from these names, so renaming one would
// silently break stored node templates and machine pools. New flags are only
// ever added.
const (
	// Credentials and endpoint.
	flagAccessKeyID     = "aliyunecs-access-key-id"
	flagAccessKeySecret = "aliyunecs-access-key-secret"
	flagSecurityToken   = "aliyunecs-security-token"
	flagAPIEndpoint     = "aliyunecs-api-endpoint"

	// Placement.
	flagRegion          = "aliyunecs-region"
	flagZone            = "aliyunecs-zone"
	flagVpcID           = "aliyunecs-vpc-id"
	flagVSwitchID       = "aliyunecs-vswitch-id"
	flagResourceGroupID = "aliyunecs-resource-group-id"

	// Instance.
	flagInstanceType       = "aliyunecs-instance-type"
	flagImageID            = "aliyunecs-image-id"
	flagDescription        = "aliyunecs-description"
	flagPrivateIP          = "aliyunecs-private-ip"
	flagInstanceChargeType = "aliyunecs-instance-charge-type"
	flagPeriod             = "aliyunecs-period"
	flagPeriodUnit         = "aliyunecs-period-unit"
	flagSpotStrategy       = "aliyunecs-spot-strategy"
	flagSpotPriceLimit     = "aliyunecs-spot-price-limit"
	flagSpotDuration       = "aliyunecs-spot-duration"
	flagIoOptimized        = "aliyunecs-io-optimized"
	flagRAMRoleName        = "aliyunecs-ram-role-name"
	flagMetadataHTTPTokens = "aliyunecs-metadata-http-tokens"
	flagDeploymentSetID    = "aliyunecs-deployment-set-id"
	flagUpgradeKernel      = "aliyunecs-upgrade-kernel"
	flagUserData           = "aliyunecs-userdata"

	// Disks.
	flagSystemDiskCategory = "aliyunecs-system-disk-category"
	flagSystemDiskSize     = "aliyunecs-system-disk-size"
	flagDiskCategory       = "aliyunecs-disk-category"
	flagDiskSize           = "aliyunecs-disk-size"
	flagDiskFS             = "aliyunecs-disk-fs"
	flagSystemDiskPL       = "aliyunecs-system-disk-performance-level"
	flagDiskPL             = "aliyunecs-disk-performance-level"
	flagDiskEncrypted      = "aliyunecs-disk-encrypted"
	flagKMSKeyID           = "aliyunecs-kms-key-id"

	// Network.
	flagInternetChargeType     = "aliyunecs-internet-charge-type"
	flagInternetMaxBandwidth   = "aliyunecs-internet-max-bandwidth"
	flagPrivateAddressOnly     = "aliyunecs-private-address-only"
	flagAllocatePublicStaticIP = "aliyunecs-allocate-public-static-ip"
	flagSLBID                  = "aliyunecs-slb-id"
	flagRouteCIDR              = "aliyunecs-route-cidr"
	flagSecurityGroup          = "aliyunecs-security-group"
	flagOpenPort               = "aliyunecs-open-port"
	// Not "ipv6-address-count": Rancher's field name for that would be
	// ipv6AddressCount, which its args code turns into ipv6address-count
	// (a digit before an upper-case letter is not a word break), so the
	// hyphenated flag could never be set from Rancher.
	flagIPv6AddressCount = "aliyunecs-ipv6address-count"
	flagIngressCIDR      = "aliyunecs-ingress-cidr"
	flagTag              = "aliyunecs-tag"

	// SSH.
	flagSSHKeyPair  = "aliyunecs-ssh-keypair"
	flagSSHKeyPath  = "aliyunecs-ssh-keypath"
	flagSSHPassword = "aliyunecs-ssh-password"
	flagSSHUser     = "aliyunecs-ssh-user"
	flagSSHPort     = "aliyunecs-ssh-port"
	flagSSHWait     = "aliyunecs-ssh-wait-timeout"
)

// Environment variables Rancher sets from the cloud credential
// (aliyunecscredentialConfig-accessKeyId → ALIYUNECS_ACCESS_KEY_ID).
const (
	envAccessKeyID     = "ALIYUNECS_ACCESS_KEY_ID"
	envAccessKeySecret = "ALIYUNECS_ACCESS_KEY_SECRET"
	envSecurityToken   = "ALIYUNECS_SECURITY_TOKEN"
)

// Defaults that are also the defaults of Rancher's AliyunecsConfig CRD.
const (
	defaultRegion               = "cn-hangzhou"
	defaultSecurityGroupName    = "docker-machine"
	defaultInternetChargeType   = "PayByTraffic"
	defaultInternetMaxBandwidth = 1
	defaultSystemDiskSize       = 40
	defaultDiskFS               = "ext4"
	defaultIoOptimized          = "optimized"
	defaultSpotDuration         = 1
	defaultSSHUser              = "root"
	defaultSSHPort              = 22
	defaultIngressCIDR          = "0.0.0.0/0"
	defaultSSHWaitSeconds       = 300

	// maxIPv6Addresses is the most IPv6 addresses RunInstances assigns to
	// one network interface; the instance type may allow fewer.
	maxIPv6Addresses = 10
)

// GetCreateFlags returns the flags rancher-machine offers for `create -d
// aliyunecs` and Rancher turns into the AliyunecsConfig schema; see
// [drivers.Driver.GetCreateFlags]. Booleans default to false because Rancher
// can only ever pass true. Exactly one flag contains "userdata": rancher-machine
// picks the first such flag to merge its install script into.
func (d *Driver) GetCreateFlags() []mcnflag.Flag {
	return []mcnflag.Flag{
		mcnflag.StringFlag{Name: flagAccessKeyID, EnvVar: envAccessKeyID,
			Usage: "Alibaba Cloud AccessKey ID (also ECS_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_ID; empty uses the SDK default credential chain)"},
		mcnflag.StringFlag{Name: flagAccessKeySecret, EnvVar: envAccessKeySecret,
			Usage: "Alibaba Cloud AccessKey secret (also ECS_ACCESS_KEY_SECRET, ALIBABA_CLOUD_ACCESS_KEY_SECRET)"},
		mcnflag.StringFlag{Name: flagSecurityToken, EnvVar: envSecurityToken,
			Usage: "STS security token for temporary credentials (also ALIBABA_CLOUD_SECURITY_TOKEN)"},
		mcnflag.StringFlag{Name: flagAPIEndpoint, EnvVar: "ALIYUNECS_API_ENDPOINT",
			Usage: "Base URL that receives every ECS and VPC API call instead of the public endpoints, e.g. http://127.0.0.1:8600"},

		mcnflag.StringFlag{Name: flagRegion, EnvVar: "ALIYUNECS_REGION", Value: defaultRegion,
			Usage: "Region ID, validated against DescribeRegions"},
		mcnflag.StringFlag{Name: flagZone, EnvVar: "ALIYUNECS_ZONE",
			Usage: "Zone ID; empty picks the zone of the VSwitch or one that offers the instance type"},
		mcnflag.StringFlag{Name: flagVpcID, EnvVar: "ALIYUNECS_VPC_ID",
			Usage: "VPC ID; empty uses the VPC of the VSwitch, the default VPC, or a VPC the driver creates and shares"},
		mcnflag.StringFlag{Name: flagVSwitchID, EnvVar: "ALIYUNECS_VSWITCH_ID",
			Usage: "VSwitch ID; empty finds or creates one in the zone"},
		mcnflag.StringFlag{Name: flagResourceGroupID, EnvVar: "ALIYUNECS_RESOURCE_GROUP_ID",
			Usage: "Resource group ID for the instance and what the driver creates"},

		mcnflag.StringFlag{Name: flagInstanceType, EnvVar: "ALIYUNECS_INSTANCE_TYPE",
			Usage: "Instance type, e.g. ecs.g7.large; empty picks a current type available in the zone"},
		mcnflag.StringFlag{Name: flagImageID, EnvVar: "ALIYUNECS_IMAGE_ID",
			Usage: "Image ID or name; empty picks the newest Ubuntu LTS system image of the region"},
		mcnflag.StringFlag{Name: flagDescription, EnvVar: "ALIYUNECS_DESCRIPTION",
			Usage: "Instance description"},
		mcnflag.StringFlag{Name: flagPrivateIP, EnvVar: "ALIYUNECS_PRIVATE_IP",
			Usage: "Primary private IP address inside the VSwitch CIDR"},
		mcnflag.StringFlag{Name: flagInstanceChargeType, EnvVar: "ALIYUNECS_INSTANCE_CHARGE_TYPE",
			Usage: "PostPaid (pay-as-you-go, default) or PrePaid (subscription, needs --aliyunecs-period)"},
		mcnflag.IntFlag{Name: flagPeriod, EnvVar: "ALIYUNECS_PERIOD",
			Usage: "Subscription length for PrePaid instances, in --aliyunecs-period-unit"},
		mcnflag.StringFlag{Name: flagPeriodUnit, EnvVar: "ALIYUNECS_PERIOD_UNIT",
			Usage: "Week or Month (default Month) for PrePaid instances"},
		mcnflag.StringFlag{Name: flagSpotStrategy, EnvVar: "ALIYUNECS_SPOT_STRATEGY",
			Usage: "NoSpot (default), SpotAsPriceGo or SpotWithPriceLimit"},
		mcnflag.StringFlag{Name: flagSpotPriceLimit, EnvVar: "ALIYUNECS_SPOT_PRICE_LIMIT",
			Usage: "Highest hourly price for SpotWithPriceLimit, e.g. 0.123"},
		mcnflag.IntFlag{Name: flagSpotDuration, EnvVar: "ALIYUNECS_SPOT_DURATION", Value: defaultSpotDuration,
			Usage: "Spot protection period in hours: 1 or 0"},
		mcnflag.StringFlag{Name: flagIoOptimized, EnvVar: "ALIYUNECS_IO_OPTIMIZED", Value: defaultIoOptimized,
			Usage: "optimized|none (true|false accepted)"},
		mcnflag.StringFlag{Name: flagRAMRoleName, EnvVar: "ALIYUNECS_RAM_ROLE_NAME",
			Usage: "Instance RAM role, for cloud credentials on the node without access keys"},
		mcnflag.StringFlag{Name: flagMetadataHTTPTokens, EnvVar: "ALIYUNECS_METADATA_HTTP_TOKENS",
			Usage: "Metadata service access: optional, or required (token-only, hardened); empty keeps the cloud's default"},
		mcnflag.StringFlag{Name: flagDeploymentSetID, EnvVar: "ALIYUNECS_DEPLOYMENT_SET_ID",
			Usage: "Deployment set ID (ds-...): spread the pool's instances over physical servers"},
		mcnflag.BoolFlag{Name: flagUpgradeKernel, EnvVar: "ALIYUNECS_UPGRADE_KERNEL",
			Usage: "Deprecated, has no effect"},
		mcnflag.StringFlag{Name: flagUserData, EnvVar: "ALIYUNECS_USERDATA",
			Usage: "Path of a cloud-init user data file (#cloud-config, #! script or MIME multipart)"},

		mcnflag.StringFlag{Name: flagSystemDiskCategory, EnvVar: "ALIYUNECS_SYSTEM_DISK_CATEGORY",
			Usage: "System disk category: cloud_essd, cloud_auto, cloud_ssd, cloud_efficiency, cloud"},
		mcnflag.IntFlag{Name: flagSystemDiskSize, EnvVar: "ALIYUNECS_SYSTEM_DISK_SIZE", Value: defaultSystemDiskSize,
			Usage: "System disk size in GiB"},
		mcnflag.StringFlag{Name: flagDiskCategory, EnvVar: "ALIYUNECS_DISK_CATEGORY",
			Usage: "Data disk category"},
		mcnflag.IntFlag{Name: flagDiskSize, EnvVar: "ALIYUNECS_DISK_SIZE",
			Usage: "Data disk size in GiB; 0 means no data disk"},
		mcnflag.StringFlag{Name: flagDiskFS, EnvVar: "ALIYUNECS_DISK_FS", Value: defaultDiskFS,
			Usage: "Data disk filesystem: ext4 or xfs"},

		mcnflag.StringFlag{Name: flagSystemDiskPL, EnvVar: "ALIYUNECS_SYSTEM_DISK_PERFORMANCE_LEVEL",
			Usage: "System disk performance level PL0-PL3 (cloud_essd)"},
		mcnflag.StringFlag{Name: flagDiskPL, EnvVar: "ALIYUNECS_DISK_PERFORMANCE_LEVEL",
			Usage: "Data disk performance level PL0-PL3 (cloud_essd)"},
		mcnflag.BoolFlag{Name: flagDiskEncrypted, EnvVar: "ALIYUNECS_DISK_ENCRYPTED",
			Usage: "Encrypt the system and data disks"},
		mcnflag.StringFlag{Name: flagKMSKeyID, EnvVar: "ALIYUNECS_KMS_KEY_ID",
			Usage: "KMS key for disk encryption; empty uses the account's default key"},

		mcnflag.StringFlag{Name: flagInternetChargeType, EnvVar: "ALIYUNECS_INTERNET_CHARGE_TYPE", Value: defaultInternetChargeType,
			Usage: "PayByTraffic or PayByBandwidth"},
		mcnflag.IntFlag{Name: flagInternetMaxBandwidth, EnvVar: "ALIYUNECS_INTERNET_MAX_BANDWIDTH", Value: defaultInternetMaxBandwidth,
			Usage: "Outbound public bandwidth in Mbit/s; more than 0 gives the instance a public IP"},
		mcnflag.BoolFlag{Name: flagPrivateAddressOnly, EnvVar: "ALIYUNECS_PRIVATE_ADDRESS_ONLY",
			Usage: "Give the instance no public address and reach it on its private IP"},
		mcnflag.BoolFlag{Name: flagAllocatePublicStaticIP, EnvVar: "ALIYUNECS_ALLOCATE_PUBLIC_STATIC_IP",
			Usage: "Use an elastic IP that the driver allocates and releases with the machine"},
		mcnflag.IntFlag{Name: flagIPv6AddressCount, EnvVar: "ALIYUNECS_IPV6_ADDRESS_COUNT",
			Usage: "IPv6 addresses for the instance (dual stack); needs a VSwitch with an IPv6 block, which the driver's own network gets"},
		mcnflag.StringFlag{Name: flagSLBID, EnvVar: "ALIYUNECS_SLB_ID",
			Usage: "Classic load balancer ID to add the instance to as a backend"},
		mcnflag.StringFlag{Name: flagRouteCIDR, EnvVar: "ALIYUNECS_ROUTE_CIDR",
			Usage: "Deprecated (RKE1 docker bridge routing), has no effect"},
		mcnflag.StringFlag{Name: flagSecurityGroup, EnvVar: "ALIYUNECS_SECURITY_GROUP", Value: defaultSecurityGroupName,
			Usage: "Security group ID (sg-...) or name; a missing name is created with the RKE2/K3s ports"},
		mcnflag.StringSliceFlag{Name: flagOpenPort, EnvVar: "ALIYUNECS_OPEN_PORT",
			Usage: "Extra port to open to the world, port[/proto] or a-b[/proto] (repeatable)"},
		mcnflag.StringFlag{Name: flagIngressCIDR, EnvVar: "ALIYUNECS_INGRESS_CIDR", Value: defaultIngressCIDR,
			Usage: "CIDR(s), comma-separated, allowed to reach SSH, the API server, ingress and NodePorts of a created group"},
		mcnflag.StringSliceFlag{Name: flagTag, EnvVar: "ALIYUNECS_TAG",
			Usage: "Tag key=value for the instance and what the driver creates (repeatable)"},

		mcnflag.StringFlag{Name: flagSSHKeyPair, EnvVar: "ALIYUNECS_SSH_KEYPAIR",
			Usage: "Existing ECS key pair name (needs --aliyunecs-ssh-keypath)"},
		mcnflag.StringFlag{Name: flagSSHKeyPath, EnvVar: "ALIYUNECS_SSH_KEYPATH",
			Usage: "Private key file to use instead of a generated one"},
		mcnflag.StringFlag{Name: flagSSHPassword, EnvVar: "ALIYUNECS_SSH_PASSWORD",
			Usage: "Root password of the instance (console login)"},
		mcnflag.StringFlag{Name: flagSSHUser, EnvVar: "ALIYUNECS_SSH_USER", Value: defaultSSHUser,
			Usage: "SSH user"},
		mcnflag.IntFlag{Name: flagSSHPort, EnvVar: "ALIYUNECS_SSH_PORT", Value: defaultSSHPort,
			Usage: "SSH port"},
		mcnflag.IntFlag{Name: flagSSHWait, EnvVar: "ALIYUNECS_SSH_WAIT_TIMEOUT", Value: defaultSSHWaitSeconds,
			Usage: "Seconds Create waits for SSH after the instance runs; 0 skips the wait"},
	}
}
