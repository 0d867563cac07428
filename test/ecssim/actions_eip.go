package ecssim

import (
	"net/http"
	"strconv"
)

// Elastic IP addresses (aliyun-api.md §3.2 EIPs, §5.2, §5.4). The VPC
// actions and the legacy ECS actions of the same names share one store;
// they differ in parameters, answer shapes and a few error codes
// (eipFlavor). An EIP's address is a unique loopback 127.x.y.z so the
// guest of the instance it is bound to is reachable on it.

// EIP statuses.
const (
	eipAvailable     = "Available"
	eipAssociating   = "Associating"
	eipInUse         = "InUse"
	eipUnassociating = "Unassociating"
)

// maxEipsPerRegion is the default EIP quota [EST].
const maxEipsPerRegion = 20

// eipFlavor holds what differs between the VPC and the legacy ECS actions.
type eipFlavor struct{ ecs bool }

var (
	vpcEip = eipFlavor{}
	ecsEip = eipFlavor{ecs: true}
)

// incorrectInstanceStatus is 400 in VPC and 403 in ECS (aliyun-api.md §4.3).
func (f eipFlavor) incorrectInstanceStatus() *apiError {
	if f.ecs {
		return errIncorrectInstanceStatus()
	}
	return apiErr(http.StatusBadRequest, "IncorrectInstanceStatus", "Current instance status does not support this operation.")
}

// associateInstanceNotFound keeps VPC's misspelt code.
func (f eipFlavor) associateInstanceNotFound() *apiError {
	if f.ecs {
		return errInstanceNotFound()
	}
	return apiErr(http.StatusNotFound, "InvalidInstanId.NotFound", "Specified instance does not exist.")
}

func errAllocationNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidAllocationId.NotFound", "Specified allocation ID is not found")
}

func errIncorrectEipStatus() *apiError {
	return apiErr(http.StatusBadRequest, "IncorrectEipStatus", "Current elastic IP status does not support this operation.")
}

func actAllocateEipVpc(c *call) (any, error) { return allocateEip(c, vpcEip) }
func actAllocateEipEcs(c *call) (any, error) { return allocateEip(c, ecsEip) }

func allocateEip(c *call, f eipFlavor) (any, error) {
	e := &eip{Status: eipAvailable, ISP: defaultStr(c.p.get("ISP"), "BGP"), Netmode: "public", ChargeType: "PostPaid",
		InternetChargeType: defaultStr(c.p.get("InternetChargeType"), "PayByTraffic"), AllocationTime: c.now}
	if e.InternetChargeType != "PayByTraffic" && e.InternetChargeType != "PayByBandwidth" {
		return nil, errInvalid("InternetChargeType")
	}
	bw, err := strconv.Atoi(defaultStr(c.p.get("Bandwidth"), "5"))
	limit := map[string]int{"PayByTraffic": 200, "PayByBandwidth": 500}[e.InternetChargeType]
	if err != nil || bw < 1 || bw > limit {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "Specified value of \"Bandwidth\" is not supported.")
	}
	e.Bandwidth = bw
	if e.ISP != "BGP" && e.ISP != "BGP_PRO" {
		return nil, errInvalid("ISP")
	}
	if !f.ecs {
		if aerr := e.parseVpcOnly(c); aerr != nil {
			return nil, aerr
		}
	}
	st := c.s.st
	rs, unlock := c.lockRegion()
	defer unlock()
	rg := defaultResourceGroupID
	if !f.ecs {
		var aerr *apiError
		if rg, aerr = c.resourceGroupParam(); aerr != nil {
			return nil, aerr
		}
	}
	if len(rs.eips) >= maxEipsPerRegion {
		return nil, apiErr(http.StatusBadRequest, "QuotaExceeded.Eip", "Elastic IP address quota exceeded.")
	}
	a, err := allocPublicIP(c.s.cfg.guestSSHPort)
	if err != nil {
		return nil, err
	}
	e.ID, e.Region, e.IP, e.ResourceGroupID = newID("eip", rs.info.Code, lenVpcID), rs.info.ID, a.String(), rg
	e.seq = st.nextSeq()
	rs.eips[e.ID] = e
	c.s.cfg.logf("ecssim: EIP %s allocated: %s", e.ID, e.IP)
	if f.ecs {
		return obj{"AllocationId": e.ID, "EipAddress": e.IP}, nil
	}
	return obj{"AllocationId": e.ID, "EipAddress": e.IP, "OrderId": 0, "ResourceGroupId": e.ResourceGroupID}, nil
}

// parseVpcOnly reads the parameters only the VPC action has: name,
// description and subscription billing.
func (e *eip) parseVpcOnly(c *call) *apiError {
	e.Name, e.Description = c.p.get("Name"), c.p.get("Description")
	if e.Name != "" && !validName(e.Name, 128) {
		return apiErr(http.StatusBadRequest, "InvalidName.Malformed", "Specified name is not valid.")
	}
	if !validDescription(e.Description) {
		return apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "Specified description is not valid.")
	}
	switch c.p.get("InstanceChargeType") {
	case "", "PostPaid":
	case "PrePaid":
		period, aerr := c.p.integer("Period", 0)
		if aerr != nil {
			return aerr
		}
		cycle := defaultStr(c.p.get("PricingCycle"), "Month")
		if cycle == "Month" && (period < 1 || period > 9) || cycle == "Year" && (period < 1 || period > 5) ||
			cycle != "Month" && cycle != "Year" {
			return errInvalid("Period")
		}
		if e.InternetChargeType != "PayByBandwidth" {
			return errInvalid("InternetChargeType")
		}
		e.ChargeType = "PrePaid"
		months := period
		if cycle == "Year" {
			months *= 12
		}
		e.ExpiredTime = c.now.AddDate(0, months, 0)
	default:
		return errInvalid("InstanceChargeType")
	}
	return nil
}

