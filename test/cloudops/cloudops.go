// Package cloudops holds the cloud actions tests and the end-to-end sweeper
// need but the driver never sends: deleting the shared network (security
// group, VSwitch, VPC) that machines leave behind by design. Keeping them
// out of the ecs package keeps docs/ram-policy.json to exactly what the
// driver calls.
package cloudops

import (
	"context"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// Invoker sends one API action; *ecs.Client is one.
type Invoker interface {
	Invoke(ctx context.Context, svc ecs.Service, action string, query map[string]string, out any) error
}

// DeleteSecurityGroup deletes a security group. DependencyViolation
// (instances, even ones being released, still in it) is returned, not
// retried; wrap the call in ecs.Retry with "DependencyViolation" to wait.
func DeleteSecurityGroup(ctx context.Context, c Invoker, groupID string) error {
	return c.Invoke(ctx, ecs.ServiceECS, "DeleteSecurityGroup", map[string]string{"SecurityGroupId": groupID}, nil)
}

// DeleteVSwitch deletes a VSwitch. DependencyViolation (instances still in
// it) is returned, not retried.
func DeleteVSwitch(ctx context.Context, c Invoker, vswitchID string) error {
	return c.Invoke(ctx, ecs.ServiceVPC, "DeleteVSwitch", map[string]string{"VSwitchId": vswitchID}, nil)
}

// DeleteVpc deletes a VPC. DependencyViolation.* (VSwitches or security
// groups still inside) is returned, not retried.
func DeleteVpc(ctx context.Context, c Invoker, vpcID string) error {
	return c.Invoke(ctx, ecs.ServiceVPC, "DeleteVpc", map[string]string{"VpcId": vpcID}, nil)
}

// CreateDeploymentSet creates a deployment set with the given strategy
// (Availability, AvailabilityGroup or LowLatency) and returns its ID. The
// driver only uses sets users made; tests make them with this.
func CreateDeploymentSet(ctx context.Context, c Invoker, name, strategy string) (string, error) {
	var resp struct{ DeploymentSetId string }
	err := c.Invoke(ctx, ecs.ServiceECS, "CreateDeploymentSet", map[string]string{"DeploymentSetName": name, "Strategy": strategy}, &resp)
	return resp.DeploymentSetId, err
}

// DeleteDeploymentSet deletes an empty deployment set.
func DeleteDeploymentSet(ctx context.Context, c Invoker, id string) error {
	return c.Invoke(ctx, ecs.ServiceECS, "DeleteDeploymentSet", map[string]string{"DeploymentSetId": id}, nil)
}
