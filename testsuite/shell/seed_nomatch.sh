# test: requires kernel-headers, every kernel
# The seed as first written probes cap_ptrace, which 6.1 no longer has:
# stap must exit 1 with a semantic error naming the probe point and the
# close matches.  (Exact text: move to errors/ once it is settled.)
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
cd "$TOPDIR/testsuite/shell" || exit 1
"$STAP" -p2 -r "$KREL" cap_ptrace.stp >"$TESTTMP/out" 2>"$TESTTMP/err"
rc=$?
[ $rc = 1 ] || { show stderr "$TESTTMP/err"; fail "expected exit 1, got $rc"; }
expect_lines "$TESTTMP/err" '^cap_ptrace\.stp:[0-9]+:[0-9]+: ' \
	'kernel\.function\("cap_ptrace"\)' cap_ptrace_access_check cap_ptrace_traceme ||
	{ show stderr "$TESTTMP/err"; fail "diagnostic"; }
