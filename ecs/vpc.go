package ecs

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
)

// VPC paging: DescribeVpcs allows at most 50 per page, DescribeVpcs.VpcId at
// most 20 comma-separated IDs.
const (
	vpcPageSize   = 50
	vpcIDsPerCall = 20
)

// DescribeVpcs lists the VPCs matching q, following every page.
func (c *Client) DescribeVpcs(ctx context.Context, q VpcQuery) ([]Vpc, error) {
	var out []Vpc
	for _, ids := range chunk(q.VpcIDs, vpcIDsPerCall) {
		p := params{}
		p.set("VpcId", strings.Join(ids, ","))
		p.set("VpcName", q.Name)
		p.setBoolPtr("IsDefault", q.IsDefault)
		p.setTags(q.Tags)
		err := c.describeAll(ctx, productVPC, "DescribeVpcs", p, vpcPageSize, func(body []byte) (page, int, error) {
			var resp struct {
				page
				Vpcs struct {
					Vpc []struct {
						VpcId         string
						VpcName       string
						CidrBlock     string
						Ipv6CidrBlock string
						Status        string
						IsDefault     flexBool
						VSwitchIds    struct{ VSwitchId []string }
						Tags          wireTags
					}
				}
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				return page{}, 0, err
			}
			for _, v := range resp.Vpcs.Vpc {
				out = append(out, Vpc{
					ID:            v.VpcId,
					Name:          v.VpcName,
					CidrBlock:     v.CidrBlock,
					Status:        v.Status,
					IsDefault:     bool(v.IsDefault),
					VSwitchIDs:    v.VSwitchIds.VSwitchId,
					Tags:          v.Tags.tags(),
					Ipv6CidrBlock: v.Ipv6CidrBlock,
				})
			}
			return resp.page, len(resp.Vpcs.Vpc), nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateVpc creates a VPC and returns its ID. The VPC is Pending for a few
// seconds. Retries reuse req.ClientToken (a fresh one if empty).
func (c *Client) CreateVpc(ctx context.Context, req CreateVpcRequest) (string, error) {
	p := params{}
	p.set("CidrBlock", req.CidrBlock)
	p.set("VpcName", req.Name)
	p.set("Description", req.Description)
	p.set("ResourceGroupId", req.ResourceGroupID)
	if req.EnableIpv6 {
		p.setBool("EnableIpv6", true)
	}
	p.set("ClientToken", tokenOrNew(req.ClientToken))
	p.setTags(req.Tags)
	var resp struct{ VpcId string }
	if err := c.call(ctx, productVPC, "CreateVpc", p, &resp); err != nil {
		return "", err
	}
	return resp.VpcId, nil
}

// DescribeVSwitches lists the VSwitches matching q, following every page.
func (c *Client) DescribeVSwitches(ctx context.Context, q VSwitchQuery) ([]VSwitch, error) {
	p := params{}
	p.set("VSwitchId", q.VSwitchID)
	p.set("VpcId", q.VpcID)
	p.set("ZoneId", q.ZoneID)
	p.setBoolPtr("IsDefault", q.IsDefault)
	p.setTags(q.Tags)
	var out []VSwitch
	err := c.describeAll(ctx, productVPC, "DescribeVSwitches", p, vpcPageSize, func(body []byte) (page, int, error) {
		var resp struct {
			page
			VSwitches struct {
				VSwitch []struct {
					VSwitchId     string
					VSwitchName   string
					VpcId         string
					ZoneId        string
					CidrBlock     string
					Ipv6CidrBlock string
					Status        string
					IsDefault     flexBool
					Tags          wireTags
				}
			}
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return page{}, 0, err
		}
		for _, v := range resp.VSwitches.VSwitch {
			out = append(out, VSwitch{
				ID:            v.VSwitchId,
				Name:          v.VSwitchName,
				VpcID:         v.VpcId,
				ZoneID:        v.ZoneId,
				CidrBlock:     v.CidrBlock,
				Status:        v.Status,
				IsDefault:     bool(v.IsDefault),
				Tags:          v.Tags.tags(),
				Ipv6CidrBlock: v.Ipv6CidrBlock,
			})
		}
		return resp.page, len(resp.VSwitches.VSwitch), nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateVSwitch creates a VSwitch and returns its ID. The VPC must be
// Available (else IncorrectVpcStatus, not retried). Retries reuse
// req.ClientToken (a fresh one if empty).
func (c *Client) CreateVSwitch(ctx context.Context, req CreateVSwitchRequest) (string, error) {
	p := params{}
	p.set("VpcId", req.VpcID)
	p.set("ZoneId", req.ZoneID)
	p.set("CidrBlock", req.CidrBlock)
	p.set("VSwitchName", req.Name)
	p.set("Description", req.Description)
	if req.Ipv6Index != nil {
		p.set("Ipv6CidrBlock", strconv.Itoa(*req.Ipv6Index))
	}
	p.set("ClientToken", tokenOrNew(req.ClientToken))
	p.setTags(req.Tags)
	var resp struct{ VSwitchId string }
	if err := c.call(ctx, productVPC, "CreateVSwitch", p, &resp); err != nil {
		return "", err
	}
	return resp.VSwitchId, nil
}

// tokenOrNew returns token, or a fresh ClientToken when it is empty.
func tokenOrNew(token string) string {
	if token != "" {
		return token
	}
	return newClientToken()
}
