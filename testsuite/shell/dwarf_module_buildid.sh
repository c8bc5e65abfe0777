# test: requires kernel-headers, every kernel
# Probes placed with one build of the test module are not registered in
# another build of it (a different GNU build id): staprun says so and the
# probe never fires; the right build is probed (stap --vm with the module
# loaded by STAPVM_KMODS).
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
cd "$TESTTMP" || exit 1
"$TOPDIR/testsuite/kmod/build.sh" "$KREL" "$TESTTMP/a" || fail "cannot build the test module"
"$TOPDIR/testsuite/kmod/build.sh" "$KREL" "$TESTTMP/b" KCFLAGS=-DSTPTEST_OTHER ||
	fail "cannot build the other test module"
ida=$(readelf -n a/stptest.ko | sed -n 's/.*Build ID: //p')
idb=$(readelf -n b/stptest.ko | sed -n 's/.*Build ID: //p')
[ -n "$ida" ] && [ "$ida" != "$idb" ] || fail "the two builds have build ids '$ida' and '$idb'"
SYSTEMTAP_DEBUGINFO_PATH=$TESTTMP/a "$STAP" -p4 -m bid -r "$KREL" -e '
probe module("stptest").function("stptest_enum") { printf("enum %d\n", $c) }
probe end { println("end") }' >build.out 2>build.err ||
	{ show stderr build.err; fail "stap -p4 exited $?"; }

vm -K b/stptest.ko -c 'echo 1 >/proc/stptest' bid.ko >out 2>err ||
	{ show stderr err; fail "stap-vm (other build) exited $?"; }
echo end >want
diff -u want out || fail "the other build was probed"
echo "ERROR: module stptest is not the one whose debuginfo placed the probes (build id $ida): not probed" >want
diff -u want err || fail "the other build: message"

# the same build, through stap --vm (STAPVM_KMODS loads the module)
SYSTEMTAP_DEBUGINFO_PATH=$TESTTMP/a STAPVM_KMODS=$TESTTMP/a/stptest.ko \
	"$STAP" --vm -r "$KREL" -c 'echo 1 >/proc/stptest' -e '
probe module("stptest").function("stptest_enum") { printf("enum %d\n", $c) }
probe end { println("end") }' >out 2>err ||
	{ show stderr err; fail "stap --vm (same build) exited $?"; }
printf 'enum 4\nend\n' >want
diff -u want out || { show stderr err; fail "the same build"; }
exit 0
