// Package ecssim is a local simulator of the Alibaba Cloud ECS (2014-05-26),
// VPC (2016-04-28) and Classic Load Balancer (SLB 2014-05-15) RPC APIs,
// faithful enough that the real alibaba-cloud-sdk-go talks to it
// unchanged: signature v1 (POST and GET), STS tokens, nonce replay, the
// JSON shapes of the SDK's response structs, the error codes, ClientToken
// idempotency, per-region throttling and the lifecycle rules of
// aliyun-api.md §5. Running instances with a public address or an EIP get
// a simulated guest (an SSH server on a unique loopback address, see
// package guest).
//
// Start one in a test with New, point SDK clients at it with
// client.Domain = srv.Addr(), and inspect or steer the simulated world
// with the admin API under /_sim/ or the equivalent methods: Resources,
// Billable, Calls, AddFault, SetThrottleRule, SetStock, SetTiming,
// CreateLoadBalancer, AddRAMRole, AddResourceGroup, AddCredential, Reset.
//
// The code is laid out by concern: api.go (the HTTP gateway: parse,
// verify, throttle, faults, dispatch), actions.go (the one action table
// and idempotency), store.go (the world, one mutex), lifecycle.go (timed
// transitions), actions_*.go (handlers per resource), admin*.go (the
// admin API), guests.go (guest SSH servers).
package ecssim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a running simulator. Its methods are safe for concurrent use.
type Server struct {
	cfg     config
	ln      net.Listener
	httpSrv *http.Server
	url     string

	st       *store
	actions  map[versionAction]actionSpec
	nonces   nonceCache
	calls    callLog
	faults   faultSet
	throttle throttler
	timers   timerSet
	guests   *guestManager

	credMu sync.RWMutex
	creds  map[string]Credential

	timingMu sync.RWMutex // guards cfg.timing (SetTiming)

	closing   chan struct{} // closed by Close; aborts held (hangMs) answers
	closeOnce sync.Once
}

// New starts a simulator listening on opts.Listen.
func New(opts Options) (*Server, error) {
	cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		st:      newStore(),
		actions: actionTable(),
		creds:   map[string]Credential{},
		closing: make(chan struct{}),
	}
	s.guests = &guestManager{s: s, slots: map[string]*guestSlot{}}
	for _, c := range cfg.credentials {
		s.creds[c.ID] = c
	}
	for _, r := range cfg.throttle {
		_ = s.throttle.set(r) // validated by resolve
	}
	s.calls.limit = cfg.callHistory
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return nil, fmt.Errorf("ecssim: listen: %w", err)
	}
	s.ln = ln
	addr := ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1" // listening everywhere; loopback is always dialable
	}
	s.url = "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
	mux := http.NewServeMux()
	s.routes(mux)
	s.httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.logf("ecssim: http server: %v", err)
		}
	}()
	s.cfg.logf("ecssim: listening on %s (timing %s, guest SSH port %d)", s.url, cfg.timingName, cfg.guestSSHPort)
	return s, nil
}

// URL returns the base URL of the API, e.g. "http://127.0.0.1:8600".
func (s *Server) URL() string { return s.url }

// Addr returns the host:port of URL, what SDK clients take as their Domain.
func (s *Server) Addr() string { return strings.TrimPrefix(s.url, "http://") }

// GuestSSHPort returns the port guest SSH servers listen on.
func (s *Server) GuestSSHPort() int { return s.cfg.guestSSHPort }

// Close stops the HTTP server, every pending transition and every guest,
// and gives the public addresses back. It is safe to call twice.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if e := s.httpSrv.Shutdown(ctx); e != nil {
			err = s.httpSrv.Close()
		}
		s.timers.close()
		s.guests.close()
		s.st.mu.Lock()
		ips := s.publicIPsLocked()
		s.st.mu.Unlock()
		for _, ip := range ips {
			freePublicIP(ip)
		}
	})
	return err
}

