#!/usr/bin/env bash
# Release builds of docker-machine-driver-aliyunecs (`make release`).
#
# For every platform: a static (CGO_ENABLED=0), -trimpath build stamped with
# VERSION, packed with the binary at the archive root into
#   $DIST/docker-machine-driver-aliyunecs_<os>-<arch>.tar.gz   (.zip for windows)
# then $DIST/SHA256SUMS and $DIST/nodedriver.yaml, the Rancher NodeDriver
# (deploy/rancher/nodedriver.yaml filled in with the URL and SHA-256 of the
# linux-amd64 archive under DOWNLOAD_BASE_URL).
#
# Two runs on the same commit give byte-identical files: no build ID, no
# paths, fixed archive metadata (time SOURCE_DATE_EPOCH or the commit time,
# owner 0, sorted entries, gzip without name and time).
#
# Environment:
#   VERSION            version to stamp (default: git describe)
#   DIST               output directory (default: ./dist)
#   PLATFORMS          "os/arch ..." (default: all five release platforms)
#   DOWNLOAD_BASE_URL  where the archives will be downloaded from
#                      (default: the GitHub release of VERSION)
#   SOURCE_DATE_EPOCH  archive entry time (default: the commit time)
#   GO                 go command (default: go)
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true # "&" in a URL stays "&"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

name=docker-machine-driver-aliyunecs
module=github.com/aliyunecs/docker-machine-driver-aliyunecs
GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
DIST=${DIST:-$root/dist}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}
DOWNLOAD_BASE_URL=${DOWNLOAD_BASE_URL:-https://github.com/aliyunecs/docker-machine-driver-aliyunecs/releases/download/$VERSION}
DOWNLOAD_BASE_URL=${DOWNLOAD_BASE_URL%/}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

case $VERSION in
*[!A-Za-z0-9._+-]*) echo "release: VERSION must be a plain version string, got '$VERSION'" >&2; exit 1 ;;
esac

# Nothing from the caller's environment may change the bytes.
unset GOFLAGS GOEXPERIMENT GOAMD64 GOARM64 GO386 GOARM
export CGO_ENABLED=0

mkdir -p "$DIST"
DIST=$(cd "$DIST" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The archiver runs on this machine, so it is built before GOOS/GOARCH vary.
"$GO" build -o "$work/archive" ./hack/archive

rm -f "$DIST/$name"_* "$DIST/SHA256SUMS" "$DIST/nodedriver.yaml"

archives=()
for platform in $PLATFORMS; do
	os=${platform%/*}
	arch=${platform#*/}
	exe=$name
	[ "$os" = windows ] && exe=$name.exe
	echo "release: building $VERSION for $os/$arch" >&2
	mkdir -p "$work/$os-$arch"
	GOOS=$os GOARCH=$arch "$GO" build -trimpath \
		-ldflags "-s -w -buildid= -X $module/driver.Version=$VERSION" \
		-o "$work/$os-$arch/$exe" .
	if [ "$os" = windows ]; then
		out=$DIST/${name}_$os-$arch.zip
		"$work/archive" zip -o "$out" -mtime "$SOURCE_DATE_EPOCH" "$exe=$work/$os-$arch/$exe"
	else
		out=$DIST/${name}_$os-$arch.tar.gz
		"$work/archive" tgz -o "$out" -mtime "$SOURCE_DATE_EPOCH" "$exe=$work/$os-$arch/$exe"
	fi
	archives+=("$out")
done

"$work/archive" sums "${archives[@]}" >"$DIST/SHA256SUMS"

# The NodeDriver points at the linux-amd64 archive (what Rancher's jobs and
# server run).
linux=$DIST/${name}_linux-amd64.tar.gz
if [ -f "$linux" ]; then
	checksum=$(awk -v f="${name}_linux-amd64.tar.gz" '$2 == f { print $1 }' "$DIST/SHA256SUMS")
	manifest=$(<"$root/deploy/rancher/nodedriver.yaml")
	manifest=${manifest//'${DRIVER_URL}'/$DOWNLOAD_BASE_URL/${name}_linux-amd64.tar.gz}
	manifest=${manifest//'${DRIVER_CHECKSUM}'/$checksum}
	printf '%s\n' "$manifest" >"$DIST/nodedriver.yaml"
else
	echo "release: linux/amd64 not built, so no nodedriver.yaml" >&2
fi

echo "release: $VERSION in $DIST" >&2
(cd "$DIST" && ls -l "$name"_* SHA256SUMS nodedriver.yaml 2>/dev/null) >&2 || true
