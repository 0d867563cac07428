package ecssim

import (
	"encoding/base64"
	"net/http"
)

// transitional reports whether an instance is between stable states
// (Pending, Starting, Stopping) or being released.
func transitional(inst *instance) bool {
	return inst.Releasing || inst.Status != instRunning && inst.Status != instStopped
}

func errOperationConflict() *apiError {
	return apiErr(http.StatusConflict, "OperationConflict", "Request was denied due to conflict with a previous request.")
}

// attrChange is one validated ModifyInstanceAttribute change, applied only
// once every parameter has passed.
type attrChange func(inst *instance)

func actModifyInstanceAttribute(c *call) (any, error) {
	id, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	var changes []attrChange
	if v := c.p.get("InstanceName"); v != "" {
		if !validName(v, 128) {
			return nil, apiErr(http.StatusBadRequest, "InvalidInstanceName.Malformed", "The specified parameter InstanceName is not valid.")
		}
		changes = append(changes, func(i *instance) { i.Name = v })
	}
	if v := c.p.get("HostName"); v != "" {
		if !validHostName(v) {
			return nil, apiErr(http.StatusBadRequest, "InvalidHostName.Malformed", "The specified parameter HostName is not valid.")
		}
		changes = append(changes, func(i *instance) { i.HostName = v }) // the guest sees it after a restart
	}
	if v := c.p.get("Password"); v != "" {
		if !validPassword(v) {
			return nil, apiErr(http.StatusBadRequest, "InvalidPassword.Malformed", "The specified parameter Password is not valid.")
		}
		changes = append(changes, func(i *instance) { i.Password = v }) // takes effect after a restart
	}
	if v := c.p.get("Description"); v != "" {
		if !validDescription(v) {
			return nil, apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "The specified parameter Description is not valid.")
		}
		changes = append(changes, func(i *instance) { i.Description = v })
	}
	dp, aerr := c.p.boolean("DeletionProtection", false)
	if aerr != nil {
		return nil, aerr
	}
	if c.p.get("DeletionProtection") != "" {
		changes = append(changes, func(i *instance) { i.DeletionProtection = dp })
	}
	var userData []byte
	if v := c.p.get("UserData"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, apiErr(http.StatusBadRequest, "InvalidUserData.Base64FormatInvalid", "The specified UserData is not valid base64.")
		}
		if len(b) > maxUserData {
			return nil, apiErr(http.StatusBadRequest, "InvalidUserData.SizeExceeded", "The specified parameter UserData exceeds the size limit.")
		}
		userData = b
		changes = append(changes, func(i *instance) { i.UserData = b })
	}
	groups := c.p.indexed("SecurityGroupIds")
	if len(groups) > 5 {
		return nil, errInvalid("SecurityGroupIds")
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	inst, aerr := rs.findInstance(id)
	if aerr != nil {
		return nil, aerr
	}
	if dp && inst.InstanceChargeType != "PostPaid" {
		return nil, apiErr(http.StatusForbidden, "InvalidChargeType.ValueNotSupported", "Deletion protection is only valid for postPaid instance.")
	}
	for _, g := range groups {
		sg := rs.groups[g]
		if sg == nil {
			return nil, errSecurityGroupNotFound()
		}
		if sg.VpcID != inst.VpcID {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Mismatch", "Specified security group and instance are not in the same VPC.")
		}
	}
	if len(groups) > 0 {
		changes = append(changes, func(i *instance) { i.SecurityGroupIDs = append([]string(nil), groups...) })
	}
	// Only stable states accept changes; a second operation racing a
	// transition is a conflict, like the real service's instance lock.
	if transitional(inst) {
		return nil, errOperationConflict()
	}
	if userData != nil && inst.Status != instStopped {
		return nil, errIncorrectInstanceStatus()
	}
	for _, ch := range changes {
		ch(inst)
	}
	return nil, nil
}

func actModifyInstanceMetadataOptions(c *call) (any, error) {
	id, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	inst, aerr := c.region().findInstance(id)
	if aerr != nil {
		return nil, aerr
	}
	m, aerr := parseMetadataOptions(c.p, metadataOptions{inst.HTTPEndpoint, inst.HTTPTokens, inst.HopLimit})
	if aerr != nil {
		return nil, aerr
	}
	if transitional(inst) {
		return nil, errOperationConflict()
	}
	inst.HTTPEndpoint, inst.HTTPTokens, inst.HopLimit = m.endpoint, m.tokens, m.hopLimit
	return nil, nil
}

func actDescribeUserData(c *call) (any, error) {
	id, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	inst, aerr := c.region().findInstance(id)
	if aerr != nil {
		return nil, aerr
	}
	ud := ""
	if len(inst.UserData) > 0 {
		ud = base64.StdEncoding.EncodeToString(inst.UserData)
	}
	return obj{"InstanceId": inst.ID, "RegionId": inst.Region, "UserData": ud}, nil
}

func actDescribeInstanceAttribute(c *call) (any, error) {
	id, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	inst, aerr := rs.findInstance(id)
	if aerr != nil {
		return nil, aerr
	}
	return instanceAttributeView(rs, inst), nil
}

// actAllocatePublicIpAddress gives a Running or Stopped instance with
// public bandwidth a system public IP. An instance that already has one
// gets it back (current docs; older ones said AllocatedAlready).
func actAllocatePublicIpAddress(c *call) (any, error) {
	id, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	if c.p.get("IpAddress") != "" || c.p.get("VlanId") != "" {
		return nil, apiErr(http.StatusForbidden, "Forbidden.NotWhitelisted", "Only whitelisted users may choose the IpAddress or VlanId.")
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	inst, aerr := rs.findInstance(id)
	if aerr != nil {
		return nil, aerr
	}
	if transitional(inst) {
		return nil, errIncorrectInstanceStatus()
	}
	if inst.PublicIP != "" {
		return obj{"IpAddress": inst.PublicIP}, nil
	}
	if inst.EipID != "" {
		return nil, apiErr(http.StatusForbidden, "InvalidOperation.EipAssociated", "An instance with an EIP cannot get a public IP address.")
	}
	if inst.BandwidthOut <= 0 {
		return nil, apiErr(http.StatusForbidden, "InvalidInstance.NoPublicBandwidth",
			"The public bandwidth of the instance is 0 Mbit/s; raise InternetMaxBandwidthOut first.")
	}
	a, err := allocPublicIP(c.s.cfg.guestSSHPort)
	if err != nil {
		return nil, err
	}
	inst.PublicIP, inst.WantPublicIP = a.String(), false
	c.later(func() { c.s.guests.reconcile(id) })
	return obj{"IpAddress": inst.PublicIP}, nil
}
