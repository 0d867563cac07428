package ecssim

// instanceView renders the DescribeInstances object (aliyun-api.md §3.1).
func instanceView(rs *regionState, inst *instance) obj {
	im := findImage(inst.ImageID)
	it := findInstanceType(inst.InstanceType)
	publicIPs := []string{}
	if inst.PublicIP != "" {
		publicIPs = append(publicIPs, inst.PublicIP)
	}
	eipView := obj{"AllocationId": "", "IpAddress": "", "InternetChargeType": "", "Bandwidth": 0, "IsSupportUnassociate": false}
	if e := rs.boundEip(inst); e != nil {
		eipView = obj{"AllocationId": e.ID, "IpAddress": e.IP, "InternetChargeType": e.InternetChargeType,
			"Bandwidth": e.Bandwidth, "IsSupportUnassociate": true}
	}
	startTime := ""
	if !inst.StartTime.IsZero() {
		startTime = fmtMinute(inst.StartTime)
	}
	return obj{
		"InstanceId": inst.ID, "InstanceName": inst.Name, "HostName": inst.HostName, "Description": inst.Description,
		"RegionId": inst.Region, "ZoneId": inst.ZoneID, "InstanceType": inst.InstanceType,
		"InstanceTypeFamily": it.Family, "Cpu": it.CPU, "Memory": int(it.MemGiB * 1024), "GPUAmount": 0, "GPUSpec": "",
		"ImageId": inst.ImageID, "OSName": im.OSName, "OSNameEn": im.OSNameEn, "OSType": "linux",
		"Status": inst.Status, "InstanceNetworkType": "vpc", "InstanceChargeType": inst.InstanceChargeType,
		"InternetChargeType": inst.InternetChargeType, "InternetMaxBandwidthIn": inst.BandwidthIn,
		"InternetMaxBandwidthOut": inst.BandwidthOut, "SpotStrategy": inst.SpotStrategy,
		"SpotPriceLimit": inst.SpotPriceLimit, "SpotDuration": inst.SpotDuration,
		"SpotInterruptionBehavior": inst.SpotInterruptionBehavior, "StoppedMode": inst.StoppedMode,
		"CreationTime": fmtMinute(inst.CreationTime), "StartTime": startTime, "ExpiredTime": expiredTime(inst),
		"AutoReleaseTime": inst.AutoReleaseTime, "DeletionProtection": inst.DeletionProtection,
		"KeyPairName": inst.KeyPairName, "ResourceGroupId": inst.ResourceGroupID, "SerialNumber": inst.SerialNumber,
		"IoOptimized": true, "DeviceAvailable": true, "Recyclable": false, "VlanId": "", "CreditSpecification": "",
		"DeploymentSetId": inst.DeploymentSetID, "HpcClusterId": "", "SaleCycle": "",
		"LocalStorageAmount": 0, "LocalStorageCapacity": 0,
		"SecurityGroupIds": wrap("SecurityGroupId", append([]string{}, inst.SecurityGroupIDs...)),
		"PublicIpAddress":  wrap("IpAddress", publicIPs),
		"InnerIpAddress":   wrap("IpAddress", []string{}),
		"RdmaIpAddress":    wrap("IpAddress", []string{}),
		"VpcAttributes": obj{"VpcId": inst.VpcID, "VSwitchId": inst.VSwitchID, "NatIpAddress": "",
			"PrivateIpAddress": wrap("IpAddress", nonEmpty(inst.PrivateIP))},
		"EipAddress": eipView,
		"NetworkInterfaces": wrap("NetworkInterface", []obj{{
			"NetworkInterfaceId": inst.ENIID, "MacAddress": inst.MAC, "PrimaryIpAddress": inst.PrivateIP, "Type": "Primary",
			"PrivateIpSets":  wrap("PrivateIpSet", []obj{{"PrivateIpAddress": inst.PrivateIP, "Primary": true}}),
			"Ipv6Sets":       wrap("Ipv6Set", ipv6Sets(inst.Ipv6Addresses)),
			"Ipv6PrefixSets": wrap("Ipv6PrefixSet", []obj{}),
			"Ipv4PrefixSets": wrap("Ipv4PrefixSet", []obj{}),
		}}),
		"MetadataOptions":            obj{"HttpEndpoint": inst.HTTPEndpoint, "HttpTokens": inst.HTTPTokens, "HttpPutResponseHopLimit": inst.HopLimit},
		"Tags":                       ecsTags(inst.Tags),
		"OperationLocks":             wrap("LockReason", []obj{}),
		"CpuOptions":                 obj{"CoreCount": max(it.CPU/2, 1), "ThreadsPerCore": 2, "Numa": ""},
		"HibernationOptions":         obj{"Configured": false},
		"DedicatedHostAttribute":     obj{"DedicatedHostId": "", "DedicatedHostName": "", "DedicatedHostClusterId": ""},
		"EcsCapacityReservationAttr": obj{"CapacityReservationId": "", "CapacityReservationPreference": ""},
		"DedicatedInstanceAttribute": obj{"Affinity": "", "Tenancy": ""},
		"ImageOptions":               obj{"LoginAsNonRoot": false},
	}
}

