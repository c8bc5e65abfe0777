# test: requires kernel-headers, every kernel
# module("NAME") and module("PATH.ko") points on the test module
# (testsuite/kmod/stptest.c, built with -g for the kernel here): -l and -L
# list functions, statements and inline instances with their variables;
# globs on the module name; kprobe.module from the symbol table; a
# module built for another kernel, and one
# that is nowhere, are refused with messages that say so; a -dbg module
# of Debian's (af_key) resolves too.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
km=$TESTTMP/kmod out=$TESTTMP/out err=$TESTTMP/err
"$TOPDIR/testsuite/kmod/build.sh" "$KREL" "$km" || fail "cannot build the test module"
export SYSTEMTAP_DEBUGINFO_PATH=$km

# check WHAT EXPECTED-FILE: stdout of the last command, exactly.
check()
{
	diff -u "$2" "$out" || { show stderr "$err"; fail "$1"; }
}

"$STAP" -r "$KREL" -L 'module("stptest").function("stptest_s*")' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L exit"; }
cat >"$TESTTMP/want" <<'WANT'
module("stptest").function("stptest_scalars@stptest.c:61") $i:int $l:long int $uc:unsigned char $s:short int $ull:long long unsigned int $c:char
module("stptest").function("stptest_set@stptest.c:115") $o:struct stptest_outer* $v:long int
module("stptest").function("stptest_string@stptest.c:67") $str:const char* $len:size_t
module("stptest").function("stptest_struct@stptest.c:72") $o:stptest_outer_t* $k:int $sum:int
WANT
check "-L module function" "$TESTTMP/want"

"$STAP" -r "$KREL" -L 'module("stp*").function("stptest_union").return' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L .return exit"; }
echo 'module("stptest").function("stptest_union@stptest.c:89").return $return:int $u:union stptest_u* $v:union stptest_u' >"$TESTTMP/want"
check "-L module glob .return" "$TESTTMP/want"

"$STAP" -r "$KREL" -L 'module("stptest").function("stptest_inl").inline' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L .inline exit"; }
echo 'module("stptest").function("stptest_inl@stptest.c:99").inline $x:int' >"$TESTTMP/want"
check "-L .inline" "$TESTTMP/want"

"$STAP" -r "$KREL" -l 'module("stptest").statement("stptest_loop@stptest.c:*")' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-l statement exit"; }
expect_lines "$out" '^module\("stptest"\)\.statement\("stptest_loop@stptest\.c:109"\)$' \
	'^module\("stptest"\)\.statement\("stptest_loop@stptest\.c:111"\)$' ||
	{ show stdout "$out"; fail "-l statement"; }

# .exported: the one function the module exports
"$STAP" -r "$KREL" -l 'module("stptest").function("*").exported' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-l .exported exit"; }
echo 'module("stptest").function("stptest_enum@stptest.c:94").exported' >"$TESTTMP/want"
check "-l .exported" "$TESTTMP/want"

# a path names the file; pp() keeps the path as written
"$STAP" -r "$KREL" -l "module(\"$km/stptest.ko\").function(\"stptest_enum\")" >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-l path exit"; }
echo "module(\"$km/stptest.ko\").function(\"stptest_enum@stptest.c:94\")" >"$TESTTMP/want"
check "-l path" "$TESTTMP/want"

# the kprobe is placed as module:symbol+offset
"$STAP" -r "$KREL" -p2 -e 'probe module("stptest").function("stptest_enum").call { }' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-p2 exit"; }
expect_lines "$out" '/\* kprobe stptest:stptest_enum\+0x0 \*/' ||
	{ show stdout "$out"; fail "kprobe symbol"; }

# kprobe.module needs only the symbol table; a glob leaves out f.cold
"$STAP" -r "$KREL" -l 'kprobe.module("stptest").function("stptest_str*")' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-l kprobe.module exit"; }
printf '%s\n' 'kprobe.module("stptest").function("stptest_string")' \
	'kprobe.module("stptest").function("stptest_struct")' >"$TESTTMP/want"
