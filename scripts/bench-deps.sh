#!/bin/sh
# bench-deps.sh - install what `make bench` compares against and uses:
# Debian's SystemTap 4.8 (systemtap, with systemtap-runtime for staprun
# and stapio), python3 for the driver, binutils for size(1).
#
# Idempotent like deps.sh: asks dpkg first, calls apt-get only for what
# is missing.  The kernel, its headers, -dbg, qemu and busybox come from
# scripts/deps.sh (make deps), which `make bench` runs first.
set -eu

pkgs="systemtap systemtap-runtime python3 binutils gcc libc6-dev"

missing=
for p in $pkgs; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $s in
	*"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "bench-deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "bench-deps: missing packages:$missing" >&2
	echo "bench-deps: run as root to install them with apt-get" >&2
	exit 1
fi

echo "bench-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing </dev/null
echo "bench-deps: done"
