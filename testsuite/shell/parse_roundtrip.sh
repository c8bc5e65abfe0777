# test: requires kernel-headers
# stap -p1 prints the script in a form that parses back to the same
# tree: printing the printed script again gives the same text, for every
# script of parse/ and run/ (and the examples).
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
n=0
for f in testsuite/parse/*.stp testsuite/run/*.stp examples/*.stp; do
	[ -f "$f" ] || continue
	"$STAP" -g -p1 -r "$KREL" "$f" >"$TESTTMP/one" 2>"$TESTTMP/err" ||
		{ cat "$TESTTMP/err"; fail "$f does not parse"; }
	"$STAP" -g -p1 -r "$KREL" "$TESTTMP/one" >"$TESTTMP/two" 2>"$TESTTMP/err" ||
		{ cat "$TESTTMP/err"; fail "-p1 output of $f does not parse"; }
	cmp -s "$TESTTMP/one" "$TESTTMP/two" ||
		{ diff "$TESTTMP/one" "$TESTTMP/two"; fail "$f: round trip differs"; }
	n=$((n + 1))
done
echo "$n scripts round-trip"
