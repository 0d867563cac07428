package ecs

import (
	"context"
	"encoding/json"
	"strings"
)

// DescribeRegions lists the regions the account can use.
func (c *Client) DescribeRegions(ctx context.Context) ([]Region, error) {
	var resp struct {
		Regions struct {
			Region []struct {
				RegionId       string
				RegionEndpoint string
			}
		}
	}
	if err := c.call(ctx, productECS, "DescribeRegions", params{}, &resp); err != nil {
		return nil, err
	}
	out := make([]Region, 0, len(resp.Regions.Region))
	for _, r := range resp.Regions.Region {
		out = append(out, Region{ID: r.RegionId, Endpoint: r.RegionEndpoint})
	}
	return out, nil
}

// DescribeZones lists the zones of the client's region with what they offer.
func (c *Client) DescribeZones(ctx context.Context) ([]Zone, error) {
	var resp struct {
		Zones struct {
			Zone []struct {
				ZoneId                    string
				AvailableResourceCreation struct{ ResourceTypes []string }
				AvailableInstanceTypes    struct{ InstanceTypes []string }
				AvailableDiskCategories   struct{ DiskCategories []string }
			}
		}
	}
	if err := c.call(ctx, productECS, "DescribeZones", params{}, &resp); err != nil {
		return nil, err
	}
	out := make([]Zone, 0, len(resp.Zones.Zone))
	for _, z := range resp.Zones.Zone {
		out = append(out, Zone{
			ID:             z.ZoneId,
			InstanceTypes:  z.AvailableInstanceTypes.InstanceTypes,
			DiskCategories: z.AvailableDiskCategories.DiskCategories,
			ResourceTypes:  z.AvailableResourceCreation.ResourceTypes,
		})
	}
	return out, nil
}

type wireImage struct {
	ImageId            string
	ImageName          string
	ImageFamily        string
	ImageOwnerAlias    string
	OSType             string
	OSName             string
	OSNameEn           string
	Platform           string
	Architecture       string
	Size               flexInt
	CreationTime       string
	IsSupportCloudinit flexBool
}

// DescribeImages lists the available images matching q, following every page
// (PageSize 100).
func (c *Client) DescribeImages(ctx context.Context, q ImageQuery) ([]Image, error) {
	p := params{}
	p.set("ImageId", strings.Join(q.ImageIDs, ","))
	p.set("ImageName", q.ImageName)
	p.set("ImageOwnerAlias", q.OwnerAlias)
	p.set("OSType", q.OSType)
	p.set("Architecture", q.Architecture)
	var out []Image
	err := c.describeAll(ctx, productECS, "DescribeImages", p, 100, func(body []byte) (page, int, error) {
		var resp struct {
			page
			Images struct{ Image []wireImage }
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return page{}, 0, err
		}
		for _, im := range resp.Images.Image {
			osName := im.OSNameEn
			if osName == "" {
				osName = im.OSName
			}
			out = append(out, Image{
				ID:                 im.ImageId,
				Name:               im.ImageName,
				Family:             im.ImageFamily,
				OwnerAlias:         im.ImageOwnerAlias,
				OSType:             im.OSType,
				OSName:             osName,
				Platform:           im.Platform,
				Architecture:       im.Architecture,
				SizeGiB:            int(im.Size),
				CreationTime:       im.CreationTime,
				IsSupportCloudinit: bool(im.IsSupportCloudinit),
			})
		}
		return resp.page, len(resp.Images.Image), nil
	})
	return out, err
}

// instanceTypesPerCall is the documented bound of InstanceTypes.N.
const instanceTypesPerCall = 10