func actAssociateEipVpc(c *call) (any, error) { return associateEip(c, vpcEip) }
func actAssociateEipEcs(c *call) (any, error) { return associateEip(c, ecsEip) }

func associateEip(c *call, f eipFlavor) (any, error) {
	id, aerr := c.p.required("AllocationId")
	if aerr != nil {
		return nil, aerr
	}
	instID, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	if t := c.p.get("InstanceType"); t != "" && t != "EcsInstance" {
		// SLB, NAT, HaVip, ENI and IP targets are not simulated.
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "Specified InstanceType %q is not supported by the simulator.", t)
	}
	if r := c.p.get("InstanceRegionId"); r != "" && r != c.regionID {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Mismatch", "Specified instance region does not match the EIP region.")
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	e := rs.eips[id]
	if e == nil {
		return nil, errAllocationNotFound()
	}
	inst := rs.instances[instID]
	if inst == nil {
		return nil, f.associateInstanceNotFound()
	}
	switch {
	case e.Status != eipAvailable:
		return nil, errIncorrectEipStatus()
	case inst.Releasing || inst.Status != instRunning && inst.Status != instStopped:
		return nil, f.incorrectInstanceStatus()
	case inst.EipID != "":
		return nil, apiErr(http.StatusBadRequest, "InvalidAssociation.Duplicated", "Specified instance already is associated.")
	case inst.PublicIP != "":
		// A system public IP and an EIP exclude each other [OBS].
		return nil, apiErr(http.StatusBadRequest, "EIP_CAN_NOT_ASSOCIATE_WITH_PUBLIC_IP", "instance already bind natpublicip,cannot bind eip.")
	}
	if dry {
		return nil, errDryRun()
	}
	e.Status, e.InstanceID = eipAssociating, inst.ID
	inst.EipID = e.ID
	c.s.scheduleEip(e, func(_ *regionState, e *eip) string {
		e.Status = eipInUse
		return e.InstanceID
	})
	return nil, nil
}

func actUnassociateEipVpc(c *call) (any, error) { return unassociateEip(c, vpcEip) }
func actUnassociateEipEcs(c *call) (any, error) { return unassociateEip(c, ecsEip) }

func unassociateEip(c *call, f eipFlavor) (any, error) {
	id, aerr := c.p.required("AllocationId")
	if aerr != nil {
		return nil, aerr
	}
	instID, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	if t := c.p.get("InstanceType"); t != "" && t != "EcsInstance" {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "Specified InstanceType %q is not supported by the simulator.", t)
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	e := rs.eips[id]
	if e == nil {
		return nil, errAllocationNotFound()
	}
	if rs.instances[instID] == nil {
		code := http.StatusBadRequest
		if f.ecs {
			code = http.StatusNotFound
		}
		return nil, apiErr(code, "InvalidInstanceId.NotFound", "Specified instance does not exist.")
	}
	if e.Status != eipInUse || e.InstanceID != instID {
		return nil, errIncorrectEipStatus()
	}
	e.Status = eipUnassociating
	// The guest stops answering on the address at once.
	c.later(func() { c.s.guests.reconcile(instID) })
	c.s.scheduleEip(e, func(rs *regionState, e *eip) string {
		inst := e.InstanceID
		if i := rs.instances[inst]; i != nil && i.EipID == e.ID {
			i.EipID = ""
		}
		e.Status, e.InstanceID = eipAvailable, ""
		return inst
	})
	return nil, nil
}

func actReleaseEip(c *call) (any, error) {
	id, aerr := c.p.required("AllocationId")
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	e := rs.eips[id]
	if e == nil {
		return nil, errAllocationNotFound()
	}
	if e.Status != eipAvailable {
		return nil, errIncorrectEipStatus()
	}
	if e.ChargeType == "PrePaid" {
		return nil, apiErr(http.StatusBadRequest, "Forbidden.ChargeTypeIsPrepaid", "A subscription EIP cannot be released.")
	}
	delete(rs.eips, id)
	ip := e.IP
	c.later(func() { freePublicIP(ip) })
	c.s.cfg.logf("ecssim: EIP %s released", id)
	return nil, nil
}

// scheduleEip completes an EIP transition after the EIP delay, unless the
// EIP changed meanwhile. fn runs with the store locked and names the
// instance whose guest must follow the change.
func (s *Server) scheduleEip(e *eip, fn func(rs *regionState, e *eip) string) {
	e.gen++
	id, region, gen, epoch := e.ID, e.Region, e.gen, s.st.epoch
	s.timers.after(s.delay(TransitionEIP), func() {
		s.st.mu.Lock()
		rs := s.st.regions[region]
		if s.st.epoch != epoch || rs == nil || rs.eips[id] == nil || rs.eips[id].gen != gen {
			s.st.mu.Unlock()
			return
		}
		inst := fn(rs, rs.eips[id])
		s.st.mu.Unlock()
		if inst != "" {
			s.guests.reconcile(inst)
		}
	})
}
