# test: requires kernel-headers
# `stap --vm` runs a one-liner in the test VM; stdout is exactly "hello\n".
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
out=$TESTTMP/out err=$TESTTMP/err
# The command exactly as users type it, on the default kernel.
rflag=()
[ "$KREL" = "$("$STAPVM" -R)" ] || rflag=(-r "$KREL")
"$STAP" --vm "${rflag[@]}" -e 'probe begin { println("hello") exit() }' >"$out" 2>"$err"
rc=$?
[ $rc = 0 ] || { show stderr "$err"; fail "stap --vm exited $rc"; }
printf 'hello\n' | cmp -s - "$out" || {
	show "stdout (od -c)" <(od -c "$out")
	show stderr "$err"
	fail "stdout is not exactly hello"
}
