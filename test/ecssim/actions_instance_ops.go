package ecssim

import "net/http"

// instanceOp is the common frame of StartInstance, StopInstance,
// RebootInstance and DeleteInstance: find the instance, let apply check the
// status rules (aliyun-api.md §5.2) and start the transition, honour DryRun
// between the two, and reconcile the guest afterwards.
func instanceOp(c *call, apply func(inst *instance, dry bool) *apiError) (any, error) {
	id, aerr := c.p.required("InstanceId")
	if aerr != nil {
		return nil, aerr
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	inst := c.region().instances[id]
	if inst == nil {
		return nil, errInstanceNotFound()
	}
	if aerr := apply(inst, dry); aerr != nil {
		return nil, aerr
	}
	if dry {
		return nil, errDryRun()
	}
	c.later(func() { c.s.guests.reconcile(id) })
	return nil, nil
}

func actStartInstance(c *call) (any, error) {
	return instanceOp(c, func(inst *instance, dry bool) *apiError {
		if inst.Releasing || inst.Status != instStopped {
			return errIncorrectInstanceStatus()
		}
		if !dry {
			c.s.boot(inst)
		}
		return nil
	})
}

func actStopInstance(c *call) (any, error) {
	mode := c.p.get("StoppedMode")
	if mode != "" && mode != "KeepCharging" && mode != "StopCharging" {
		return nil, errInvalid("StoppedMode")
	}
	return instanceOp(c, func(inst *instance, dry bool) *apiError {
		if !inst.Releasing && inst.Status == instStopped && c.s.cfg.stopStoppedIsNoop {
			return nil
		}
		if inst.Releasing || inst.Status != instRunning {
			return errIncorrectInstanceStatus()
		}
		if !dry {
			m := defaultStr(mode, "KeepCharging")
			if inst.InstanceChargeType == "PrePaid" {
				m = "Not-applicable" // subscriptions are paid for anyway
			}
			c.s.stop(inst, m)
		}
		return nil
	})
}

func actRebootInstance(c *call) (any, error) {
	return instanceOp(c, func(inst *instance, dry bool) *apiError {
		if inst.Releasing || inst.Status != instRunning {
			return errIncorrectInstanceStatus()
		}
		if !dry {
			c.s.reboot(inst)
		}
		return nil
	})
}

func actDeleteInstance(c *call) (any, error) {
	force, aerr := c.p.boolean("Force", false)
	if aerr != nil {
		return nil, aerr
	}
	terminate, aerr := c.p.boolean("TerminateSubscription", false)
	if aerr != nil {
		return nil, aerr
	}
	return instanceOp(c, func(inst *instance, dry bool) *apiError {
		if aerr := checkDelete(c.region(), inst, force, terminate); aerr != nil || inst.Releasing {
			return aerr
		}
		if !dry {
			c.s.release(inst)
			c.s.cfg.logf("ecssim: instance %s releasing (force=%v)", inst.ID, force)
		}
		return nil
	})
}

// checkDelete applies the DeleteInstance rules (aliyun-api.md §5.2) to one
// instance. An instance already being released passes: a retry is not an
// error.
func checkDelete(rs *regionState, inst *instance, force, terminate bool) *apiError {
	switch {
	case inst.Releasing:
		return nil
	case inst.DeletionProtection:
		return apiErr(http.StatusForbidden, "InvalidOperation.DeletionProtection",
			"The instance is protected from deletion; disable DeletionProtection first.")
	case inst.InstanceChargeType == "PrePaid" && !terminate:
		return apiErr(http.StatusForbidden, "ChargeTypeViolation", "The operation is not permitted due to charge type of the instance.")
	case rs.routesVia(inst.ID):
		return apiErr(http.StatusBadRequest, "DependencyViolation.RouteEntry", "The specified instance is the next hop of a route entry.")
	case inst.Status == instPending || inst.Status == instStarting:
		return apiErr(http.StatusForbidden, "IncorrectInstanceStatus.Initializing",
			"The specified instance status does not support this operation.")
	case inst.Status == instStopped, force && inst.Status == instRunning:
		return nil
	}
	return errIncorrectInstanceStatus()
}

// actDeleteInstances releases up to 100 instances at once, all or none:
// every instance is checked before any is released.
func actDeleteInstances(c *call) (any, error) {
	ids := c.p.indexed("InstanceId")
	if len(ids) == 0 {
		return nil, errMissing("InstanceId.1")
	}
	if len(ids) > 100 {
		return nil, errInvalid("InstanceId")
	}
	force, aerr := c.p.boolean("Force", false)
	if aerr != nil {
		return nil, aerr
	}
	terminate, aerr := c.p.boolean("TerminateSubscription", false)
	if aerr != nil {
		return nil, aerr
	}
	dry, aerr := c.p.dryRun()
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	var insts []*instance
	for _, id := range ids {
		inst, aerr := rs.findInstance(id)
		if aerr != nil {
			return nil, aerr
		}
		if aerr := checkDelete(rs, inst, force, terminate); aerr != nil {
			return nil, aerr
		}
		insts = append(insts, inst)
	}
	if dry {
		return nil, errDryRun()
	}
	for _, inst := range insts {
		if !inst.Releasing {
			c.s.release(inst)
			id := inst.ID
			c.later(func() { c.s.guests.reconcile(id) })
		}
	}
	return nil, nil
}
