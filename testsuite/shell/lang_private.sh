# test: requires kernel-headers, every kernel
# private globals and functions (SystemTap 3.0): two tapset files may
# each have a private x and f(), apart from each other and from the
# script's own x and f(); the script cannot see them (the error says
# whose they are), and a private global is no module parameter.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
cd "$TESTTMP" || exit 1
mkdir tap
cat >tap/a.stp <<'T'
private global x = 1
private function f() { return x * 10 }
function a_sum() { x++; return f() + x }
T
cat >tap/b.stp <<'T'
private x = 2, names[4]
private function f() { return x * 100 + names["b"] }
function b_sum() { names["b"] = 3; return f() + x }
T
cat >s.stp <<'T'
global x = 5
function f() { return 7 }
private function g() { return x + f() }
probe begin { printf("%d %d %d %d %d\n", x, f(), g(), a_sum(), b_sum()) exit() }
T
"$STAP" -p4 -m priv -r "$KREL" -I tap s.stp >build.out 2>build.err ||
	{ show stderr build.err; fail "stap -p4 exited $?"; }
"$STAP" -p3 -r "$KREL" -I tap s.stp >priv.c || fail "stap -p3 exited $?"
[ "$(grep -c module_param priv.c)" = 1 ] ||
	{ grep module_param priv.c; fail "private globals are module parameters"; }
vm priv.ko >out 2>err || { show stderr err; fail "stap-vm exited $?"; }
echo "5 7 12 22 205" >want
diff -u want out || fail "private names of two tapsets and the script"

# the script cannot reach a tapset's private names
check() # SCRIPT: stap -p2 must fail with stderr == want
{
	"$STAP" -p2 -r "$KREL" -I tap -e "$1" >out 2>err && fail "'$1' passed"
	diff -u want err || fail "'$1': message"
}
cat >want <<'T'
<input>:1:23: error: unknown function 'f'
probe begin { println(f()) a_sum() }
                      ^
tap/a.stp:2:18: note: 'f' is private to tap/a.stp: it is seen only in that file
private function f() { return x * 10 }
                 ^
Pass 2: analysis failed.  [man error::pass2]
T
check 'probe begin { println(f()) a_sum() }'
cat >want <<'T'
<input>:1:23: error: cannot infer the type of this argument of println
probe begin { println(x) }
                      ^
tap/a.stp:1:16: note: 'x' is private to tap/a.stp: it is seen only in that file
private global x = 1
               ^
Pass 2: analysis failed.  [man error::pass2]
T
check 'probe begin { println(x) }'
cat >want <<'T'
<input>:1:15: error: unknown array 'names': arrays must be declared global
probe begin { names["a"] = 1 }
              ^~~~~
tap/b.stp:1:16: note: 'names' is private to tap/b.stp: it is seen only in that file
private x = 2, names[4]
               ^~~~~
Pass 2: analysis failed.  [man error::pass2]
T
check 'probe begin { names["a"] = 1 }'
exit 0
