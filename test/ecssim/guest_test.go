package ecssim_test

import (
	"encoding/base64"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

const userData = `#cloud-config
hostname: from-cloud-init
write_files:
  - path: /etc/rancher/rke2/config.yaml
    permissions: "0600"
    content: |
      token: abc
runcmd:
  - echo hello
`

// sshRun runs one command on a guest; err is an *ssh.ExitError for a
// non-zero exit.
func sshRun(addr string, auth ssh.AuthMethod, cmd string) (string, error) {
	cfg := &ssh.ClientConfig{
		User: "root", Auth: []ssh.AuthMethod{auth},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 2 * time.Second,
	}
	c, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	out, err := sess.Output(cmd)
	return string(out), err
}

func TestGuestSSHAndCloudInit(t *testing.T) {
	t.Parallel()
	srv := newSim(t, func(o *ecssim.Options) {
		// Pending long enough to see that no guest exists before boot.
		o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionPending: 200 * time.Millisecond}
	})
	cl := ecsClient(t, srv)
	signer, pub := newKey(t)
	_, err := importKey(t, cl, "machine-key", pub)
	require.NoError(t, err)

	req := runRequest(t, srv)
	req.KeyPairName = "machine-key"
	req.Password = "Sim-Passw0rd"
	req.HostName = "node-1"
	req.InternetMaxBandwidthOut = requests.NewInteger(5)
	req.UserData = base64.StdEncoding.EncodeToString([]byte(userData))
	id := runOne(t, cl, req)

	_, err = srv.Guest(id)
	require.ErrorIs(t, err, ecssim.ErrNoGuest)
	waitStatus(t, cl, id, "Running")
	ip := srv.Resources().Instances[0].PublicIP
	addr := net.JoinHostPort(ip, strconv.Itoa(srv.GuestSSHPort()))
	keyAuth := ssh.PublicKeys(signer)

	var out string
	waitFor(t, "guest SSH", func() bool {
		out, err = sshRun(addr, keyAuth, "hostname")
		return err == nil
	})
	require.Equal(t, "from-cloud-init\n", out)
	out, err = sshRun(addr, keyAuth, "cat /etc/rancher/rke2/config.yaml")
	require.NoError(t, err)
	require.Equal(t, "token: abc\n", out)
	// A bound key pair disables password logon, as on real Linux images.
	_, err = sshRun(addr, ssh.Password("Sim-Passw0rd"), "true")
	require.Error(t, err)
	_, err = sshRun(addr, keyAuth, "rm -rf /")
	var exit *ssh.ExitError
	require.True(t, errors.As(err, &exit), "%v", err)
	require.Equal(t, 127, exit.ExitStatus())

	var info ecssim.GuestInfo
	require.Equal(t, 200, adminJSON(t, srv, "GET", "/_sim/instances/"+id+"/guest", "", &info))
	require.Equal(t, "from-cloud-init", info.HostName)
	require.Equal(t, "0600", info.Files["/etc/rancher/rke2/config.yaml"].Mode)
	require.Equal(t, "token: abc\n", string(info.Files["/etc/rancher/rke2/config.yaml"].Content))
	require.Equal(t, []string{"echo hello"}, info.RunCmd)
	require.Equal(t, userData, string(info.UserData))
	require.True(t, info.Running)

	// Stop: SSH goes away, the cloud-init state stays.
	require.NoError(t, op(cl, "Stop", id, false))
	waitStatus(t, cl, id, "Stopped")
	_, err = sshRun(addr, keyAuth, "true")
	require.Error(t, err)
	info, err = srv.Guest(id)
	require.NoError(t, err)
	require.False(t, info.Running)
	require.Equal(t, "from-cloud-init", info.HostName)

	// Start: same state, cloud-init does not run again, and the key
	// installed at creation still works after its key pair is deleted.
	del := ecs.CreateDeleteKeyPairsRequest()
	del.KeyPairNames = `["machine-key"]`
	_, err = cl.DeleteKeyPairs(del)
	require.NoError(t, err)
	require.NoError(t, op(cl, "Start", id, false))
	waitStatus(t, cl, id, "Running")
	waitFor(t, "guest SSH after start", func() bool {
		out, err = sshRun(addr, keyAuth, "cat /etc/rancher/rke2/config.yaml")
		return err == nil
	})
	require.Equal(t, "token: abc\n", out)
	info, err = srv.Guest(id)
	require.NoError(t, err)
	require.Equal(t, []string{"echo hello"}, info.RunCmd)

	// Release: guest gone, address free for the next instance.
	require.NoError(t, op(cl, "Delete", id, true))
	_, err = sshRun(addr, keyAuth, "true")
	require.Error(t, err)
	waitStatus(t, cl, id, "")
	_, err = srv.Guest(id)
	require.ErrorIs(t, err, ecssim.ErrNotFound)
	require.Equal(t, 404, adminJSON(t, srv, "GET", "/_sim/instances/"+id+"/guest", "", nil))
}

