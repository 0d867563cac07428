package ecssim

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// timerSet runs delayed transitions and can stop them all (Reset, Close).
type timerSet struct {
	mu     sync.Mutex
	closed bool
	timers map[*time.Timer]struct{}
	wg     sync.WaitGroup // one count per timer not yet fired or stopped
}

// after runs fn once d has passed, unless stopped first.
func (ts *timerSet) after(d time.Duration, fn func()) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.closed {
		return
	}
	if ts.timers == nil {
		ts.timers = map[*time.Timer]struct{}{}
	}
	ts.wg.Add(1)
	var t *time.Timer
	// The callback takes ts.mu first, so it sees t assigned even for d == 0.
	t = time.AfterFunc(d, func() {
		defer ts.wg.Done()
		ts.mu.Lock()
		_, live := ts.timers[t]
		delete(ts.timers, t)
		ts.mu.Unlock()
		if live {
			fn()
		}
	})
	ts.timers[t] = struct{}{}
}

// stopAll cancels every pending timer. Callbacks already running finish.
func (ts *timerSet) stopAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for t := range ts.timers {
		if t.Stop() {
			ts.wg.Done() // its callback will never run
		}
		delete(ts.timers, t)
	}
}

// close stops every timer, refuses new ones and waits for running callbacks.
func (ts *timerSet) close() {
	ts.mu.Lock()
	ts.closed = true
	ts.mu.Unlock()
	ts.stopAll()
	ts.wg.Wait()
}

func (s *Server) delay(t Transition) time.Duration {
	s.timingMu.RLock()
	defer s.timingMu.RUnlock()
	return s.cfg.timing[t]
}

// SetTiming changes one transition's delay from now on (transitions
// already scheduled keep theirs), e.g. to hold instances in Stopping for a
// test of the Stopping rules.
func (s *Server) SetTiming(t Transition, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("ecssim: negative delay for transition %q", t)
	}
	s.timingMu.Lock()
	defer s.timingMu.Unlock()
	if _, ok := s.cfg.timing[t]; !ok {
		return fmt.Errorf("ecssim: unknown transition %q", t)
	}
	s.cfg.timing[t] = d
	return nil
}

// Timing returns the delay of every transition.
func (s *Server) Timing() map[Transition]time.Duration {
	s.timingMu.RLock()
	defer s.timingMu.RUnlock()
	out := make(map[Transition]time.Duration, len(s.cfg.timing))
	for k, v := range s.cfg.timing {
		out[k] = v
	}
	return out
}

// transitionFunc changes an instance when its timer fires, with the store
// locked. It may return work to run once the store is unlocked and the
// guest reconciled.
type transitionFunc func(rs *regionState, inst *instance) (after func())

// scheduleInstance runs fn on an instance after d, provided nothing else
// changed the instance's status meanwhile (its gen is the same) and no
// Reset happened. The instance's guest is reconciled afterwards. Call with
// the store locked.
func (s *Server) scheduleInstance(inst *instance, d time.Duration, fn transitionFunc) {
	id, region, gen, epoch := inst.ID, inst.Region, inst.gen, s.st.epoch
	s.timers.after(d, func() {
		s.st.mu.Lock()
		rs := s.st.regions[region]
		if s.st.epoch != epoch || rs == nil || rs.instances[id] == nil || rs.instances[id].gen != gen {
			s.st.mu.Unlock()
			return
		}
		after := fn(rs, rs.instances[id])
		s.st.mu.Unlock()
		s.guests.reconcile(id)
		if after != nil {
			after()
		}
	})
}

// setStatus changes an instance's status and invalidates its pending
// transitions. Leaving Running takes the guest's SSH server down.
func setStatus(inst *instance, status string) {
	inst.Status = status
	inst.gen++
	if status != instRunning {
		inst.sshReady = false
	}
}

// boot moves an instance to Starting, then Running after the start delay.
// An instance whose public IP StopCharging took gets a new one.
func (s *Server) boot(inst *instance) {
	setStatus(inst, instStarting)
	if inst.WantPublicIP && inst.PublicIP == "" {
		if a, err := allocPublicIP(s.cfg.guestSSHPort); err == nil {
			inst.PublicIP, inst.WantPublicIP = a.String(), false
		} else {
			s.cfg.logf("ecssim: instance %s: no public address: %v", inst.ID, err)
		}
	}
	s.scheduleInstance(inst, s.delay(TransitionStarting), func(_ *regionState, inst *instance) func() {
		s.running(inst)
		return nil
	})
}

