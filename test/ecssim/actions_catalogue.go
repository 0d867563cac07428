package ecssim

import (
	"net/http"
	"strings"
)

// obj is a JSON object of a response. Catalogue answers are deeply nested
// wrappers that clients barely read, so they are built as maps; list
// values must be non-nil slices so they encode as [].
type obj = map[string]any

// wrap builds the SDK's list wrapper, e.g. {"Instance":[...]}.
func wrap(key string, items any) obj { return obj{key: items} }

func actDescribeRegions(c *call) (any, error) {
	en := strings.HasPrefix(strings.ToLower(c.p.get("AcceptLanguage")), "en")
	out := make([]obj, 0, len(regions))
	for _, r := range regions {
		name := r.NameZh
		if en {
			name = r.NameEn
		}
		endpoint := "ecs." + r.ID + ".aliyuncs.com"
		if r.ID == "cn-hangzhou" {
			endpoint = "ecs-cn-hangzhou.aliyuncs.com"
		}
		out = append(out, obj{"RegionId": r.ID, "LocalName": name, "RegionEndpoint": endpoint, "Status": "available"})
	}
	return obj{"Regions": wrap("Region", out)}, nil
}

func actDescribeZones(c *call) (any, error) {
	verbose, aerr := c.p.boolean("Verbose", true)
	if aerr != nil {
		return nil, aerr
	}
	zh := !strings.HasPrefix(strings.ToLower(c.p.get("AcceptLanguage")), "en")
	r := findRegion(c.regionID)
	families := []string{}
	seen := map[string]bool{}
	for _, t := range instanceTypes {
		if !seen[t.Family] {
			seen[t.Family] = true
			families = append(families, t.Family)
		}
	}
	zones := make([]obj, 0, len(r.ZoneIDs))
	for _, z := range r.ZoneIDs {
		types, disks, infos := []string{}, []string{}, []obj{}
		if verbose {
			types, disks = instanceTypeIDs(), diskCategoryIDs()
			infos = append(infos, obj{
				"IoOptimized":          true,
				"InstanceGenerations":  wrap("supportedInstanceGeneration", []string{"ecs-3", "ecs-4", "ecs-5", "ecs-6"}),
				"InstanceTypeFamilies": wrap("supportedInstanceTypeFamily", families),
				"InstanceTypes":        wrap("supportedInstanceType", instanceTypeIDs()),
				"SystemDiskCategories": wrap("supportedSystemDiskCategory", diskCategoryIDs()),
				"DataDiskCategories":   wrap("supportedDataDiskCategory", diskCategoryIDs()),
				"NetworkTypes":         wrap("supportedNetworkCategory", []string{"vpc"}),
			})
		}
		zones = append(zones, obj{
			"ZoneId":                      z,
			"ZoneNo":                      "",
			"LocalName":                   r.zoneLocalName(z, zh),
			"ZoneType":                    "AvailabilityZone",
			"AvailableResourceCreation":   wrap("ResourceTypes", []string{"VSwitch", "IoOptimized", "Instance", "Disk"}),
			"AvailableInstanceTypes":      wrap("InstanceTypes", types),
			"AvailableDiskCategories":     wrap("DiskCategories", disks),
			"AvailableVolumeCategories":   wrap("VolumeCategories", []string{}),
			"AvailableDedicatedHostTypes": wrap("DedicatedHostType", []string{}),
			"DedicatedHostGenerations":    wrap("DedicatedHostGeneration", []string{}),
			"NetworkTypes":                wrap("NetworkType", []string{"vpc"}),
			"AvailableResources":          wrap("ResourcesInfo", infos),
		})
	}
	return obj{"Zones": wrap("Zone", zones)}, nil
}

