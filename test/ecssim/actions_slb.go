package ecssim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Classic Load Balancer (SLB 2014-05-15): only the backend-server actions
// a node driver uses. Load balancers themselves are made by tests through
// Server.CreateLoadBalancer or POST /_sim/loadbalancers. Error codes other
// than the NotFound one are estimates [EST].

// maxBackendsPerCall is the documented limit of one Add/RemoveBackendServers.
const maxBackendsPerCall = 20

func errLBNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidLoadBalancerId.NotFound", "The specified LoadBalancerId does not exist.")
}

// CreateLoadBalancer creates an active load balancer without backends and
// returns its ID.
func (s *Server) CreateLoadBalancer(region, name string) (string, error) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	rs := s.st.regions[region]
	if rs == nil {
		return "", fmt.Errorf("ecssim: unknown region %q", region)
	}
	lb := &loadBalancer{
		ID: newID("lb", rs.info.Code, lenVpcID), Region: region, Name: name, CreationTime: time.Now(),
		Address: fmt.Sprintf("10.%d.%d.%d", len(rs.lbs)%250, s.st.seq%250, 10), seq: s.st.nextSeq(),
	}
	if lb.Name == "" {
		lb.Name = "auto_named_slb"
	}
	rs.lbs[lb.ID] = lb
	return lb.ID, nil
}

// backendInput is one element of the BackendServers JSON parameter.
// Weight may arrive as a string or a number.
type backendInput struct {
	ServerID    string          `json:"ServerId"`
	Weight      json.RawMessage `json:"Weight"`
	Type        string          `json:"Type"`
	Description string          `json:"Description"`
}

// parseBackends decodes BackendServers: a JSON array of objects, or of
// plain ServerId strings as older clients send to RemoveBackendServers.
func parseBackends(p params) ([]lbBackend, *apiError) {
	raw, aerr := p.required("BackendServers")
	if aerr != nil {
		return nil, aerr
	}
	bad := errInvalid("BackendServers")
	var in []backendInput
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		in = nil // a failed decode may leave zero elements behind
		var ids []string
		if json.Unmarshal([]byte(raw), &ids) != nil {
			return nil, bad
		}
		for _, id := range ids {
			in = append(in, backendInput{ServerID: id})
		}
	}
	if len(in) == 0 || len(in) > maxBackendsPerCall {
		return nil, bad
	}
	var out []lbBackend
	seen := map[string]bool{}
	for _, b := range in {
		w := 100
		if len(b.Weight) > 0 {
			var s string
			if json.Unmarshal(b.Weight, &s) != nil {
				s = string(b.Weight)
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 100 {
				return nil, errInvalid("Weight")
			}
			w = n
		}
		typ := defaultStr(b.Type, "ecs")
		if b.ServerID == "" || typ != "ecs" || len(b.Description) > 80 {
			return nil, bad
		}
		if seen[b.ServerID] { // only the first of identical servers counts
			continue
		}
		seen[b.ServerID] = true
		out = append(out, lbBackend{ServerID: b.ServerID, Weight: w, Type: typ, Description: b.Description})
	}
	return out, nil
}

// backendViews renders backends; Weight is a string in Add/Remove answers
// and a number in DescribeLoadBalancerAttribute.
func backendViews(lb *loadBalancer, rs *regionState, weightAsString bool) []obj {
	out := []obj{}
	for _, b := range lb.Backends {
		var w any = b.Weight
		if weightAsString {
			w = strconv.Itoa(b.Weight)
		}
		o := obj{"ServerId": b.ServerID, "Weight": w, "Type": b.Type, "Description": b.Description}
		if inst := rs.instances[b.ServerID]; inst != nil {
			o["ServerIp"], o["VpcId"] = inst.PrivateIP, inst.VpcID
		}
		out = append(out, o)
	}
	return out
}

