package ecssim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Account settings and stock: things a test steers that no API call of
// the driver can change. RAM roles and resource groups belong to the
// account and survive Reset (like credentials); stock is world state and a
// Reset restores it.

// seedRAMRoles are the RAM roles every simulator starts with, so
// RunInstances RamRoleName has something to find.
var seedRAMRoles = []string{"ecssim-node-role", "AliyunECSInstanceForRancherRole"}

// seedResourceGroups are the resource groups every simulator starts with:
// the account's default group and one more.
var seedResourceGroups = []string{defaultResourceGroupID, "rg-acfmecssim0testing"}

// stockKey names one (region, zone, instance type) combination.
type stockKey struct{ region, zone, instanceType string }

// StockRule is one sold-out combination, as GET /_sim/stock lists them and
// POST /_sim/stock takes them.
type StockRule struct {
	Region       string `json:"region"`
	Zone         string `json:"zone"`
	InstanceType string `json:"instanceType"`
	// Available false marks the combination sold out; true gives the stock
	// back.
	Available bool `json:"available"`
}

// SetStock makes an instance type sold out (available false) or available
// again in one zone. RunInstances there answers 403 OperationDenied.NoStock
// and DescribeAvailableResource reports SoldOut / WithoutStock, while
// DescribeZones still lists the type, as the real service does.
func (s *Server) SetStock(region, zone, instanceType string, available bool) error {
	r := findRegion(region)
	if r == nil {
		return fmt.Errorf("ecssim: unknown region %q", region)
	}
	if !r.hasZone(zone) {
		return fmt.Errorf("ecssim: unknown zone %q in region %s", zone, region)
	}
	if findInstanceType(instanceType) == nil {
		return fmt.Errorf("ecssim: unknown instance type %q", instanceType)
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	k := stockKey{region, zone, instanceType}
	if available {
		delete(s.st.soldOut, k)
	} else {
		s.st.soldOut[k] = true
	}
	return nil
}

// SoldOut lists the combinations without stock, sorted.
func (s *Server) SoldOut() []StockRule {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	out := []StockRule{}
	for k := range s.st.soldOut {
		out = append(out, StockRule{Region: k.region, Zone: k.zone, InstanceType: k.instanceType})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Region+a.Zone+a.InstanceType < b.Region+b.Zone+b.InstanceType
	})
	return out
}

// inStockLocked reports whether a type can be launched in a zone.
func (st *store) inStockLocked(region, zone, instanceType string) bool {
	return !st.soldOut[stockKey{region, zone, instanceType}]
}

func errNoStock() *apiError {
	return apiErr(http.StatusForbidden, "OperationDenied.NoStock", "The resource is out of usage.")
}

// AddRAMRole makes a RAM role name known, for RunInstances RamRoleName.
func (s *Server) AddRAMRole(name string) error {
	if strings.TrimSpace(name) == "" || len(name) > 64 {
		return fmt.Errorf("ecssim: RAM role name must have 1 to 64 characters")
	}
	s.st.mu.Lock()
	s.st.ramRoles[name] = true
	s.st.mu.Unlock()
	return nil
}

// RAMRoles lists the known RAM role names, sorted.
func (s *Server) RAMRoles() []string {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return sortedKeys(s.st.ramRoles)
}

// AddResourceGroup makes a resource group ID known; creating resources in
// an unknown group answers 404 InvalidResourceGroup.NotFound.
func (s *Server) AddResourceGroup(id string) error {
	if !strings.HasPrefix(id, "rg-") || len(id) < 5 {
		return fmt.Errorf("ecssim: resource group ID must look like rg-xxxx")
	}
	s.st.mu.Lock()
	s.st.resourceGroups[id] = true
	s.st.mu.Unlock()
	return nil
}

// ResourceGroups lists the known resource group IDs, sorted.
func (s *Server) ResourceGroups() []string {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return sortedKeys(s.st.resourceGroups)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// resourceGroupParam returns the request's ResourceGroupId (the default
// group when absent), or 404 InvalidResourceGroup.NotFound for an unknown
// one. The store must be locked.
func (c *call) resourceGroupParam() (string, *apiError) {
	rg := c.p.get("ResourceGroupId")
	if rg == "" {
		return defaultResourceGroupID, nil
	}
	if !c.s.st.resourceGroups[rg] {
		return "", apiErr(http.StatusNotFound, "InvalidResourceGroup.NotFound", "The specified resource group does not exist.")
	}
	return rg, nil
}
