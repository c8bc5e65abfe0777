#!/bin/sh
# deps.sh - install everything needed to build stap and run its tests.
#
# Idempotent: asks dpkg first and calls apt-get (update, then install)
# only for what is missing, so a second run takes well under a second.
# Non-interactive; needs root.  Called by `make deps`.
set -eu

pkgs="build-essential libdw-dev libelf-dev kmod
linux-headers-cloud-amd64 linux-image-cloud-amd64 linux-image-cloud-amd64-dbg
qemu-system-x86 busybox-static cpio"

missing=
for p in $pkgs; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $s in
	*"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root (sudo make deps) to install them with apt-get" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing </dev/null
echo "deps: done"
