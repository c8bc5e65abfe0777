#!/bin/sh
# deps.sh - install everything needed to build stap and run its tests.
#
# Two kernel lines are installed side by side (see doc/kernels.md):
#
#   - the release's own cloud kernel (6.1 on bookworm): the meta packages
#     linux-image-cloud-amd64, linux-headers-cloud-amd64 and
#     linux-image-cloud-amd64-dbg;
#   - the newest one from RELEASE-backports (6.12 on bookworm), as the
#     versioned packages that the backports' meta packages point to
#     (linux-image-REL, linux-headers-REL, linux-image-REL-dbg), so the
#     release's meta packages and its kernel stay installed untouched.
#
# The backports suite is added to apt by copying the machine's own Debian
# source (same URIs and keyring, suite RELEASE-backports, component main)
# into /etc/apt/sources.list.d/stap-backports.sources; no mirror address
# is written here.
#
# QEMU comes from backports too (when the installed one is older than 8):
# bookworm's QEMU 7.2 runs the 6.12 kernel unreliably under TCG (boots
# die early of a double fault in kmem_cache_alloc, where the unlocked
# %gs:cmpxchg16b of SLUB leaves EFLAGS garbled, or in do_sync_core).
# src/stap-vm also turns CX16 off, which is enough on its own for the
# first; QEMU 10 from backports has neither problem.
#
# Idempotent: asks dpkg first and calls apt-get (update, then install)
# only for what is missing, so a second run takes well under a second.
# Non-interactive; needs root.  Called by `make deps`.
set -eu

# dwarves: pahole, which 6.12's kbuild runs for module BTF; without it
# the .ko is deleted at that step.  qemu-system-x86: see qemu_ok below.
pkgs="build-essential libdw-dev libelf-dev kmod dwarves
linux-headers-cloud-amd64 linux-image-cloud-amd64 linux-image-cloud-amd64-dbg
busybox-static cpio"

# The meta packages whose backports versions name the kernel to add.
metas="linux-image-cloud-amd64 linux-headers-cloud-amd64 linux-image-cloud-amd64-dbg"

bpo_list=/etc/apt/sources.list.d/stap-backports.sources

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
bpo=${codename:+$codename-backports}

say()
{
	echo "deps: $*"
}

die()
{
	echo "deps: $*" >&2
	exit 1
}

# installed PKG: is PKG installed (not just known or half-configured)?
installed()
{
	case $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) in
	*"install ok installed") return 0 ;;
	esac
	return 1
}

# bpo_kernels: releases (6.12.x+deb12-cloud-amd64) of installed cloud
# kernels that came from backports (version ~bpo), one a line.
bpo_kernels()
{
	dpkg-query -W -f='${Package} ${Version} ${Status}\n' \
		'linux-image-*-cloud-amd64' 2>/dev/null |
		awk '$1 != "linux-image-cloud-amd64" && $2 ~ /~bpo/ &&
			/install ok installed/ {
				sub(/^linux-image-/, "", $1); print $1
			}'
}

# have_bpo_kernel: is a backports kernel installed with headers and -dbg?
have_bpo_kernel()
{
	for r in $(bpo_kernels); do
		installed "linux-headers-$r" && installed "linux-image-$r-dbg" &&
			return 0
	done
	return 1
}

