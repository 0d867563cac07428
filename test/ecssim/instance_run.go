package ecssim

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// maxUserData is the limit on decoded user data (current RunInstances
// docs; older ones say 16 KiB).
const maxUserData = 32 * 1024

// runRequest is a RunInstances (or CreateInstance) call with every
// parameter that can be checked without looking at other resources
// validated.
type runRequest struct {
	image                       *imageInfo
	itype                       *instanceTypeInfo
	zoneID, vswitchID           string
	groupIDs                    []string
	privateIP                   netip.Addr
	ipv6Count                   int          // addresses for each instance's primary ENI
	ipv6Addrs                   []netip.Addr // chosen ones (Ipv6Address.N), Amount 1 only
	deploymentSetID             string
	name, hostName, description string
	hostNames                   []string // HostNames.N, one per instance
	uniqueSuffix                bool
	password, keyPairName       string
	userData                    []byte
	tags                        []Tag
	bwOut, bwIn                 int
	internetCharge, chargeType  string
	period                      int
	periodUnit                  string
	autoRenew                   bool
	spotStrategy, spotBehavior  string
	spotPrice                   float64
	spotDuration                int
	sysDisk                     diskSpec
	dataDisks                   []diskSpec
	amount                      int
	deletionProtection          bool
	autoRelease, ramRole        string
	httpEndpoint, httpTokens    string
	hopLimit                    int
	dryRun                      bool
}

// parseRun validates RunInstances parameters in the order the real service
// reports problems: what is missing, then what is malformed. Checks against
// existing resources happen later, with the store locked.
func parseRun(p params) (*runRequest, *apiError) {
	r := &runRequest{}
	if p.get("LaunchTemplateId") != "" || p.get("LaunchTemplateName") != "" {
		// No launch templates exist in the simulated account.
		return nil, apiErr(http.StatusNotFound, "InvalidLaunchTemplate.NotFound", "The specified launch template does not exist.")
	}
	imageID := p.get("ImageId")
	if imageID == "" && p.get("ImageFamily") != "" {
		if im := latestImageOfFamily(p.get("ImageFamily")); im != nil {
			imageID = im.ID
		} else {
			return nil, apiErr(http.StatusNotFound, "InvalidImageFamily.NotFound", "The specified ImageFamily does not exist.")
		}
	}
	if imageID == "" {
		return nil, errMissing("ImageId")
	}
	typeID, aerr := p.required("InstanceType")
	if aerr != nil {
		return nil, aerr
	}
	if r.itype = findInstanceType(typeID); r.itype == nil {
		return nil, apiErr(http.StatusBadRequest, "InvalidInstanceType.ValueNotSupported", "The specified InstanceType beyond the permitted range.")
	}
	if r.image = findImage(imageID); r.image == nil {
		return nil, apiErr(http.StatusNotFound, "InvalidImageId.NotFound", "The specified ImageId does not exist.")
	}
	if r.image.Architecture != r.itype.imageArch() {
		return nil, apiErr(http.StatusBadRequest, "ImageNotSupportInstanceType", "The specified instance type does not support this image.")
	}
	if r.amount, aerr = p.integer("Amount", 1); aerr != nil {
		return nil, aerr
	}
	if r.amount < 1 || r.amount > 100 {
		return nil, errInvalid("Amount")
	}
	if aerr = r.parseNetwork(p); aerr != nil {
		return nil, aerr
	}
	if aerr = r.parseIpv6(p); aerr != nil {
		return nil, aerr
	}
	r.deploymentSetID = p.get("DeploymentSetId")
	if aerr = r.parseNames(p); aerr != nil {
		return nil, aerr
	}
	if ud := p.get("UserData"); ud != "" {
		b, err := base64.StdEncoding.DecodeString(ud)
		if err != nil {
			return nil, apiErr(http.StatusBadRequest, "InvalidUserData.Base64FormatInvalid", "The specified UserData is not valid base64.")
		}
		if len(b) > maxUserData {
			return nil, apiErr(http.StatusBadRequest, "InvalidUserData.SizeExceeded", "The specified parameter UserData exceeds the size limit.")
		}
		r.userData = b
	}
	if r.tags, aerr = p.tags(); aerr != nil {
		return nil, aerr
	}
	for _, step := range []func(params) *apiError{r.parseBilling, r.parseSpot, r.parseDisks, r.parseMetadata} {
		if aerr = step(p); aerr != nil {
			return nil, aerr
		}
	}
	r.ramRole = p.get("RamRoleName")
	if r.autoRelease = p.get("AutoReleaseTime"); r.autoRelease != "" {
		if _, err := time.Parse(timeSecond, r.autoRelease); err != nil {
			return nil, errInvalid("AutoReleaseTime")
		}
	}
	if r.dryRun, aerr = p.dryRun(); aerr != nil {
		return nil, aerr
	}
	return r, nil
}