// running marks an instance Running; its guest comes up after the SSH delay.
func (s *Server) running(inst *instance) {
	setStatus(inst, instRunning)
	inst.bootGen++
	inst.StartTime = time.Now()
	inst.StoppedMode = "Not-applicable"
	inst.bootHostName, inst.bootPassword = inst.HostName, inst.Password
	if d := s.delay(TransitionSSHReady); d > 0 {
		s.scheduleInstance(inst, d, func(_ *regionState, inst *instance) func() {
			inst.sshReady = true
			return nil
		})
		return
	}
	inst.sshReady = true
}

// launch starts the RunInstances flow: Pending, Starting, Running.
func (s *Server) launch(inst *instance) {
	setStatus(inst, instPending)
	s.scheduleInstance(inst, s.delay(TransitionPending), func(_ *regionState, inst *instance) func() {
		s.boot(inst)
		return nil
	})
}

// stop starts Running -> Stopping -> Stopped. In StopCharging mode the
// instance gives its system public IP back once Stopped (an EIP stays);
// the next start assigns a new one.
func (s *Server) stop(inst *instance, mode string) {
	setStatus(inst, instStopping)
	s.scheduleInstance(inst, s.delay(TransitionStopping), func(_ *regionState, inst *instance) func() {
		setStatus(inst, instStopped)
		inst.StoppedMode = mode
		if mode != "StopCharging" || inst.PublicIP == "" {
			return nil
		}
		ip := inst.PublicIP
		inst.PublicIP, inst.WantPublicIP = "", true
		return func() { freePublicIP(ip) }
	})
}

// reboot runs Running -> Stopping -> Starting -> Running.
func (s *Server) reboot(inst *instance) {
	setStatus(inst, instStopping)
	s.scheduleInstance(inst, s.delay(TransitionStopping), func(_ *regionState, inst *instance) func() {
		s.boot(inst)
		return nil
	})
}

// release powers an instance off at once; it stays visible as Stopped for
// the release delay and is then gone with its disks (those with
// DeleteWithInstance) and addresses.
func (s *Server) release(inst *instance) {
	setStatus(inst, instStopped)
	inst.Releasing = true
	s.scheduleInstance(inst, s.delay(TransitionRelease), s.removeInstance)
}

// removeInstance deletes a released instance. Its public address goes back
// to the pool only after the guest listening on it has been closed.
func (s *Server) removeInstance(rs *regionState, inst *instance) func() {
	delete(rs.instances, inst.ID)
	if sw := rs.vswitches[inst.VSwitchID]; sw != nil {
		for a, owner := range sw.usedIPs {
			if owner == inst.ID {
				delete(sw.usedIPs, a)
			}
		}
		for a, owner := range sw.usedIPv6 {
			if owner == inst.ID {
				delete(sw.usedIPv6, a)
			}
		}
	}
	ip := inst.PublicIP
	// EIPs survive their instance (and stay billable): they become
	// unassociated.
	for _, e := range rs.eips {
		if e.InstanceID == inst.ID {
			e.InstanceID, e.Status = "", eipAvailable
			e.gen++ // a pending associate/unassociate has nothing left to do
		}
	}
	// A released instance leaves every load balancer it served.
	for _, lb := range rs.lbs {
		lb.Backends = slices.DeleteFunc(lb.Backends, func(b *lbBackend) bool { return b.ServerID == inst.ID })
	}
	for id, d := range rs.disks {
		if d.InstanceID != inst.ID {
			continue
		}
		if d.DeleteWithInstance {
			delete(rs.disks, id)
		} else {
			d.InstanceID, d.Status = "", "Available"
		}
	}
	s.cfg.logf("ecssim: instance %s released", inst.ID)
	if ip == "" {
		return nil
	}
	return func() { freePublicIP(ip) }
}

// networkReady makes a VPC or VSwitch Available after its creation delay.
func (s *Server) networkReady(region, id string, d time.Duration) {
	epoch := s.st.epoch
	s.timers.after(d, func() {
		s.st.mu.Lock()
		defer s.st.mu.Unlock()
		rs := s.st.regions[region]
		if s.st.epoch != epoch || rs == nil {
			return
		}
		if v := rs.vpcs[id]; v != nil {
			v.Status = statusAvailable
		}
		if sw := rs.vswitches[id]; sw != nil {
			sw.Status = statusAvailable
		}
	})
}
