package ecs

import "context"

// API is every call the driver makes. *Client implements it; the driver holds
// an API so that a tiny unit test can substitute a fake, while every
// behavioural test runs the real *Client against the simulator.
//
// Each call retries throttling and transient errors with backoff until ctx
// ends (see retry.go), reusing ClientToken on create calls. Errors are
// *APIError (see errors.go) or wrap the context error.
type API interface {
	// Region returns the region the client was built for.
	Region() string

	EipAPI
	SLBAPI

	// Catalogue.
	DescribeRegions(ctx context.Context) ([]Region, error)
	DescribeZones(ctx context.Context) ([]Zone, error)
	DescribeImages(ctx context.Context, q ImageQuery) ([]Image, error)
	DescribeInstanceTypes(ctx context.Context, typeIDs []string) ([]InstanceType, error)
	DescribeAvailableResource(ctx context.Context, q AvailableResourceQuery) ([]AvailableResource, error)
	DescribeDeploymentSets(ctx context.Context, ids []string) ([]DeploymentSet, error)

	// VPC product (2016-04-28).
	DescribeVpcs(ctx context.Context, q VpcQuery) ([]Vpc, error)
	CreateVpc(ctx context.Context, req CreateVpcRequest) (string, error)
	DescribeVSwitches(ctx context.Context, q VSwitchQuery) ([]VSwitch, error)
	CreateVSwitch(ctx context.Context, req CreateVSwitchRequest) (string, error)

	// Security groups.
	DescribeSecurityGroups(ctx context.Context, q SecurityGroupQuery) ([]SecurityGroup, error)
	DescribeSecurityGroupAttribute(ctx context.Context, groupID string) (*SecurityGroup, error)
	CreateSecurityGroup(ctx context.Context, req CreateSecurityGroupRequest) (string, error)
	AuthorizeSecurityGroup(ctx context.Context, groupID string, perms []Permission) error

	// Key pairs.
	ImportKeyPair(ctx context.Context, req ImportKeyPairRequest) (*KeyPair, error)
	DescribeKeyPairs(ctx context.Context, name string) ([]KeyPair, error)
	DeleteKeyPairs(ctx context.Context, names []string) error

	// Instances.
	RunInstances(ctx context.Context, req RunInstancesRequest) ([]string, error)
	DescribeInstances(ctx context.Context, q InstanceQuery) ([]Instance, error)
	StartInstance(ctx context.Context, instanceID string) error
	StopInstance(ctx context.Context, instanceID string, force bool, stoppedMode string) error
	RebootInstance(ctx context.Context, instanceID string, force bool) error
	DeleteInstance(ctx context.Context, instanceID string, force bool) error
}