check "-l kprobe.module" "$TESTTMP/want"
"$STAP" -r "$KREL" -p2 -e 'probe kprobe.module("stptest").function("nothere") { }' >"$out" 2>"$err"
[ $? = 1 ] || fail "kprobe.module no match: expected exit 1"
grep -qxF '<input>:1:41: error: probe point kprobe.module("stptest").function("nothere") matches no function of module stptest' "$err" ||
	{ show stderr "$err"; fail "kprobe.module no match text"; }

# guru writes: only '=', not to a .return probe's variables
"$STAP" -g -r "$KREL" -p2 -e 'probe module("stptest").function("stptest_set") { $v += 1 }' >"$out" 2>"$err"
grep -qxF "<input>:1:54: error: a target variable can only be assigned with '=', not '+='" "$err" ||
	{ show stderr "$err"; fail "+= on a target variable"; }
"$STAP" -g -r "$KREL" -p2 -e 'probe module("stptest").function("stptest_set").return { $v = 1 }' >"$out" 2>"$err"
grep -qxF "<input>:1:58: error: cannot assign to '\$v' in .return probe module(\"stptest\").function(\"stptest_set@stptest.c:115\").return: the function's variables are gone at return" "$err" ||
	{ show stderr "$err"; fail "write in .return"; }

# built into the kernel (ext4 on Debian's cloud kernels)
if grep -q '/ext4\.ko$' "/lib/modules/$KREL/modules.builtin" 2>/dev/null; then
	"$STAP" -r "$KREL" -p2 -e 'probe module("ext4").function("ext4_file_open") { }' >"$out" 2>"$err"
	grep -qxF "<input>:1:31: error: probe point module(\"ext4\").function(\"ext4_file_open\"): ext4 is built into kernel $KREL, not a module: probe kernel.function(...) instead" "$err" ||
		{ show stderr "$err"; fail "built-in module text"; }
fi

# nowhere to be found
"$STAP" -r "$KREL" -p2 -e 'probe module("nosuchmod").function("f") { }' >"$out" 2>"$err"
[ $? = 1 ] || fail "missing module: expected exit 1"
grep -qxF "<input>:1:36: error: probe point module(\"nosuchmod\").function(\"f\"): no module nosuchmod for kernel $KREL in /usr/lib/debug/lib/modules/$KREL, /lib/modules/$KREL or SYSTEMTAP_DEBUGINFO_PATH" "$err" ||
	{ show stderr "$err"; fail "missing module text"; }

# built for another kernel (any other kernel under test)
for other in $KERNELS; do
	[ "$other" = "$KREL" ] && continue
	"$TOPDIR/testsuite/kmod/build.sh" "$other" "$TESTTMP/other" ||
		fail "cannot build the test module for $other"
	"$STAP" -r "$KREL" -p2 -e "probe module(\"$TESTTMP/other/stptest.ko\").function(\"stptest_enum\") { }" >"$out" 2>"$err"
	[ $? = 1 ] || fail "other kernel's module: expected exit 1"
	grep -qF "stptest_enum\"): $TESTTMP/other/stptest.ko was built for kernel $other, not for $KREL" "$err" ||
		{ show stderr "$err"; fail "other kernel's module text"; }
	break
done

# a module of the -dbg package
if [ -d "/usr/lib/debug/lib/modules/$KREL" ]; then
	"$STAP" -r "$KREL" -L 'module("af_key").function("pfkey_sendmsg")' >"$out" 2>"$err" ||
		{ show stderr "$err"; fail "-L af_key exit"; }
	expect_lines "$out" '^module\("af_key"\)\.function\("pfkey_sendmsg@net/key/af_key\.c:[0-9]+"\) \$sock:struct socket\* \$msg:struct msghdr\* \$len:size_t$' ||
		{ show stdout "$out"; fail "-L af_key"; }
fi
exit 0
