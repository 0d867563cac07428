//go:build linux

package userdata

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The data-disk script is run for real, in a private mount namespace with a
// scratch /dev and /etc/fstab, against stubs of the disk tools. It needs root
// and unshare(1); elsewhere the test is skipped.

// stubs replace the tools that touch disks; each logs to $STATE/log.
var stubs = map[string]string{
	"mountpoint": `[ -f "$STATE/mounted" ]`,
	"findmnt":    `echo /dev/vda1`,
	// lsblk -nsro NAME,TYPE SOURCE: the device and its ancestors
	"lsblk": `echo "vda1 part"; cat "$STATE/root"`,
	// blkid -p -o value -s TAG DEV
	"blkid":     `case $5 in TYPE) f=fs ;; PTTYPE) f=pt ;; UUID) echo 0000-test; exit 0 ;; esac; [ -f "$STATE/$f" ] || exit 2; cat "$STATE/$f"`,
	"mkfs.ext4": `echo "mkfs.ext4 $*" >> "$STATE/log"; echo ext4 > "$STATE/fs"`,
	"mount":     `echo "mount $*" >> "$STATE/log"; touch "$STATE/mounted"`,
	"systemctl": `echo "systemctl $*" >> "$STATE/log"`,
	"sleep":     `echo sleep >> "$STATE/log"`,
}

const sandboxReady = "sandbox-ready"

