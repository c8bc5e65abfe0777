# test: requires kernel-headers, every kernel
# Debuginfo: stap -l / -L list places with file:line and typed target
# variables, and the target variable diagnostics name the probe point,
# the variable and what is available (lines vary between kernels, so
# these are regexes; errors/ holds the kernel-independent texts).
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
[ -f "/usr/lib/debug/boot/vmlinux-$KREL" ] || skip "no linux-image-$KREL-dbg"
out=$TESTTMP/out err=$TESTTMP/err

"$STAP" -r "$KREL" -L 'kernel.function("vfs_read")' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L exit $?"; }
expect_lines "$out" '^kernel\.function\("vfs_read@fs/read_write\.c:[0-9]+"\) \$file:struct file\* \$buf:char\* \$count:size_t \$pos:loff_t\*$' ||
	{ show stdout "$out"; fail "-L vfs_read"; }
"$STAP" -r "$KREL" -L 'kernel.function("vfs_read").return' >"$out" 2>"$err" ||
	fail "-L .return"
expect_lines "$out" '^kernel\.function\("vfs_read@fs/read_write\.c:[0-9]+"\)\.return \$return:ssize_t ' ||
	{ show stdout "$out"; fail "-L vfs_read.return"; }
"$STAP" -r "$KREL" -l 'kernel.statement("vfs_read@fs/read_write.c:*")' >"$out" 2>"$err" ||
	fail "-l statement"
[ "$(wc -l <"$out")" -gt 5 ] || { show stdout "$out"; fail "few lines"; }
expect_lines "$out" '^kernel\.statement\("vfs_read@fs/read_write\.c:[0-9]+"\)$' ||
	fail "-l statement lines"
"$STAP" -r "$KREL" -l 'kernel.function("*@fs/read_write.c")' >"$out" 2>"$err" ||
	fail "-l file glob"
expect_lines "$out" '^kernel\.function\("vfs_write@fs/read_write\.c:[0-9]+"\)$' \
	'^kernel\.function\("ksys_read@fs/read_write\.c:[0-9]+"\)$' ||
	{ show stdout "$out"; fail "-l *@fs/read_write.c"; }

# without DWARF (kprobe.function), the parameters come from BTF
"$STAP" -r "$KREL" -L 'kprobe.function("vfs_read")' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L kprobe.function exit"; }
echo 'kprobe.function("vfs_read") $file:struct file* $buf:char* $count:size_t $pos:loff_t*' >"$TESTTMP/want"
diff -u "$TESTTMP/want" "$out" || fail "-L kprobe.function (BTF)"

# an unknown variable: probe point, variable, what is available
"$STAP" -r "$KREL" -p2 -e 'probe kernel.function("vfs_read") { println($nope) }' >"$out" 2>"$err"
[ $? = 1 ] || fail "unknown variable: expected exit 1"
expect_lines "$err" "^<input>:1:45: error: unknown target variable '\\\$nope' in kernel\\.function\\(\"vfs_read@fs/read_write\\.c:[0-9]+\"\\); available: \\\$file \\\$buf \\\$count \\\$pos$" ||
	{ show stderr "$err"; fail "unknown variable text"; }
# a member that does not exist lists the members
"$STAP" -r "$KREL" -p2 -e 'probe kernel.function("vfs_read") { println($file->nope) }' >"$out" 2>"$err"
expect_lines "$err" "has no member 'nope'; its members: .*f_path" ||
	{ show stderr "$err"; fail "member text"; }
# a struct read as a number
"$STAP" -r "$KREL" -p2 -e 'probe kernel.function("vfs_read") { println($file->f_path) }' >"$out" 2>"$err"
expect_lines "$err" 'f_path is a struct path: read a member with ->, or print it with \$file->f_path\$' ||
	{ show stderr "$err"; fail "struct text"; }
# no debuginfo for that release: the package to install
"$STAP" -r 0.0.0-none -p2 -e 'probe kernel.function("vfs_read@fs/read_write.c") {}' >"$out" 2>"$err"
expect_lines "$err" 'linux-image-0\.0\.0-none-dbg' ||
	{ show stderr "$err"; fail "package name"; }
exit 0
