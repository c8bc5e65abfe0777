# --dump-functions, --dump-probe-aliases and --dump-probe-types print
# SystemTap's formats without building anything: "name:type (p:type)"
# per function overload, sorted on "name:type " with overloads in
# declaration order, private and _* ones left out (shown with -v but
# for private); "NAME = POINTS" per alias ("+=" for an epilogue); one
# probe point family per line. (That what they list is real:
# dump_lists_real.)
. "$TOPDIR/testsuite/lib/common.sh"
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
cd "$TESTTMP" || exit 1
mkdir -p ts
cat >ts/dumptest.stp <<'STP'
function dt_over:long (a:long) { return a }
function dt_over:long (a:long, b:string) { return a }
function dt_over:long () { return 0 }
function dt_over2(x) { return x }
function dt_over:long (a:long) :5 { return 2 }
private function dt_hidden:long () { return 1 }
function _dt_internal:string () %{ /* pure */ /* stable */ STAP_RETURN(""); %}
probe dt.alias = kernel.function("vfs_read")?, begin(1) { v = 1 }
probe dt.alias += never { }
probe _dt.internal = end { }
STP

"$STAP" -I ts --dump-functions >funcs 2>err || { show stderr err; fail "--dump-functions exited $?"; }
[ ! -s err ] || { show stderr err; fail "--dump-functions printed on stderr"; }
[ "$(grep -cx 'execname:string ()' funcs)" = 1 ] ||
	{ show stdout funcs; fail "execname:string () not listed once"; }
grep '^dt_' funcs >got
printf '%s\n' 'dt_over2:unknown (x:unknown)' 'dt_over:long (a:long)' \
	'dt_over:long (a:long, b:string)' 'dt_over:long ()' 'dt_over:long (a:long)' >want
diff -u want got || fail "--dump-functions: overloads, order or types"
! grep -q '_dt_internal\|dt_hidden' funcs || fail "private or _* function listed"
LC_ALL=C sort -s -c -t'(' -k1,1 funcs 2>err || { show stderr err; fail "--dump-functions order"; }
ty='(long|string|unknown)'
grep -Ev "^[A-Za-z0-9_]+:$ty \\(([a-z_0-9]+:$ty(, )?)*\\)\$" funcs >bad
[ ! -s bad ] || { show "lines not in the format" bad; fail "--dump-functions format"; }

"$STAP" -I ts -v --dump-functions >funcs 2>err || fail "-v --dump-functions exited $?"
grep -qx '_dt_internal:string () /\* pure \*/ /\* stable \*/' funcs ||
	{ show stdout funcs; fail "-v: _dt_internal and its tags"; }
! grep -q 'dt_hidden' funcs || fail "-v lists a private function"

"$STAP" -I ts --dump-probe-aliases >aliases 2>err || { show stderr err; fail "--dump-probe-aliases exited $?"; }
[ ! -s err ] || { show stderr err; fail "--dump-probe-aliases printed on stderr"; }
grep '^dt\.' aliases >got
printf '%s\n' 'dt.alias += never' 'dt.alias = kernel.function("vfs_read")?, begin(1)' >want
diff -u want got || fail "--dump-probe-aliases: dt.alias"
grep -q '^syscall\.read = ' aliases || fail "no syscall.read alias"
! grep -q '^_' aliases || fail "an _* alias listed without -v"
LC_ALL=C sort -c aliases 2>err || { show stderr err; fail "--dump-probe-aliases order"; }
"$STAP" -I ts -v --dump-probe-aliases 2>/dev/null | grep -qx '_dt.internal = end' ||
	fail "-v --dump-probe-aliases: _dt.internal"

"$STAP" --dump-probe-types >types 2>err || { show stderr err; fail "--dump-probe-types exited $?"; }
for t in begin 'begin(number)' 'kernel.function(string).return' 'process.begin' \
	'timer.ms(number)' 'kernel.trace(string)' 'perf.type(number).config(number)'; do
	[ "$(grep -cxF "$t" types)" = 1 ] || { show stdout types; fail "$t not listed once"; }
done
# SystemTap's order: the name, then no argument < (number) < (string)
got=$(grep -x -e 'process.end' -e 'process(string).begin' -e 'procfs.read' \
	-e 'procfs(string).read' -e 'end' -e 'end(number)' types | tr '\n' ' ')
[ "$got" = 'end end(number) process.end process(string).begin procfs.read procfs(string).read ' ] ||
	{ show stdout types; fail "--dump-probe-types order: $got"; }

exit 0