// Reset drops every resource, guest, pending transition, fault, recorded
// call, idempotency token and sold-out mark, and re-seeds the default
// networks. Credentials, throttle limits, RAM roles and resource groups
// are configuration and stay.
func (s *Server) Reset() {
	s.timers.stopAll()
	s.st.mu.Lock()
	ips := s.publicIPsLocked()
	s.st.resetLocked() // a new epoch: timers already firing find nothing to do
	s.st.mu.Unlock()
	s.guests.reset()
	// Addresses go back only once no guest listens on them any more.
	for _, ip := range ips {
		freePublicIP(ip)
	}
	s.faults.clear()
	s.calls.clear()
	s.throttle.resetBuckets()
}

// publicIPsLocked lists the loopback addresses held by instances and EIPs.
func (s *Server) publicIPsLocked() []string {
	var ips []string
	for _, rs := range s.st.regions {
		for _, inst := range rs.instances {
			if inst.PublicIP != "" {
				ips = append(ips, inst.PublicIP)
			}
		}
		for _, e := range rs.eips {
			ips = append(ips, e.IP)
		}
	}
	return ips
}

// AddCredential accepts another AccessKey pair (or replaces the secret and
// token of an existing ID).
func (s *Server) AddCredential(c Credential) error {
	if c.ID == "" || c.Secret == "" {
		return errors.New("ecssim: credential id and secret must not be empty")
	}
	s.credMu.Lock()
	s.creds[c.ID] = c
	s.credMu.Unlock()
	return nil
}

// RevokeCredential stops accepting an AccessKeyId; later calls with it get
// InvalidAccessKeyId.NotFound. It reports whether the ID was known.
func (s *Server) RevokeCredential(id string) bool {
	s.credMu.Lock()
	defer s.credMu.Unlock()
	_, ok := s.creds[id]
	delete(s.creds, id)
	return ok
}

func (s *Server) credential(id string) (Credential, bool) {
	s.credMu.RLock()
	defer s.credMu.RUnlock()
	c, ok := s.creds[id]
	return c, ok
}

func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("/", s.serveAPI)
	mux.HandleFunc("GET /_sim/resources", s.adminResources)
	mux.HandleFunc("GET /_sim/calls", s.adminCalls)
	mux.HandleFunc("GET /_sim/instances/{id}/guest", s.adminGuest)
	mux.HandleFunc("GET /_sim/faults", s.adminListFaults)
	mux.HandleFunc("POST /_sim/faults", s.adminAddFault)
	mux.HandleFunc("DELETE /_sim/faults", s.adminClearFaults)
	mux.HandleFunc("GET /_sim/throttle", s.adminListThrottle)
	mux.HandleFunc("POST /_sim/throttle", s.adminSetThrottle)
	mux.HandleFunc("POST /_sim/credentials", s.adminAddCredential)
	mux.HandleFunc("DELETE /_sim/credentials/{id}", s.adminRevokeCredential)
	mux.HandleFunc("POST /_sim/reset", s.adminReset)
	mux.HandleFunc("GET /_sim/billable", s.adminBillable)
	mux.HandleFunc("GET /_sim/timing", s.adminListTiming)
	mux.HandleFunc("POST /_sim/timing", s.adminSetTiming)
	mux.HandleFunc("GET /_sim/stock", s.adminListStock)
	mux.HandleFunc("POST /_sim/stock", s.adminSetStock)
	mux.HandleFunc("POST /_sim/loadbalancers", s.adminCreateLoadBalancer)
	mux.HandleFunc("GET /_sim/ramroles", s.adminListRAMRoles)
	mux.HandleFunc("POST /_sim/ramroles", s.adminAddRAMRole)
	mux.HandleFunc("GET /_sim/resourcegroups", s.adminListResourceGroups)
	mux.HandleFunc("POST /_sim/resourcegroups", s.adminAddResourceGroup)
}
