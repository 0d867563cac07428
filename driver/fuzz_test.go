package driver

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rancher/machine/libmachine/drivers"
)

// Fuzz targets for the driver's pure parsing. As plain `go test` they run
// their seed corpus (below and testdata/fuzz); CI runs each for a few
// seconds, e.g. `go test -run='^$' -fuzz=FuzzParseUserTag -fuzztime=5s ./driver`.

// ecsAcceptsTag applies the ECS rules for a tag (RunInstances, TagResources):
// a key of 1-128 characters that does not start with "aliyun" or "acs:",
// neither key nor value containing "http://" or "https://", a value of at
// most 128 characters.
func ecsAcceptsTag(key, value string) error {
	lk, lv := strings.ToLower(key), strings.ToLower(value)
	switch {
	case key == "" || utf8.RuneCountInString(key) > 128:
		return fmt.Errorf("key length")
	case strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:"):
		return fmt.Errorf("key prefix")
	case strings.Contains(lk, "http://") || strings.Contains(lk, "https://"):
		return fmt.Errorf("URL in key")
	case utf8.RuneCountInString(value) > 128:
		return fmt.Errorf("value length")
	case strings.Contains(lv, "http://") || strings.Contains(lv, "https://"):
		return fmt.Errorf("URL in value")
	}
	return nil
}

func FuzzParseUserTag(f *testing.F) {
	for _, s := range []string{
		"env=prod", "a=b=c", " k = v ", "=v", "k", "", "aliyun:x=1", "ACS:x=1", "k=",
		"docker-machine-name=x", "http://x=1", "team=https://wiki.example.test",
		strings.Repeat("k", 129) + "=v", "k=" + strings.Repeat("v", 129), "键=值", "k=\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := parseUserTag(s)
		if err != nil {
			return
		}
		if tag.Key == "" || tag.Key != strings.TrimSpace(tag.Key) {
			t.Fatalf("parseUserTag(%q) gave key %q", s, tag.Key)
		}
		switch tag.Key {
		case tagManagedBy, tagMachineName, tagMachineID:
			t.Fatalf("parseUserTag(%q) accepted the reserved key %q", s, tag.Key)
		}
		if _, v, _ := strings.Cut(s, "="); v != tag.Value {
			t.Fatalf("parseUserTag(%q) gave value %q, want everything after the first '='", s, tag.Value)
		}
		again, err := parseUserTag(tag.Key + "=" + tag.Value)
		if err != nil || again != tag {
			t.Fatalf("key=value of parseUserTag(%q) does not parse back: %v, %v", s, again, err)
		}
		if why := ecsAcceptsTag(tag.Key, tag.Value); why != nil {
			t.Fatalf("parseUserTag(%q) accepted a tag ECS rejects (%v): the cloud would refuse it only after the key pair and group exist", s, why)
		}
	})
}

func FuzzParsePortSpec(f *testing.F) {
	for _, s := range []string{
		"80", "53/udp", "30000-32767/tcp", "8472/UDP", " 22 ", "0", "65536", "a", "80/icmp", "20-10",
		"1-x", "-1", "1-", "+80", "080", "1-65535/udp", "80/tcp/udp", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePortSpec(s)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("parsePortSpec(%q): the error does not quote the value: %v", s, err)
			}
			return
		}
		if p.protocol != "TCP" && p.protocol != "UDP" {
			t.Fatalf("parsePortSpec(%q) gave protocol %q", s, p.protocol)
		}
		if p.from < 1 || p.to > 65535 || p.from > p.to {
			t.Fatalf("parsePortSpec(%q) gave range %s", s, p.rangeString())
		}
		canonical := fmt.Sprintf("%d-%d/%s", p.from, p.to, strings.ToLower(p.protocol))
		if again, err := parsePortSpec(canonical); err != nil || again != p {
			t.Fatalf("parsePortSpec(%q) = %+v, but its canonical form %q gives %+v, %v", s, p, canonical, again, err)
		}
	})
}

// fuzzFlagOptions builds the options rancher-machine would pass with the
// given values, every other flag at its default.
func fuzzFlagOptions(d *Driver, values map[string]any) *drivers.CheckDriverOptions {
	return &drivers.CheckDriverOptions{FlagsValues: values, CreateFlags: d.GetCreateFlags()}
}

func FuzzSetConfigFromFlags(f *testing.F) {
	f.Add("cn-hangzhou", "env=prod", "8080/tcp", "root", "cloud_essd", "0.0.0.0/0", 40, 22)
	f.Add("CN_X", "novalue", "80/icmp", "root user", "floppy", "10.0.0.0/33", -1, 70000)
	f.Add("", "", "", "", "", "", 0, 0)
	f.Add("cn-hangzhou", "", "", "root;reboot", "", "", 0, 22)
	f.Add("us-west-1", "k=https://x", "1-65535/udp", "ubuntu", "cloud_auto", "192.168.0.0/16,10.0.0.0/8", 32768, 1)
	f.Fuzz(func(t *testing.T, region, tag, port, user, category, cidr string, diskSize, sshPort int) {
		t.Setenv("ECS_ACCESS_KEY_ID", "")
		t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
		t.Setenv("ECS_ACCESS_KEY_SECRET", "")
		t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")
		d := NewDriver("fuzz", t.TempDir())
		opts := fuzzFlagOptions(d, map[string]any{
			flagRegion:          region,
			flagTag:             []string{tag},
			flagOpenPort:        []string{port},
			flagSSHUser:         user,
			flagDiskCategory:    category,
			flagIngressCIDR:     cidr,
			flagDiskSize:        diskSize,
			flagSSHPort:         sshPort,
			flagAccessKeyID:     "ak",
			flagAccessKeySecret: "secret",
		})
		err := d.SetConfigFromFlags(opts)
		if len(opts.InvalidFlags) > 0 {
			t.Fatalf("flags read with the wrong type: %v", opts.InvalidFlags)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "--aliyunecs-") {
				t.Fatalf("the error names no flag: %v", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("the error is not one line: %q", err)
			}
			return
		}
		if !regionPattern.MatchString(d.Region) {
			t.Fatalf("accepted region %q", d.Region)
		}
		if d.SSHPort < 1 || d.SSHPort > 65535 {
			t.Fatalf("accepted SSH port %d", d.SSHPort)
		}
		if d.DiskSize < 0 {
			t.Fatalf("accepted disk size %d", d.DiskSize)
		}
		for _, p := range d.OpenPorts {
			if _, err := parsePortSpec(p); err != nil {
				t.Fatalf("kept open port %q that does not parse: %v", p, err)
			}
		}
		for _, raw := range d.Tags {
			if _, err := parseUserTag(raw); err != nil {
				t.Fatalf("kept tag %q that does not parse: %v", raw, err)
			}
		}
		if strings.ContainsAny(d.SSHUser, " \t\n;|&$`'\"\\/") {
			t.Fatalf("--aliyunecs-ssh-user %q was accepted; a user name with blanks or shell characters can never log in", d.SSHUser)
		}
		if d.CreateNonce == "" || d.SSHUser == "" {
			t.Fatalf("accepted configuration lacks a nonce or an SSH user: %+v", d)
		}
	})
}
