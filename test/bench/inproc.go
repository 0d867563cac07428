package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/driver"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
	"github.com/rancher/machine/libmachine/drivers"
	"github.com/rancher/machine/libmachine/log"
)

// QuietDriverLogs sends libmachine's log (the driver's progress lines when
// it runs in-process) to w.
func QuietDriverLogs(w io.Writer) {
	log.SetOutWriter(w)
	log.SetErrWriter(w)
}

// RancherCloudConfig is the user data file rancher-machine hands the driver
// in Rancher mode: #cloud-config with the hostname, the install script
// (without its shebang line) gzip+base64 in write_files, and a runcmd that
// runs it (rancher/machine commands/create.go, writeCloudConfig).
func RancherCloudConfig(name string, script []byte) ([]byte, error) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(harness.DeliveredScript(script)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	const path = "/usr/local/custom_script/install.sh"
	return fmt.Appendf(nil, "#cloud-config\nhostname: %s\nruncmd:\n- sh %s\nwrite_files:\n- content: %s\n  encoding: gzip+b64\n  path: %s\n  permissions: \"0644\"\n",
		name, path, base64.StdEncoding.EncodeToString(gz.Bytes()), path), nil
}

// InProcess is our driver's create measured in this process, without
// rancher-machine and the plugin RPC: driver.NewDriver, SetConfigFromFlags
// (through drivers.CheckDriverOptions), PreCreateCheck and Create, timed
// together, then Remove.
type InProcess struct {
	Life
	// PreCreate is the PreCreateCheck part of Create's wall time.
	PreCreate time.Duration
}

// RunInProcessLife runs one machine's life with the driver in-process in a
// fresh world. extra adds or replaces flag values.
func RunInProcessLife(ctx context.Context, o LifeOptions, name string, extra map[string]any) (res InProcess) {
	res = InProcess{Life: Life{Name: name}}
	w, err := NewWorld(o.World)
	if err != nil {
		res.Err = err
		return res
	}
	defer func() { res.GuestFailures = w.GuestFailures(); w.Close() }()
	userData := filepath.Join(o.WorkDir, "userdata-"+name)
	cc, err := RancherCloudConfig(name, harness.InstallScript("https://rancher.bench.test", "bench-cattle-token-0000"))
	if err == nil {
		err = os.WriteFile(userData, cc, 0o600)
	}
	if err != nil {
		res.Err = err
		return res
	}
	values := map[string]any{
		"aliyunecs-access-key-id":     ecssim.DefaultAccessKeyID,
		"aliyunecs-access-key-secret": ecssim.DefaultAccessKeySecret,
		"aliyunecs-api-endpoint":      w.Endpoint,
		"aliyunecs-ssh-port":          GuestSSHPort(),
		"aliyunecs-userdata":          userData,
	}
	for k, v := range extra {
		values[k] = v
	}

	start := time.Now()
	d := driver.NewDriver(name, filepath.Join(o.WorkDir, "store-"+name))
	opts := &drivers.CheckDriverOptions{FlagsValues: values, CreateFlags: d.GetCreateFlags()}
	if err := d.SetConfigFromFlags(opts); err != nil {
		res.Err = fmt.Errorf("SetConfigFromFlags: %w", err)
		return res
	}
	if len(opts.InvalidFlags) > 0 {
		res.Err = fmt.Errorf("flags of the wrong type: %v", opts.InvalidFlags)
		return res
	}
	if err := d.PreCreateCheck(); err != nil {
		res.Err = fmt.Errorf("PreCreateCheck: %w", err)
		return res
	}
	res.PreCreate = time.Since(start)
	err = d.Create()
	end := time.Now()
	res.Create = end.Sub(start)
	if err != nil {
		res.Err = fmt.Errorf("create: %w", err)
		return res
	}
	if res.CreateCalls, err = w.Calls(ctx, 0); err != nil {
		res.Err = err
		return res
	}
	res.Timeline = timeline(start, end, res.CreateCalls, w.Profile, o.World.Latency)

	start = time.Now()
	if err := d.Remove(); err != nil {
		res.Err = fmt.Errorf("remove: %w", err)
		return res
	}
	res.Remove = time.Since(start)
	res.RemoveCalls, res.Err = w.Calls(ctx, lastSeq(res.CreateCalls))
	return res
}
