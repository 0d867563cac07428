package driver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rancher/machine/libmachine/drivers"
	"github.com/rancher/machine/libmachine/log"
)

// sshUserPattern is the portable Linux user name syntax (useradd's default).
var sshUserPattern = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)

// regionPattern is what the SDK accepts as a region ID; the region itself is
// checked against DescribeRegions in PreCreateCheck.
var regionPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// SetConfigFromFlags reads and validates the flags; see
// [drivers.Driver.SetConfigFromFlags]. It makes no network call: every
// remote check belongs to PreCreateCheck. Errors name the flag.
func (d *Driver) SetConfigFromFlags(flags drivers.DriverOptions) error {
	d.AccessKeyID = firstNonEmpty(flags.String(flagAccessKeyID), os.Getenv("ECS_ACCESS_KEY_ID"), os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"))
	d.AccessKeySecret = firstNonEmpty(flags.String(flagAccessKeySecret), os.Getenv("ECS_ACCESS_KEY_SECRET"), os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"))
	d.SecurityToken = firstNonEmpty(flags.String(flagSecurityToken), os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN"))
	if (d.AccessKeyID == "") != (d.AccessKeySecret == "") {
		return fmt.Errorf("--%s and --%s must be given together", flagAccessKeyID, flagAccessKeySecret)
	}

	d.APIEndpoint = strings.TrimSpace(flags.String(flagAPIEndpoint))
	if d.APIEndpoint != "" {
		if err := validateEndpoint(d.APIEndpoint); err != nil {
			return err
		}
	}

	d.Region = strings.TrimSpace(flags.String(flagRegion))
	if d.Region == "" {
		d.Region = defaultRegion
	}
	if !regionPattern.MatchString(d.Region) {
		return fmt.Errorf("--%s: %q is not a region ID (e.g. cn-hangzhou)", flagRegion, d.Region)
	}
	d.Zone = strings.TrimSpace(flags.String(flagZone))
	d.VpcID = strings.TrimSpace(flags.String(flagVpcID))
	d.VSwitchID = strings.TrimSpace(flags.String(flagVSwitchID))
	d.ResourceGroupID = strings.TrimSpace(flags.String(flagResourceGroupID))

	d.InstanceType = strings.TrimSpace(flags.String(flagInstanceType))
	d.ImageID = strings.TrimSpace(flags.String(flagImageID))
	d.Description = flags.String(flagDescription)
	d.UserDataFile = flags.String(flagUserData)

	d.PrivateIP = strings.TrimSpace(flags.String(flagPrivateIP))
	if d.PrivateIP != "" && net.ParseIP(d.PrivateIP).To4() == nil {
		return fmt.Errorf("--%s: %q is not an IPv4 address", flagPrivateIP, d.PrivateIP)
	}
	if err := d.readBilling(flags); err != nil {
		return err
	}
	if err := d.readDisks(flags); err != nil {
		return err
	}
	if err := d.readNetwork(flags); err != nil {
		return err
	}
	if err := d.readSSH(flags); err != nil {
		return err
	}

	if flags.Bool(flagUpgradeKernel) {
		log.Warnf("--%s has no effect: the driver never changes the guest's kernel; use cloud-init in --%s instead", flagUpgradeKernel, flagUserData)
	}
	if flags.String(flagRouteCIDR) != "" {
		log.Warnf("--%s has no effect: it configured RKE1-era docker bridge routes, which RKE2/K3s CNIs do not use", flagRouteCIDR)
	}

	if d.CreateNonce == "" {
		nonce, err := newNonce()
		if err != nil {
			return err
		}
		d.CreateNonce = nonce
	}
	return nil
}

func (d *Driver) readBilling(flags drivers.DriverOptions) error {
	var err error
	if d.InstanceChargeType, err = oneOf(flags, flagInstanceChargeType, "", "PostPaid", "PrePaid"); err != nil {
		return err
	}
	d.Period = flags.Int(flagPeriod)
	d.PeriodUnit = flags.String(flagPeriodUnit)
	if d.InstanceChargeType == "PrePaid" {
		switch d.PeriodUnit {
		case "", "Month":
			if d.Period < 1 || d.Period > 60 {
				return fmt.Errorf("--%s: %d months is outside 1-60 for a PrePaid instance", flagPeriod, d.Period)
			}
		case "Week":
			if d.Period < 1 || d.Period > 4 {
				return fmt.Errorf("--%s: %d weeks is outside 1-4 for a PrePaid instance", flagPeriod, d.Period)
			}
		default:
			return fmt.Errorf("--%s: %q is not Week or Month", flagPeriodUnit, d.PeriodUnit)
		}
	}

	if d.SpotStrategy, err = oneOf(flags, flagSpotStrategy, "", "NoSpot", "SpotAsPriceGo", "SpotWithPriceLimit"); err != nil {
		return err
	}
	d.SpotPriceLimit = 0
	if s := strings.TrimSpace(flags.String(flagSpotPriceLimit)); s != "" {
		price, err := strconv.ParseFloat(s, 64)
		if err != nil || price <= 0 {
			return fmt.Errorf("--%s: %q is not a positive price", flagSpotPriceLimit, s)
		}
		d.SpotPriceLimit = price
	}
	if d.SpotStrategy == "SpotWithPriceLimit" && d.SpotPriceLimit == 0 {
		return fmt.Errorf("--%s is required with --%s SpotWithPriceLimit", flagSpotPriceLimit, flagSpotStrategy)
	}
	d.SpotDuration = flags.Int(flagSpotDuration)
	if d.SpotDuration != 0 && d.SpotDuration != 1 {
		return fmt.Errorf("--%s: %d is not 0 or 1", flagSpotDuration, d.SpotDuration)
	}
	if d.InstanceChargeType == "PrePaid" && d.SpotStrategy != "" && d.SpotStrategy != "NoSpot" {
		return fmt.Errorf("--%s %s cannot be combined with --%s PrePaid", flagSpotStrategy, d.SpotStrategy, flagInstanceChargeType)
	}

	d.RAMRoleName = strings.TrimSpace(flags.String(flagRAMRoleName))
	d.DeploymentSetID = strings.TrimSpace(flags.String(flagDeploymentSetID))
	if d.DeploymentSetID != "" && !strings.HasPrefix(d.DeploymentSetID, "ds-") {
		return fmt.Errorf("--%s: %q is not a deployment set ID (ds-...)", flagDeploymentSetID, d.DeploymentSetID)
	}
	if d.MetadataHTTPTokens, err = oneOf(flags, flagMetadataHTTPTokens, "", "optional", "required"); err != nil {
		return err
	}

	switch v := strings.ToLower(strings.TrimSpace(flags.String(flagIoOptimized))); v {
	case "", "optimized", "true":
		d.IoOptimized = "optimized"
	case "none", "false":
		d.IoOptimized = "none"
	default:
		return fmt.Errorf("--%s: %q is not optimized, none, true or false", flagIoOptimized, v)
	}
	return nil
}

func (d *Driver) readDisks(flags drivers.DriverOptions) error {
	d.SystemDiskCategory = flags.String(flagSystemDiskCategory)
	if err := validateDiskCategory(flagSystemDiskCategory, d.SystemDiskCategory); err != nil {
		return err
	}
	d.SystemDiskSize = flags.Int(flagSystemDiskSize)
	if d.SystemDiskSize != 0 && (d.SystemDiskSize < 20 || d.SystemDiskSize > 2048) {
		return fmt.Errorf("--%s: %d GiB is outside 20-2048", flagSystemDiskSize, d.SystemDiskSize)
	}
	d.DiskCategory = flags.String(flagDiskCategory)
	if err := validateDiskCategory(flagDiskCategory, d.DiskCategory); err != nil {
		return err
	}
	d.DiskSize = flags.Int(flagDiskSize)
	if d.DiskSize < 0 || d.DiskSize > 32768 {
		return fmt.Errorf("--%s: %d GiB is outside 0-32768", flagDiskSize, d.DiskSize)
	}
	var err error
	if d.DiskFS, err = oneOf(flags, flagDiskFS, defaultDiskFS, "ext4", "xfs"); err != nil {
		return err
	}
	d.SystemDiskPerformanceLevel = strings.ToUpper(strings.TrimSpace(flags.String(flagSystemDiskPL)))
	d.DiskPerformanceLevel = strings.ToUpper(strings.TrimSpace(flags.String(flagDiskPL)))
	for flag, pl := range map[string]string{flagSystemDiskPL: d.SystemDiskPerformanceLevel, flagDiskPL: d.DiskPerformanceLevel} {
		switch pl {
		case "", "PL0", "PL1", "PL2", "PL3":
		default:
			return fmt.Errorf("--%s: %q is not PL0, PL1, PL2 or PL3", flag, pl)
		}
	}
	if d.SystemDiskPerformanceLevel != "" && d.SystemDiskCategory != "cloud_essd" {
		return fmt.Errorf("--%s needs --%s cloud_essd", flagSystemDiskPL, flagSystemDiskCategory)
	}
	if d.DiskPerformanceLevel != "" && d.DiskCategory != "cloud_essd" {
		return fmt.Errorf("--%s needs --%s cloud_essd", flagDiskPL, flagDiskCategory)
	}
	d.DiskEncrypted = flags.Bool(flagDiskEncrypted)
	d.KMSKeyID = strings.TrimSpace(flags.String(flagKMSKeyID))
	if d.KMSKeyID != "" && !d.DiskEncrypted {
		return fmt.Errorf("--%s needs --%s", flagKMSKeyID, flagDiskEncrypted)
	}
	return nil
}

func (d *Driver) readNetwork(flags drivers.DriverOptions) error {
	var err error
	if d.InternetChargeType, err = oneOf(flags, flagInternetChargeType, defaultInternetChargeType, "PayByTraffic", "PayByBandwidth"); err != nil {
		return err
	}
	d.InternetMaxBandwidth = flags.Int(flagInternetMaxBandwidth)
	if d.InternetMaxBandwidth < 0 || d.InternetMaxBandwidth > 200 {
		return fmt.Errorf("--%s: %d Mbit/s is outside 0-200", flagInternetMaxBandwidth, d.InternetMaxBandwidth)
	}
	d.IPv6AddressCount = flags.Int(flagIPv6AddressCount)
	if d.IPv6AddressCount < 0 || d.IPv6AddressCount > maxIPv6Addresses {
		return fmt.Errorf("--%s: %d is outside 0-%d", flagIPv6AddressCount, d.IPv6AddressCount, maxIPv6Addresses)
	}
	d.PrivateAddressOnly = flags.Bool(flagPrivateAddressOnly)
	d.AllocatePublicStaticIP = flags.Bool(flagAllocatePublicStaticIP)
	if d.PrivateAddressOnly && d.AllocatePublicStaticIP {
		return fmt.Errorf("--%s and --%s exclude each other", flagPrivateAddressOnly, flagAllocatePublicStaticIP)
	}
	d.SLBID = strings.TrimSpace(flags.String(flagSLBID))
	d.SecurityGroup = strings.TrimSpace(flags.String(flagSecurityGroup))
	if d.SecurityGroup == "" {
		d.SecurityGroup = defaultSecurityGroupName
	}

	d.OpenPorts = nil
	for _, p := range flags.StringSlice(flagOpenPort) {
		if _, err := parsePortSpec(p); err != nil {
			return fmt.Errorf("--%s: %w", flagOpenPort, err)
		}
		d.OpenPorts = append(d.OpenPorts, p)
	}
	d.IngressCIDRs = nil
	ingress := flags.String(flagIngressCIDR)
	if strings.TrimSpace(ingress) == "" {
		ingress = defaultIngressCIDR
	}
	for _, c := range strings.Split(ingress, ",") {
		prefix, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil || !prefix.Addr().Is4() {
			return fmt.Errorf("--%s: %q is not an IPv4 CIDR such as 203.0.113.0/24", flagIngressCIDR, strings.TrimSpace(c))
		}
		d.IngressCIDRs = append(d.IngressCIDRs, prefix.Masked().String())
	}
	d.Tags = nil
	for _, t := range flags.StringSlice(flagTag) {
		if _, err := parseUserTag(t); err != nil {
			return fmt.Errorf("--%s: %w", flagTag, err)
		}
		d.Tags = append(d.Tags, t)
	}
	if len(d.Tags) > maxUserTags {
		return fmt.Errorf("--%s: %d tags; at most %d (ECS allows 20 per resource and the driver adds 3)", flagTag, len(d.Tags), maxUserTags)
	}
	// A created group opens ports to --aliyunecs-ingress-cidr and every
	// --aliyunecs-open-port. Machines with another rule set must not share
	// (and so widen) it: the default name gets a suffix per rule set.
	if d.SecurityGroup == defaultSecurityGroupName && !d.defaultRuleSet() {
		d.SecurityGroup += "-" + ruleSetID(d.IngressCIDRs, d.OpenPorts)
	}
	return nil
}

func (d *Driver) readSSH(flags drivers.DriverOptions) error {
	d.SSHKeyPair = strings.TrimSpace(flags.String(flagSSHKeyPair))
	d.SSHKeySource = strings.TrimSpace(flags.String(flagSSHKeyPath))
	if d.SSHKeyPair != "" && d.SSHKeySource == "" {
		return fmt.Errorf("--%s needs --%s: the driver cannot log in with a key pair whose private key it does not have", flagSSHKeyPair, flagSSHKeyPath)
	}
	d.SSHPassword = flags.String(flagSSHPassword)
	if d.SSHPassword != "" {
		if err := validatePassword(d.SSHPassword); err != nil {
			return fmt.Errorf("--%s: %w", flagSSHPassword, err)
		}
	}
	d.SSHUser = strings.TrimSpace(flags.String(flagSSHUser))
	if d.SSHUser == "" {
		d.SSHUser = defaultSSHUser
	}
	if !sshUserPattern.MatchString(d.SSHUser) {
		return fmt.Errorf("--%s: %q is not a Linux user name", flagSSHUser, d.SSHUser)
	}
	d.SSHPort = flags.Int(flagSSHPort)
	if d.SSHPort == 0 {
		d.SSHPort = defaultSSHPort
	}
	if d.SSHPort < 1 || d.SSHPort > 65535 {
		return fmt.Errorf("--%s: %d is not a TCP port", flagSSHPort, d.SSHPort)
	}
	d.SSHWaitSeconds = flags.Int(flagSSHWait)
	if d.SSHWaitSeconds < 0 || d.SSHWaitSeconds > 3600 {
		return fmt.Errorf("--%s: %d is outside 0-3600 seconds", flagSSHWait, d.SSHWaitSeconds)
	}
	return nil
}

// oneOf reads a string flag that must be one of allowed; empty takes def
// (which may itself be empty: "let the cloud decide").
func oneOf(flags drivers.DriverOptions, flag, def string, allowed ...string) (string, error) {
	v := strings.TrimSpace(flags.String(flag))
	if v == "" {
		return def, nil
	}
	if !slices.Contains(allowed, v) {
		return "", fmt.Errorf("--%s: %q is not %s", flag, v, orList(allowed))
	}
	return v, nil
}

// orList renders "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// maxUserTags leaves room for the driver's three tags within ECS's 20.
const maxUserTags = 17

// defaultRuleSet reports whether the machine wants the default group's rules.
func (d *Driver) defaultRuleSet() bool {
	return len(d.OpenPorts) == 0 && strings.Join(d.IngressCIDRs, ",") == defaultIngressCIDR
}

// ruleSetID is a short stable digest of a rule set.
func ruleSetID(ingress, openPorts []string) string {
	ports := slices.Clone(openPorts)
	slices.Sort(ports)
	sum := sha256.Sum256([]byte(strings.Join(ingress, ",") + "|" + strings.Join(ports, ",")))
	return hex.EncodeToString(sum[:4])
}

func validateEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--%s: %q is not an http(s) base URL such as https://ecs.aliyuncs.com", flagAPIEndpoint, raw)
	}
	return nil
}

var diskCategories = map[string]bool{
	"cloud": true, "cloud_efficiency": true, "cloud_ssd": true, "cloud_essd": true,
	"cloud_auto": true, "cloud_essd_entry": true, "ephemeral_ssd": true,
}

func validateDiskCategory(flag, category string) error {
	if category == "" || diskCategories[category] {
		return nil
	}
	return fmt.Errorf("--%s: %q is not a disk category (cloud_essd, cloud_auto, cloud_ssd, cloud_efficiency, cloud, cloud_essd_entry)", flag, category)
}

// validatePassword applies ECS's rule: 8-30 characters from at least three
// of upper case, lower case, digits and the listed specials.
func validatePassword(p string) error {
	const specials = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"
	if len(p) < 8 || len(p) > 30 {
		return fmt.Errorf("the password must be 8-30 characters long")
	}
	var upper, lower, digit, special int
	for _, r := range p {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = 1
		case r >= 'a' && r <= 'z':
			lower = 1
		case r >= '0' && r <= '9':
			digit = 1
		case strings.ContainsRune(specials, r):
			special = 1
		default:
			return fmt.Errorf("the password contains a character ECS does not allow")
		}
	}
	if upper+lower+digit+special < 3 {
		return fmt.Errorf("the password needs three of: upper case, lower case, digits, %s", specials)
	}
	return nil
}

func newNonce() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("could not generate a machine nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
