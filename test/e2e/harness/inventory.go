package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Inventory is the part of the simulator's GET /_sim/resources the tests
// read. It is decoded from the admin API (not the Go API) so that the
// tests also hold the simulator to its documented contract.
type Inventory struct {
	Instances      []Resource `json:"instances"`
	SecurityGroups []Resource `json:"securityGroups"`
	KeyPairs       []Resource `json:"keyPairs"`
	Vpcs           []Resource `json:"vpcs"`
	VSwitches      []Resource `json:"vswitches"`
	Eips           []Resource `json:"eips"`
	Disks          []Resource `json:"disks"`
}

// Resource is one simulated resource. Fields not used by a kind are empty.
type Resource struct {
	ID               string            `json:"id"`
	Region           string            `json:"region"`
	Name             string            `json:"name"`
	Status           string            `json:"status"`
	Tags             map[string]string `json:"tags"`
	PublicIP         string            `json:"publicIp"`
	PrivateIP        string            `json:"privateIp"`
	KeyPairName      string            `json:"keyPairName"`
	SecurityGroupIDs []string          `json:"securityGroupIds"`
	HostName         string            `json:"hostName"`
	VpcID            string            `json:"vpcId"`
	Rules            []Rule            `json:"rules"`
	InstanceID       string            `json:"instanceId"`
}

// Rule is one security group rule.
type Rule struct {
	Direction     string `json:"direction"`
	Protocol      string `json:"protocol"`
	PortRange     string `json:"portRange"`
	SourceCidr    string `json:"sourceCidr"`
	SourceGroupID string `json:"sourceGroupId"`
}

// Guest is GET /_sim/instances/{id}/guest: what simulated cloud-init did.
type Guest struct {
	HostName string               `json:"hostname"`
	Files    map[string]GuestFile `json:"files"`
	RunCmd   []string             `json:"runcmd"`
	UserData []byte               `json:"userData"`
}

// GuestFile is one file cloud-init wrote; Content is base64 in JSON.
type GuestFile struct {
	Mode    string `json:"mode"`
	Content []byte `json:"content"`
}

// Call is one entry of GET /_sim/calls.
type Call struct {
	Seq         int    `json:"seq"`
	Action      string `json:"action"`
	Version     string `json:"version"`
	Region      string `json:"region"`
	AccessKeyID string `json:"accessKeyId"`
	HTTPStatus  int    `json:"httpStatus"`
	Code        string `json:"code"`
	// Params are the request parameters, secrets masked by the simulator.
	Params map[string]string `json:"params"`
}

// Mutating reports whether the call could change something in the cloud:
// anything but a Describe*/List* query or a DryRun.
func (c Call) Mutating() bool {
	if strings.HasPrefix(c.Action, "Describe") || strings.HasPrefix(c.Action, "List") {
		return false
	}
	return c.Params["DryRun"] != "true"
}

// Admin talks to the simulator's /_sim/ API.
type Admin struct {
	URL string
}

// Resources returns everything that exists now.
func (a Admin) Resources(ctx context.Context) (Inventory, error) {
	var inv Inventory
	return inv, a.get(ctx, "/_sim/resources", &inv)
}

// Guest returns the guest state of an instance.
func (a Admin) Guest(ctx context.Context, instanceID string) (Guest, error) {
	var g Guest
	return g, a.get(ctx, "/_sim/instances/"+instanceID+"/guest", &g)
}

// Calls returns every API call so far.
func (a Admin) Calls(ctx context.Context) ([]Call, error) {
	var calls []Call
	return calls, a.get(ctx, "/_sim/calls", &calls)
}

func (a Admin) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(a.URL, "/")+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// Named returns the resources whose name or docker-machine-name tag is name.
func Named(rs []Resource, name string) []Resource {
	var out []Resource
	for _, r := range rs {
		if r.Name == name || r.Tags["docker-machine-name"] == name {
			out = append(out, r)
		}
	}
	return out
}

// KeyPairsOf returns the key pairs that belong to machine name: tagged with
// it, or named after it as the driver names imported pairs.
func KeyPairsOf(rs []Resource, name string) []Resource {
	var out []Resource
	for _, r := range rs {
		if r.Tags["docker-machine-name"] == name || strings.Contains(r.Name, name) {
			out = append(out, r)
		}
	}
	return out
}
