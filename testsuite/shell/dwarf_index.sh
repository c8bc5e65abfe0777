# test: requires kernel-headers
# The DWARF function index: the first resolution builds it (stap -v says
# so), later ones use it, and what they resolve is what a run without
# any index resolves.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
[ -e "/usr/lib/debug/boot/vmlinux-$KREL" ] || skip "no debuginfo for $KREL"
export STAP_CACHE=$TESTTMP/cache
s='probe kernel.function("*ptrace*").return, kernel.function("vfs_read@fs/*.c") {}'
"$STAP" -v -p2 -r "$KREL" -e "$s" >"$TESTTMP/one" 2>"$TESTTMP/err1" || fail "first run"
grep -q '^DWARF function index: built ' "$TESTTMP/err1" || { cat "$TESTTMP/err1"; fail "index not built"; }
"$STAP" -v -p2 -r "$KREL" -e "$s" >"$TESTTMP/two" 2>"$TESTTMP/err2" || fail "second run"
grep -q '^DWARF function index: /' "$TESTTMP/err2" || { cat "$TESTTMP/err2"; fail "index not used"; }
STAP_CACHE= "$STAP" -p2 -r "$KREL" -e "$s" >"$TESTTMP/none" 2>/dev/null || fail "run without a cache"
cmp -s "$TESTTMP/one" "$TESTTMP/two" || fail "the index changed what was resolved"
cmp -s "$TESTTMP/one" "$TESTTMP/none" || fail "building the index changed what was resolved"
[ "$(grep -c "^kernel" "$TESTTMP/one")" -gt 20 ] || fail "too few probes"
exit 0
