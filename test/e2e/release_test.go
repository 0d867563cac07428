package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"gopkg.in/yaml.v3"
)

// releaseVersion is stamped into test release builds; being unusual, it
// also proves the stamp by appearing in the binary.
const releaseVersion = "v0.0.0-e2e.release.7"

const releaseBase = "https://github.com/aliyunecs/docker-machine-driver-aliyunecs/releases/download/" + releaseVersion

// runRelease runs scripts/release.sh (what `make release` runs) into dist.
func runRelease(t *testing.T, dist string, env ...string) {
	t.Helper()
	out, err := release(repoRoot(t), dist, env...)
	t.Logf("release.sh %v:\n%s", env, out)
	if err != nil {
		t.Fatalf("release.sh: %v", err)
	}
}

// release runs scripts/release.sh and returns its output; it is safe to
// call from any goroutine.
func release(root, dist string, env ...string) (string, error) {
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "release.sh"))
	cmd.Env = append(os.Environ(), "DIST="+dist, "VERSION="+releaseVersion)
	cmd.Env = append(cmd.Env, env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	return fmt.Sprintf("(%s)\n%s", time.Since(start).Round(time.Second), out), err
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestReleaseReproducible builds the linux/amd64 release twice at once and
// requires identical bytes, then checks the archive, SHA256SUMS and the
// NodeDriver manifest of the result.
func TestReleaseReproducible(t *testing.T) {
	dists := []string{t.TempDir(), t.TempDir()}
	root := repoRoot(t)
	outs, errs := make([]string, 2), make([]error, 2)
	var wg sync.WaitGroup
	for i, d := range dists {
		wg.Go(func() { outs[i], errs[i] = release(root, d, "PLATFORMS=linux/amd64") })
	}
	wg.Wait()
	for i := range dists {
		t.Logf("release.sh #%d %s", i+1, outs[i])
		if errs[i] != nil {
			t.Fatalf("release.sh #%d: %v", i+1, errs[i])
		}
	}
	names := []string{harness.DriverBinary + "_linux-amd64.tar.gz", "SHA256SUMS", "nodedriver.yaml"}
	for _, n := range names {
		a, errA := os.ReadFile(filepath.Join(dists[0], n))
		b, errB := os.ReadFile(filepath.Join(dists[1], n))
		if errA != nil || errB != nil {
			t.Fatalf("%s missing: %v %v", n, errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two builds of the same commit", n)
		}
	}
	if entries, _ := os.ReadDir(dists[0]); len(entries) != len(names) {
		t.Errorf("dist holds %d files, want %v", len(entries), names)
	}
	tarball := filepath.Join(dists[0], names[0])
	checkReleaseArchive(t, tarball, "linux", "amd64", releaseVersion)
	checkSums(t, dists[0], names[:1])
	checkManifest(t, filepath.Join(dists[0], "nodedriver.yaml"), releaseBase+"/"+names[0], fileSHA256(t, tarball))
}

// TestReleaseAllPlatforms builds the whole matrix once (slow on a cold
// build cache: four cross builds) with a mirror as download base.
func TestReleaseAllPlatforms(t *testing.T) {
	if testing.Short() || os.Getenv("E2E_RELEASE_ALL") != "1" {
		t.Skip("the full release matrix takes minutes on a cold build cache; set E2E_RELEASE_ALL=1 (make release-check)")
	}
	dist := t.TempDir()
	const mirror = "https://mirror.invalid/drivers/aliyunecs/" + releaseVersion
	runRelease(t, dist, "DOWNLOAD_BASE_URL="+mirror+"/")
	var archives []string
	for _, p := range []struct{ os, arch, ext string }{
		{"linux", "amd64", ".tar.gz"}, {"linux", "arm64", ".tar.gz"},
		{"darwin", "amd64", ".tar.gz"}, {"darwin", "arm64", ".tar.gz"},
		{"windows", "amd64", ".zip"},
	} {
		name := harness.DriverBinary + "_" + p.os + "-" + p.arch + p.ext
		archives = append(archives, name)
		checkReleaseArchive(t, filepath.Join(dist, name), p.os, p.arch, releaseVersion)
	}
	checkSums(t, dist, archives)
	linux := harness.DriverBinary + "_linux-amd64.tar.gz"
	checkManifest(t, filepath.Join(dist, "nodedriver.yaml"), mirror+"/"+linux, fileSHA256(t, filepath.Join(dist, linux)))
}

// TestNodeDriverTemplate checks the committed deploy/rancher/nodedriver.yaml
// without building: the two placeholders release.sh fills, and the rest of
// the manifest as checkManifest wants it.
func TestNodeDriverTemplate(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "rancher", "nodedriver.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ph := range []string{"${DRIVER_URL}", "${DRIVER_CHECKSUM}"} {
		if n := strings.Count(string(raw), ph); n != 1 {
			t.Errorf("the template holds %s %d times, want once", ph, n)
		}
	}
	url := releaseBase + "/" + harness.DriverBinary + "_linux-amd64.tar.gz"
	sum := strings.Repeat("0a", 32)
	filled := strings.NewReplacer("${DRIVER_URL}", url, "${DRIVER_CHECKSUM}", sum).Replace(string(raw))
	path := filepath.Join(t.TempDir(), "nodedriver.yaml")
	if err := os.WriteFile(path, []byte(filled), 0o644); err != nil {
		t.Fatal(err)
	}
	checkManifest(t, path, url, sum)
}

// nodeDriver is the part of a NodeDriver manifest the tests read.
type nodeDriver struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		Active           bool     `yaml:"active"`
		URL              string   `yaml:"url"`
		Checksum         string   `yaml:"checksum"`
		WhitelistDomains []string `yaml:"whitelistDomains"`
	} `yaml:"spec"`
}

