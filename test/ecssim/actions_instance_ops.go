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
			inst.StoppedMode = defaultStr(mode, "KeepCharging")
			c.s.stop(inst)
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
	return instanceOp(c, func(inst *instance, dry bool) *apiError {
		switch {
		case inst.Releasing:
			return nil // already on its way out; a retry is not an error
		case inst.DeletionProtection:
			return apiErr(http.StatusForbidden, "InvalidOperation.DeletionProtection",
				"The instance is protected from deletion; disable DeletionProtection first.")
		case inst.Status == instPending || inst.Status == instStarting:
			return apiErr(http.StatusForbidden, "IncorrectInstanceStatus.Initializing",
				"The specified instance status does not support this operation.")
		case inst.Status == instStopped, force && inst.Status == instRunning:
			if !dry {
				c.s.release(inst)
				c.s.cfg.logf("ecssim: instance %s releasing (force=%v)", inst.ID, force)
			}
			return nil
		}
		return errIncorrectInstanceStatus()
	})
}