// ipv6Sets lists an ENI's IPv6 addresses as DescribeInstances does.
func ipv6Sets(addrs []string) []obj {
	out := make([]obj, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, obj{"Ipv6Address": a})
	}
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}

// expiredTime is ExpiredTime as the API shows it: the subscription end for
// PrePaid, a far-future date for pay-as-you-go.
func expiredTime(inst *instance) string {
	if inst.InstanceChargeType == "PrePaid" && !inst.ExpiredTime.IsZero() {
		return fmtMinute(inst.ExpiredTime)
	}
	return "2099-12-31T15:59Z"
}

// boundEip returns the EIP shown as bound to an instance: associated
// (InUse) or on its way off (Unassociating), not while still Associating.
func (rs *regionState) boundEip(inst *instance) *eip {
	e := rs.eips[inst.EipID]
	if e == nil || e.InstanceID != inst.ID || e.Status == eipAssociating {
		return nil
	}
	return e
}

// instanceAttributeView renders the legacy DescribeInstanceAttribute
// answer: the same facts as DescribeInstances, flat, in the older shape.
func instanceAttributeView(rs *regionState, inst *instance) obj {
	it := findInstanceType(inst.InstanceType)
	eipView := obj{"AllocationId": "", "IpAddress": "", "InternetChargeType": "", "Bandwidth": 0}
	if e := rs.boundEip(inst); e != nil {
		eipView = obj{"AllocationId": e.ID, "IpAddress": e.IP, "InternetChargeType": e.InternetChargeType, "Bandwidth": e.Bandwidth}
	}
	return obj{
		"InstanceId": inst.ID, "InstanceName": inst.Name, "HostName": inst.HostName, "Description": inst.Description,
		"RegionId": inst.Region, "ZoneId": inst.ZoneID, "InstanceType": inst.InstanceType, "Cpu": it.CPU,
		"Memory": int(it.MemGiB * 1024), "ImageId": inst.ImageID, "Status": inst.Status, "SerialNumber": inst.SerialNumber,
		"CreationTime": fmtMinute(inst.CreationTime), "InstanceNetworkType": "vpc", "ClusterId": "", "VlanId": "",
		"StoppedMode": inst.StoppedMode, "InternetChargeType": inst.InternetChargeType,
		"InternetMaxBandwidthIn": inst.BandwidthIn, "InternetMaxBandwidthOut": inst.BandwidthOut,
		"InstanceChargeType": inst.InstanceChargeType, "IoOptimized": "optimized", "ExpiredTime": expiredTime(inst),
		"CreditSpecification": "", "EnableJumboFrame": false,
		"SecurityGroupIds": wrap("SecurityGroupId", append([]string{}, inst.SecurityGroupIDs...)),
		"PublicIpAddress":  wrap("IpAddress", nonEmpty(inst.PublicIP)),
		"InnerIpAddress":   wrap("IpAddress", []string{}),
		"VpcAttributes": obj{"VpcId": inst.VpcID, "VSwitchId": inst.VSwitchID, "NatIpAddress": "",
			"PrivateIpAddress": wrap("IpAddress", nonEmpty(inst.PrivateIP))},
		"EipAddress":             eipView,
		"DedicatedHostAttribute": obj{"DedicatedHostId": "", "DedicatedHostName": ""},
		"OperationLocks":         wrap("LockReason", []obj{}),
	}
}