# apt_sources: the enabled "deb" entries of the machine, one a line, as
# "SUITE|URI|SIGNED-BY" (SIGNED-BY may be empty), from both the one-line
# format (sources.list, *.list) and deb822 (*.sources).
apt_sources()
{
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '
		/^[ \t]*deb[ \t]/ {
			sub(/^[ \t]*deb[ \t]+/, "")
			sb = ""
			if ($0 ~ /^\[/) {
				opts = substr($0, 2, index($0, "]") - 2)
				$0 = substr($0, index($0, "]") + 1)
				n = split(opts, o, /[ \t]+/)
				for (i = 1; i <= n; i++)
					if (o[i] ~ /^signed-by=/)
						sb = substr(o[i], 11)
			}
			print $2 "|" $1 "|" sb
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# Stanzas end at a blank line; field names are case-insensitive.
		awk '
		function flush(   n, m, i, j, s, u) {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^no$/) {
				n = split(suites, s, /[ \t]+/)
				m = split(uris, u, /[ \t]+/)
				for (i = 1; i <= n; i++)
					for (j = 1; j <= m; j++)
						if (s[i] != "" && u[j] != "")
							print s[i] "|" u[j] "|" sb
			}
			types = suites = uris = sb = enabled = ""
			field = ""
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { field = ""; next }	# continuation (inline key)
		{
			field = tolower(substr($0, 1, index($0, ":") - 1))
			val = substr($0, index($0, ":") + 1)
			gsub(/^[ \t]+|[ \t]+$/, "", val)
			if (field == "types") types = val
			else if (field == "suites") suites = val
			else if (field == "uris") uris = val
			else if (field == "enabled") enabled = tolower(val)
			else if (field == "signed-by" && val !~ /^$/) sb = val
		}
		END { flush() }' "$f"
	done
}

# add_backports: make apt know RELEASE-backports, from the Debian source
# that carries RELEASE itself.  Returns 0 if it had to write the file.
add_backports()
{
	[ -n "$bpo" ] || die "cannot tell the Debian release (/etc/os-release has no VERSION_CODENAME)"
	src=$(apt_sources)
	if printf '%s\n' "$src" | grep -q "^$bpo|"; then
		return 1
	fi
	# One stanza per source of $codename, each with its own keyring.
	lines=$(printf '%s\n' "$src" | awk -F'|' -v s="$codename" '$1 == s && !seen[$2]++')
	[ -n "$lines" ] || die "no apt source for '$codename' to derive $bpo from"
	{
		echo "# Written by stap's scripts/deps.sh: the machine's $codename source"
		echo "# with suite $bpo, for the second kernel line (doc/kernels.md)."
		printf '%s\n' "$lines" | while IFS='|' read -r _ uri sb; do
			say "adding $bpo from $uri as $bpo_list" >&2
			echo
			echo "Types: deb"
			echo "URIs: $uri"
			echo "Suites: $bpo"
			echo "Components: main"
			[ -z "$sb" ] || echo "Signed-By: $sb"
		done
	} >"$bpo_list.tmp"
	mv "$bpo_list.tmp" "$bpo_list"
	return 0
}

# bpo_packages: the versioned packages that the backports' meta packages
# depend on (linux-image-6.12.x+deb12-cloud-amd64 ...), one a line.
bpo_packages()
{
	for m in $metas; do
		v=$(apt-cache madison "$m" |
			awk -F'|' -v s=" $bpo/" 'index($3, s) { gsub(/ /, "", $2); print $2; exit }')
		[ -n "$v" ] || die "$bpo has no $m (apt-get update failed?)"
		p=$(apt-cache show "$m=$v" | sed -n 's/^Depends: //p' | head -n 1 |
			tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -E '^linux-(image|headers)-[0-9]' |
			head -n 1)
		[ -n "$p" ] || die "cannot tell which kernel $m=$v depends on"
		echo "$p"
	done
}

# qemu_ok: is the installed QEMU new enough (8 or later) for 6.12 guests?
qemu_ok()
{
	installed qemu-system-x86 || return 1
	v=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
	[ -n "$v" ] && dpkg --compare-versions "$v" ge 1:8
}

missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
need_bpo=0
have_bpo_kernel || need_bpo=1
qemu_ok || need_bpo=1

if [ -z "$missing" ] && [ $need_bpo = 0 ]; then
	say "all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	[ -z "$missing" ] || echo "deps: missing packages:$missing" >&2
	have_bpo_kernel || echo "deps: missing: the cloud kernel from $bpo" >&2
	qemu_ok || echo "deps: missing: qemu-system-x86 (8 or later) from $bpo" >&2
	echo "deps: run as root (sudo make deps) to install them with apt-get" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
[ $need_bpo = 0 ] || add_backports || true
apt-get update -q </dev/null

if [ -n "$missing" ]; then
	say "installing:$missing"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing </dev/null
fi
if ! have_bpo_kernel; then
	bpkgs=$(bpo_packages)
	bpkgs=$(echo $bpkgs)
	say "installing from $bpo: $bpkgs"
	# Only the versioned packages: the release's meta packages keep
	# their kernel and nothing else is upgraded.  The kernel's own
	# dependencies (linux-kbuild-REL ...) exist only in backports.
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $bpkgs </dev/null
fi

if ! qemu_ok; then
	say "installing qemu-system-x86 from $bpo"
	apt-get install -y -q --no-install-recommends -t "$bpo" qemu-system-x86 </dev/null
	qemu_ok || die "QEMU is older than 8 after installing it from $bpo"
fi

# Both kernel lines must now be there, each with headers and debuginfo.
nk=0
for v in /boot/vmlinuz-*-cloud-amd64; do
	[ -e "$v" ] || continue
	r=${v#/boot/vmlinuz-}
	for f in "/lib/modules/$r/build" "/usr/lib/debug/boot/vmlinux-$r"; do
		[ -e "$f" ] || die "kernel $r has no $f"
	done
	nk=$((nk + 1))
done
have_bpo_kernel || die "no kernel from $bpo after installing it"
[ $nk -ge 2 ] || die "expected two cloud kernels in /boot, found $nk"
say "done: $(ls /lib/modules | tr '\n' ' ')"
