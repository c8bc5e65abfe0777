#!/bin/sh
# build.sh REL OUTDIR [MAKEARGS...] - build the test modules of this
# directory with -g against the headers of kernel REL into OUTDIR (the
# sources are copied there, so the tree stays clean and kernels do not
# share objects); MAKEARGS go to kbuild (KCFLAGS=-DSTPTEST_OTHER builds
# a variant with another build id).
# Prints nothing on success; the kbuild log goes to OUTDIR/build.log.
set -e
rel=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cp "$here"/*.c "$here/Kbuild" "$out/"
if ! make -C "/lib/modules/$rel/build" M="$out" "$@" modules \
	>"$out/build.log" 2>&1; then
	tail -n 20 "$out/build.log" >&2
	exit 1
fi
