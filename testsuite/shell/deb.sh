# test: requires kernel-headers
# The Debian packages: scripts/build-deb (make deb) builds stap and
# staprun from a copy of the tree; their contents and dependencies are
# as intended, lintian reports no error, and the stap package unpacked
# into a throw-away root (with staprun) builds a module with -p4.
# Skipped when dpkg-buildpackage or debhelper is missing (make deb
# installs them).
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	skip "no dpkg-buildpackage or debhelper (make deb installs them)"

rel=$KREL
for v in /boot/vmlinuz-6.1.*; do
	r=${v#/boot/vmlinuz-}
	[ -d "/lib/modules/$r/build" ] && rel=$r
done

out=$TESTTMP/deb
cd "$TESTTMP" || exit 1
"$TOPDIR/scripts/build-deb" "$out" >build.out 2>&1 ||
	{ show build build.out; fail "scripts/build-deb exited $?"; }
stap_deb=$(ls "$out"/stap_*_amd64.deb 2>/dev/null)
staprun_deb=$(ls "$out"/staprun_*_amd64.deb 2>/dev/null)
[ -f "$stap_deb" ] && [ -f "$staprun_deb" ] || fail "no stap or staprun .deb in $out"

dpkg-deb --contents "$staprun_deb" | awk '{ print $6 }' >staprun.list
dpkg-deb --contents "$stap_deb" | awk '{ print $6 }' >stap.list
expect_lines staprun.list '^\./usr/bin/staprun$' '^\./usr/bin/stap-merge$' \
	'/man8/staprun\.8\.gz$' || fail "staprun package contents"
grep -q 'usr/bin/stap$\|share/stap/' staprun.list && fail "staprun package holds translator files"
expect_lines stap.list '^\./usr/bin/stap$' '/libexec/stap/stap-vm$' \
	'/share/stap/tapset/context\.stp$' '/share/stap/runtime/stp_runtime\.h$' \
	'/man1/stap\.1\.gz$' '/man3/stapprobes\.3stap\.gz$' \
	'/man3/tapset::context\.3stap\.gz$' '/man3/function::execname\.3stap\.gz$' \
	'/completions/stap$' || fail "stap package contents"
grep -q 'usr/bin/staprun$' stap.list && fail "stap package holds staprun"

# staprun is static: it must not depend on libc.
dpkg-deb -f "$staprun_deb" Depends >staprun.dep
grep -q libc staprun.dep && fail "staprun depends on $(cat staprun.dep)"
dpkg-deb -f "$stap_deb" Depends >stap.dep
expect_lines stap.dep 'staprun \(= ' 'libdw1' 'gcc' 'make' || fail "stap Depends: $(cat stap.dep)"

if command -v lintian >/dev/null; then
	lintian "$out"/*.changes >lintian.out 2>&1
	grep '^E:' lintian.out && { show lintian lintian.out; fail "lintian errors"; }
fi

root=$TESTTMP/root
dpkg -x "$stap_deb" "$root" && dpkg -x "$staprun_deb" "$root" || fail "dpkg -x"
mkdir -p elsewhere && cd elsewhere || exit 1
STAP_CACHE= "$root/usr/bin/stap" -p4 -m fromdeb -r "$rel" \
	-e 'probe kernel.function("vfs_read") { println(execname()) exit() }' \
	>p4.out 2>p4.err || { show stderr p4.err; fail "stap -p4 from the package exited $?"; }
[ -f fromdeb.ko ] || fail "no fromdeb.ko"
exit 0
