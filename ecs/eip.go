package ecs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// EIP status values as the VPC API reports them.
const (
	EipAvailable     = "Available"
	EipAssociating   = "Associating"
	EipInUse         = "InUse"
	EipUnassociating = "Unassociating"
)

// EipAPI is the elastic IP part of API (VPC 2016-04-28).
type EipAPI interface {
	AllocateEipAddress(ctx context.Context, req AllocateEipRequest) (*EipAddress, error)
	AssociateEipAddress(ctx context.Context, allocationID, instanceID string) error
	UnassociateEipAddress(ctx context.Context, allocationID, instanceID string, force bool) error
	ReleaseEipAddress(ctx context.Context, allocationID string) error
	DescribeEipAddresses(ctx context.Context, q EipQuery) ([]EipAddress, error)
	TagVpcResources(ctx context.Context, resourceType string, ids []string, tags []Tag) error
}

var _ EipAPI = (*Client)(nil)

// EipAddress is one elastic IP.
type EipAddress struct {
	AllocationID       string
	IPAddress          string
	Status             string // Available, Associating, InUse, Unassociating, Releasing
	InstanceID         string // associated instance, empty if none
	InstanceType       string // EcsInstance, ...
	Bandwidth          int    // Mbit/s
	InternetChargeType string
	Name               string
	Tags               []Tag
}

// AllocateEipRequest is the input of AllocateEipAddress. Zero values are not
// sent (the server defaults are 5 Mbit/s, PayByTraffic, PostPaid, BGP).
type AllocateEipRequest struct {
	Bandwidth          int
	InternetChargeType string
	ISP                string
	Name               string
	Description        string
	ResourceGroupID    string
	ClientToken        string
}

// EipQuery filters DescribeEipAddresses. Empty fields are not sent.
type EipQuery struct {
	AllocationIDs        []string // comma-separated, 50 per call
	IPAddresses          []string // comma-separated, 50 per call
	Status               string
	AssociatedInstanceID string
	Name                 string
	Tags                 []Tag
}

// AllocateEipAddress allocates an elastic IP (Available). Retries reuse
// req.ClientToken (a fresh one if empty).
func (c *Client) AllocateEipAddress(ctx context.Context, req AllocateEipRequest) (*EipAddress, error) {
	p := params{}
	p.setInt("Bandwidth", req.Bandwidth)
	p.set("InternetChargeType", req.InternetChargeType)
	p.set("ISP", req.ISP)
	p.set("Name", req.Name)
	p.set("Description", req.Description)
	p.set("ResourceGroupId", req.ResourceGroupID)
	p.set("ClientToken", tokenOrNew(req.ClientToken))
	var resp struct {
		AllocationId string
		EipAddress   string
	}
	if err := c.call(ctx, productVPC, "AllocateEipAddress", p, &resp); err != nil {
		return nil, err
	}
	return &EipAddress{AllocationID: resp.AllocationId, IPAddress: resp.EipAddress, Status: EipAvailable, Name: req.Name}, nil
}

// AssociateEipAddress binds an EIP to an ECS instance. It is asynchronous:
// wait for InUse with WaitEipStatus.
func (c *Client) AssociateEipAddress(ctx context.Context, allocationID, instanceID string) error {
	p := params{}
	p.set("AllocationId", allocationID)
	p.set("InstanceId", instanceID)
	p["InstanceType"] = "EcsInstance"
	// A token makes a retry after a lost answer a replay, not a second
	// association that the EIP's new state would refuse.
	p.set("ClientToken", newClientToken())
	return c.call(ctx, productVPC, "AssociateEipAddress", p, nil)
}

// UnassociateEipAddress unbinds an EIP from an instance. It is asynchronous:
// wait for Available before ReleaseEipAddress.
func (c *Client) UnassociateEipAddress(ctx context.Context, allocationID, instanceID string, force bool) error {
	p := params{}
	p.set("AllocationId", allocationID)
	p.set("InstanceId", instanceID)
	p["InstanceType"] = "EcsInstance"
	p.setBool("Force", force)
	p.set("ClientToken", newClientToken())
	return c.call(ctx, productVPC, "UnassociateEipAddress", p, nil)
}

