package ecssim

import "net/http"

// ECS deployment set actions. Codes follow the CreateDeploymentSet,
// DeleteDeploymentSet and ModifyDeploymentSetAttribute error tables.

// maxDeploymentSetsPerRegion is the deployment set quota [EST].
const maxDeploymentSetsPerRegion = 150

// Deployment set fields the API still reports but no longer lets clients
// choose (Domain and Granularity are deprecated request parameters).
const (
	deploymentSetDomain      = "Default"
	deploymentSetGranularity = "Host"
)

func actCreateDeploymentSet(c *call) (any, error) {
	name, desc := c.p.get("DeploymentSetName"), c.p.get("Description")
	if name != "" && !validName(name, 128) {
		return nil, apiErr(http.StatusBadRequest, "InvalidDeploymentSetName.Malformed", "Specified deployment set name is not valid.")
	}
	if !validDescription(desc) {
		return nil, apiErr(http.StatusBadRequest, "InvalidDescription.Malformed", "The specified parameter Description is not valid.")
	}
	strategy := defaultStr(c.p.get("Strategy"), strategyAvailability)
	switch strategy {
	case strategyAvailability, strategyAvailabilityGroup, strategyLowLatency:
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Strategy", "The specified parameter Strategy is not valid")
	}
	// GroupCount means something only to AvailabilityGroup (1-7, default 3).
	groups := 0
	if strategy == strategyAvailabilityGroup {
		var aerr *apiError
		if groups, aerr = c.p.integer("GroupCount", 3); aerr != nil || groups < 1 || groups > 7 {
			return nil, errInvalid("GroupCount")
		}
	}
	switch c.p.get("OnUnableToRedeployFailedInstance") {
	case "", "CancelMembershipAndStart", "KeepStopped":
	default:
		return nil, errInvalid("OnUnableToRedeployFailedInstance")
	}
	st := c.s.st
	rs, unlock := c.lockRegion()
	defer unlock()
	if len(rs.dsets) >= maxDeploymentSetsPerRegion {
		return nil, apiErr(http.StatusBadRequest, "DEPLOYMENTSET.QUOTA_FULL", "The deploymentSet quota is full")
	}
	d := &deploymentSet{
		ID: newID("ds", rs.info.Code, lenOtherID), Region: rs.info.ID, Name: name, Description: desc,
		Strategy: strategy, GroupCount: groups, CreationTime: c.now, seq: st.nextSeq(),
	}
	rs.dsets[d.ID] = d
	return obj{"DeploymentSetId": d.ID}, nil
}

func actDescribeDeploymentSets(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 50)
	if aerr != nil {
		return nil, aerr
	}
	list, filtered, aerr := c.p.jsonList("DeploymentSetIds", "InvalidParameter", 100)
	if aerr != nil {
		return nil, aerr
	}
	ids := map[string]bool{}
	for _, id := range list {
		ids[id] = true
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	var match []*deploymentSet
	for _, d := range rs.deploymentSetList() {
		switch {
		case filtered && !ids[d.ID],
			c.p.get("DeploymentSetName") != "" && c.p.get("DeploymentSetName") != d.Name,
			c.p.get("Strategy") != "" && c.p.get("Strategy") != d.Strategy:
			continue
		}
		match = append(match, d)
	}
	out := []obj{}
	for _, d := range pageOf(match, pg) {
		out = append(out, deploymentSetView(rs, d))
	}
	return obj{"RegionId": c.regionID, "TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"DeploymentSets": wrap("DeploymentSet", out)}, nil
}

// deploymentSetView renders one DescribeDeploymentSets entry. Capacities
// has a line per zone the set has instances in, for the strategies with a
// per-zone limit.
func deploymentSetView(rs *regionState, d *deploymentSet) obj {
	ids := []string{}
	perZone := map[string]int{}
	for _, inst := range rs.deploymentSetMembers(d.ID) {
		ids = append(ids, inst.ID)
		perZone[inst.ZoneID]++
	}
	capacities := []obj{}
	if limit := d.zoneCapacity(); limit > 0 {
		for _, z := range rs.info.ZoneIDs {
			if n := perZone[z]; n > 0 {
				capacities = append(capacities, obj{"ZoneId": z, "UsedAmount": n, "AvailableAmount": limit - n})
			}
		}
	}
	return obj{
		"DeploymentSetId": d.ID, "DeploymentSetName": d.Name, "DeploymentSetDescription": d.Description,
		"Strategy": d.Strategy, "DeploymentStrategy": d.Strategy, "Domain": deploymentSetDomain,
		"Granularity": deploymentSetGranularity, "GroupCount": d.GroupCount, "InstanceAmount": len(ids),
		"CreationTime": fmtSecond(d.CreationTime),
		"InstanceIds":  wrap("InstanceId", ids),
		"Capacities":   wrap("Capacity", capacities),
	}
}

func actDeleteDeploymentSet(c *call) (any, error) {
	id, aerr := c.p.required("DeploymentSetId")
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	if rs.dsets[id] == nil {
		return nil, errDeploymentSetNotFound()
	}
	if len(rs.deploymentSetMembers(id)) > 0 {
		return nil, apiErr(http.StatusForbidden, "DependencyViolation.NotEmpty", "There are still instance(s) in the specified DeploymentSetId.")
	}
	delete(rs.dsets, id)
	return nil, nil
}
