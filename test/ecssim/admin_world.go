package ecssim

import (
	"net/http"
	"time"
)

// Admin handlers for billing, stock, load balancers and account settings.

func (s *Server) adminBillable(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Billable())
}

func (s *Server) adminListStock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.SoldOut())
}

// adminSetStock takes {"region","zone","instanceType","available"}; an
// absent "available" means false, as the point of the call is usually to
// sell a type out.
func (s *Server) adminSetStock(w http.ResponseWriter, r *http.Request) {
	var rule StockRule
	if err := readJSON(r, &rule); err != nil {
		writeAdminError(w, http.StatusBadRequest, `want {"region":"...","zone":"...","instanceType":"...","available":false}`)
		return
	}
	if err := s.SetStock(rule.Region, rule.Zone, rule.InstanceType, rule.Available); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.SoldOut())
}

func (s *Server) adminCreateLoadBalancer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Region string `json:"region"`
		Name   string `json:"name"`
	}
	if err := readJSON(r, &req); err != nil {
		writeAdminError(w, http.StatusBadRequest, `want {"region":"...","name":"..."}`)
		return
	}
	id, err := s.CreateLoadBalancer(req.Region, req.Name)
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

func (s *Server) adminListRAMRoles(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.RAMRoles())
}

func (s *Server) adminAddRAMRole(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if err := readJSON(r, &req); err != nil {
		writeAdminError(w, http.StatusBadRequest, `want {"name":"..."}`)
		return
	}
	if err := s.AddRAMRole(req.Name); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.RAMRoles())
}

func (s *Server) adminListResourceGroups(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.ResourceGroups())
}

func (s *Server) adminAddResourceGroup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID string `json:"id"`
	}
	if err := readJSON(r, &req); err != nil {
		writeAdminError(w, http.StatusBadRequest, `want {"id":"rg-..."}`)
		return
	}
	if err := s.AddResourceGroup(req.ID); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.ResourceGroups())
}

// timingView shows delays as Go duration strings ("250ms").
func (s *Server) timingView() map[Transition]string {
	out := map[Transition]string{}
	for k, v := range s.Timing() {
		out[k] = v.String()
	}
	return out
}

func (s *Server) adminListTiming(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.timingView())
}

// adminSetTiming takes {"transition":"starting","delay":"2s"}.
func (s *Server) adminSetTiming(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Transition Transition `json:"transition"`
		Delay      string     `json:"delay"`
	}
	if err := readJSON(r, &req); err != nil {
		writeAdminError(w, http.StatusBadRequest, `want {"transition":"starting","delay":"2s"}`)
		return
	}
	d, err := time.ParseDuration(req.Delay)
	if err == nil {
		err = s.SetTiming(req.Transition, d)
	}
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.timingView())
}
