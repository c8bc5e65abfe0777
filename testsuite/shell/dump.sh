# --dump=ast prints the script with the tapsets it parsed; --dump=sema
# the resolved program with the type of every local.
. "$TOPDIR/testsuite/lib/common.sh"
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
"$STAP" --dump=sema -e 'global g probe begin { x = 1; s = "a" . "b"; g = x; println(s) }' \
	>"$TESTTMP/sema" 2>/dev/null || fail "--dump=sema: exit $?"
grep -qx 'g:long' "$TESTTMP/sema" || fail "no global type"
grep -qx 'probe 0 (begin): s:string x:long' "$TESTTMP/sema" || { cat "$TESTTMP/sema"; fail "locals"; }
"$STAP" --dump=ast -e 'probe begin { }' >"$TESTTMP/ast" || fail "--dump=ast: exit $?"
grep -q '^function execname:string ()' "$TESTTMP/ast" || fail "tapsets not dumped"
"$STAP" -p2 -e 'probe begin { x = }' 2>"$TESTTMP/err" && fail "bad script accepted"
tail -n 1 "$TESTTMP/err" | grep -qx 'Pass 1: parse failed.  \[man error::pass1\]' ||
	{ cat "$TESTTMP/err"; fail "no man page reference"; }
man -l "doc/error::pass1.7stap" >/dev/null 2>&1 || fail "error::pass1 page"
exit 0