// parseNetwork reads the VSwitch, zone, security groups and private IP,
// either top-level or from the primary NetworkInterface.N (never both).
func (r *runRequest) parseNetwork(p params) *apiError {
	r.zoneID, r.vswitchID = p.get("ZoneId"), p.get("VSwitchId")
	r.groupIDs = p.indexed("SecurityGroupIds")
	if g := p.get("SecurityGroupId"); g != "" {
		if len(r.groupIDs) > 0 {
			return apiErr(http.StatusBadRequest, "InvalidParameter", "SecurityGroupId and SecurityGroupIds.N cannot be specified at the same time.")
		}
		r.groupIDs = []string{g}
	}
	ip := p.get("PrivateIpAddress")
	for _, ni := range p.structs("NetworkInterface") {
		if ni["InstanceType"] != "Primary" {
			continue
		}
		if r.vswitchID != "" || len(r.groupIDs) > 0 || ip != "" {
			return apiErr(http.StatusBadRequest, "InvalidParameter",
				"NetworkInterface.N cannot be specified together with VSwitchId, SecurityGroupId or PrivateIpAddress.")
		}
		r.vswitchID, ip = ni["VSwitchId"], ni["PrimaryIpAddress"]
		if ni["SecurityGroupId"] != "" {
			r.groupIDs = []string{ni["SecurityGroupId"]}
		}
		sub := params(ni)
		r.groupIDs = append(r.groupIDs, sub.indexed("SecurityGroupIds")...)
	}
	if len(r.groupIDs) > 5 {
		return errInvalid("SecurityGroupIds")
	}
	if ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil || !a.Is4() || r.amount != 1 {
			return errInvalid("PrivateIpAddress")
		}
		r.privateIP = a
	}
	return nil
}

// parseNames reads InstanceName, HostName, HostNames.N, UniqueSuffix,
// Description, Password and KeyPairName.
func (r *runRequest) parseNames(p params) *apiError {
	r.name, r.hostName, r.description = p.get("InstanceName"), p.get("HostName"), p.get("Description")
	if r.name != "" && !validName(r.name, 128) {
		return apiErr(http.StatusBadRequest, "InvalidInstanceName.Malformed", "The specified parameter InstanceName is not valid.")
	}
	if r.hostName != "" && !validHostName(r.hostName) {
		return apiErr(http.StatusBadRequest, "InvalidHostName.Malformed", "The specified parameter HostName is not valid.")
	}
	r.hostNames = p.indexed("HostNames")
	if len(r.hostNames) > 0 && (len(r.hostNames) != r.amount || r.hostName != "") {
		return errInvalid("HostNames")
	}
	for _, h := range r.hostNames {
		if !validHostName(h) {
			return apiErr(http.StatusBadRequest, "InvalidHostName.Malformed", "The specified parameter HostNames is not valid.")
		}
	}
	var aerr *apiError
	if r.uniqueSuffix, aerr = p.boolean("UniqueSuffix", false); aerr != nil {
		return aerr
	}
	if !validDescription(r.description) {
		return apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "The specified parameter Description is not valid.")
	}
	r.password, r.keyPairName = p.get("Password"), p.get("KeyPairName")
	if r.password != "" && !validPassword(r.password) {
		return apiErr(http.StatusBadRequest, "InvalidPassword.Malformed", "The specified parameter Password is not valid.")
	}
	inherit, aerr := p.boolean("PasswordInherit", false)
	if aerr != nil {
		return aerr
	}
	if inherit && r.password != "" {
		return apiErr(http.StatusBadRequest, "InvalidPasswordParam.Mismatch", "Password and PasswordInherit cannot be specified at the same time.")
	}
	return nil
}

