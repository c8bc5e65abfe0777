# test: requires kernel-headers
# `stap -` reads the script from standard input; -E adds scripts to the
# main one (named <input1>, <input2>, as SystemTap does); with -e, "-"
# is an ordinary argument. The last case runs a stdin script with -E in
# the VM.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
out=$TESTTMP/out err=$TESTTMP/err

# check NAME EXPECTED-FILE: stdout of the last command must be EXPECTED.
check()
{
	cmp -s "$2" "$out" || {
		show "$1: expected" "$2"
		show "$1: got" "$out"
		show "$1: stderr" "$err"
		fail "$1"
	}
}

# The script on stdin; its arguments follow the "-".
echo 'probe begin { println(@1, $2) }' | "$STAP" -p1 - foo 42 >"$out" 2>"$err" ||
	fail "stap -p1 - exited $?"
printf 'probe begin {\n  println("foo", 42)\n}\n' >"$TESTTMP/want1"
check "stap -p1 -" "$TESTTMP/want1"

# With -e the script is given: "-" is $1, stdin is not read.
echo 'this is not read' | "$STAP" -p1 -e 'probe begin { println(@1) }' - \
	>"$out" 2>"$err" || fail "stap -p1 -e ... - exited $?"
printf 'probe begin {\n  println("-")\n}\n' >"$TESTTMP/want2"
check "stap -e ... -" "$TESTTMP/want2"

# -E scripts follow the main one, in order; stdin and -E together.
echo 'probe begin { println(1) }' |
	"$STAP" -p1 -E 'probe end { println(2) }' -E 'probe end { println(3) }' - \
	>"$out" 2>"$err" || fail "stap -p1 -E -E - exited $?"
printf 'probe begin {\n  println(1)\n}\nprobe end {\n  println(2)\n}\nprobe end {\n  println(3)\n}\n' \
	>"$TESTTMP/want3"
check "stap -E -E -" "$TESTTMP/want3"

# Errors name the script they are in: <input> for stdin, <inputN> for -E.
printf 'probe begin {\n\tx = \n}\n' | "$STAP" -p2 - >"$out" 2>"$err"
[ $? = 1 ] || fail "a syntax error on stdin did not exit 1"
grep -q '^<input>:3:1: error: expected an expression' "$err" ||
	{ show stderr "$err"; fail "stdin error not at <input>:3:1"; }
"$STAP" -p2 -e 'probe begin { }' -E 'probe end { }' -E 'probe end { y = z + 1 }' \
	>"$out" 2>"$err"
grep -q "^<input2>:1:17: warning: local 'z' is never assigned" "$err" ||
	{ show stderr "$err"; fail "-E warning not at <input2>:1:17"; }

# -E alone is not a script.
"$STAP" -p1 -E 'probe end { }' >"$out" 2>"$err"
[ $? = 1 ] || fail "-E without a main script did not exit 1"
grep -q 'no script given.*-E only adds to one' "$err" ||
	{ show stderr "$err"; fail "no message for -E alone"; }

# A script on stdin that uses the tapsets, with an -E probe, run.
rflag=()
[ "$KREL" = "$("$STAPVM" -R)" ] || rflag=(-r "$KREL")
echo 'probe begin { printf("stdin %s\n", execname()) }' |
	"$STAP" --vm "${rflag[@]}" -E 'probe begin(1) { println("-E") exit() }' - \
	>"$out" 2>"$err" || { show stderr "$err"; fail "stap --vm - exited $?"; }
printf 'stdin staprun\n-E\n' >"$TESTTMP/want4"
check "stap --vm -E ... -" "$TESTTMP/want4"