func TestPublicAddressesAreUnique(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	other := newSim(t) // a second simulator in the same process
	seen := map[string]bool{}
	for _, s := range []*ecssim.Server{srv, other} {
		req := runRequest(t, s)
		req.InternetMaxBandwidthOut = requests.NewInteger(1)
		req.Amount = requests.NewInteger(3)
		_, err := ecsClient(t, s).RunInstances(req)
		require.NoError(t, err)
		for _, inst := range s.Resources().Instances {
			ip := net.ParseIP(inst.PublicIP)
			require.NotNil(t, ip, inst.PublicIP)
			require.True(t, ip.IsLoopback())
			require.NotEqual(t, "127.0.0.1", inst.PublicIP)
			require.False(t, seen[inst.PublicIP], "duplicate %s", inst.PublicIP)
			seen[inst.PublicIP] = true
		}
	}
	require.Len(t, seen, 6)
}

func TestGuestPasswordLogon(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	req := runRequest(t, srv)
	req.Password = "Sim-Passw0rd"
	req.InternetMaxBandwidthOut = requests.NewInteger(1)
	id := runOne(t, cl, req)
	waitStatus(t, cl, id, "Running")
	addr := net.JoinHostPort(srv.Resources().Instances[0].PublicIP, strconv.Itoa(srv.GuestSSHPort()))
	waitFor(t, "password logon", func() bool {
		_, err := sshRun(addr, ssh.Password("Sim-Passw0rd"), "true")
		return err == nil
	})
	_, err := sshRun(addr, ssh.Password("wrong"), "true")
	require.Error(t, err)
	out, err := sshRun(addr, ssh.Password("Sim-Passw0rd"), "hostname")
	require.NoError(t, err)
	require.Equal(t, "iZ"+strings.TrimPrefix(id, "i-")+"Z\n", out) // the default ECS hostname
}

func TestNoPublicAddressNoGuest(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	id := runOne(t, cl, runRequest(t, srv))
	waitStatus(t, cl, id, "Running")
	require.Empty(t, srv.Resources().Instances[0].PublicIP)
	_, err := srv.Guest(id)
	require.ErrorIs(t, err, ecssim.ErrNoGuest)
	require.Equal(t, 409, adminJSON(t, srv, "GET", "/_sim/instances/"+id+"/guest", "", nil))
}

func TestRealisticSSHDelay(t *testing.T) {
	t.Parallel()
	srv := newSim(t, func(o *ecssim.Options) {
		o.Timing = ecssim.TimingRealistic
		o.TimingOverrides = map[ecssim.Transition]time.Duration{
			ecssim.TransitionPending: 0, ecssim.TransitionStarting: 0, ecssim.TransitionSSHReady: 200 * time.Millisecond,
		}
	})
	cl := ecsClient(t, srv)
	signer, pub := newKey(t)
	_, err := importKey(t, cl, "kp1", pub)
	require.NoError(t, err)
	req := runRequest(t, srv)
	req.KeyPairName = "kp1"
	req.InternetMaxBandwidthOut = requests.NewInteger(1)
	id := runOne(t, cl, req)
	waitStatus(t, cl, id, "Running")
	// Running, but SSH is not up until the SSH-ready delay has passed.
	_, err = srv.Guest(id)
	require.ErrorIs(t, err, ecssim.ErrNoGuest)
	addr := net.JoinHostPort(srv.Resources().Instances[0].PublicIP, strconv.Itoa(srv.GuestSSHPort()))
	waitFor(t, "guest SSH", func() bool {
		_, err := sshRun(addr, ssh.PublicKeys(signer), "exit 0")
		return err == nil
	})
	info, err := srv.Guest(id)
	require.NoError(t, err)
	require.True(t, info.Running)
	require.Equal(t, "", string(info.UserData))
}
