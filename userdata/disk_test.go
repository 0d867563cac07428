package userdata

import (
	"os/exec"
	"strings"
	"testing"
)

func TestDataDiskValidation(t *testing.T) {
	tests := []struct {
		disk DataDisk
		ok   bool
	}{
		{DataDisk{MountPoint: "/var/lib/rancher"}, true},
		{DataDisk{FS: "xfs", MountPoint: "/data", Device: "/dev/nvme1n1"}, true},
		{DataDisk{FS: "ext4", MountPoint: "/mnt/disk_1.a-b"}, true},
		{DataDisk{FS: "btrfs", MountPoint: "/data"}, false},
		{DataDisk{MountPoint: ""}, false},
		{DataDisk{MountPoint: "/"}, false},
		{DataDisk{MountPoint: "data"}, false},
		{DataDisk{MountPoint: "/my data"}, false},
		{DataDisk{MountPoint: "/data;reboot"}, false},
		{DataDisk{MountPoint: "/data/../etc"}, false},
		{DataDisk{MountPoint: "/data", Device: "vdb"}, false},
		{DataDisk{MountPoint: "/data", Device: "/dev/vdb$(x)"}, false},
	}
	for _, tt := range tests {
		_, err := Build(Options{DataDisk: &tt.disk})
		if (err == nil) != tt.ok {
			t.Errorf("%+v: error = %v, want ok=%v", tt.disk, err, tt.ok)
		}
	}
}

func TestDiskScriptIsValidShell(t *testing.T) {
	for _, shell := range []string{"sh", "dash", "bash"} {
		path, err := exec.LookPath(shell)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-n", "-c", diskScript).CombinedOutput()
		if err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, out)
		}
	}
}

func TestDiskScriptShape(t *testing.T) {
	// Block YAML literal styles cannot hold tabs or trailing spaces; the
	// encoder would fall back to an unreadable quoted string.
	for i, line := range strings.Split(diskScript, "\n") {
		if strings.Contains(line, "\t") || strings.HasSuffix(line, " ") {
			t.Errorf("line %d has a tab or trailing space: %q", i+1, line)
		}
	}
	got := bootcmdEntry(DataDisk{MountPoint: "/data"})
	want := []string{"sh", "-c", diskScript, "aliyunecs-datadisk", "", "ext4", "/data"}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("bootcmdEntry = %q", got[3:])
	}
}
