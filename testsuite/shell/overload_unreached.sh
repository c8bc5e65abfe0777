# An overload after one without 'next' never runs: a warning (a function
# defined twice is no error since overloading), silenced by -w; none for
# a tapset function the script replaces, nor when 'next' leads there.
. "$TOPDIR/testsuite/lib/common.sh"
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
"$STAP" -p2 -e 'function g() { return 1 }
function g() { return 2 } probe begin { println(g()) }' \
	>/dev/null 2>"$TESTTMP/err" || { cat "$TESTTMP/err"; fail "exit $?"; }
cat >"$TESTTMP/want" <<'WANT'
<input>:2:10: warning: this overload of 'g' is never reached: the one at <input>:1:10 runs first and has no 'next'
function g() { return 2 } probe begin { println(g()) }
         ^
WANT
diff "$TESTTMP/want" "$TESTTMP/err" || fail "warning differs"
"$STAP" -w -p2 -e 'function g() { return 1 } function g() { return 2 }
probe begin { println(g()) }' >/dev/null 2>"$TESTTMP/err2" || fail "-w: exit $?"
[ -s "$TESTTMP/err2" ] && { cat "$TESTTMP/err2"; fail "-w still warns"; }
"$STAP" -p2 -e 'function g() { next } function g() { return 2 }
function execname() { return "x" }
probe begin { println(g(), execname()) }' >/dev/null 2>"$TESTTMP/err3" ||
	{ cat "$TESTTMP/err3"; fail "exit $?"; }
[ -s "$TESTTMP/err3" ] && { cat "$TESTTMP/err3"; fail "warns for reached overloads"; }
exit 0
