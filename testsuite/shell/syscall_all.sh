# test: requires kernel-headers, every kernel
# Every syscall.*, syscall.*.return and nd_syscall.* alias elaborates and
# the module with all of them builds (-p4) for the test kernel; each
# system call of that kernel's table has its pair of aliases.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools

table=/usr/src/linux-headers-$KREL/arch/x86/include/generated/asm/syscalls_64.h
[ -f "$table" ] || skip "no $table"

# -p2 lists one probe per alias that resolved on this kernel.
"$STAP" -p2 -r "$KREL" -e 'probe syscall.*, syscall.*.return { }' \
	>"$TESTTMP/p2" 2>"$TESTTMP/p2.err" || { show stderr "$TESTTMP/p2.err"; fail "-p2 failed"; }
missing=0
for sc in $(sed -n 's/^__SYSCALL([0-9]*, sys_\([a-z0-9_]*\)).*/\1/p' "$table" | sort -u); do
	[ "$sc" = ni_syscall ] && continue
	# Calls the kernel lists but does not build have no wrapper.
	grep -q " __x64_sys_$sc\$" "/usr/lib/debug/boot/System.map-$KREL" 2>/dev/null || continue
	if ! grep -q "kprobe __x64_sys_$sc+0x0 " "$TESTTMP/p2"; then
		echo "no syscall alias probes __x64_sys_$sc"
		missing=1
	fi
done
[ $missing = 0 ] || fail "system calls without aliases"

"$STAP" -p4 -m syscall_all -r "$KREL" -e '
probe syscall.*, syscall.*.return, nd_syscall.*, nd_syscall.*.return {
	if (pid() == target()) printf("%s %s\n", name, argstr)
}' >"$TESTTMP/p4" 2>"$TESTTMP/p4.err" || { show stderr "$TESTTMP/p4.err"; fail "-p4 failed"; }
grep -q 'syscall_all\.ko$' "$TESTTMP/p4" || fail "no module built"
exit 0
