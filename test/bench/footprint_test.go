package bench

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var stripped struct {
	once sync.Once
	path string
	err  error
}

// strippedBinary builds the stripped linux/amd64 plugin once per test run.
func strippedBinary(t *testing.T) string {
	t.Helper()
	stripped.once.Do(func() {
		dir, err := os.MkdirTemp("", "bench-stripped-")
		if err != nil {
			stripped.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		root, err := ModuleRoot(ctx)
		if err != nil {
			stripped.err = err
			return
		}
		stripped.path = filepath.Join(dir, "docker-machine-driver-aliyunecs")
		stripped.err = BuildStripped(ctx, root, stripped.path)
	})
	if stripped.err != nil {
		t.Fatal(stripped.err)
	}
	return stripped.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if stripped.path != "" {
		os.RemoveAll(filepath.Dir(stripped.path))
	}
	os.Exit(code)
}

// TestStrippedBinarySize fails when the release build of the plugin grows
// above MaxBinaryBytes: every Rancher job downloads it.
func TestStrippedBinarySize(t *testing.T) {
	st, err := os.Stat(strippedBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stripped linux/amd64 binary: %d bytes (%.1f MiB); target %d MiB, limit %d MiB",
		st.Size(), float64(st.Size())/(1<<20), TargetBinaryBytes>>20, MaxBinaryBytes>>20)
	if st.Size() > MaxBinaryBytes {
		t.Fatalf("the stripped binary is %d bytes, above the %d-byte limit: a new dependency (e.g. the SDK's generated "+
			"services packages) probably came in; see DESIGN.md on why ecs/ sits on the SDK core", st.Size(), int64(MaxBinaryBytes))
	}
}

// TestPluginStartup starts the plugin as rancher-machine does and makes its
// first RPC.
func TestPluginStartup(t *testing.T) {
	s, err := PluginStartup(context.Background(), strippedBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.FirstLine <= 0 || s.FirstRPC < s.FirstLine {
		t.Fatalf("start-up %+v", s)
	}
	t.Logf("first line after %s, first RPC answered after %s", s.FirstLine, s.FirstRPC)
}

func TestTarballBuiltWhenDistHasNone(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "plugin")
	if err := os.WriteFile(bin, make([]byte, 1<<16), 0o755); err != nil {
		t.Fatal(err)
	}
	size, source, err := Tarball(context.Background(), root, bin, t.TempDir())
	if err != nil || size <= 0 || size > 1<<16 {
		t.Fatalf("Tarball = %d, %q, %v", size, source, err)
	}
}
