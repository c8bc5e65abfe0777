# Inputs the fuzzer (make fuzz) once crashed the translator on: each must
# now translate (-p3) or be refused with a diagnostic, exit 0 or 1.
. "$TOPDIR/testsuite/lib/common.sh"
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
for f in testsuite/fuzz/regress/*; do
	"$STAP" -p3 -r 0.0.0-none "$f" >/dev/null 2>"$TESTTMP/err"
	rc=$?
	[ $rc = 0 ] || [ $rc = 1 ] || { cat "$TESTTMP/err"; fail "$f: exit $rc"; }
done
exit 0
