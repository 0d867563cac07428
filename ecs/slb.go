package ecs

import (
	"context"
	"encoding/json"
	"strconv"
)

// productSLB is the Classic Load Balancer API.
var productSLB = product{name: "Slb", version: "2014-05-15", host: "slb", special: slbEndpoints}

// slbEndpoints are the public regions the SDK's services/slb map sends to the
// central endpoint (the region travels in RegionId); the others use
// slb.<region>.aliyuncs.com.
var slbEndpoints = map[string]string{
	"cn-hangzhou": "slb.aliyuncs.com", "cn-beijing": "slb.aliyuncs.com", "cn-qingdao": "slb.aliyuncs.com",
	"cn-shanghai": "slb.aliyuncs.com", "cn-shenzhen": "slb.aliyuncs.com", "cn-hongkong": "slb.aliyuncs.com",
	"cn-wuhan": "slb.aliyuncs.com", "cn-zhangbei": "slb.aliyuncs.com", "cn-fujian": "slb.aliyuncs.com",
	"us-west-1": "slb.aliyuncs.com", "us-east-1": "slb.aliyuncs.com", "ap-southeast-1": "slb.aliyuncs.com",
}

// LoadBalancer is the part of DescribeLoadBalancerAttribute the driver uses.
type LoadBalancer struct {
	ID       string
	Name     string
	Status   string
	VpcID    string
	Backends []BackendServer
}

// BackendServer is one backend of a load balancer.
type BackendServer struct {
	ServerID string
	Weight   int
}

// SLBAPI is the load balancer part of API.
type SLBAPI interface {
	DescribeLoadBalancerAttribute(ctx context.Context, loadBalancerID string) (*LoadBalancer, error)
	AddBackendServers(ctx context.Context, loadBalancerID string, servers []BackendServer) error
	RemoveBackendServers(ctx context.Context, loadBalancerID string, serverIDs []string) error
}

var _ SLBAPI = (*Client)(nil)

// DescribeLoadBalancerAttribute returns a load balancer with its backends.
func (c *Client) DescribeLoadBalancerAttribute(ctx context.Context, loadBalancerID string) (*LoadBalancer, error) {
	p := params{}
	p.set("LoadBalancerId", loadBalancerID)
	var resp struct {
		LoadBalancerId     string
		LoadBalancerName   string
		LoadBalancerStatus string
		VpcId              string
		BackendServers     struct {
			BackendServer []struct {
				ServerId string
				Weight   flexInt
			}
		}
	}
	if err := c.call(ctx, productSLB, "DescribeLoadBalancerAttribute", p, &resp); err != nil {
		return nil, err
	}
	lb := &LoadBalancer{ID: resp.LoadBalancerId, Name: resp.LoadBalancerName, Status: resp.LoadBalancerStatus, VpcID: resp.VpcId}
	for _, b := range resp.BackendServers.BackendServer {
		lb.Backends = append(lb.Backends, BackendServer{ServerID: b.ServerId, Weight: int(b.Weight)})
	}
	return lb, nil
}

// AddBackendServers adds ECS instances as backends. Adding one that is
// already a backend updates its weight, so a retry is harmless.
func (c *Client) AddBackendServers(ctx context.Context, loadBalancerID string, servers []BackendServer) error {
	type wire struct {
		ServerId string
		Weight   string
		Type     string
	}
	list := make([]wire, 0, len(servers))
	for _, s := range servers {
		list = append(list, wire{ServerId: s.ServerID, Weight: strconv.Itoa(s.Weight), Type: "ecs"})
	}
	return c.backendCall(ctx, "AddBackendServers", loadBalancerID, list)
}

// RemoveBackendServers removes ECS instances from the backends; removing one
// that is not a backend succeeds.
func (c *Client) RemoveBackendServers(ctx context.Context, loadBalancerID string, serverIDs []string) error {
	type wire struct {
		ServerId string
		Type     string
	}
	list := make([]wire, 0, len(serverIDs))
	for _, id := range serverIDs {
		list = append(list, wire{ServerId: id, Type: "ecs"})
	}
	return c.backendCall(ctx, "RemoveBackendServers", loadBalancerID, list)
}

// backendCall sends BackendServers as the JSON array the API takes.
func (c *Client) backendCall(ctx context.Context, action, loadBalancerID string, list any) error {
	raw, err := json.Marshal(list)
	if err != nil {
		return err
	}
	p := params{}
	p.set("LoadBalancerId", loadBalancerID)
	p.set("BackendServers", string(raw))
	return c.call(ctx, productSLB, action, p, nil)
}
