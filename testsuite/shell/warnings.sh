# Warnings: unused globals (elided unless -u), locals assigned but never
# read, locals never assigned; -w silences them; they never fail the run.
. "$TOPDIR/testsuite/lib/common.sh"
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
s=testsuite/shell/data/warnings.stp
"$STAP" -p2 $s >"$TESTTMP/out" 2>"$TESTTMP/err" || { cat "$TESTTMP/err"; fail "exit $?"; }
cat >"$TESTTMP/want" <<'WANT'
testsuite/shell/data/warnings.stp:3:2: warning: local 'x' is assigned but never read
	x = 1
	^
testsuite/shell/data/warnings.stp:4:6: warning: local 'z' is never assigned (it is always 0)
	y = z
	    ^
testsuite/shell/data/warnings.stp:1:14: warning: global 'unused' is never used (elided)
global used, unused, settable = 5
             ^~~~~~
WANT
diff "$TESTTMP/want" "$TESTTMP/err" || fail "warnings differ"
grep -q '^unused:' "$TESTTMP/out" && fail "-p2 lists the elided global"
"$STAP" -w -p2 $s >/dev/null 2>"$TESTTMP/err2" || fail "-w: exit $?"
[ -s "$TESTTMP/err2" ] && { cat "$TESTTMP/err2"; fail "-w still warns"; }
"$STAP" -u -p3 $s 2>/dev/null | grep -q 'g_unused' || fail "-u did not keep the global"
"$STAP" -p3 $s 2>/dev/null | grep -q 'g_unused' && fail "unused global not elided"
exit 0