func actDescribeImages(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 100)
	if aerr != nil {
		return nil, aerr
	}
	cloudinit, aerr := c.p.boolean("IsSupportCloudinit", false)
	if aerr != nil {
		return nil, aerr
	}
	var ids map[string]bool
	if v := c.p.get("ImageId"); v != "" {
		ids = map[string]bool{}
		for _, id := range strings.Split(v, ",") {
			ids[strings.TrimSpace(id)] = true
		}
	}
	arch := ""
	if t := c.p.get("InstanceType"); t != "" {
		it := findInstanceType(t)
		if it == nil {
			return nil, apiErr(http.StatusBadRequest, "InvalidInstanceType.ValueNotSupported", "The specified InstanceType beyond the permitted range.")
		}
		arch = it.imageArch()
	}
	statusOK := c.p.get("Status") == ""
	for _, st := range strings.Split(c.p.get("Status"), ",") {
		statusOK = statusOK || strings.EqualFold(strings.TrimSpace(st), "Available")
	}
	owner := c.p.get("ImageOwnerAlias")
	var match []imageInfo
	for _, im := range images {
		switch {
		case ids != nil && !ids[im.ID],
			!statusOK,
			owner != "" && owner != "system",
			c.p.get("ImageName") != "" && !wildcard(c.p.get("ImageName"), im.ID),
			c.p.get("ImageFamily") != "" && c.p.get("ImageFamily") != im.Family,
			c.p.get("OSType") != "" && !strings.EqualFold(c.p.get("OSType"), "linux"),
			c.p.get("Architecture") != "" && c.p.get("Architecture") != im.Architecture,
			arch != "" && arch != im.Architecture,
			c.p.get("IsSupportCloudinit") != "" && !cloudinit:
			continue
		}
		match = append(match, im)
	}
	out := []obj{}
	for _, im := range pageOf(match, pg) {
		out = append(out, imageView(im))
	}
	return obj{"RegionId": c.regionID, "TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"Images": wrap("Image", out)}, nil
}

func imageView(im imageInfo) obj {
	return obj{
		"ImageId": im.ID, "ImageName": im.ID, "ImageFamily": im.Family, "ImageVersion": "",
		"ImageOwnerAlias": "system", "OSType": "linux", "OSName": im.OSName, "OSNameEn": im.OSNameEn,
		"Platform": im.Platform, "Architecture": im.Architecture, "Size": im.Size, "Status": "Available",
		"IsSupportCloudinit": true, "IsSupportIoOptimized": true, "IsPublic": true, "IsSubscribed": false,
		"IsCopied": false, "IsSelfShared": "", "BootMode": "BIOS", "Usage": "instance", "CreationTime": im.CreationTime,
		"Progress": "100%", "Description": "", "ProductCode": "", "ResourceGroupId": "",
		"LoginAsNonRootSupported": true,
		"DiskDeviceMappings": wrap("DiskDeviceMapping", []obj{{
			"Device": "/dev/xvda", "Size": "20", "Type": "system", "Format": "", "SnapshotId": "",
		}}),
		"Tags": wrap("Tag", []obj{}),
	}
}

func actDescribeInstanceTypes(c *call) (any, error) {
	pg, aerr := c.p.paging(1600, 1600, 1, true)
	if aerr != nil {
		return nil, aerr
	}
	want := map[string]bool{}
	for _, t := range c.p.indexed("InstanceTypes") {
		want[t] = true
	}
	fams := map[string]bool{}
	for _, f := range c.p.indexed("InstanceTypeFamilies") {
		fams[f] = true
	}
	if f := c.p.get("InstanceTypeFamily"); f != "" {
		fams[f] = true
	}
	minIpv6, aerr := c.p.integer("MinimumEniIpv6AddressQuantity", 0)
	if aerr != nil {
		return nil, aerr
	}
	var match []instanceTypeInfo
	for _, t := range instanceTypes {
		if len(want) > 0 && !want[t.ID] || len(fams) > 0 && !fams[t.Family] || t.ipv6PerENI() < minIpv6 ||
			c.p.get("CpuArchitecture") != "" && !strings.EqualFold(c.p.get("CpuArchitecture"), t.Arch) {
			continue
		}
		match = append(match, t)
	}
	out := []obj{}
	for _, t := range pageOf(match, pg) {
		level := "EnterpriseLevel"
		if t.Category == "Shared" || t.Category == "Universal" {
			level = "EntryLevel"
		}
		out = append(out, obj{
			"InstanceTypeId": t.ID, "InstanceTypeFamily": t.Family, "InstanceCategory": t.Category,
			"CpuCoreCount": t.CPU, "MemorySize": t.MemGiB, "CpuArchitecture": t.Arch, "GPUAmount": 0, "GPUSpec": "",
			"EniQuantity": t.ENIs, "EniPrivateIpAddressQuantity": 6, "EniTotalQuantity": t.ENIs * 2,
			"EniIpv6AddressQuantity": t.ipv6PerENI(), "InstanceFamilyLevel": level, "LocalStorageCategory": "",
			"InstanceBandwidthRx": 1024000 * t.CPU, "InstanceBandwidthTx": 1024000 * t.CPU,
			"InstancePpsRx": 300000 * t.CPU, "InstancePpsTx": 300000 * t.CPU, "NvmeSupport": "unsupported",
			"SupportedBootModes": wrap("SupportedBootMode", []string{"BIOS", "UEFI"}),
		})
	}
	return obj{"NextToken": pg.next(len(match)), "InstanceTypes": wrap("InstanceType", out)}, nil
}

