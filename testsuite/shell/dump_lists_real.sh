# test: requires kernel-headers, every kernel
# What --dump-probe-types and --dump-probe-aliases list is real: every
# probe type, filled in with sample arguments, and a sample of the
# aliases elaborate (stap -p2) for the kernel. (The formats: dump_lists.)
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
cd "$TESTTMP" || exit 1
"$STAP" --dump-probe-types >types 2>err || { show stderr err; fail "--dump-probe-types exited $?"; }
"$STAP" --dump-probe-aliases >aliases 2>err || { show stderr err; fail "--dump-probe-aliases exited $?"; }
# every listed type, with sample arguments, is one the translator takes
vmlinux=/usr/lib/debug/boot/vmlinux-$KREL
[ -f "$vmlinux" ] || skip "no linux-image-$KREL-dbg"
addr=0x$(nm "$vmlinux" | awk '$3 == "vfs_read" && $2 ~ /[tT]/ { print $1; exit }')
mkdir -p root/bin
gcc -O0 -static -o root/bin/uprog "$TOPDIR/testsuite/ubin/uprog.c" ||
	fail "cannot build testsuite/ubin/uprog.c"
while read -r t; do
	p=$(printf '%s\n' "$t" | sed -E \
		-e 's/^(begin|end|error)\(number\)/\1(1)/' \
		-e 's/^timer\.(ns|nsec)\(number\)/timer.\1(1000000)/' \
		-e 's/^timer\.([a-z]+)\(number\)/timer.\1(100)/' \
		-e 's/randomize\(number\)/randomize(10)/' \
		-e 's/maxactive\(number\)/maxactive(4)/' \
		-e 's/umask\(number\)/umask(0600)/' \
		-e 's/maxsize\(number\)/maxsize(8192)/' \
		-e "s/kernel\.statement\(number\)/kernel.statement($addr)/" \
		-e 's/kernel\.statement\(string\)/kernel.statement("vfs_read@fs\/read_write.c:*")/' \
		-e 's/kernel\.trace\(string\)/kernel.trace("sched_switch")/' \
		-e 's/module\(string\)\.function\(string\)/module("af_key").function("pfkey_sendmsg")/' \
		-e 's/module\(string\)\.statement\(string\)/module("af_key").statement("pfkey_sendmsg@net\/key\/af_key.c:*")/' \
		-e 's/function\(string\)/function("vfs_read")/' \
		-e 's/^process\(string\)\.function\("vfs_read"\)/process("\/bin\/uprog").function("up_sum")/' \
		-e 's/^process\(string\)/process("\/bin\/uprog")/' \
		-e 's/^procfs\(string\)/procfs("x")/' \
		-e 's/perf\.type\(number\)\.config\(number\)/perf.type(1).config(0)/' \
		-e 's/sample\(number\)/sample(100000)/')
	case $p in *'(number)'*|*'(string)'*) fail "no sample arguments for $t";; esac
	"$STAP" -g -p2 -r "$KREL" --sysroot=root \
		-e "probe $p {} probe begin {}" >/dev/null 2>err ||
		{ show stderr err; fail "$t (as $p) is listed but refused"; }
done <types

# a sample of the listed aliases (every 40th) elaborates
awk 'NR % 40 == 1 { print $1 }' aliases >sample
[ -s sample ] || fail "no aliases"
while read -r a; do
	# all of its points optional and absent here is no error of the list
	"$STAP" -p2 -r "$KREL" -e "probe $a {}" >/dev/null 2>err ||
		[ "$(head -n 1 err)" = 'stap: error: no probes found' ] ||
		{ show stderr err; fail "alias $a is listed but does not resolve"; }
done <sample
exit 0
