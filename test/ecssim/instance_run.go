package ecssim

import (
	"encoding/base64"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// maxUserData is the limit on decoded user data (current RunInstances
// docs; older ones say 16 KiB).
const maxUserData = 32 * 1024

// runRequest is a RunInstances call with every parameter that can be
// checked without looking at other resources validated.
type runRequest struct {
	image                        *imageInfo
	itype                        *instanceTypeInfo
	zoneID, vswitchID            string
	groupIDs                     []string
	privateIP                    netip.Addr
	name, hostName, description  string
	password, keyPairName        string
	userData                     []byte
	tags                         []Tag
	bwOut, bwIn                  int
	internetCharge, chargeType   string
	spotStrategy, spotBehavior   string
	spotPrice                    float64
	spotDuration                 int
	sysDisk                      diskSpec
	dataDisks                    []diskSpec
	amount                       int
	deletionProtection           bool
	resourceGroupID, autoRelease string
	httpEndpoint, httpTokens     string
	dryRun                       bool
}

type diskSpec struct {
	category, name, device, pl string
	size                       int
	deleteWithInstance         bool
}

// parseRun validates RunInstances parameters in the order the real service
// reports problems: what is missing, then what is malformed.
func parseRun(p params) (*runRequest, *apiError) {
	r := &runRequest{}
	var aerr *apiError
	imageID, aerr := p.required("ImageId")
	if aerr != nil {
		return nil, aerr
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
	r.zoneID, r.vswitchID = p.get("ZoneId"), p.get("VSwitchId")
	r.groupIDs = p.indexed("SecurityGroupIds")
	if g := p.get("SecurityGroupId"); g != "" {
		if len(r.groupIDs) > 0 {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "SecurityGroupId and SecurityGroupIds.N cannot be specified at the same time.")
		}
		r.groupIDs = []string{g}
	}
	if len(r.groupIDs) > 5 {
		return nil, errInvalid("SecurityGroupIds")
	}
	if ip := p.get("PrivateIpAddress"); ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil || !a.Is4() || r.amount != 1 {
			return nil, errInvalid("PrivateIpAddress")
		}
		r.privateIP = a
	}
	r.name, r.hostName, r.description = p.get("InstanceName"), p.get("HostName"), p.get("Description")
	if r.name != "" && !validName(r.name, 128) {
		return nil, apiErr(http.StatusBadRequest, "InvalidInstanceName.Malformed", "The specified parameter InstanceName is not valid.")
	}
	if r.hostName != "" && !validHostName(r.hostName) {
		return nil, apiErr(http.StatusBadRequest, "InvalidHostName.Malformed", "The specified parameter HostName is not valid.")
	}
	if !validDescription(r.description) {
		return nil, apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "The specified parameter Description is not valid.")
	}
	r.password, r.keyPairName = p.get("Password"), p.get("KeyPairName")
	if r.password != "" && !validPassword(r.password) {
		return nil, apiErr(http.StatusBadRequest, "InvalidPassword.Malformed", "The specified parameter Password is not valid.")
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
	if aerr = r.parseBilling(p); aerr != nil {
		return nil, aerr
	}
	if aerr = r.parseDisks(p); aerr != nil {
		return nil, aerr
	}
	r.resourceGroupID, r.autoRelease = resourceGroup(p), p.get("AutoReleaseTime")
	r.httpEndpoint, r.httpTokens = p.get("HttpEndpoint"), p.get("HttpTokens")
	if r.httpEndpoint == "" {
		r.httpEndpoint = "enabled"
	}
	if r.httpTokens == "" {
		r.httpTokens = "optional"
	}
	if r.httpEndpoint != "enabled" && r.httpEndpoint != "disabled" {
		return nil, errInvalid("HttpEndpoint")
	}
	if r.httpTokens != "optional" && r.httpTokens != "required" {
		return nil, errInvalid("HttpTokens")
	}
	if r.dryRun, aerr = p.dryRun(); aerr != nil {
		return nil, aerr
	}
	return r, nil
}

