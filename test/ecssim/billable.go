package ecssim

// Billable is what costs money right now, as GET /_sim/billable returns
// it: the view a leak check reads after a test tore everything down.
// Every list is present, possibly empty.
type Billable struct {
	// Instances not yet released (DeleteInstance not called or refused).
	// A StopCharging instance still counts: its disks are billed.
	Instances []InstanceResource `json:"instances"`
	// Eips are every allocated EIP, associated or not.
	Eips []EipResource `json:"eips"`
	// Disks that will outlive what is being released: detached disks, and
	// disks of instances not being released.
	Disks []DiskResource `json:"disks"`
	// SLBBackends are the backend servers of every load balancer.
	SLBBackends []SLBBackend `json:"slbBackends"`
}

// SLBBackend is one backend server of a load balancer.
type SLBBackend struct {
	LoadBalancerID string `json:"loadBalancerId"`
	Region         string `json:"region"`
	ServerID       string `json:"serverId"`
	Weight         int    `json:"weight"`
}

// Billable returns the billable subset of Resources.
func (s *Server) Billable() Billable {
	res := s.Resources()
	out := Billable{Instances: []InstanceResource{}, Eips: res.Eips, Disks: []DiskResource{}, SLBBackends: []SLBBackend{}}
	releasing := map[string]bool{}
	for _, i := range res.Instances {
		if i.Releasing {
			releasing[i.ID] = true
			continue
		}
		out.Instances = append(out.Instances, i)
	}
	for _, d := range res.Disks {
		if !(releasing[d.InstanceID] && d.DeleteWithInstance) {
			out.Disks = append(out.Disks, d)
		}
	}
	for _, lb := range res.LoadBalancers {
		for _, b := range lb.Backends {
			out.SLBBackends = append(out.SLBBackends, SLBBackend{lb.ID, lb.Region, b.ServerID, b.Weight})
		}
	}
	return out
}
