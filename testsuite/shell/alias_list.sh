# test: requires kernel-headers
# stap -l and -L on probe aliases, as SystemTap: the alias's own name
# (not the kprobe under it), and with -L the variables the alias sets,
# in the order it sets them, with their types, then the target
# variables of the place it probes.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
out=$TESTTMP/out err=$TESTTMP/err
aliases='probe myread = kernel.function("vfs_read") { n = $count; f = "x" . sprint(n) }
probe myread.two = begin { t = 2; s = "s" }
probe myread2 = myread { m = n + 1 }'

"$STAP" -r "$KREL" -l 'myread*' -E "$aliases" >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-l exited $?"; }
printf 'myread\nmyread2\n' | cmp -s - "$out" ||
	{ show stdout "$out"; fail "-l 'myread*'"; }

"$STAP" -r "$KREL" -L 'myread*.*' -E "$aliases" >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L exited $?"; }
printf 'myread.two t:long s:string\n' | cmp -s - "$out" ||
	{ show stdout "$out"; fail "-L 'myread*.*'"; }
[ ! -s "$err" ] || { show stderr "$err"; fail "-L printed warnings"; }

# Nested aliases: the inner alias's variables first; then $vars (DWARF).
"$STAP" -r "$KREL" -L 'myread2' -E "$aliases" >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L myread2 exited $?"; }
grep -Eq '^myread2 n:long f:string m:long \$file:struct file\* \$buf:char\* \$count:size_t \$pos:loff_t\*$' \
	"$out" || { show stdout "$out"; fail "-L myread2"; }

# The tapset's syscall.openat: every variable, argstr included (-L does
# not elide), under the alias's name; then the place's $variables, if
# any (the kprobe's parameters, from BTF).
"$STAP" -r "$KREL" -L 'syscall.openat' >"$out" 2>"$err" ||
	{ show stderr "$err"; fail "-L syscall.openat exited $?"; }
[ "$(wc -l <"$out")" = 1 ] || { show stdout "$out"; fail "not one line"; }
expect_lines "$out" '^syscall\.openat name:string( [a-z_]+:(long|string))+ argstr:string( \$.*)?$' \
	' dfd:long ' ' filename:string ' ' flags:long ' ' mode:long ' ||
	{ show stdout "$out"; fail "-L syscall.openat"; }
"$STAP" -r "$KREL" -L 'syscall.openat.return' >"$out" 2>"$err" ||
	fail "-L syscall.openat.return exited $?"
expect_lines "$out" '^syscall\.openat\.return name:string retval:long retstr:string$' ||
	{ show stdout "$out"; fail "-L syscall.openat.return"; }
"$STAP" -r "$KREL" -l 'syscall.*' >"$out" 2>"$err" || fail "-l syscall.* exited $?"
! grep -v '^syscall\.[a-z0-9_]*$' "$out" || fail "-l syscall.* lists non-aliases"
grep -qx 'syscall.openat' "$out" || fail "-l syscall.* misses syscall.openat"
