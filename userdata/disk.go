package userdata

import (
	"fmt"
	"regexp"
	"strings"
)

// DataDisk asks for the instance's data disk to be formatted (when blank) and
// mounted on every boot.
type DataDisk struct {
	// Device is the block device, e.g. /dev/vdb. Empty lets the guest find
	// it: the name depends on the instance family (/dev/vdb on virtio,
	// /dev/xvdb on Xen-era families, /dev/nvme1n1 or /dev/nvme0n1 on NVMe
	// families) and the driver cannot know which one an instance type gets.
	Device string
	// FS is "ext4" or "xfs"; empty means ext4.
	FS string
	// MountPoint is an absolute path such as /var/lib/rancher.
	MountPoint string
}

// safePath keeps device and mount point names free of whitespace, which
// /etc/fstab cannot hold unescaped, and of shell or YAML metacharacters.
var safePath = regexp.MustCompile(`^/[A-Za-z0-9._/-]*$`)

func (d DataDisk) validate() error {
	switch d.FS {
	case "", "ext4", "xfs":
	default:
		return fmt.Errorf("userdata: data disk filesystem %q is not ext4 or xfs", d.FS)
	}
	if d.MountPoint == "/" || !safePath.MatchString(d.MountPoint) || strings.Contains(d.MountPoint, "..") {
		return fmt.Errorf("userdata: data disk mount point %q must be an absolute path other than / made of letters, digits and ._-/", d.MountPoint)
	}
	if d.Device != "" && (!strings.HasPrefix(d.Device, "/dev/") || !safePath.MatchString(d.Device)) {
		return fmt.Errorf("userdata: data disk device %q must be a /dev/... path", d.Device)
	}
	return nil
}

func (d DataDisk) fs() string {
	if d.FS == "" {
		return "ext4"
	}
	return d.FS
}

// The data disk is set up by a bootcmd entry rather than cloud-init's
// disk_setup/fs_setup/mounts modules because:
//   - those modules need the device name up front, and on ECS it depends on
//     the instance family (vdb, xvdb, or nvme0n1/nvme1n1 in probe order); the
//     script finds it on the guest and never picks the disk that holds /;
//   - fs_setup formats by device name only; the script formats only a disk
//     with neither a filesystem nor a partition table, so a disk created from
//     a snapshot or a reused disk keeps its data;
//   - bootcmd runs in cloud-init's first stage, before write_files and
//     runcmd, so the mount point is on the data disk before rancher-machine's
//     install script writes to it;
//   - the fstab entry uses the filesystem UUID with nofail, so a renamed or
//     missing disk never blocks boot.
//
// bootcmd runs on every boot; the script is idempotent (it returns at once
// when the mount point is mounted). Its arguments arrive as $1..$3 of
// `sh -c`, never spliced into the script text, and cloud-init quotes list
// entries itself.
const diskScript = `set -eu
want=$1 fs=$2 mp=$3
log() { echo "aliyunecs-datadisk: $*" >&2; }
if mountpoint -q "$mp"; then exit 0; fi
candidates=${want:-"/dev/vdb /dev/xvdb /dev/nvme1n1 /dev/nvme0n1"}
root=$(lsblk -nsro NAME,TYPE "$(findmnt -no SOURCE /)" 2>/dev/null | awk '$2 == "disk" { print $1; exit }' || true)
find_disk() {
  for c in $candidates; do
    [ -b "$c" ] || continue
    [ "${c#/dev/}" != "$root" ] || continue
    # NVMe names follow probe order, so the system disk may be nvme0n1 or
    # nvme1n1; take nvme0n1 only when / is known to be elsewhere.
    if [ "$c" = /dev/nvme0n1 ] && [ -z "$root" ]; then continue; fi
    echo "$c"; return 0
  done
  return 1
}
i=0
until dev=$(find_disk); do
  i=$((i + 1))
  if [ "$i" -ge 60 ]; then log "no data disk found among $candidates"; exit 1; fi
  sleep 1
done
type=$(blkid -p -o value -s TYPE "$dev" 2>/dev/null || true)
if [ -z "$type" ]; then
  if [ -n "$(blkid -p -o value -s PTTYPE "$dev" 2>/dev/null || true)" ]; then
    log "$dev has a partition table; not formatting it"; exit 1
  fi
  if ! command -v "mkfs.$fs" >/dev/null 2>&1; then log "mkfs.$fs is not installed"; exit 1; fi
  case $fs in
    xfs) mkfs.xfs -q "$dev" ;;
    *) mkfs.ext4 -q -F "$dev" ;;
  esac
  type=$fs
fi
uuid=$(blkid -p -o value -s UUID "$dev")
mkdir -p "$mp"
if ! awk -v mp="$mp" '$1 !~ /^#/ && $2 == mp { found = 1 } END { exit !found }' /etc/fstab 2>/dev/null; then
  printf '# data disk, added by docker-machine-driver-aliyunecs\nUUID=%s %s %s defaults,nofail 0 2\n' "$uuid" "$mp" "$type" >> /etc/fstab
  if command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload || true; fi
fi
mount "$mp"
log "$dev ($type) mounted on $mp"
`

// diskScriptName is $0 of the script: it shows up in ps and in cloud-init's
// logs.
const diskScriptName = "aliyunecs-datadisk"

// bootcmdEntry is the bootcmd list item for d, in cloud-init's argv form.
func bootcmdEntry(d DataDisk) []string {
	return []string{"sh", "-c", diskScript, diskScriptName, d.Device, d.fs(), d.MountPoint}
}
