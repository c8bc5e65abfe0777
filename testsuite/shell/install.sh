# test: requires kernel-headers
# make install into a temporary DESTDIR, then use the installed stap from
# another directory: stap -p4 of a one-liner on the 6.1 kernel (the
# tapsets and runtime must come from the installed tree, not from the
# sources), the stapex examples elaborate, the man pages format without
# warnings, bash completion loads; then make uninstall leaves no file.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools

# The 6.1 kernel if it is installed with headers, else the test kernel.
rel=$KREL
for v in /boot/vmlinuz-6.1.*; do
	r=${v#/boot/vmlinuz-}
	[ -d "/lib/modules/$r/build" ] && rel=$r
done

root=$TESTTMP/root prefix=/opt/stap-test
cd "$TESTTMP" || exit 1
make -s -C "$TOPDIR" install DESTDIR="$root" PREFIX=$prefix >make.out 2>&1 ||
	{ show "make install" make.out; fail "make install exited $?"; }
inst=$root$prefix
for f in bin/stap bin/staprun bin/stap-merge libexec/stap/stap-vm \
	share/stap/runtime/stp_runtime.h share/stap/tapset/context.stp \
	share/man/man1/stap.1 share/man/man8/staprun.8 \
	share/man/man3/stapprobes.3stap share/man/man3/stapex.3stap \
	share/man/man3/tapset::context.3stap \
	share/man/man3/function::execname.3stap \
	share/bash-completion/completions/stap \
	share/bash-completion/completions/staprun \
	share/doc/stap/architecture.svg; do
	[ -e "$inst/$f" ] || fail "make install did not install $f"
done
cmp -s "$inst/share/stap/tapset/context.stp" "$TOPDIR/tapset/context.stp" ||
	fail "installed tapset differs from tapset/"

# Run from an empty directory, with the source tree out of reach: the
# installed stap must find its tapsets and runtime next to itself.
mkdir -p "$TESTTMP/elsewhere"
cd "$TESTTMP/elsewhere" || exit 1
STAP_CACHE= "$inst/bin/stap" -k -p4 -m installed -r "$rel" \
	-e 'probe kernel.function("vfs_read") { printf("%s %d\n", execname(), pid()) exit() }' \
	>p4.out 2>p4.err || { show stderr p4.err; fail "installed stap -p4 exited $?"; }
[ -f installed.ko ] || fail "stap -p4 -m installed left no installed.ko"
tmpd=$(sed -n "s/^Keeping temporary directory \"\(.*\)\"/\1/p" p4.err)
[ -n "$tmpd" ] || { show stderr p4.err; fail "stap -k printed no directory"; }
inc=$(sed -n "s/^ccflags-y := -I\([^ ]*\).*/\1/p" "$tmpd"/Kbuild)
[ "$(realpath "$inc" 2>/dev/null)" = "$(realpath "$inst/share/stap/runtime")" ] ||
	{ show Kbuild "$tmpd/Kbuild"; rm -rf "$tmpd"; fail "the module was not built with the installed runtime"; }
rm -rf "$tmpd"
"$inst/bin/stap" -V >v.out 2>&1 || fail "stap -V"

# The worked examples of stapex(3stap) elaborate with the installed stap.
awk '/^\.EX/ { n++; f = sprintf("ex%02d.stp", n); next }
     /^\.EE/ { f = ""; next }
     f { gsub(/\\e/, "\\"); gsub(/\\-/, "-"); sub(/^\\&/, ""); print > f }' \
	"$inst/share/man/man3/stapex.3stap"
for f in ex*.stp; do
	grep -q '^probe\|^global' "$f" || continue
	"$inst/bin/stap" -p2 -r "$rel" "$f" >"$f.out" 2>&1 ||
		{ show "$f" "$f"; show "stap -p2 $f" "$f.out"; fail "stapex example $f"; }
done

# Every installed man page formats without a warning.
for m in "$inst"/share/man/man*/*; do
	LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -Tutf8 -ww -z "$m" >groff.out 2>&1
	[ -s groff.out ] && { show "$m" groff.out; fail "groff warns on ${m##*/}"; }
done
MANPATH=$inst/share/man man -w stap >/dev/null 2>&1 ||
	fail "man -w stap does not find the installed page"

bash -c ". '$inst/share/bash-completion/completions/stap'
	COMP_WORDS=(stap --ver); COMP_CWORD=1; _stap; [ \"\${COMPREPLY[*]}\" = --version ]" ||
	fail "bash completion of --ver"

make -s -C "$TOPDIR" uninstall DESTDIR="$root" PREFIX=$prefix >un.out 2>&1 ||
	{ show "make uninstall" un.out; fail "make uninstall exited $?"; }
left=$(find "$root" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $(echo $left | head -c 300)"
exit 0
