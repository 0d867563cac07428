package reliability

import (
	"fmt"
	"strings"
	"testing"
)

// badCase is one invalid configuration.
type badCase struct {
	name  string
	flags []string
	// setup prepares the world (cloud-side cases) and returns more flags.
	setup func(t *testing.T, w *world) []string
	// plain runs create without --custom-install-script, as a person at the
	// CLI does (rancher-machine reads --aliyunecs-userdata itself in
	// Rancher mode, before the driver sees it).
	plain bool
	env   []string
	// want: the last line must contain one of these (a flag or a code).
	want []string
	// short puts the case into the subset `make test` runs.
	short bool
}

// flagCase is a case whose message must name the flag it sets.
func flagCase(name, flag, value string, more ...string) badCase {
	return badCase{name: name, flags: append([]string{"--" + flag, value}, more...), want: []string{"--" + flag}}
}

// badFlagCases are invalid flag values; each fails in SetConfigFromFlags
// or PreCreateCheck.
func badFlagCases() []badCase {
	tooLong := strings.Repeat("v", 129)
	return []badCase{
		flagCase("region-syntax", "aliyunecs-region", "CN_Hangzhou!"),
		flagCase("region-unknown", "aliyunecs-region", "xx-nowhere-9"),
		flagCase("zone-unknown", "aliyunecs-zone", "cn-hangzhou-zz"),
		flagCase("type-unknown", "aliyunecs-instance-type", "ecs.nope9.large"),
		flagCase("image-id-unknown", "aliyunecs-image-id", "m-doesnotexist0000"),
		flagCase("image-name-unknown", "aliyunecs-image-id", "no_such_image_20G.vhd"),
		flagCase("ingress-cidr-bits", "aliyunecs-ingress-cidr", "10.0.0.0/33"),
		flagCase("ingress-cidr-text", "aliyunecs-ingress-cidr", "not-a-cidr"),
		flagCase("private-ip", "aliyunecs-private-ip", "10.0.0.999"),
		flagCase("tag-no-value", "aliyunecs-tag", "novalue"),
		flagCase("tag-aliyun-prefix", "aliyunecs-tag", "aliyun:x=1"),
		flagCase("tag-reserved", "aliyunecs-tag", "docker-machine-name=other"),
		flagCase("tag-too-long", "aliyunecs-tag", "k="+tooLong),
		flagCase("tag-url-value", "aliyunecs-tag", "wiki=https://wiki.example.test"),
		{name: "tag-count", flags: manyTags(18), want: []string{"--aliyunecs-tag"}},
		flagCase("port-zero", "aliyunecs-open-port", "0"),
		flagCase("port-too-big", "aliyunecs-open-port", "70000"),
		flagCase("port-protocol", "aliyunecs-open-port", "80/icmp"),
		flagCase("port-range-backwards", "aliyunecs-open-port", "20-10"),
		flagCase("disk-size-negative", "aliyunecs-disk-size", "-1"),
		flagCase("disk-size-huge", "aliyunecs-disk-size", "40000"),
		flagCase("disk-category", "aliyunecs-disk-category", "cloud_fast"),
		flagCase("system-disk-size", "aliyunecs-system-disk-size", "10"),
		flagCase("system-disk-category", "aliyunecs-system-disk-category", "floppy"),
		flagCase("disk-fs", "aliyunecs-disk-fs", "btrfs"),
		flagCase("ipv6-count-negative", "aliyunecs-ipv6address-count", "-1"),
		flagCase("ipv6-count-huge", "aliyunecs-ipv6address-count", "11"),
		flagCase("deployment-set-syntax", "aliyunecs-deployment-set-id", "my-set"),
		flagCase("disk-performance-level", "aliyunecs-system-disk-performance-level", "PL9", "--aliyunecs-system-disk-category", "cloud_essd"),
		flagCase("spot-strategy", "aliyunecs-spot-strategy", "Cheap"),
		{name: "spot-limit-missing", flags: []string{"--aliyunecs-spot-strategy", "SpotWithPriceLimit"}, want: []string{"--aliyunecs-spot-price-limit"}},
		flagCase("spot-price-negative", "aliyunecs-spot-price-limit", "-1"),
		flagCase("spot-price-text", "aliyunecs-spot-price-limit", "cheap"),
		flagCase("spot-duration", "aliyunecs-spot-duration", "3"),
		flagCase("charge-type", "aliyunecs-instance-charge-type", "Monthly"),
		{name: "period-zero", flags: []string{"--aliyunecs-instance-charge-type", "PrePaid", "--aliyunecs-period", "0"}, want: []string{"--aliyunecs-period"}},
		{name: "period-unit", flags: []string{"--aliyunecs-instance-charge-type", "PrePaid", "--aliyunecs-period", "1", "--aliyunecs-period-unit", "Year"}, want: []string{"--aliyunecs-period-unit"}},
		flagCase("bandwidth-huge", "aliyunecs-internet-max-bandwidth", "500"),
		flagCase("bandwidth-negative", "aliyunecs-internet-max-bandwidth", "-5"),
		flagCase("internet-charge-type", "aliyunecs-internet-charge-type", "PayByMonth"),
		flagCase("io-optimized", "aliyunecs-io-optimized", "maybe"),
		flagCase("metadata-tokens", "aliyunecs-metadata-http-tokens", "sometimes"),
		flagCase("kms-without-encryption", "aliyunecs-kms-key-id", "key-123"),
		flagCase("ssh-port-huge", "aliyunecs-ssh-port", "70000"),
		flagCase("ssh-port-negative", "aliyunecs-ssh-port", "-1"),
		flagCase("ssh-user-space", "aliyunecs-ssh-user", "root user"),
		flagCase("ssh-user-shell", "aliyunecs-ssh-user", "root;reboot"),
		flagCase("ssh-password-short", "aliyunecs-ssh-password", "short"),
		flagCase("ssh-keypair-without-key", "aliyunecs-ssh-keypair", "my-pair"),
		flagCase("ssh-wait", "aliyunecs-ssh-wait-timeout", "99999"),
		flagCase("endpoint-scheme", "aliyunecs-api-endpoint", "ftp://127.0.0.1:1/"),
		{name: "eip-and-private-only", flags: []string{"--aliyunecs-private-address-only", "--aliyunecs-allocate-public-static-ip"},
			want: []string{"--aliyunecs-private-address-only"}},
		{name: "secret-without-id", env: []string{"ALIYUNECS_ACCESS_KEY_ID="}, want: []string{"--aliyunecs-access-key-id"}},
	}
}

