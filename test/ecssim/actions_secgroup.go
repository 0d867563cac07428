package ecssim

import (
	"net/http"
	"strings"
)

func actCreateSecurityGroup(c *call) (any, error) {
	name, desc := c.p.get("SecurityGroupName"), c.p.get("Description")
	if name != "" && !validName(name, 128) {
		return nil, apiErr(http.StatusBadRequest, "InvalidSecurityGroupName.Malformed", "The specified SecurityGroupName is not valid.")
	}
	if !validDescription(desc) {
		return nil, apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "The specified Description is not valid.")
	}
	typ := c.p.get("SecurityGroupType")
	switch typ {
	case "":
		typ = "normal"
	case "normal", "enterprise":
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidSecurityGroupType.ValueNotSupported", "The specified SecurityGroupType is not valid.")
	}
	tags, aerr := c.p.tags()
	if aerr != nil {
		return nil, aerr
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	rs, unlock := c.lockRegion()
	defer unlock()
	vpcID := c.p.get("VpcId")
	if vpcID == "" {
		// Classic-network groups no longer exist; a group without VpcId
		// lands in the default VPC, as for new accounts.
		for _, v := range rs.vpcList() {
			if v.IsDefault {
				vpcID = v.ID
			}
		}
		if vpcID == "" {
			return nil, errMissing("VpcId")
		}
	} else if rs.vpcs[vpcID] == nil {
		return nil, errVpcNotFound()
	}
	rg, aerr := c.resourceGroupParam()
	if aerr != nil {
		return nil, aerr
	}
	if dry {
		return nil, errDryRun()
	}
	// Enterprise groups do not let their members talk to each other.
	policy := "Accept"
	if typ == "enterprise" {
		policy = "Drop"
	}
	g := &securityGroup{
		ID: newID("sg", rs.info.Code, lenSGID), Region: rs.info.ID, Name: name, Description: desc, Type: typ,
		VpcID: vpcID, ResourceGroupID: rg, InnerAccessPolicy: policy, Tags: tags,
		CreationTime: c.now, seq: st.nextSeq(),
	}
	rs.groups[g.ID] = g
	return obj{"SecurityGroupId": g.ID}, nil
}