// DescribeInstanceTypes describes the given instance types (all types when
// typeIDs is empty), following NextToken.
func (c *Client) DescribeInstanceTypes(ctx context.Context, typeIDs []string) ([]InstanceType, error) {
	var out []InstanceType
	for _, ids := range chunk(typeIDs, instanceTypesPerCall) {
		base := params{}
		base.setList("InstanceTypes", ids)
		next := ""
		for range maxPages {
			p := base.clone()
			p.set("NextToken", next)
			var resp struct {
				NextToken     string
				InstanceTypes struct {
					InstanceType []struct {
						InstanceTypeId     string
						InstanceTypeFamily string
						CpuCoreCount       flexInt
						MemorySize         flexFloat
						CpuArchitecture    string
						// EniIpv6AddressQuantity is per network interface.
						EniIpv6AddressQuantity flexInt
					}
				}
			}
			if err := c.call(ctx, productECS, "DescribeInstanceTypes", p, &resp); err != nil {
				return nil, err
			}
			for _, t := range resp.InstanceTypes.InstanceType {
				out = append(out, InstanceType{
					ID:              t.InstanceTypeId,
					Family:          t.InstanceTypeFamily,
					CPUCores:        int(t.CpuCoreCount),
					MemoryGiB:       float64(t.MemorySize),
					CPUArchitecture: t.CpuArchitecture,
					IPv6PerENI:      int(t.EniIpv6AddressQuantity),
				})
			}
			if resp.NextToken == "" || resp.NextToken == next || len(resp.InstanceTypes.InstanceType) == 0 {
				break
			}
			next = resp.NextToken
		}
	}
	return out, nil
}

// AvailableResourceQuery is the input of DescribeAvailableResource (the stock
// check). Empty fields are not sent.
type AvailableResourceQuery struct {
	// DestinationResource is what to list: Zone, IoOptimized, InstanceType,
	// SystemDisk, DataDisk, Network or ddh. Required.
	DestinationResource string
	ZoneID              string
	InstanceChargeType  string
	SpotStrategy        string
	InstanceType        string
	SystemDiskCategory  string
	DataDiskCategory    string
	NetworkCategory     string
	IoOptimized         string
	ResourceType        string
}

// AvailableResource is one supported resource of one zone as
// DescribeAvailableResource reports it, flattened.
type AvailableResource struct {
	ZoneID         string
	ZoneStatus     string // Available or SoldOut
	Type           string // e.g. InstanceType, SystemDisk
	Value          string // e.g. ecs.g7.large, cloud_essd
	Status         string // Available or SoldOut
	StatusCategory string // WithStock, ClosedWithStock, WithoutStock, ClosedWithoutStock
	Min, Max       int
	Unit           string
}

// InStock reports whether r can be bought now.
func (r AvailableResource) InStock() bool {
	return r.Status == "Available" && (r.StatusCategory == "" || r.StatusCategory == "WithStock" || r.StatusCategory == "ClosedWithStock")
}

// DescribeAvailableResource lists what can be bought where (stock check).
func (c *Client) DescribeAvailableResource(ctx context.Context, q AvailableResourceQuery) ([]AvailableResource, error) {
	p := params{}
	p.set("DestinationResource", q.DestinationResource)
	p.set("ZoneId", q.ZoneID)
	p.set("InstanceChargeType", q.InstanceChargeType)
	p.set("SpotStrategy", q.SpotStrategy)
	p.set("InstanceType", q.InstanceType)
	p.set("SystemDiskCategory", q.SystemDiskCategory)
	p.set("DataDiskCategory", q.DataDiskCategory)
	p.set("NetworkCategory", q.NetworkCategory)
	p.set("IoOptimized", q.IoOptimized)
	p.set("ResourceType", q.ResourceType)
	var resp struct {
		AvailableZones struct {
			AvailableZone []struct {
				ZoneId             string
				Status             string
				AvailableResources struct {
					AvailableResource []struct {
						Type               string
						SupportedResources struct {
							SupportedResource []struct {
								Value          string
								Status         string
								StatusCategory string
								Min, Max       flexInt
								Unit           string
							}
						}
					}
				}
			}
		}
	}
	if err := c.call(ctx, productECS, "DescribeAvailableResource", p, &resp); err != nil {
		return nil, err
	}
	var out []AvailableResource
	for _, z := range resp.AvailableZones.AvailableZone {
		for _, ar := range z.AvailableResources.AvailableResource {
			for _, sr := range ar.SupportedResources.SupportedResource {
				out = append(out, AvailableResource{
					ZoneID: z.ZoneId, ZoneStatus: z.Status, Type: ar.Type, Value: sr.Value,
					Status: sr.Status, StatusCategory: sr.StatusCategory,
					Min: int(sr.Min), Max: int(sr.Max), Unit: sr.Unit,
				})
			}
		}
	}
	return out, nil
}
