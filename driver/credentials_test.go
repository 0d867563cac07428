package driver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

func TestUnmarshalJSONTakesTheCurrentCredential(t *testing.T) {
	saved := NewDriver("node-1", "/store")
	saved.AccessKeyID, saved.AccessKeySecret, saved.InstanceID = "old-id", "old-secret", "i-1"
	raw, err := json.Marshal(saved)
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv(envAccessKeyID, "new-id")
	t.Setenv(envAccessKeySecret, "new-secret")
	d := New()
	d.timeouts.Delete = 42 // runtime settings survive SetConfigRaw
	if err := json.Unmarshal(raw, d); err != nil {
		t.Fatal(err)
	}
	if d.AccessKeyID != "new-id" || d.AccessKeySecret != "new-secret" {
		t.Fatalf("credential not refreshed: %q", d.AccessKeyID)
	}
	if d.InstanceID != "i-1" || d.MachineName != "node-1" || d.timeouts.Delete != 42 {
		t.Fatalf("persisted or runtime state lost: %+v", d)
	}

	// Without a current credential the saved one stays.
	t.Setenv(envAccessKeyID, "")
	t.Setenv(envAccessKeySecret, "")
	d = New()
	if err := json.Unmarshal(raw, d); err != nil {
		t.Fatal(err)
	}
	if d.AccessKeyID != "old-id" {
		t.Fatalf("saved credential dropped: %q", d.AccessKeyID)
	}
}

func TestSSHPasswordIsNeverPersisted(t *testing.T) {
	d := NewDriver("node-1", "/store")
	d.SSHPassword = "Secr3t-Passw0rd"
	raw, _ := json.Marshal(d)
	if strings.Contains(string(raw), "Secr3t-Passw0rd") {
		t.Fatal("the SSH password is in the machine config")
	}
}

// TestDefaultCredentialChain: with no key given the SDK's chain is used, here
// an Alibaba Cloud credentials profile file.
func TestDefaultCredentialChain(t *testing.T) {
	w := newSimWorld(t)
	profile := filepath.Join(t.TempDir(), "credentials")
	ini := "[default]\ntype = access_key\naccess_key_id = " + ecssim.DefaultAccessKeyID +
		"\naccess_key_secret = " + ecssim.DefaultAccessKeySecret + "\n"
	if err := os.WriteFile(profile, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ECS_ACCESS_KEY_ID", "ECS_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", envAccessKeyID, envAccessKeySecret} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", profile)
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
	d := w.driver(t, "node-chain", map[string]any{flagAccessKeyID: "", flagAccessKeySecret: ""})
	if d.AccessKeyID != "" {
		t.Fatalf("a key came from somewhere: %q", d.AccessKeyID)
	}
	if err := d.PreCreateCheck(); err != nil {
		t.Fatalf("PreCreateCheck with the profile credential: %v", err)
	}
}