// ReleaseEipAddress releases an Available EIP.
func (c *Client) ReleaseEipAddress(ctx context.Context, allocationID string) error {
	p := params{}
	p.set("AllocationId", allocationID)
	return c.call(ctx, productVPC, "ReleaseEipAddress", p, nil)
}

// DescribeEipAddresses lists the EIPs matching q, following every page.
func (c *Client) DescribeEipAddresses(ctx context.Context, q EipQuery) ([]EipAddress, error) {
	var out []EipAddress
	queries := []params{}
	for _, ids := range chunk(q.AllocationIDs, 50) {
		for _, ips := range chunk(q.IPAddresses, 50) {
			p := params{}
			p.set("AllocationId", strings.Join(ids, ","))
			p.set("EipAddress", strings.Join(ips, ","))
			p.set("Status", q.Status)
			p.set("AssociatedInstanceId", q.AssociatedInstanceID)
			p.set("EipName", q.Name)
			p.setTags(q.Tags)
			queries = append(queries, p)
		}
	}
	for _, p := range queries {
		err := c.describeAll(ctx, productVPC, "DescribeEipAddresses", p, 100, func(body []byte) (page, int, error) {
			var resp struct {
				page
				EipAddresses struct {
					EipAddress []struct {
						AllocationId       string
						IpAddress          string
						Status             string
						InstanceId         string
						InstanceType       string
						Bandwidth          flexInt
						InternetChargeType string
						Name               string
						Tags               wireTags
					}
				}
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				return page{}, 0, err
			}
			for _, e := range resp.EipAddresses.EipAddress {
				out = append(out, EipAddress{
					AllocationID: e.AllocationId, IPAddress: e.IpAddress, Status: e.Status,
					InstanceID: e.InstanceId, InstanceType: e.InstanceType, Bandwidth: int(e.Bandwidth),
					InternetChargeType: e.InternetChargeType, Name: e.Name, Tags: e.Tags.tags(),
				})
			}
			return resp.page, len(resp.EipAddresses.EipAddress), nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TagVpcResources tags VPC-product resources (resourceType "EIP", "VPC",
// "VSWITCH", ...) with the VPC TagResources action, 50 IDs per call.
func (c *Client) TagVpcResources(ctx context.Context, resourceType string, ids []string, tags []Tag) error {
	if len(ids) == 0 || len(tags) == 0 {
		return nil
	}
	for _, batch := range chunk(ids, 50) {
		p := params{}
		p.set("ResourceType", resourceType)
		p.setList("ResourceId", batch)
		p.setTags(tags)
		if err := c.call(ctx, productVPC, "TagResources", p, nil); err != nil {
			return err
		}
	}
	return nil
}

// WaitEipStatus polls DescribeEipAddresses until EIP allocationID has status
// want (Associating → InUse, Unassociating → Available). An EIP that is not
// listed fails at once with an error for which IsNotFound is true.
func WaitEipStatus(ctx context.Context, api EipAPI, allocationID, want string, opts ...WaitOption) (*EipAddress, error) {
	cfg := newWaitConfig(opts)
	var found *EipAddress
	err := WaitFor(ctx, func(ctx context.Context) (bool, error) {
		list, err := api.DescribeEipAddresses(ctx, EipQuery{AllocationIDs: []string{allocationID}})
		if err != nil {
			return !IsRetryable(err), err
		}
		for i := range list {
			if list[i].AllocationID != allocationID {
				continue
			}
			if list[i].Status == want {
				found = &list[i]
				return true, nil
			}
			return false, fmt.Errorf("EIP %q is %s, want %s", allocationID, list[i].Status, want)
		}
		return true, &APIError{Action: "DescribeEipAddresses", Code: "InvalidAllocationId.NotFound",
			Message: "EIP " + strconv.Quote(allocationID) + " is not listed"}
	}, cfg.backoff)
	if err != nil {
		return nil, err
	}
	return found, nil
}
