# test: requires kernel-headers, every kernel
# kernel.statement(ADDR) takes an address of the target's symbol table
# and probes it as function+offset (KASLR-safe); .absolute takes a run-time
# address as is, in guru mode only: with nokaslr (STAPVM_APPEND) the
# link-time address of vfs_read is its run-time one. Both fire in vfs_read
# while dd reads.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
cd "$TESTTMP" || exit 1
vmlinux=/usr/lib/debug/boot/vmlinux-$KREL
[ -f "$vmlinux" ] || skip "no linux-image-$KREL-dbg"
addr=$(nm "$vmlinux" | awk '$3 == "vfs_read" && $2 ~ /[tT]/ { print $1; exit }')
[ -n "$addr" ] || fail "no vfs_read in $vmlinux"
dd='/bin/dd if=/init of=/dev/null bs=7 count=1'

"$STAP" -p4 -m stmt -r "$KREL" -e 'probe kernel.statement(0x'"$addr"') {
	if (execname() == "dd") { printf("%s in %s\n", pp(), probefunc()); exit() }
}' >build.out 2>build.err ||
	{ show stderr build.err; fail "stap -p4 exited $?"; }
vm -c "$dd" stmt.ko >out 2>err || { show stderr err; fail "stap-vm exited $?"; }
echo "kernel.statement(0x$addr) in vfs_read" >want
diff -u want out || fail "kernel.statement(ADDR)"

# the same address at run time, with nokaslr
"$STAP" -g -p4 -m stmtabs -r "$KREL" -e 'probe kernel.statement(0x'"$addr"').absolute {
	if (execname() == "dd") { println(pp()); exit() }
}' >build.out 2>build.err ||
	{ show stderr build.err; fail "stap -g -p4 .absolute exited $?"; }
STAPVM_APPEND=nokaslr vm -c "$dd" stmtabs.ko >out 2>err ||
	{ show stderr err; fail "stap-vm .absolute exited $?"; }
echo "kernel.statement(0x$addr).absolute" >want
diff -u want out || fail "kernel.statement(ADDR).absolute"
exit 0