func actDescribeAvailableResource(c *call) (any, error) {
	dest, aerr := c.p.required("DestinationResource")
	if aerr != nil {
		return nil, aerr
	}
	r := findRegion(c.regionID)
	type value struct {
		v        string
		min, max int
		unit     string
	}
	var values []value
	switch dest {
	case "Zone":
		// filled per zone below
	case "IoOptimized":
		values = []value{{v: "optimized"}}
	case "Network":
		values = []value{{v: "vpc"}}
	case "InstanceType":
		for _, t := range instanceTypes {
			if tt := c.p.get("InstanceType"); tt == "" || tt == t.ID {
				values = append(values, value{v: t.ID})
			}
		}
	case "SystemDisk", "DataDisk":
		for _, d := range diskCategories {
			cat := c.p.get("SystemDiskCategory")
			lo, hi := d.SystemMin, d.SystemMax
			if dest == "DataDisk" {
				cat, lo, hi = c.p.get("DataDiskCategory"), d.DataMin, d.DataMax
			}
			if cat == "" || cat == d.ID {
				values = append(values, value{d.ID, lo, hi, "GiB"})
			}
		}
	default:
		return nil, errInvalid("DestinationResource")
	}
	t := c.p.get("InstanceType")
	if t != "" && findInstanceType(t) == nil {
		values = nil // an unknown type is simply not available anywhere
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	zones := []obj{}
	for _, z := range r.ZoneIDs {
		if zf := c.p.get("ZoneId"); zf != "" && zf != z {
			continue
		}
		vs := values
		if dest == "Zone" {
			vs = []value{{v: z}}
		}
		if len(vs) == 0 {
			continue
		}
		// Stock: a sold-out type shows as SoldOut/WithoutStock; so does the
		// zone when the query names that type or every listed type is out.
		zoneOut := t != "" && !st.inStockLocked(c.regionID, z, t)
		anyIn := false
		supported := make([]obj, 0, len(vs))
		for _, v := range vs {
			status, category := "Available", "WithStock"
			if dest == "InstanceType" && !st.inStockLocked(c.regionID, z, v.v) || dest != "InstanceType" && zoneOut {
				status, category = "SoldOut", "WithoutStock"
			} else {
				anyIn = true
			}
			o := obj{"Value": v.v, "Status": status, "StatusCategory": category}
			if v.unit != "" {
				o["Min"], o["Max"], o["Unit"] = v.min, v.max, v.unit
			}
			supported = append(supported, o)
		}
		zoneStatus, zoneCategory := "Available", "WithStock"
		if zoneOut || !anyIn {
			zoneStatus, zoneCategory = "SoldOut", "WithoutStock"
		}
		zones = append(zones, obj{
			"RegionId": c.regionID, "ZoneId": z, "Status": zoneStatus, "StatusCategory": zoneCategory,
			"AvailableResources": wrap("AvailableResource", []obj{{
				"Type": dest, "SupportedResources": wrap("SupportedResource", supported),
			}}),
		})
	}
	return obj{"AvailableZones": wrap("AvailableZone", zones)}, nil
}
