# test: requires kernel-headers, every kernel
# User backtraces through frame pointers: a tiny static program built
# here with -fno-omit-frame-pointer (testsuite/shell/data/ustack_fp.c)
# is shipped to the guest inside the case's guest script (base64);
# ubacktrace() of its getppid() names sys, level3, level2, level1 and
# _start in that order (looked up with nm on the host), ucallers(2) the
# two after sys, print_ubacktrace() prints its file and offsets.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
command -v gcc >/dev/null && command -v nm >/dev/null || skip "no gcc/nm"
cd "$TESTTMP" || exit 1
data=$TOPDIR/testsuite/shell/data
gcc -static -nostdlib -no-pie -fno-pie -O0 -fno-omit-frame-pointer \
	-fno-stack-protector -fcf-protection=none -o ustack_fp \
	"$data/ustack_fp.c" 2>gcc.err || { show stderr gcc.err; fail "gcc"; }
mkdir -p b/ustack
"$STAP" -g -p4 -m ustack -r "$KREL" "$data/ustack_fp.stp" >b/ustack/ko 2>build.err ||
	{ show stderr build.err; fail "stap -p4"; }
cp ustack.ko b/ustack/module.ko || fail "no ustack.ko"
{
	echo "base64 -d >/tmp/ustack_fp <<'EOF'"
	base64 ustack_fp
	echo "EOF"
	echo "chmod +x /tmp/ustack_fp"
	echo 'staprun -c /tmp/ustack_fp "$1"'
} >b/ustack/guest
"$STAPVM" -r "$KREL" -t "$TEST_TIMEOUT" -b b >vm.out 2>vm.err ||
	{ show stderr vm.err; show stdout b/ustack/stdout; show stderr b/ustack/stderr; fail "stap-vm"; }
out=b/ustack/stdout

# name ADDR: the function of ustack_fp that holds ADDR.
nm -n ustack_fp | awk '$2 ~ /^[tT]$/ { print $1, $3 }' >syms
name()
{
	local v s n=
	while read -r v s; do
		[ $((16#$v)) -le $(($1)) ] && n=$s
	done <syms
	echo "$n"
}
set -- $(sed -n 's/^ubacktrace: //p' $out)
[ $# -ge 5 ] || { show stdout $out; fail "ubacktrace has $# frames, expected 5"; }
got=
for a in "$1" "$2" "$3" "$4" "$5"; do got="$got $(name "$a")"; done
[ "$got" = " sys level3 level2 level1 _start" ] ||
	{ show stdout $out; fail "frames are$got"; }
expect_lines $out "^ucallers: $2 $3\$" '^uaddr: 1$' '^same: 1$' \
	"^ $(printf '0x%016x' "$1") \\[/tmp/ustack_fp\\+0x[0-9a-f]+\\]\$" ||
	{ show stdout $out; fail "output"; }