type sandbox struct {
	t                     *testing.T
	bin, state, fstab, mp string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1)")
	}
	dir := t.TempDir()
	s := &sandbox{t: t, bin: filepath.Join(dir, "bin"), state: filepath.Join(dir, "state"),
		fstab: filepath.Join(dir, "fstab"), mp: filepath.Join(dir, "mnt", "data")}
	for _, d := range []string{s.bin, s.state} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range stubs {
		if err := os.WriteFile(filepath.Join(s.bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Only these real tools are reachable, so no real mkfs or mount runs.
	for _, tool := range []string{"sh", "awk", "cat", "mkdir", "touch"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("needs %s", tool)
		}
		if err := os.Symlink(p, filepath.Join(s.bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	s.write("fstab", "/dev/vda1 / ext4 defaults 0 1\n")
	s.write("state/root", "vda disk\n")
	return s
}

func (s *sandbox) write(rel, content string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(filepath.Dir(s.state), rel), []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *sandbox) read(rel string) string {
	b, _ := os.ReadFile(filepath.Join(filepath.Dir(s.state), rel))
	return string(b)
}

// run executes the bootcmd entry with block devices devs present in /dev.
func (s *sandbox) run(devs []string, d DataDisk) (string, error) {
	s.t.Helper()
	_ = os.Remove(filepath.Join(s.state, "log"))
	entry := bootcmdEntry(d)
	setup := `set -e
mount --bind "$FSTAB" /etc/fstab
mount -t tmpfs sandbox-dev /dev
mknod /dev/null c 1 3 && chmod 666 /dev/null
for d in $DEVS; do mknod "/dev/$d" b 7 250; done
echo ` + sandboxReady + `
PATH=$BIN exec "$@"`
	cmd := exec.Command("unshare", append([]string{"-m", "--propagation", "private", "sh", "-c", setup, "setup"}, entry...)...)
	cmd.Env = append(os.Environ(), "FSTAB="+s.fstab, "DEVS="+strings.Join(devs, " "), "BIN="+s.bin, "STATE="+s.state)
	out, err := cmd.CombinedOutput()
	before, after, ok := strings.Cut(string(out), sandboxReady+"\n")
	if !ok {
		// unshare, mount or mknod not permitted (no CAP_SYS_ADMIN, ...).
		s.t.Skipf("cannot build the sandbox here: %v\n%s", err, before)
	}
	return after, err
}

func TestDiskScriptInSandbox(t *testing.T) {
	s := newSandbox(t)
	disk := DataDisk{MountPoint: s.mp}

	// First boot: blank disk, found among the candidates, formatted, mounted.
	out, err := s.run([]string{"vdb"}, disk)
	if err != nil {
		t.Fatalf("first boot: %v\n%s", err, out)
	}
	want := "mkfs.ext4 -q -F /dev/vdb\nsystemctl daemon-reload\nmount " + s.mp + "\n"
	if got := s.read("state/log"); got != want {
		t.Errorf("first boot ran:\n%s\nwant:\n%s", got, want)
	}
	fstab := s.read("fstab")
	if !strings.HasSuffix(fstab, "UUID=0000-test "+s.mp+" ext4 defaults,nofail 0 2\n") {
		t.Errorf("fstab:\n%s", fstab)
	}

	// Reboot before the mount: no second mkfs, no second fstab line.
	_ = os.Remove(filepath.Join(s.state, "mounted"))
	if out, err := s.run([]string{"vdb"}, disk); err != nil {
		t.Fatalf("reboot: %v\n%s", err, out)
	}
	if got := s.read("state/log"); got != "mount "+s.mp+"\n" || s.read("fstab") != fstab {
		t.Errorf("reboot ran:\n%s\nfstab:\n%s", got, s.read("fstab"))
	}

	// Already mounted: nothing at all.
	if out, err := s.run([]string{"vdb"}, disk); err != nil || s.read("state/log") != "" {
		t.Errorf("mounted: err=%v log=%q out=%s", err, s.read("state/log"), out)
	}
}

func TestDiskScriptSkipsRootDisk(t *testing.T) {
	tests := []struct {
		root string   // lsblk output for the disk holding /
		devs []string // block devices present
		want string
	}{
		{"vda disk", []string{"vda", "vdb"}, "/dev/vdb"},
		{"nvme0n1 disk", []string{"nvme0n1", "nvme1n1"}, "/dev/nvme1n1"},
		{"nvme1n1 disk", []string{"nvme0n1", "nvme1n1"}, "/dev/nvme0n1"},
		{"", []string{"nvme0n1", "xvdb"}, "/dev/xvdb"},
	}
	for _, tt := range tests {
		s := newSandbox(t)
		s.write("state/root", tt.root+"\n")
		out, err := s.run(tt.devs, DataDisk{FS: "ext4", MountPoint: s.mp})
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if log := s.read("state/log"); !strings.HasPrefix(log, "mkfs.ext4 -q -F "+tt.want+"\n") {
			t.Errorf("root %q, disks %v: ran\n%s\nwant mkfs of %s", tt.root, tt.devs, log, tt.want)
		}
	}
}

func TestDiskScriptRefusesToFormat(t *testing.T) {
	s := newSandbox(t)
	s.write("state/pt", "gpt\n")
	out, err := s.run([]string{"vdb"}, DataDisk{MountPoint: s.mp})
	if err == nil || !strings.Contains(out, "/dev/vdb has a partition table") || strings.Contains(s.read("state/log"), "mkfs") {
		t.Errorf("partition table: err=%v out=%s log=%s", err, out, s.read("state/log"))
	}
	_ = os.Remove(filepath.Join(s.state, "pt"))
	out, err = s.run([]string{"vdb"}, DataDisk{FS: "xfs", MountPoint: s.mp})
	if err == nil || !strings.Contains(out, "mkfs.xfs is not installed") {
		t.Errorf("no mkfs.xfs: err=%v out=%s", err, out)
	}
	// With / on an unknown disk, nvme0n1 may be the system disk.
	s.write("state/root", "\n")
	out, err = s.run([]string{"nvme0n1"}, DataDisk{MountPoint: s.mp})
	if err == nil || !strings.Contains(out, "no data disk found") {
		t.Errorf("nvme0n1 with unknown root: err=%v out=%s", err, out)
	}
	_ = os.Remove(filepath.Join(s.state, "mounted"))
	out, err = s.run(nil, DataDisk{Device: "/dev/vdc", MountPoint: s.mp})
	if err == nil || !strings.Contains(out, "no data disk found among /dev/vdc") || strings.Count(s.read("state/log"), "sleep") != 59 {
		t.Errorf("missing disk: err=%v out=%s", err, out)
	}
}
