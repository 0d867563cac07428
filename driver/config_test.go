package driver

import (
	"strings"
	"testing"

	"github.com/rancher/machine/libmachine/drivers"
	"github.com/rancher/machine/libmachine/mcnflag"
)

// options feeds flag values through libmachine's checker, which also
// records every flag read with the wrong type.
func options(d *Driver, values map[string]any) *drivers.CheckDriverOptions {
	return &drivers.CheckDriverOptions{FlagsValues: values, CreateFlags: d.GetCreateFlags()}
}

func TestSetConfigFromFlagsDefaults(t *testing.T) {
	t.Setenv("ECS_ACCESS_KEY_ID", "")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
	d := NewDriver("node-1", t.TempDir())
	opts := options(d, map[string]any{flagAccessKeyID: "id", flagAccessKeySecret: "secret"})
	if err := d.SetConfigFromFlags(opts); err != nil {
		t.Fatal(err)
	}
	if len(opts.InvalidFlags) > 0 {
		t.Fatalf("flags read with the wrong type: %v", opts.InvalidFlags)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"region", d.Region, "cn-hangzhou"},
		{"security group", d.SecurityGroup, "docker-machine"},
		{"charge type", d.InternetChargeType, "PayByTraffic"},
		{"bandwidth", d.InternetMaxBandwidth, 1},
		{"system disk", d.SystemDiskSize, 40},
		{"disk fs", d.DiskFS, "ext4"},
		{"io optimized", d.IoOptimized, "optimized"},
		{"ssh user", d.SSHUser, "root"},
		{"ssh port", d.SSHPort, 22},
		{"ssh wait", d.SSHWaitSeconds, 300},
		{"ingress", strings.Join(d.IngressCIDRs, ","), "0.0.0.0/0"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(d.CreateNonce) != 16 {
		t.Errorf("CreateNonce %q is not 16 hex characters", d.CreateNonce)
	}
}

func TestSetConfigFromFlagsRejectsBadValuesNamingTheFlag(t *testing.T) {
	cases := []struct {
		flag  string
		value any
	}{
		{flagRegion, "CN HANGZHOU"},
		{flagAPIEndpoint, "ftp://x"},
		{flagPrivateIP, "10.0.0"},
		{flagInstanceChargeType, "Monthly"},
		{flagSpotStrategy, "Cheap"},
		{flagSpotPriceLimit, "abc"},
		{flagSpotDuration, 3},
		{flagIoOptimized, "maybe"},
		{flagSystemDiskCategory, "ssd"},
		{flagSystemDiskSize, 10},
		{flagDiskCategory, "nvme"},
		{flagDiskSize, -1},
		{flagDiskFS, "btrfs"},
		{flagInternetChargeType, "Free"},
		{flagInternetMaxBandwidth, 500},
		{flagOpenPort, []string{"70000/tcp"}},
		{flagOpenPort, []string{"80/sctp"}},
		{flagOpenPort, []string{"90-80"}},
		{flagTag, []string{"novalue"}},
		{flagTag, []string{"aliyun:key=v"}},
		{flagSSHPort, 70000},
		{flagSSHPassword, "short"},
		{flagSSHKeyPair, "my-pair"},
		{flagIngressCIDR, "10.0.0.0/33"},
		{flagIngressCIDR, "0.0.0.0/0,nonsense"},
		{flagSystemDiskPL, "PL9"},
		{flagSystemDiskPL, "PL1"}, // needs cloud_essd
		{flagDiskPL, "PL2"},       // needs cloud_essd
		{flagKMSKeyID, "key-1"},   // needs disk encryption
		{flagMetadataHTTPTokens, "sometimes"},
		{flagSSHWait, -1},
		{flagSSHUser, "root user"},
		{flagSSHUser, "root;reboot"},
		{flagIPv6AddressCount, -1},
		{flagIPv6AddressCount, 11},
		{flagDeploymentSetID, "my-set"},
	}
	for _, c := range cases {
		t.Run(c.flag, func(t *testing.T) {
			d := NewDriver("node-1", t.TempDir())
			err := d.SetConfigFromFlags(options(d, map[string]any{c.flag: c.value}))
			if err == nil {
				t.Fatalf("%s=%v accepted", c.flag, c.value)
			}
			if !strings.Contains(err.Error(), "--"+c.flag) {
				t.Fatalf("error %q does not name --%s", err, c.flag)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestSetConfigFromFlagsCrossChecks(t *testing.T) {
	cases := map[string]map[string]any{
		"prepaid needs period":    {flagInstanceChargeType: "PrePaid"},
		"price limit needed":      {flagSpotStrategy: "SpotWithPriceLimit"},
		"private and eip":         {flagPrivateAddressOnly: true, flagAllocatePublicStaticIP: true},
		"secret without id":       {flagAccessKeySecret: "s"},
		"prepaid cannot be spot":  {flagInstanceChargeType: "PrePaid", flagPeriod: 1, flagSpotStrategy: "SpotAsPriceGo"},
		"weeks outside 1-4":       {flagInstanceChargeType: "PrePaid", flagPeriod: 5, flagPeriodUnit: "Week"},
		"period unit not a unit":  {flagInstanceChargeType: "PrePaid", flagPeriod: 1, flagPeriodUnit: "Day"},
		"months outside 1-60":     {flagInstanceChargeType: "PrePaid", flagPeriod: 61},
		"keypair without keypath": {flagSSHKeyPair: "kp"},
	}
	for name, values := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv("ECS_ACCESS_KEY_ID", "")
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
			d := NewDriver("node-1", t.TempDir())
			if err := d.SetConfigFromFlags(options(d, values)); err == nil {
				t.Fatalf("%v accepted", values)
			}
		})
	}
}

func TestLegacyCredentialEnvironment(t *testing.T) {
	t.Setenv("ECS_ACCESS_KEY_ID", "legacy-id")
	t.Setenv("ECS_ACCESS_KEY_SECRET", "legacy-secret")
	d := NewDriver("node-1", t.TempDir())
	if err := d.SetConfigFromFlags(options(d, nil)); err != nil {
		t.Fatal(err)
	}
	if d.AccessKeyID != "legacy-id" || d.AccessKeySecret != "legacy-secret" {
		t.Fatalf("legacy ECS_* credentials not used: %q", d.AccessKeyID)
	}
}

func TestDeadFlagsAreAcceptedWithAWarning(t *testing.T) {
	d := NewDriver("node-1", t.TempDir())
	err := d.SetConfigFromFlags(options(d, map[string]any{flagUpgradeKernel: true, flagRouteCIDR: "10.42.0.0/16", flagIoOptimized: "none"}))
	if err != nil {
		t.Fatal(err)
	}
	if d.IoOptimized != "none" {
		t.Fatalf("io-optimized none read as %q", d.IoOptimized)
	}
}

// legacyFlags are the 29 flags of the drivers Rancher users have today and
// the PANDARIA fork's 7, with their types: renaming one breaks stored
// Rancher configurations.
var legacyFlags = map[string]string{
	"aliyunecs-access-key-id": "string", "aliyunecs-access-key-secret": "string",
	"aliyunecs-image-id": "string", "aliyunecs-region": "string", "aliyunecs-vpc-id": "string",
	"aliyunecs-vswitch-id": "string", "aliyunecs-zone": "string", "aliyunecs-security-group": "string",
	"aliyunecs-instance-type": "string", "aliyunecs-private-ip": "string", "aliyunecs-description": "string",
	"aliyunecs-ssh-password": "string", "aliyunecs-ssh-keypair": "string", "aliyunecs-ssh-keypath": "string",
	"aliyunecs-private-address-only": "bool", "aliyunecs-internet-max-bandwidth": "int",
	"aliyunecs-internet-charge-type": "string", "aliyunecs-route-cidr": "string", "aliyunecs-slb-id": "string",
	"aliyunecs-tag": "slice", "aliyunecs-disk-size": "int", "aliyunecs-disk-fs": "string",
	"aliyunecs-system-disk-size": "int", "aliyunecs-system-disk-category": "string",
	"aliyunecs-disk-category": "string", "aliyunecs-upgrade-kernel": "bool", "aliyunecs-io-optimized": "string",
	"aliyunecs-api-endpoint": "string", "aliyunecs-resource-group-id": "string",
	"aliyunecs-instance-charge-type": "string", "aliyunecs-period": "int", "aliyunecs-period-unit": "string",
	"aliyunecs-spot-strategy": "string", "aliyunecs-spot-price-limit": "string", "aliyunecs-spot-duration": "int",
	"aliyunecs-open-port": "slice",
}

func TestCreateFlagsKeepEveryLegacyNameAndType(t *testing.T) {
	have := map[string]string{}
	userdataFlags := 0
	for _, f := range New().GetCreateFlags() {
		kind := ""
		switch f.(type) {
		case mcnflag.StringFlag:
			kind = "string"
		case mcnflag.IntFlag:
			kind = "int"
		case mcnflag.BoolFlag:
			kind = "bool"
		case mcnflag.StringSliceFlag:
			kind = "slice"
		}
		name := f.String()
		if _, dup := have[name]; dup {
			t.Errorf("flag %s declared twice", name)
		}
		have[name] = kind
		if strings.HasSuffix(name, "-os") {
			t.Errorf("flag %s ends in -os: rancher-machine would read it as the OS selector", name)
		}
		for _, s := range []string{"userdata", "user-data", "custom-data", "cloud-config"} {
			if strings.Contains(name, s) {
				userdataFlags++
			}
		}
	}
	if len(legacyFlags) != 36 {
		t.Fatalf("the legacy table has %d names, want 29 + 7", len(legacyFlags))
	}
	for name, kind := range legacyFlags {
		if have[name] != kind {
			t.Errorf("flag %s is %q, want %q", name, have[name], kind)
		}
	}
	if userdataFlags != 1 || have[flagUserData] != "string" {
		t.Errorf("want exactly one userdata flag, %s; found %d", flagUserData, userdataFlags)
	}
	for _, name := range []string{flagSSHUser, flagSSHPort, flagSecurityToken} {
		if have[name] == "" {
			t.Errorf("flag %s missing", name)
		}
	}
}

func TestIngressCIDRsAreNormalised(t *testing.T) {
	d := NewDriver("node-1", t.TempDir())
	if err := d.SetConfigFromFlags(options(d, map[string]any{flagIngressCIDR: "203.0.113.7/24, 198.51.100.0/25"})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.IngressCIDRs, ","); got != "203.0.113.0/24,198.51.100.0/25" {
		t.Fatalf("ingress CIDRs %s", got)
	}
	rules := d.wantedRules("sg-1")
	for _, r := range rules {
		if r.SourceCidrIP == "0.0.0.0/0" && r.PortRange == "22/22" {
			t.Fatal("SSH is open to the world despite --aliyunecs-ingress-cidr")
		}
	}
}