func checkManifest(t *testing.T, path, wantURL, wantSum string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nd nodeDriver
	if err := yaml.Unmarshal(raw, &nd); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if nd.APIVersion != "management.cattle.io/v3" || nd.Kind != "NodeDriver" || nd.Metadata.Name != "aliyunecs" {
		t.Errorf("manifest is %s %s %q, want management.cattle.io/v3 NodeDriver aliyunecs", nd.APIVersion, nd.Kind, nd.Metadata.Name)
	}
	if !nd.Spec.Active {
		t.Error("spec.active is not true")
	}
	if nd.Spec.URL != wantURL {
		t.Errorf("spec.url = %q, want %q", nd.Spec.URL, wantURL)
	}
	if nd.Spec.Checksum != wantSum {
		t.Errorf("spec.checksum = %q, want the archive's sha256 %q", nd.Spec.Checksum, wantSum)
	}
	// Rancher's job derives the driver name from the URL's file name:
	// prefix stripped, cut at the first '-', '_' or '.'.
	base := filepath.Base(nd.Spec.URL)
	rest, ok := strings.CutPrefix(base, "docker-machine-driver-")
	if i := strings.IndexAny(rest, "-_."); i >= 0 {
		rest = rest[:i]
	}
	if !ok || rest != "aliyunecs" {
		t.Errorf("Rancher would name the driver of %s %q, want aliyunecs", base, rest)
	}
	want := map[string]string{
		"publicCredentialFields":                     "accessKeyId",
		"privateCredentialFields":                    "accessKeySecret",
		"passwordFields":                             "sshPassword",
		"nodedriver.cattle.io/file-to-field-aliases": "sshKeyContents:sshKeypath,userdata:userdata",
	}
	for k, v := range want {
		if got := nd.Metadata.Annotations[k]; got != v {
			t.Errorf("annotation %s = %q, want %q", k, got, v)
		}
	}
	for _, d := range []string{"ecs.aliyuncs.com", "vpc.aliyuncs.com", "*.aliyuncs.com"} {
		if !slices.Contains(nd.Spec.WhitelistDomains, d) {
			t.Errorf("whitelistDomains %v lacks %s", nd.Spec.WhitelistDomains, d)
		}
	}
	for _, d := range nd.Spec.WhitelistDomains {
		if d != "aliyuncs.com" && !strings.HasSuffix(d, ".aliyuncs.com") {
			t.Errorf("whitelistDomains holds %s, which is not an Alibaba Cloud API host", d)
		}
	}
}

// checkSums requires SHA256SUMS to list exactly the archives, with their
// hashes, in sha256sum's format.
func checkSums(t *testing.T, dist string, archives []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, a := range slices.Sorted(slices.Values(archives)) {
		want = append(want, fileSHA256(t, filepath.Join(dist, a))+"  "+a)
	}
	if got := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n"); !slices.Equal(got, want) {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", raw, strings.Join(want, "\n"))
	}
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