// nameFor returns the InstanceName and HostName of the i-th instance of a
// batch (UniqueSuffix appends 001, 002, ...; HostNames.N wins).
func (r *runRequest) nameFor(i int) (name, host string) {
	name, host = r.name, r.hostName
	if r.uniqueSuffix && r.amount > 1 {
		suffix := fmt.Sprintf("%03d", i+1)
		if name != "" {
			name += suffix
		}
		if host != "" {
			host += suffix
		}
	}
	if len(r.hostNames) > i {
		host = r.hostNames[i]
	}
	return name, host
}

// validPeriods are the subscription lengths per PeriodUnit.
var validPeriods = map[string]map[int]bool{
	"Month": {1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true,
		12: true, 24: true, 36: true, 48: true, 60: true},
	"Week": {1: true, 2: true, 3: true, 4: true},
}

// parseBilling reads bandwidth, charge types and the subscription period.
func (r *runRequest) parseBilling(p params) *apiError {
	var aerr *apiError
	if r.bwOut, aerr = p.integer("InternetMaxBandwidthOut", 0); aerr != nil {
		return aerr
	}
	if r.bwOut < 0 || r.bwOut > 100 {
		return errInvalid("InternetMaxBandwidthOut")
	}
	if r.bwIn, aerr = p.integer("InternetMaxBandwidthIn", 0); aerr != nil {
		return aerr
	}
	if r.bwIn < 0 || r.bwIn > 200 {
		return errInvalid("InternetMaxBandwidthIn")
	}
	r.internetCharge = defaultStr(p.get("InternetChargeType"), "PayByTraffic")
	if r.internetCharge != "PayByTraffic" && r.internetCharge != "PayByBandwidth" {
		return apiErr(http.StatusBadRequest, "InvalidInternetChargeType.ValueNotSupported", "The specified InternetChargeType is not valid.")
	}
	r.chargeType = defaultStr(p.get("InstanceChargeType"), "PostPaid")
	if r.chargeType != "PostPaid" && r.chargeType != "PrePaid" {
		return apiErr(http.StatusBadRequest, "InvalidInstanceChargeType.ValueNotSupported", "The specified InstanceChargeType is not valid.")
	}
	if r.chargeType == "PrePaid" {
		r.periodUnit = defaultStr(p.get("PeriodUnit"), "Month")
		if validPeriods[r.periodUnit] == nil {
			return errInvalid("PeriodUnit")
		}
		if p.get("Period") == "" {
			return errMissing("Period")
		}
		if r.period, aerr = p.integer("Period", 0); aerr != nil {
			return aerr
		}
		if !validPeriods[r.periodUnit][r.period] {
			return apiErr(http.StatusBadRequest, "InvalidPeriod", "The specified period is not valid.")
		}
		if r.autoRenew, aerr = p.boolean("AutoRenew", false); aerr != nil {
			return aerr
		}
	}
	if r.deletionProtection, aerr = p.boolean("DeletionProtection", false); aerr != nil {
		return aerr
	}
	if r.deletionProtection && r.chargeType != "PostPaid" {
		return apiErr(http.StatusForbidden, "InvalidChargeType.ValueNotSupported", "Deletion protection is only valid for postPaid instance.")
	}
	return nil
}

