package ecs

import (
	"context"
	"encoding/json"
	"strconv"
)

const (
	instancePageSize   = 100 // DescribeInstances PageSize bound
	instanceIDsPerCall = 100 // DescribeInstances InstanceIds bound
)

// runInstancesParams flattens req (aliyun-api.md §3.1 RunInstances). Zero
// values are not sent, so the server defaults apply; in particular a
// DataDisk with DeleteWithInstance false keeps the default (true).
func runInstancesParams(req RunInstancesRequest) params {
	p := params{}
	p.set("ImageId", req.ImageID)
	p.set("InstanceType", req.InstanceType)
	p.set("ZoneId", req.ZoneID)
	p.set("VSwitchId", req.VSwitchID)
	p.setList("SecurityGroupIds", req.SecurityGroupIDs)
	p.set("InstanceName", req.InstanceName)
	p.set("HostName", req.HostName)
	p.set("Description", req.Description)
	p.set("KeyPairName", req.KeyPairName)
	p.set("Password", req.Password)
	p.set("UserData", req.UserData)
	p.set("PrivateIpAddress", req.PrivateIPAddress)
	p.setInt("InternetMaxBandwidthOut", req.InternetMaxBandwidthOut)
	p.set("InternetChargeType", req.InternetChargeType)
	p.set("InstanceChargeType", req.InstanceChargeType)
	p.setInt("Period", req.Period)
	p.set("PeriodUnit", req.PeriodUnit)
	p.set("SpotStrategy", req.SpotStrategy)
	p.setFloat("SpotPriceLimit", req.SpotPriceLimit)
	if req.SpotDuration != nil {
		p["SpotDuration"] = strconv.Itoa(*req.SpotDuration)
	}
	p.set("SystemDisk.Category", req.SystemDiskCategory)
	p.setInt("SystemDisk.Size", req.SystemDiskSize)
	p.set("SystemDisk.PerformanceLevel", req.SystemDiskPerformanceLevel)
	// Encrypted and KMSKeyId are struct fields of the SDK's SystemDisk, so
	// they travel as SystemDisk.<Field> like the flat ones.
	if req.SystemDiskEncrypted {
		p.set("SystemDisk.Encrypted", "true")
		p.set("SystemDisk.KMSKeyId", req.SystemDiskKMSKeyID)
	}
	for i, d := range req.DataDisks {
		prefix := "DataDisk." + strconv.Itoa(i+1) + "."
		p.setInt(prefix+"Size", d.SizeGiB)
		p.set(prefix+"Category", d.Category)
		p.set(prefix+"PerformanceLevel", d.PerformanceLevel)
		p.setBool(prefix+"Encrypted", d.Encrypted)
		if d.Encrypted {
			p.set(prefix+"KMSKeyId", d.KMSKeyID)
		}
		p.setBool(prefix+"DeleteWithInstance", d.DeleteWithInstance)
		p.set(prefix+"DiskName", d.Name)
	}
	p.set("IoOptimized", req.IoOptimized)
	p.set("ResourceGroupId", req.ResourceGroupID)
	p.set("RamRoleName", req.RAMRoleName)
	p.setInt("Ipv6AddressCount", req.Ipv6AddressCount)
	p.set("DeploymentSetId", req.DeploymentSetID)
	p.set("HttpEndpoint", req.HTTPEndpoint)
	p.set("HttpTokens", req.HTTPTokens)
	p.setTags(req.Tags)
	p.setBool("DryRun", req.DryRun)
	token := req.ClientToken
	if token == "" && !req.DryRun {
		token = newClientToken()
	}
	p.set("ClientToken", token)
	return p
}

// RunInstances creates one instance (it goes Pending → Starting → Running on
// its own) and returns the IDs. Every retry reuses req.ClientToken (a fresh
// one if empty), so a retried call never creates twice. With DryRun the
// success answer is an error for which IsDryRunOK is true.
func (c *Client) RunInstances(ctx context.Context, req RunInstancesRequest) ([]string, error) {
	var resp struct {
		InstanceIdSets struct{ InstanceIdSet []string }
	}
	if err := c.call(ctx, productECS, "RunInstances", runInstancesParams(req), &resp); err != nil {
		return nil, err
	}
	return resp.InstanceIdSets.InstanceIdSet, nil
}

type wireIPs struct{ IpAddress []string }

func (w wireIPs) first() string {
	for _, ip := range w.IpAddress {
		if ip != "" {
			return ip
		}
	}
	return ""
}

type wireInstance struct {
	InstanceId      string
	InstanceName    string
	HostName        string
	Status          string
	RegionId        string
	ZoneId          string
	InstanceType    string
	ImageId         string
	KeyPairName     string
	PublicIpAddress wireIPs
	InnerIpAddress  wireIPs
	VpcAttributes   struct {
		VpcId            string
		VSwitchId        string
		PrivateIpAddress wireIPs
	}
	EipAddress struct {
		AllocationId string
		IpAddress    string
	}
	NetworkInterfaces struct {
		NetworkInterface []struct {
			PrimaryIpAddress string
			Type             string
			Ipv6Sets         struct {
				Ipv6Set []struct{ Ipv6Address string }
			}
		}
	}
	DeploymentSetId  string
	SecurityGroupIds struct{ SecurityGroupId []string }
	Tags             wireTags
}

