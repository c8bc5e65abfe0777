# test: requires kernel-headers
# Self-test of src/stap-vm with a fake staprun (a busybox sh script), so
# the harness is checked even when stap or staprun are broken: byte-exact
# stdout, stderr, -c, exit status, kernel WARNING -> 3, timeout -> 3, and
# batch mode (one boot, files back, sigint, per-case klog).
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
cd "$TESTTMP" || exit 1
cat >staprun <<'EOS'
#!/bin/sh
c=
[ "$1" = -c ] && { c=$2; shift 2; }
echo "args: $*" >&2
trap 'echo end; exit 0' INT
case "$*" in
*bytes*) i=0; while [ $i -lt 256 ]; do printf "\\$(printf %o $i)"; i=$((i + 1)); done ;;
*warn*) echo "WARNING: CPU: 0 PID: 1 at fake" >/dev/kmsg ;;
*wait*) echo begin; while :; do sleep 1; done ;;
*rc7*) exit 7 ;;
esac
[ -z "$c" ] || sh -c "$c"
exit 0
EOS
chmod +x staprun
export STAPRUN=$TESTTMP/staprun
printf 'not really a module' >fake.ko

# Single mode: all 256 byte values arrive unchanged, stderr separately.
"$STAPVM" -r "$KREL" fake.ko bytes >out 2>err || fail "bytes: exit $?"
for i in $(seq 0 255); do printf "\\$(printf %03o "$i")"; done >want
cmp -s want out || { show "stdout (od -c)" <(od -c out); fail "stdout not byte-exact"; }
grep -q '^args: .*fake.ko bytes$' err || { show stderr err; fail "stderr"; }

"$STAPVM" -r "$KREL" -c 'echo from-cmd' fake.ko rc7 >out 2>err
rc=$?
[ $rc = 7 ] || fail "rc7: exit $rc, expected 7"
"$STAPVM" -r "$KREL" -c 'echo from-cmd' fake.ko >out 2>err || fail "-c: exit $?"
printf 'from-cmd\n' | cmp -s - out || { show stdout out; fail "-c output"; }
"$STAPVM" -r "$KREL" fake.ko warn >out 2>err
rc=$?
[ $rc = 3 ] && grep -q 'kernel trouble.*WARNING' err || { show stderr err; fail "warn: exit $rc, expected 3"; }
"$STAPVM" -r "$KREL" -t 2 fake.ko wait >out 2>err
rc=$?
[ $rc = 3 ] && grep -q 'timed out' err || { show stderr err; fail "timeout: exit $rc, expected 3"; }
printf 'begin\nend\n' | cmp -s - out || { show stdout out; fail "timeout: end output"; }

# Batch mode: one boot, four cases.
mkdir -p b/a b/b b/c b/d
for c in a b c d; do cp fake.ko b/$c/module.ko; done
echo '/bin/echo x' >b/b/cmd
echo wait >b/c/args
echo 1 >b/c/sigint
echo warn >b/d/args
"$STAPVM" -r "$KREL" -t 20 -b b >out 2>err
rc=$?
[ $rc = 1 ] || { show stderr err; fail "batch: exit $rc, expected 1 (case d fails)"; }
[ "$(cat b/a/rc)" = 0 ] && [ ! -s b/a/stdout ] || fail "batch a: rc $(cat b/a/rc)"
[ "$(cat b/b/rc)" = 0 ] && [ "$(cat b/b/stdout)" = x ] || fail "batch b: rc $(cat b/b/rc), stdout $(cat b/b/stdout)"
[ "$(cat b/c/rc)" = 0 ] && [ "$(cat b/c/stdout)" = "$(printf 'begin\nend')" ] ||
	fail "batch c: rc $(cat b/c/rc), stdout $(cat b/c/stdout)"
grep -q '^3 kernel trouble: .*WARNING' b/d/rc || fail "batch d: rc $(cat b/d/rc)"
grep -q WARNING b/d/klog || fail "batch d: klog"
[ ! -s b/c/klog ] || { show klog b/c/klog; fail "batch c: klog not per case"; }
grep -q '^args: .*wait$' b/c/stderr || fail "batch c: stderr"
exit 0
