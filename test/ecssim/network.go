package ecssim

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
)

// parseCidr parses an IPv4 CIDR block and requires it in canonical form
// (no host bits set), as the VPC API does.
func parseCidr(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}

// within reports whether inner lies entirely inside outer.
func within(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// privateRanges are the blocks a VPC CIDR must sit in.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

// prefixSize is the number of addresses in an IPv4 prefix.
func prefixSize(p netip.Prefix) int { return 1 << (32 - p.Bits()) }

// nthAddr returns the n-th address of an IPv4 prefix.
func nthAddr(p netip.Prefix, n int) netip.Addr {
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(n)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// VSwitches reserve the first and the last three addresses of their block.
const vswitchReserved = 4

// allocIP takes the lowest free private address of the VSwitch.
func (sw *vswitch) allocIP(instanceID string) (netip.Addr, bool) {
	size := prefixSize(sw.Cidr)
	for n := 1; n < size-3; n++ {
		a := nthAddr(sw.Cidr, n)
		if _, used := sw.usedIPs[a]; !used {
			sw.usedIPs[a] = instanceID
			return a, true
		}
	}
	return netip.Addr{}, false
}

// checkIP reports whether a specific address (RunInstances
// PrivateIpAddress) is usable and free.
func (sw *vswitch) checkIP(a netip.Addr) *apiError {
	size := prefixSize(sw.Cidr)
	first, last := nthAddr(sw.Cidr, 1), nthAddr(sw.Cidr, size-4)
	if !sw.Cidr.Contains(a) || a.Less(first) || last.Less(a) {
		return apiErr(400, "InvalidPrivateIpAddress", "Specified private IP address is not in the CIDR block of virtual switch.")
	}
	if _, used := sw.usedIPs[a]; used {
		return apiErr(400, "InvalidPrivateIpAddress.Duplicated", "Specified private IP address is duplicated.")
	}
	return nil
}

func (sw *vswitch) availableIPs() int {
	return max(prefixSize(sw.Cidr)-vswitchReserved-len(sw.usedIPs), 0)
}

// Public addresses. Guests must be reachable from tests without leaving the
// machine, so "public" IPs are loopback addresses 127.x.y.z (never
// 127.0.0.1). The pool is process-wide because several Servers in one test
// binary share the host's loopback interface.
var loopbackPool = struct {
	mu   sync.Mutex
	used map[netip.Addr]bool
}{used: map[netip.Addr]bool{}}

// firstPublicIP is where public address allocation starts. Each process
// starts in its own /16 (from its PID), so simulators in parallel test
// binaries do not race for the same address between the probe below and the
// guest's bind; the probe still skips an address someone else holds.
var firstPublicIP = netip.AddrFrom4([4]byte{127, byte(64 + os.Getpid()%160), 0, 2})

// maxProbeFailures bounds how many busy addresses allocation skips before it
// gives up probing (e.g. when something holds the port on every address).
const maxProbeFailures = 64

// allocPublicIP reserves a loopback address whose guest SSH port is free
// right now. Addresses already bound by another process (another simulator)
// are skipped by probing.
func allocPublicIP(port int) (netip.Addr, error) {
	loopbackPool.mu.Lock()
	defer loopbackPool.mu.Unlock()
	failures := 0
	for a := firstPublicIP; a.As4()[0] == 127; a = a.Next() {
		b := a.As4()
		if loopbackPool.used[a] || b[3] == 0 || b[3] == 255 {
			continue
		}
		if failures < maxProbeFailures && !portFree(a, port) {
			failures++
			continue
		}
		loopbackPool.used[a] = true
		return a, nil
	}
	return netip.Addr{}, errors.New("loopback address pool exhausted")
}

// portFree reports whether a TCP listener can bind addr:port now.
func portFree(a netip.Addr, port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort(a.String(), strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// freePublicIP returns an address to the pool.
func freePublicIP(s string) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return
	}
	loopbackPool.mu.Lock()
	delete(loopbackPool.used, a)
	loopbackPool.mu.Unlock()
}
