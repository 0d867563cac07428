package harness

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rancher/machine/libmachine/mcnflag"
)

// TestRancherArgsShape checks the job argv builder and the entrypoint split
// on the cases Rancher's code distinguishes.
func TestRancherArgsShape(t *testing.T) {
	spec := map[string]any{
		"providerID": "rke2://x", "common": map[string]any{"labels": map[string]any{}},
		"vswitchId": "vsw-1", "zone": "", "privateAddressOnly": true, "upgradeKernel": false,
		"diskSize": float64(40), "tag": []any{"a=b=c", "d=e"}, "description": nil,
	}
	args := RancherToArgs("aliyunecs", spec)
	want := map[string]int{
		"--aliyunecs-vswitch-id=vsw-1": 1, "--aliyunecs-private-address-only": 1,
		"--aliyunecs-disk-size=40": 1, "--aliyunecs-tag=a=b=c": 1, "--aliyunecs-tag=d=e": 1,
	}
	got := map[string]int{}
	for _, a := range args {
		got[a]++
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("toArgs = %v, want %v", args, want)
	}
	if i, j := slices.Index(args, "--aliyunecs-tag=a=b=c"), slices.Index(args, "--aliyunecs-tag=d=e"); i > j {
		t.Errorf("array elements out of order: %v", args)
	}
	split := EntrypointArgs([]string{"--driver-download-url=https://x/y", "--driver-hash=ab", "create",
		"--aliyunecs-tag=a=b=c", "--aliyunecs-private-address-only", "--aliyunecs-zone=", "m1"})
	wantSplit := []string{"create", "--aliyunecs-tag", "a=b=c", "--aliyunecs-private-address-only", "--aliyunecs-zone", "", "m1"}
	if !reflect.DeepEqual(split, wantSplit) {
		t.Errorf("entrypoint split = %q, want %q", split, wantSplit)
	}
	if got := WithoutSecretStore([]string{"--secret-namespace", "ns", "--secret-name", "s", "rm", "-y", "m"}); !reflect.DeepEqual(got, []string{"rm", "-y", "m"}) {
		t.Errorf("WithoutSecretStore = %q", got)
	}
}

func TestRancherNames(t *testing.T) {
	for flag, field := range map[string]string{
		"aliyunecs-vswitch-id": "vswitchId", "aliyunecs-ssh-keypath": "sshKeypath",
		"aliyunecs-internet-max-bandwidth": "internetMaxBandwidth", "aliyunecs-zone": "zone",
	} {
		got, err := RancherLowerCamel(flag)
		if err != nil || got != field {
			t.Errorf("RancherLowerCamel(%s) = %q, %v; want %s", flag, got, err, field)
		}
		if back := RancherFlagName("aliyunecs", field); back != "--"+flag {
			t.Errorf("RancherFlagName(%s) = %s", field, back)
		}
	}
	// The hazard Rancher's docs warn about: a digit word does not survive.
	f, _ := RancherLowerCamel("aliyunecs-disk-2-size")
	if RancherFlagName("aliyunecs", f) == "--aliyunecs-disk-2-size" {
		t.Error("a digit word unexpectedly survives the round trip")
	}
	if _, err := RancherLowerCamel("nodash"); err == nil {
		t.Error("a flag without the driver prefix must be an error")
	}
	fields, err := RancherSchema([]mcnflag.Flag{
		mcnflag.IntFlag{Name: "aliyunecs-period", Value: 3},
		mcnflag.BoolFlag{Name: "aliyunecs-on"},
		mcnflag.StringSliceFlag{Name: "aliyunecs-tag", Value: []string{"a=b"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fields[0].Type != "string" || fields[0].Default != "3" || fields[1].Type != "boolean" || fields[2].Type != "array[string]" {
		t.Errorf("schema fields %+v", fields)
	}
}

func TestStateArchiveRoundTrip(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(JobStorePath(home), "machines", "m1")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"config.json": `{"Name":"m1"}`, "id_rsa": "KEY", "boot2docker.iso": "big"}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	archive, err := TarMachines(filepath.Join(JobStorePath(home), "machines"))
	if err != nil {
		t.Fatal(err)
	}
	names, _ := ArchiveNames(archive)
	want := []string{dir, filepath.Join(dir, "config.json"), filepath.Join(dir, "id_rsa")}
	if !slices.Equal(names, want) {
		t.Errorf("archive holds %v, want %v (absolute, no .iso)", names, want)
	}
	if err := os.RemoveAll(filepath.Join(home, ".docker")); err != nil {
		t.Fatal(err)
	}
	if err := RestoreMachines(archive, home); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "id_rsa"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("restored key: %v %v", st, err)
	}
	if err := RestoreMachines(archive, t.TempDir()); err == nil || !strings.Contains(err.Error(), "not under") {
		t.Errorf("restoring outside the allowed root: %v", err)
	}
}

func TestScanDriverActions(t *testing.T) {
	dir := t.TempDir()
	src := `package ecs
var (
	productECS = product{name: "Ecs", version: "2014-05-26"}
	productSLB = product{name: "Slb", version: "2014-05-15"}
)
func (c *Client) Run() error { return c.call(ctx, productECS, "RunInstances", nil, nil) }
func (c *Client) Add() error { return c.backend(ctx, "AddBackendServers") }
func (c *Client) backend(ctx context.Context, action string) error { return c.call(ctx, productSLB, action, nil, nil) }
`
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ScanDriverActions(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Sorted(); !slices.Equal(s, []string{"ecs:RunInstances", "slb:AddBackendServers"}) {
		t.Errorf("actions %v", s)
	}
	if a := got.ActionOf(Call{Version: "2014-05-15", Action: "X"}); a != "slb:X" {
		t.Errorf("ActionOf = %s", a)
	}
	bad := src + "func (c *Client) Bad(name string) error { x := name; return c.call(ctx, productECS, x, nil, nil) }\n"
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ScanDriverActions(dir); err == nil {
		t.Error("an action name the scan cannot resolve must be an error")
	}
}