func (w wireInstance) instance() Instance {
	private := w.VpcAttributes.PrivateIpAddress.first()
	var ipv6 []string
	for _, ni := range w.NetworkInterfaces.NetworkInterface {
		if ni.Type != "" && ni.Type != "Primary" {
			continue
		}
		if private == "" {
			private = ni.PrimaryIpAddress
		}
		for _, a := range ni.Ipv6Sets.Ipv6Set {
			if a.Ipv6Address != "" {
				ipv6 = append(ipv6, a.Ipv6Address)
			}
		}
		break
	}
	if private == "" {
		private = w.InnerIpAddress.first()
	}
	return Instance{
		ID:               w.InstanceId,
		Name:             w.InstanceName,
		HostName:         w.HostName,
		Status:           w.Status,
		RegionID:         w.RegionId,
		ZoneID:           w.ZoneId,
		InstanceType:     w.InstanceType,
		ImageID:          w.ImageId,
		VpcID:            w.VpcAttributes.VpcId,
		VSwitchID:        w.VpcAttributes.VSwitchId,
		PrivateIP:        private,
		PublicIP:         w.PublicIpAddress.first(),
		EipAllocationID:  w.EipAddress.AllocationId,
		EipAddress:       w.EipAddress.IpAddress,
		KeyPairName:      w.KeyPairName,
		SecurityGroupIDs: w.SecurityGroupIds.SecurityGroupId,
		IPv6Addresses:    ipv6,
		DeploymentSetID:  w.DeploymentSetId,
		Tags:             w.Tags.tags(),
	}
}

// DescribeInstances lists the instances matching q, following every page.
// InstanceIDs are sent as JSON arrays of at most 100 (more are split into
// several queries); IDs that do not exist are simply absent. Results are
// de-duplicated by ID.
func (c *Client) DescribeInstances(ctx context.Context, q InstanceQuery) ([]Instance, error) {
	var out []Instance
	seen := map[string]bool{}
	for _, ids := range chunk(q.InstanceIDs, instanceIDsPerCall) {
		p := params{}
		p.setJSONList("InstanceIds", ids)
		p.set("InstanceName", q.InstanceName)
		p.set("Status", q.Status)
		p.set("VpcId", q.VpcID)
		p.setTags(q.Tags)
		err := c.describeAll(ctx, productECS, "DescribeInstances", p, instancePageSize, func(body []byte) (page, int, error) {
			var resp struct {
				page
				Instances struct{ Instance []wireInstance }
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				return page{}, 0, err
			}
			for _, w := range resp.Instances.Instance {
				if seen[w.InstanceId] {
					continue
				}
				seen[w.InstanceId] = true
				out = append(out, w.instance())
			}
			return resp.page, len(resp.Instances.Instance), nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StartInstance starts a Stopped instance.
func (c *Client) StartInstance(ctx context.Context, instanceID string) error {
	p := params{}
	p.set("InstanceId", instanceID)
	return c.call(ctx, productECS, "StartInstance", p, nil)
}

// StopInstance stops a Running instance; force powers it off (ForceStop).
// StoppedMode KeepCharging keeps the instance's resources, its public IP
// included, across the stop; StopCharging releases them (pay-as-you-go VPC
// instances only); empty takes the account's default.
func (c *Client) StopInstance(ctx context.Context, instanceID string, force bool, stoppedMode string) error {
	p := params{}
	p.set("InstanceId", instanceID)
	p.setBool("ForceStop", force)
	p.set("StoppedMode", stoppedMode)
	return c.call(ctx, productECS, "StopInstance", p, nil)
}

// RebootInstance reboots a Running instance; force powers it off first.
func (c *Client) RebootInstance(ctx context.Context, instanceID string, force bool) error {
	p := params{}
	p.set("InstanceId", instanceID)
	p.setBool("ForceStop", force)
	return c.call(ctx, productECS, "RebootInstance", p, nil)
}

// DeleteInstance releases an instance; without force it must be Stopped.
// On top of the usual transient errors it retries IncorrectInstanceStatus
// and IncorrectInstanceStatus.Initializing (the instance is still being
// created, e.g. a rollback right after RunInstances, or is Stopping) with the call's backoff: until
// ctx's deadline if ctx has one, else for Retry.MaxAttempts attempts.
func (c *Client) DeleteInstance(ctx context.Context, instanceID string, force bool) error {
	p := params{}
	p.set("InstanceId", instanceID)
	p.setBool("Force", force)
	return c.callOpts(ctx, productECS, "DeleteInstance", p, nil, retryOpts{
		extra: []string{"IncorrectInstanceStatus", "IncorrectInstanceStatus.Initializing"}, extraUntilDeadline: true,
	})
}
