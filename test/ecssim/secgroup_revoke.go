package ecssim

import (
	"net/http"
	"strings"
)

// actRevokeSecurityGroup removes ingress rules given by their fields (either
// form, as AuthorizeSecurityGroup takes them) or by SecurityGroupRuleId.N.
// Revoking a rule the group does not have succeeds and changes nothing.
func actRevokeSecurityGroup(c *call) (any, error) {
	id, aerr := c.p.required("SecurityGroupId")
	if aerr != nil {
		return nil, aerr
	}
	ruleIDs := c.p.indexed("SecurityGroupRuleId")
	var inputs []map[string]string
	if len(ruleIDs) > 0 {
		if len(c.p.structs("Permissions")) > 0 || c.p.get("IpProtocol") != "" {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter",
				"SecurityGroupRuleId.N cannot be used together with rule fields.")
		}
	} else if inputs, aerr = ruleInputs(c.p); aerr != nil {
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
	drop := map[*sgRule]bool{}
	for _, rid := range ruleIDs {
		found := false
		for _, r := range g.Rules {
			if r.ID == rid {
				drop[r], found = true, true
			}
		}
		if !found {
			return nil, apiErr(http.StatusNotFound, "InvalidSecurityGroupRuleId.NotFound",
				"The specified security group rule %s does not exist.", rid)
		}
	}
	for _, in := range inputs {
		want, aerr := parseRule(rs, in)
		if aerr != nil {
			return nil, aerr
		}
		for _, r := range g.Rules {
			if sameRule(r, want) {
				drop[r] = true
			}
		}
	}
	if dry {
		return nil, errDryRun()
	}
	kept := g.Rules[:0]
	for _, r := range g.Rules {
		if !drop[r] {
			kept = append(kept, r)
		}
	}
	clear(g.Rules[len(kept):])
	g.Rules = kept
	return nil, nil
}

// actModifySecurityGroupPolicy sets InnerAccessPolicy: whether instances in
// the group may talk to each other.
func actModifySecurityGroupPolicy(c *call) (any, error) {
	id, aerr := c.p.required("SecurityGroupId")
	if aerr != nil {
		return nil, aerr
	}
	policy, aerr := c.p.required("InnerAccessPolicy")
	if aerr != nil {
		return nil, aerr
	}
	switch strings.ToLower(policy) {
	case "accept":
		policy = "Accept"
	case "drop":
		policy = "Drop"
	default:
		return nil, errInvalid("InnerAccessPolicy")
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	g := c.region().groups[id]
	if g == nil {
		return nil, errSecurityGroupNotFound()
	}
	if g.Type == "enterprise" && policy == "Accept" {
		return nil, apiErr(http.StatusBadRequest, "InvalidSecurityGroup.InvalidType",
			"Enterprise security groups do not support internal access.")
	}
	g.InnerAccessPolicy = policy
	return nil, nil
}
