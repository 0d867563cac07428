package ecssim

import "net/http"

// Deployment sets spread instances over physical machines. The simulator
// has no machines: what it keeps is membership and the per-zone capacity
// the strategies impose, which is what RunInstances and clients can see.

// Deployment strategies (CreateDeploymentSet Strategy).
const (
	strategyAvailability      = "Availability"
	strategyAvailabilityGroup = "AvailabilityGroup"
	strategyLowLatency        = "LowLatency"
)

// availabilityPerZone is how many instances an Availability set, or one
// group of an AvailabilityGroup set, may hold in a zone (deployment set
// docs: 20).
const availabilityPerZone = 20

// zoneCapacity is how many instances the set may hold in one zone; 0 means
// no limit (LowLatency, whose limit the docs do not give).
func (d *deploymentSet) zoneCapacity() int {
	switch d.Strategy {
	case strategyAvailability:
		return availabilityPerZone
	case strategyAvailabilityGroup:
		return availabilityPerZone * d.GroupCount
	}
	return 0
}

// deploymentSetMembers returns a set's instances in creation order,
// releasing ones included: they hold their place until they are gone.
func (rs *regionState) deploymentSetMembers(id string) []*instance {
	var out []*instance
	for _, inst := range rs.instanceList() {
		if inst.DeploymentSetID == id {
			out = append(out, inst)
		}
	}
	return out
}

func errDeploymentSetNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidDeploymentSetId.NotFound", "The specified DeploymentSetId does not exist.")
}

// resolveDeploymentSet checks a create request's DeploymentSetId: the set
// must exist and have room in the VSwitch's zone for the whole batch. The
// store must be locked.
func (r *runRequest) resolveDeploymentSet(rs *regionState, zoneID string) *apiError {
	if r.deploymentSetID == "" {
		return nil
	}
	d := rs.dsets[r.deploymentSetID]
	if d == nil {
		return errDeploymentSetNotFound()
	}
	limit := d.zoneCapacity()
	if limit == 0 {
		return nil
	}
	used := 0
	for _, inst := range rs.deploymentSetMembers(d.ID) {
		if inst.ZoneID == zoneID {
			used++
		}
	}
	if used+r.amount > limit {
		return apiErr(http.StatusForbidden, "QuotaExceed.DeploymentSetInstanceQuotaFull", "instance quota in one deployment set exceeded.")
	}
	return nil
}