// parseSpot reads SpotStrategy, SpotPriceLimit, SpotDuration and
// SpotInterruptionBehavior. Spot instances are pay-as-you-go only.
func (r *runRequest) parseSpot(p params) *apiError {
	r.spotStrategy = defaultStr(p.get("SpotStrategy"), "NoSpot")
	switch r.spotStrategy {
	case "NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo":
	default:
		return apiErr(http.StatusBadRequest, "InvalidSpotStrategy", "The specified SpotStrategy is not valid.")
	}
	if r.spotStrategy != "NoSpot" && r.chargeType != "PostPaid" {
		return apiErr(http.StatusBadRequest, "InvalidSpotStrategy", "Spot instances must be pay-as-you-go (PostPaid).")
	}
	var aerr *apiError
	if r.spotPrice, aerr = p.float("SpotPriceLimit", 0); aerr != nil {
		return apiErr(http.StatusBadRequest, "InvalidSpotPriceLimit", "The specified SpotPriceLimit is not valid.")
	}
	if r.spotStrategy == "SpotWithPriceLimit" {
		// At most three decimals are significant; the SDK sends six.
		milli := r.spotPrice * 1000
		if r.spotPrice <= 0 || math.Abs(milli-math.Round(milli)) > 1e-6 {
			return apiErr(http.StatusBadRequest, "InvalidSpotPriceLimit", "The specified SpotPriceLimit is not valid.")
		}
		if r.spotPrice < r.itype.spotPrice() {
			return apiErr(http.StatusBadRequest, "InvalidSpotPriceLimit.LowerThanPublicPrice",
				"The specified SpotPriceLimit is lower than the current market price %.3f.", r.itype.spotPrice())
		}
	} else {
		r.spotPrice = 0 // only meaningful with a price limit
	}
	if r.spotDuration, aerr = p.integer("SpotDuration", 1); aerr != nil {
		return apiErr(http.StatusBadRequest, "InvalidSpotDuration", "The specified SpotDuration is not valid.")
	}
	if r.spotDuration != 0 && r.spotDuration != 1 {
		return apiErr(http.StatusBadRequest, "InvalidSpotDuration", "The specified SpotDuration is not valid.")
	}
	r.spotBehavior = defaultStr(p.get("SpotInterruptionBehavior"), "Terminate")
	if r.spotBehavior != "Terminate" && r.spotBehavior != "Stop" {
		return errInvalid("SpotInterruptionBehavior")
	}
	if r.spotStrategy == "NoSpot" {
		r.spotDuration, r.spotBehavior = 0, ""
	}
	return nil
}

// parseMetadata reads the instance metadata options.
func (r *runRequest) parseMetadata(p params) *apiError {
	m, aerr := parseMetadataOptions(p, metadataOptions{endpoint: "enabled", tokens: "optional", hopLimit: 1})
	if aerr != nil {
		return aerr
	}
	r.httpEndpoint, r.httpTokens, r.hopLimit = m.endpoint, m.tokens, m.hopLimit
	return nil
}

// metadataOptions are HttpEndpoint, HttpTokens and HttpPutResponseHopLimit.
type metadataOptions struct {
	endpoint, tokens string
	hopLimit         int
}

// parseMetadataOptions overlays the request's metadata options on cur.
func parseMetadataOptions(p params, cur metadataOptions) (metadataOptions, *apiError) {
	m := cur
	m.endpoint = defaultStr(p.get("HttpEndpoint"), m.endpoint)
	m.tokens = defaultStr(p.get("HttpTokens"), m.tokens)
	if m.endpoint != "enabled" && m.endpoint != "disabled" {
		return m, errInvalid("HttpEndpoint")
	}
	if m.tokens != "optional" && m.tokens != "required" {
		return m, errInvalid("HttpTokens")
	}
	if v := p.get("HttpPutResponseHopLimit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return m, errInvalid("HttpPutResponseHopLimit")
		}
		m.hopLimit = n
	}
	return m, nil
}

func defaultStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