func actAuthorizeSecurityGroup(c *call) (any, error) {
	id, aerr := c.p.required("SecurityGroupId")
	if aerr != nil {
		return nil, aerr
	}
	inputs, aerr := ruleInputs(c.p)
	if aerr != nil {
		return nil, aerr
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	g := rs.groups[id]
	if g == nil {
		return nil, errSecurityGroupNotFound()
	}
	var added []*sgRule
	for _, in := range inputs {
		r, aerr := parseRule(rs, in)
		if aerr != nil {
			return nil, aerr
		}
		dup := false
		for _, have := range append(g.Rules[:len(g.Rules):len(g.Rules)], added...) {
			dup = dup || sameRule(have, r)
		}
		if !dup { // an identical rule is a success that adds nothing
			added = append(added, r)
		}
	}
	if len(g.Rules)+len(added) > maxRules {
		return nil, apiErr(http.StatusForbidden, "AuthorizationLimitExceed",
			"The limit of authorization records in the security group reaches the upper limit.")
	}
	if dry {
		return nil, errDryRun()
	}
	for _, r := range added {
		r.ID = newID("sgr", rs.info.Code, lenOtherID)
		r.CreateTime = c.now
		g.Rules = append(g.Rules, r)
	}
	return nil, nil
}

func actDescribeSecurityGroups(c *call) (any, error) {
	pg, aerr := c.p.paging(10, 50, 1, true)
	if aerr != nil {
		return nil, aerr
	}
	ids, haveIDs, aerr := c.p.jsonList("SecurityGroupIds", "InvalidSecurityGroupIds.Malformed", 100)
	if aerr != nil {
		return nil, aerr
	}
	fuzzy, aerr := c.p.boolean("FuzzyQuery", false)
	if aerr != nil {
		return nil, aerr
	}
	idSet := map[string]bool{}
	for _, id := range ids {
		idSet[id] = true
	}
	tagFilters := c.p.tagFilters()
	rs, unlock := c.lockRegion()
	defer unlock()
	var match []*securityGroup
	for _, g := range rs.groupList() {
		name := c.p.get("SecurityGroupName")
		switch {
		case c.p.get("VpcId") != "" && g.VpcID != c.p.get("VpcId"),
			c.p.get("SecurityGroupId") != "" && g.ID != c.p.get("SecurityGroupId"),
			haveIDs && !idSet[g.ID],
			name != "" && !fuzzy && g.Name != name,
			name != "" && fuzzy && !strings.Contains(g.Name, name),
			c.p.get("SecurityGroupType") != "" && g.Type != c.p.get("SecurityGroupType"),
			c.p.get("ResourceGroupId") != "" && g.ResourceGroupID != c.p.get("ResourceGroupId"),
			!matchTags(g.Tags, tagFilters):
			continue
		}
		match = append(match, g)
	}
	out := []obj{}
	for _, g := range pageOf(match, pg) {
		ecsCount := rs.instancesUsingGroup(g.ID)
		g2g := 0
		for _, r := range g.Rules {
			if r.SourceGroupID != "" {
				g2g++
			}
		}
		out = append(out, obj{
			"SecurityGroupId": g.ID, "SecurityGroupName": g.Name, "Description": g.Description,
			"SecurityGroupType": g.Type, "VpcId": g.VpcID, "CreationTime": fmtSecond(g.CreationTime),
			"ResourceGroupId": g.ResourceGroupID, "ServiceManaged": false, "RuleCount": len(g.Rules),
			"GroupToGroupRuleCount": g2g, "EcsCount": ecsCount, "AvailableInstanceAmount": max(2000-ecsCount, 0),
			"Tags": ecsTags(g.Tags),
		})
	}
	return obj{"RegionId": c.regionID, "TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"NextToken": pg.next(len(match)), "SecurityGroups": wrap("SecurityGroup", out)}, nil
}

func actDescribeSecurityGroupAttribute(c *call) (any, error) {
	id, aerr := c.p.required("SecurityGroupId")
	if aerr != nil {
		return nil, aerr
	}
	dir := strings.ToLower(c.p.get("Direction"))
	if dir != "" && dir != "all" && dir != "ingress" && dir != "egress" {
		return nil, errInvalid("Direction")
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	g := c.region().groups[id]
	if g == nil {
		return nil, errSecurityGroupNotFound()
	}
	perms := []obj{}
	for _, r := range g.Rules {
		if (dir == "" || dir == "all" || dir == r.Direction) && (c.p.get("NicType") == "" || c.p.get("NicType") == r.NicType) {
			perms = append(perms, permissionView(r))
		}
	}
	return obj{
		"RegionId": c.regionID, "SecurityGroupId": g.ID, "SecurityGroupName": g.Name, "Description": g.Description,
		"VpcId": g.VpcID, "InnerAccessPolicy": g.InnerAccessPolicy, "NextToken": "",
		"Permissions": wrap("Permission", perms),
	}, nil
}

func actDeleteSecurityGroup(c *call) (any, error) {
	id, aerr := c.p.required("SecurityGroupId")
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	if rs.groups[id] == nil {
		return nil, errSecurityGroupNotFound()
	}
	// Instances being released still hold their ENI, so they count too.
	if rs.instancesUsingGroup(id) > 0 {
		return nil, apiErr(http.StatusForbidden, "DependencyViolation", "There is still instance(s) in the specified security group.")
	}
	for _, other := range rs.groups {
		if other.ID == id {
			continue
		}
		for _, r := range other.Rules {
			if r.SourceGroupID == id {
				return nil, apiErr(http.StatusForbidden, "DependencyViolation",
					"The specified security group is referenced by the rules of security group %s.", other.ID)
			}
		}
	}
	delete(rs.groups, id)
	return nil, nil
}