// parseBilling reads bandwidth, charge types and spot settings.
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
	r.internetCharge = defaultStr(p.get("InternetChargeType"), "PayByTraffic")
	if r.internetCharge != "PayByTraffic" && r.internetCharge != "PayByBandwidth" {
		return apiErr(http.StatusBadRequest, "InvalidInternetChargeType.ValueNotSupported", "The specified InternetChargeType is not valid.")
	}
	r.chargeType = defaultStr(p.get("InstanceChargeType"), "PostPaid")
	if r.chargeType != "PostPaid" && r.chargeType != "PrePaid" {
		return apiErr(http.StatusBadRequest, "InvalidInstanceChargeType.ValueNotSupported", "The specified InstanceChargeType is not valid.")
	}
	if r.deletionProtection, aerr = p.boolean("DeletionProtection", false); aerr != nil {
		return aerr
	}
	if r.deletionProtection && r.chargeType != "PostPaid" {
		return apiErr(http.StatusForbidden, "InvalidChargeType.ValueNotSupported", "Deletion protection is only valid for postPaid instance.")
	}
	r.spotStrategy = defaultStr(p.get("SpotStrategy"), "NoSpot")
	switch r.spotStrategy {
	case "NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo":
	default:
		return apiErr(http.StatusBadRequest, "InvalidSpotStrategy", "The specified SpotStrategy is not valid.")
	}
	if r.spotPrice, aerr = p.float("SpotPriceLimit", 0); aerr != nil {
		return aerr
	}
	if r.spotStrategy == "SpotWithPriceLimit" && r.spotPrice <= 0 {
		return apiErr(http.StatusBadRequest, "InvalidSpotPriceLimit", "The specified SpotPriceLimit is not valid.")
	}
	if r.spotDuration, aerr = p.integer("SpotDuration", 1); aerr != nil {
		return aerr
	}
	if r.spotDuration != 0 && r.spotDuration != 1 {
		return apiErr(http.StatusBadRequest, "InvalidSpotDuration", "The specified SpotDuration is not valid.")
	}
	if r.spotStrategy == "NoSpot" {
		r.spotDuration = 0
	}
	r.spotBehavior = defaultStr(p.get("SpotInterruptionBehavior"), "Terminate")
	return nil
}

// parseDisks reads SystemDisk.* and DataDisk.N.*.
func (r *runRequest) parseDisks(p params) *apiError {
	sd := diskSpec{
		category: defaultStr(p.get("SystemDisk.Category"), "cloud_essd"), name: p.get("SystemDisk.DiskName"),
		pl: p.get("SystemDisk.PerformanceLevel"), deleteWithInstance: true, device: "/dev/xvda",
	}
	cat := findDiskCategory(sd.category)
	if cat == nil {
		return apiErr(http.StatusBadRequest, "InvalidSystemDiskCategory.ValueNotSupported", "The specified parameter \"SystemDisk.Category\" is not valid.")
	}
	size, aerr := p.integer("SystemDisk.Size", max(40, r.image.Size))
	if aerr != nil {
		return aerr
	}
	if size < cat.SystemMin || size > cat.SystemMax {
		return apiErr(http.StatusBadRequest, "InvalidSystemDiskSize.ValueNotSupported", "The specified parameter SystemDisk.Size is not valid.")
	}
	if size < r.image.Size {
		return apiErr(http.StatusNotFound, "InvalidSystemDiskSize.LessThanImageSize", "The specified parameter SystemDisk.Size is less than the image size.")
	}
	sd.size = size
	r.sysDisk = sd
	groups := p.structs("DataDisk")
	if len(groups) > 16 {
		return apiErr(http.StatusBadRequest, "InstanceDiskNumber.LimitExceed", "The total number of specified disk in an instance exceeds.")
	}
	for i, g := range groups {
		d := diskSpec{category: defaultStr(g["Category"], "cloud_efficiency"), name: g["DiskName"], pl: g["PerformanceLevel"],
			device: defaultStr(g["Device"], "/dev/xvd"+string(rune('b'+i))), deleteWithInstance: true}
		cat := findDiskCategory(d.category)
		if cat == nil {
			return apiErr(http.StatusBadRequest, "InvalidDataDiskCategory.ValueNotSupported", "The specified parameter \"DataDisk.n.Category\" is not valid.")
		}
		if g["Size"] == "" {
			return errMissing("DataDisk." + strconv.Itoa(i+1) + ".Size")
		}
		n, err := strconv.Atoi(g["Size"])
		if err != nil || n < cat.DataMin || n > cat.DataMax {
			return apiErr(http.StatusBadRequest, "InvalidDataDiskSize.ValueNotSupported", "The specified parameter DataDisk.n.Size is not valid.")
		}
		d.size = n
		switch strings.ToLower(g["DeleteWithInstance"]) {
		case "", "true":
		case "false":
			d.deleteWithInstance = false
		default:
			return errInvalid("DataDisk." + strconv.Itoa(i+1) + ".DeleteWithInstance")
		}
		r.dataDisks = append(r.dataDisks, d)
	}
	return nil
}

func defaultStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
