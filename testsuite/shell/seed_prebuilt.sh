# test: requires kernel-headers, every kernel
# Build seedbt.ko with `stap -p4 -m seedbt`, then boot a VM that has only
# staprun and seedbt.ko: the backtrace shows mm_access and proc_mem_open.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
cd "$TESTTMP" || exit 1
"$STAP" -p4 -m seedbt -r "$KREL" "$TOPDIR/testsuite/run/seed_backtrace.stp" >build.out 2>build.err ||
	{ show stderr build.err; fail "stap -p4 exited $?"; }
[ -f seedbt.ko ] || fail "stap -p4 -m seedbt left no seedbt.ko in the current directory"
vm -c '/bin/cat /proc/1/maps > /dev/null' seedbt.ko >out 2>err
rc=$?
[ $rc = 0 ] || { show stderr err; show stdout out; fail "stap-vm exited $rc"; }
expect_match out "$TOPDIR/testsuite/run/seed_backtrace.match" || { show stdout out; fail "backtrace"; }