func actAddBackendServers(c *call) (any, error) {
	id, aerr := c.p.required("LoadBalancerId")
	if aerr != nil {
		return nil, aerr
	}
	in, aerr := parseBackends(c.p)
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	lb := rs.lbs[id]
	if lb == nil {
		return nil, errLBNotFound()
	}
	for _, b := range in {
		inst := rs.instances[b.ServerID]
		if inst == nil || inst.Releasing {
			return nil, apiErr(http.StatusBadRequest, "InvalidBackendServers.ServerIdNotExist", "The specified ServerId %s does not exist.", b.ServerID)
		}
		if inst.Status != instRunning {
			return nil, apiErr(http.StatusBadRequest, "IncorrectStatus.BackendServer", "Only Running instances can be added as backend servers.")
		}
	}
	for _, b := range in {
		found := false
		for _, have := range lb.Backends {
			if have.ServerID == b.ServerID { // a repeat updates weight and description
				have.Weight, have.Description, found = b.Weight, b.Description, true
			}
		}
		if !found {
			nb := b
			lb.Backends = append(lb.Backends, &nb)
		}
	}
	return obj{"LoadBalancerId": lb.ID, "BackendServers": wrap("BackendServer", backendViews(lb, rs, true))}, nil
}

func actRemoveBackendServers(c *call) (any, error) {
	id, aerr := c.p.required("LoadBalancerId")
	if aerr != nil {
		return nil, aerr
	}
	in, aerr := parseBackends(c.p)
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	lb := rs.lbs[id]
	if lb == nil {
		return nil, errLBNotFound()
	}
	remove := map[string]bool{}
	for _, b := range in {
		remove[b.ServerID] = true
	}
	kept := lb.Backends[:0]
	for _, b := range lb.Backends {
		if !remove[b.ServerID] { // removing a server that is not a backend is a no-op
			kept = append(kept, b)
		}
	}
	clear(lb.Backends[len(kept):])
	lb.Backends = kept
	return obj{"LoadBalancerId": lb.ID, "BackendServers": wrap("BackendServer", backendViews(lb, rs, true))}, nil
}

func actDescribeLoadBalancerAttribute(c *call) (any, error) {
	id, aerr := c.p.required("LoadBalancerId")
	if aerr != nil {
		return nil, aerr
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	lb := rs.lbs[id]
	if lb == nil {
		return nil, errLBNotFound()
	}
	zones := rs.info.ZoneIDs
	return obj{
		"LoadBalancerId": lb.ID, "LoadBalancerName": lb.Name, "LoadBalancerStatus": "active", "RegionId": lb.Region,
		"RegionIdAlias": lb.Region, "Address": lb.Address, "AddressType": "intranet", "AddressIPVersion": "ipv4",
		"NetworkType": "classic", "VpcId": "", "VSwitchId": "", "MasterZoneId": zones[0], "SlaveZoneId": zones[len(zones)-1],
		"PayType": "PayOnDemand", "InstanceChargeType": "PayBySpec", "InternetChargeType": "paybytraffic",
		"LoadBalancerSpec": "slb.s1.small", "Bandwidth": 5120, "CreateTime": lb.CreationTime.UTC().Format(timeMinute),
		"CreateTimeStamp": lb.CreationTime.UnixMilli(), "ResourceGroupId": defaultResourceGroupID,
		"DeleteProtection": "off", "ModificationProtectionStatus": "NonProtection", "ModificationProtectionReason": "",
		"BusinessStatus": "Normal", "RenewalStatus": "", "EndTime": "", "EndTimeStamp": 0, "AutoReleaseTime": 0,
		"ListenerPorts": wrap("ListenerPort", []int{}), "Labels": wrap("Label", []string{}),
		"ListenerPortsAndProtocal": wrap("ListenerPortAndProtocal", []obj{}),
		"ListenerPortsAndProtocol": wrap("ListenerPortAndProtocol", []obj{}),
		"Tags":                     wrap("Tag", []obj{}),
		"BackendServers":           wrap("BackendServer", backendViews(lb, rs, false)),
	}, nil
}
