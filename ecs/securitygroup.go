package ecs

import (
	"context"
	"encoding/json"
	"strconv"
)

const (
	securityGroupPageSize   = 50  // DescribeSecurityGroups PageSize bound
	securityGroupIDsPerCall = 100 // SecurityGroupIds JSON array bound
	permissionsPerCall      = 100 // AuthorizeSecurityGroup Permissions.N bound
)

// DescribeSecurityGroups lists the security groups matching q, following
// every page.
func (c *Client) DescribeSecurityGroups(ctx context.Context, q SecurityGroupQuery) ([]SecurityGroup, error) {
	var out []SecurityGroup
	for _, ids := range chunk(q.SecurityGroupIDs, securityGroupIDsPerCall) {
		p := params{}
		p.setJSONList("SecurityGroupIds", ids)
		p.set("VpcId", q.VpcID)
		p.set("SecurityGroupName", q.Name)
		p.setTags(q.Tags)
		err := c.describeAll(ctx, productECS, "DescribeSecurityGroups", p, securityGroupPageSize, func(body []byte) (page, int, error) {
			var resp struct {
				page
				SecurityGroups struct {
					SecurityGroup []struct {
						SecurityGroupId   string
						SecurityGroupName string
						Description       string
						VpcId             string
						Tags              wireTags
					}
				}
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				return page{}, 0, err
			}
			for _, g := range resp.SecurityGroups.SecurityGroup {
				out = append(out, SecurityGroup{
					ID:          g.SecurityGroupId,
					Name:        g.SecurityGroupName,
					Description: g.Description,
					VpcID:       g.VpcId,
					Tags:        g.Tags.tags(),
				})
			}
			return resp.page, len(resp.SecurityGroups.SecurityGroup), nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

type wirePermission struct {
	Direction     string
	IpProtocol    string
	PortRange     string
	SourceCidrIp  string
	SourceGroupId string
	Policy        string
	Priority      flexString // a number in real answers, a string in the SDK
	NicType       string
	Description   string
}

// DescribeSecurityGroupAttribute returns one group with its rules (both
// directions) and InnerAccessPolicy, following NextToken.
func (c *Client) DescribeSecurityGroupAttribute(ctx context.Context, groupID string) (*SecurityGroup, error) {
	var sg *SecurityGroup
	next := ""
	for range maxPages {
		p := params{}
		p.set("SecurityGroupId", groupID)
		p.set("NextToken", next)
		var resp struct {
			SecurityGroupId   string
			SecurityGroupName string
			Description       string
			VpcId             string
			InnerAccessPolicy string
			NextToken         string
			Permissions       struct{ Permission []wirePermission }
		}
		if err := c.call(ctx, productECS, "DescribeSecurityGroupAttribute", p, &resp); err != nil {
			return nil, err
		}
		if sg == nil {
			sg = &SecurityGroup{
				ID:                resp.SecurityGroupId,
				Name:              resp.SecurityGroupName,
				Description:       resp.Description,
				VpcID:             resp.VpcId,
				InnerAccessPolicy: resp.InnerAccessPolicy,
			}
			if sg.ID == "" {
				sg.ID = groupID
			}
		}
		for _, w := range resp.Permissions.Permission {
			sg.Rules = append(sg.Rules, Permission{
				Direction:     w.Direction,
				IPProtocol:    w.IpProtocol,
				PortRange:     w.PortRange,
				SourceCidrIP:  w.SourceCidrIp,
				SourceGroupID: w.SourceGroupId,
				Policy:        w.Policy,
				Priority:      string(w.Priority),
				NicType:       w.NicType,
				Description:   w.Description,
			})
		}
		if resp.NextToken == "" || resp.NextToken == next || len(resp.Permissions.Permission) == 0 {
			break
		}
		next = resp.NextToken
	}
	return sg, nil
}

// CreateSecurityGroup creates a (normal) security group and returns its ID.
// Retries reuse req.ClientToken (a fresh one if empty).
func (c *Client) CreateSecurityGroup(ctx context.Context, req CreateSecurityGroupRequest) (string, error) {
	p := params{}
	p.set("VpcId", req.VpcID)
	p.set("SecurityGroupName", req.Name)
	p.set("Description", req.Description)
	p.set("ResourceGroupId", req.ResourceGroupID)
	p.set("ClientToken", tokenOrNew(req.ClientToken))
	p.setTags(req.Tags)
	var resp struct{ SecurityGroupId string }
	if err := c.call(ctx, productECS, "CreateSecurityGroup", p, &resp); err != nil {
		return "", err
	}
	return resp.SecurityGroupId, nil
}

// AuthorizeSecurityGroup adds ingress rules with the Permissions.N.* form,
// 100 per call. NicType defaults to intranet (required for VPC groups).
// Adding a rule that already exists succeeds without a duplicate, so retries
// are safe. Permission.Direction is ignored (ingress only).
func (c *Client) AuthorizeSecurityGroup(ctx context.Context, groupID string, perms []Permission) error {
	for start := 0; start < len(perms); start += permissionsPerCall {
		batch := perms[start:min(start+permissionsPerCall, len(perms))]
		p := params{}
		p.set("SecurityGroupId", groupID)
		for i, perm := range batch {
			prefix := "Permissions." + strconv.Itoa(i+1) + "."
			p.set(prefix+"IpProtocol", perm.IPProtocol)
			p.set(prefix+"PortRange", perm.PortRange)
			p.set(prefix+"SourceCidrIp", perm.SourceCidrIP)
			p.set(prefix+"SourceGroupId", perm.SourceGroupID)
			p.set(prefix+"Policy", perm.Policy)
			p.set(prefix+"Priority", perm.Priority)
			nic := perm.NicType
			if nic == "" {
				nic = "intranet"
			}
			p.set(prefix+"NicType", nic)
			p.set(prefix+"Description", perm.Description)
		}
		if err := c.call(ctx, productECS, "AuthorizeSecurityGroup", p, nil); err != nil {
			return err
		}
	}
	return nil
}
