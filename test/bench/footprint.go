package bench

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Binary-size limits of the stripped linux/amd64 plugin: the target, and
// the hard limit TestStrippedBinarySize enforces.
const (
	TargetBinaryBytes = 16 << 20
	MaxBinaryBytes    = 20 << 20
)

// TarballPath is where scripts/release.sh puts the linux/amd64 archive.
const TarballPath = "dist/docker-machine-driver-aliyunecs_linux-amd64.tar.gz"

// BuildStripped builds the plugin of the module at root for linux/amd64 the
// way releases are built (CGO_ENABLED=0, -trimpath, -ldflags '-s -w') into
// out.
func BuildStripped(ctx context.Context, root, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	return nil
}

// ModuleRoot returns the directory of the main module's go.mod.
func ModuleRoot(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module")
	}
	return filepath.Dir(mod), nil
}

// Tarball returns the size of the linux/amd64 release archive and says
// where it came from: scripts/release.sh run for that platform into dir;
// if the script fails, the archive in dist/ when there is one; otherwise
// one built here like the script's (the binary bin alone at the archive
// root, gzip).
func Tarball(ctx context.Context, root, bin, dir string) (size int64, source string, err error) {
	script := filepath.Join(root, "scripts", "release.sh")
	if _, err := os.Stat(script); err == nil {
		cmd := exec.CommandContext(ctx, "bash", script)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "PLATFORMS=linux/amd64", "DIST="+filepath.Join(dir, "dist"), "VERSION=bench")
		out, runErr := cmd.CombinedOutput()
		if st, err := os.Stat(filepath.Join(dir, "dist", filepath.Base(TarballPath))); runErr == nil && err == nil {
			return st.Size(), "made by `PLATFORMS=linux/amd64 scripts/release.sh`", nil
		}
		source = fmt.Sprintf(" (scripts/release.sh failed: %s)", errorLine(string(out)))
	}
	if st, err := os.Stat(filepath.Join(root, TarballPath)); err == nil {
		return st.Size(), TarballPath + source, nil
	}
	path := filepath.Join(dir, filepath.Base(TarballPath))
	f, err := os.Create(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	if err := addToTar(tw, "docker-machine-driver-aliyunecs", bin); err != nil {
		return 0, "", err
	}
	if err := tw.Close(); err != nil {
		return 0, "", err
	}
	if err := zw.Close(); err != nil {
		return 0, "", err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, "", err
	}
	return st.Size(), "built by the benchmark like the release script's" + source, nil
}

func addToTar(tw *tar.Writer, name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	hdr, err := tar.FileInfoHeader(st, "")
	if err != nil {
		return err
	}
	hdr.Name = name
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// Startup is one plugin start: until its first stdout line (the RPC
// address) and until the answer of its first RPC.
type Startup struct {
	FirstLine, FirstRPC time.Duration
}

// PluginStartup starts the plugin bin as rancher-machine does
// (MACHINE_PLUGIN_TOKEN=42), times its first stdout line, connects to the
// announced loopback address, calls RPCServerDriver.GetVersion over net/rpc
// HTTP, then asks it to close.
func PluginStartup(ctx context.Context, bin string) (Startup, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "MACHINE_PLUGIN_TOKEN=42")
	cmd.WaitDelay = 2 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Startup{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Startup{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return Startup{}, fmt.Errorf("plugin printed no address: %w", err)
	}
	var s Startup
	s.FirstLine = time.Since(start)
	addr := strings.TrimSpace(line)
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return s, fmt.Errorf("plugin announced %q, not a loopback address", addr)
	}
	client, err := rpc.DialHTTP("tcp", addr)
	if err != nil {
		return s, err
	}
	defer client.Close()
	var version int
	if err := client.Call("RPCServerDriver.GetVersion", new(struct{}), &version); err != nil {
		return s, fmt.Errorf("GetVersion: %w", err)
	}
	s.FirstRPC = time.Since(start)
	_ = client.Call("RPCServerDriver.Close", new(struct{}), new(struct{}))
	return s, nil
}
