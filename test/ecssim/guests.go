package ecssim

import (
	"bytes"
	"errors"
	"net"
	"strconv"
	"sync"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim/guest"
)

// Errors of Server.Guest.
var (
	// ErrNotFound: no such instance (or it was released).
	ErrNotFound = errors.New("ecssim: instance not found")
	// ErrNoGuest: the instance exists but its guest has never booted (not
	// Running yet, SSH not ready yet, or no public address).
	ErrNoGuest = errors.New("ecssim: instance has no guest yet")
)

// guestManager keeps each instance's guest in line with the instance: an
// SSH server while the instance is Running (and SSH-ready) with a public
// address, nothing otherwise. The guest's cloud-init state outlives stops,
// as a disk would, and is dropped when the instance is released.
type guestManager struct {
	s      *Server
	mu     sync.Mutex // held across guest start/stop so they never interleave
	closed bool
	slots  map[string]*guestSlot
}

type guestSlot struct {
	g       *guest.Guest // nil while not running
	bootGen int          // the boot g belongs to
	addr    string
	host    string       // the instance HostName the guest booted with
	state   *guest.State // kept from the last guest after a stop
}

// guestSpec is what an instance wants of its guest, read under the store
// lock.
type guestSpec struct {
	exists   bool
	want     bool
	addr     string
	hostName string
	password string
	keys     []string
	userData []byte
	bootGen  int
}

func (s *Server) guestSpec(id string) guestSpec {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for _, rs := range s.st.regions {
		inst := rs.instances[id]
		if inst == nil {
			continue
		}
		spec := guestSpec{exists: true, bootGen: inst.bootGen}
		ip := inst.PublicIP
		if e := rs.eips[inst.EipID]; e != nil && e.Status == eipInUse && e.InstanceID == inst.ID {
			ip = e.IP // an EIP is only reachable once associated
		}
		if inst.Status != instRunning || !inst.sshReady || inst.Releasing || ip == "" {
			return spec
		}
		spec.want = true
		spec.addr = net.JoinHostPort(ip, strconv.Itoa(s.cfg.guestSSHPort))
		// HostName and Password changes wait for the next boot.
		spec.hostName = inst.bootHostName
		spec.userData = inst.UserData
		if inst.AuthorizedKey != "" {
			// Binding a key pair disables password logon on Linux.
			spec.keys = []string{inst.AuthorizedKey}
		} else {
			spec.password = inst.bootPassword
		}
		return spec
	}
	return guestSpec{}
}

// reconcile starts or stops an instance's guest to match the instance.
func (gm *guestManager) reconcile(id string) {
	gm.mu.Lock()
	defer gm.mu.Unlock()
	if gm.closed {
		return
	}
	spec := gm.s.guestSpec(id)
	slot := gm.slots[id]
	if !spec.exists {
		if slot != nil && slot.g != nil {
			_ = slot.g.Close()
		}
		delete(gm.slots, id)
		return
	}
	if slot == nil {
		slot = &guestSlot{}
		gm.slots[id] = slot
	}
	if slot.g != nil && (!spec.want || slot.bootGen != spec.bootGen || slot.addr != spec.addr) {
		st := slot.g.State()
		_ = slot.g.Close()
		slot.g, slot.state = nil, &st
		gm.s.cfg.logf("ecssim: instance %s: guest stopped", id)
	}
	if !spec.want || slot.g != nil {
		return
	}
	cfg := guest.Config{Addr: spec.addr, HostName: spec.hostName, AuthorizedKeys: spec.keys, Password: spec.password}
	var g *guest.Guest
	var err error
	if slot.state != nil {
		st := *slot.state
		if slot.host != spec.hostName {
			// ModifyInstanceAttribute HostName: applied by the next boot.
			st.HostName = spec.hostName
		}
		g, err = guest.StartWithState(cfg, st)
	} else {
		g, err = guest.Start(cfg)
	}
	if err != nil {
		gm.s.cfg.logf("ecssim: instance %s: guest failed to start: %v", id, err)
		return
	}
	// Cloud-init runs at first boot only; the guest ignores later calls.
	// Its errors may quote user data, which is never logged.
	if err := g.ApplyUserData(spec.userData); err != nil {
		gm.s.cfg.logf("ecssim: instance %s: simulated cloud-init reported errors", id)
	}
	slot.g, slot.bootGen, slot.addr, slot.host = g, spec.bootGen, spec.addr, spec.hostName
	gm.s.cfg.logf("ecssim: instance %s: guest SSH listening on %s", id, g.Addr())
}

// closeAllLocked stops every guest and forgets their state.
func (gm *guestManager) closeAllLocked() {
	for id, slot := range gm.slots {
		if slot.g != nil {
			_ = slot.g.Close()
		}
		delete(gm.slots, id)
	}
}

func (gm *guestManager) reset() {
	gm.mu.Lock()
	defer gm.mu.Unlock()
	gm.closeAllLocked()
}

func (gm *guestManager) close() {
	gm.mu.Lock()
	defer gm.mu.Unlock()
	gm.closed = true
	gm.closeAllLocked()
}

// GuestFile is a file the simulated cloud-init wrote.
type GuestFile struct {
	// Mode is the octal permission string, e.g. "0644".
	Mode string `json:"mode"`
	// Content is the file's bytes (base64 in JSON).
	Content []byte `json:"content"`
}

// GuestInfo is what the simulated cloud-init left on an instance's guest,
// as GET /_sim/instances/{id}/guest shows it.
type GuestInfo struct {
	HostName string               `json:"hostname"`
	Files    map[string]GuestFile `json:"files"`
	RunCmd   []string             `json:"runcmd"`
	// UserData is the decoded user data cloud-init saw (base64 in JSON).
	UserData []byte `json:"userData"`
	// Running reports whether the guest's SSH server is up now.
	Running bool `json:"running"`
	// SSHAddr is where the SSH server listens (or last listened).
	SSHAddr string `json:"sshAddr"`
}

// Guest returns the guest state of an instance: live while it runs, as
// last seen after a stop. ErrNotFound for unknown or released instances,
// ErrNoGuest when the guest never booted.
func (s *Server) Guest(instanceID string) (GuestInfo, error) {
	gm := s.guests
	gm.mu.Lock()
	defer gm.mu.Unlock()
	slot := gm.slots[instanceID]
	if slot == nil || (slot.g == nil && slot.state == nil) {
		if s.guestSpec(instanceID).exists {
			return GuestInfo{}, ErrNoGuest
		}
		return GuestInfo{}, ErrNotFound
	}
	var st guest.State
	if slot.g != nil {
		st = slot.g.State()
	} else {
		st = *slot.state
	}
	info := GuestInfo{
		HostName: st.HostName,
		Files:    make(map[string]GuestFile, len(st.Files)),
		RunCmd:   append([]string{}, st.RunCmd...),
		UserData: append([]byte{}, st.UserData...), // "" rather than null in JSON
		Running:  slot.g != nil,
		SSHAddr:  slot.addr,
	}
	for p, f := range st.Files {
		info.Files[p] = GuestFile{Mode: f.Mode, Content: bytes.Clone(f.Content)}
	}
	return info, nil
}