// manyTags returns n --aliyunecs-tag flags: ECS takes 20 tags per
// resource, and the driver adds three of its own.
func manyTags(n int) []string {
	var out []string
	for i := range n {
		out = append(out, "--aliyunecs-tag", fmt.Sprintf("k%d=v", i))
	}
	return out
}

// shortBadCases are the flag cases `make test` runs.
var shortBadCases = map[string]bool{
	"region-unknown": true, "tag-reserved": true, "port-protocol": true, "spot-limit-missing": true,
}

// TestBadInput runs every invalid configuration: each fails with a message
// naming the flag or the cloud's code, and the cloud sees no mutating call.
func TestBadInput(t *testing.T) {
	parallelTop(t)
	cases := append(badFlagCases(), badUserDataCases()...)
	cases = append(cases, badCloudCases()...)
	if !full {
		var short []badCase
		for _, c := range cases {
			if c.short || shortBadCases[c.name] {
				short = append(short, c)
			}
		}
		cases = short
	}
	var tl tally
	runParallel(t, len(cases), parallelism(), func(i int) string { return cases[i].name }, func(t *testing.T, i int) {
		runBadCase(t, cases[i], i, &tl)
	})
	fmt.Printf("bad input: %d cases, %d rejected before any mutating call\n", len(cases), tl.get("rejected"))
	tl.printNotes("bad input")
}

func runBadCase(t *testing.T, c badCase, i int, tl *tally) {
	w := newWorld(t, worldOptions{})
	w.m.ExtraEnv = append(w.m.ExtraEnv, c.env...)
	flags := append([]string(nil), c.flags...)
	if c.setup != nil {
		flags = append(flags, c.setup(t, w)...)
	}
	script := ""
	if !c.plain {
		script = writeScript(t, t.TempDir(), "bad-token")
	}
	name := uniqueName("bad", i)
	res := w.create(name, script, flags...)
	last := lastLine(res.Output)
	t.Logf("exit %d: %s", res.ExitCode, last)
	ok := true
	if res.ExitCode == 0 {
		ok = false
		t.Errorf("create succeeded")
	} else if !containsAny(last, c.want) {
		ok = false
		t.Errorf("the failure does not name any of %q: %q", c.want, last)
	}
	if m := w.mutations(0); len(m) > 0 {
		ok = false
		t.Errorf("the cloud saw %d mutating calls, first %s", len(m), m[0].Action)
	}
	if res.ExitCode == 0 {
		w.rm(name)
	}
	if left := w.settle(name, true); len(left) > 0 {
		ok = false
		t.Errorf("left in the cloud: %v", left)
	}
	if ok {
		tl.add("rejected")
	} else {
		t.Logf("create output:\n%s", tail(res.Output, 15))
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
