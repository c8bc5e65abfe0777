# test: requires kernel-headers
# Alias variables the probe never reads are not computed when their
# value has no side effects (as SystemTap): `probe syscall.openat {
# println(filename) }` neither formats argstr nor translates the tapset
# functions only argstr and flags_str need; -u keeps everything, -vv
# says what went, a user-defined alias warns, side effects stay.
# run/alias_elide checks the values that remain in the VM.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
out=$TESTTMP/out err=$TESTTMP/err
script='probe syscall.openat { printf("%s\n", filename) }'

"$STAP" -r "$KREL" -p2 --dump=sema -e "$script" >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "stap -p2 --dump=sema exited $?"; }
locals=$(grep '^probe .*__x64_sys_openat' "$out") ||
	{ show stdout "$out"; fail "no locals line for the openat probe"; }
for v in filename filename_uaddr; do
	[[ " $locals " == *" $v:"* ]] || fail "$v is gone: $locals"
done
for v in argstr flags flags_str mode dfd dfd_str name; do
	[[ " $locals " != *" $v:"* ]] || fail "$v is still computed: $locals"
done

# The C: argstr's helpers are not even translated; with -u they are.
"$STAP" -r "$KREL" -p3 -e "$script" >"$out" 2>"$err" || fail "-p3 exited $?"
grep -q 'fn__sc_ustr_quoted' "$out" || fail "filename's helper is missing"
! grep -E 'fn__sc_open_argstr|fn__sys_open_flag_str|fn__dfd_str' "$out" ||
	fail "argstr's helpers are still in the C"
"$STAP" -r "$KREL" -p3 -u -e "$script" >"$out" 2>"$err" || fail "-p3 -u exited $?"
for f in fn__sc_open_argstr fn__sys_open_flag_str fn__dfd_str; do
	grep -q "$f" "$out" || fail "-u: $f is not in the C"
done

# Silent by default, listed with -vv.
"$STAP" -r "$KREL" -p2 -e "$script" >"$out" 2>"$err" || fail "-p2 exited $?"
[ ! -s "$err" ] || { show stderr "$err"; fail "-p2 printed something"; }
"$STAP" -r "$KREL" -p2 -vv -e "$script" >"$out" 2>"$err" || fail "-p2 -vv exited $?"
grep -q "syscalls.stp:[0-9]*:[0-9]*: note: eliding assignment to unused alias variable 'argstr'" \
	"$err" || { show stderr "$err"; fail "-vv does not list argstr"; }

# A user's alias: dead assignments go with a warning; one with a side
# effect (f() writes a global) stays, and only gets the usual warning.
cat >"$TESTTMP/user.stp" <<'EOS'
global g
function f() { g++; return 2 }
function h(x) { y = x * 2; return y }
probe foo = begin { a = 1; b = f(); c = h(3); d = sprintf("%d", c); e = a }
probe foo { println(e, g) }
EOS
"$STAP" -p2 --dump=sema "$TESTTMP/user.stp" >"$out" 2>"$err" || fail "user alias: exit $?"
expect_lines "$err" \
	"user.stp:4:49: warning: eliding assignment to 'd', which the probe never reads" \
	"user.stp:4:39: warning: eliding assignment to 'c', which the probe never reads" \
	"user.stp:4:28: warning: local 'b' is assigned but never read" ||
	{ show stderr "$err"; fail "user alias warnings"; }
grep -q '^probe .*(begin): e:long b:long a:long$' "$out" ||
	{ show stdout "$out"; fail "user alias: wrong locals"; }
grep -q '^h:' "$out" && fail "h() is translated though only c used it"
exit 0
