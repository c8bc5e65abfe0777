# test: requires kernel-headers
# A function the DWARF does not describe (the syscall stubs the kernel's
# macros generate) still resolves from the symbol table, at its entry.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
"$STAP" -p2 -r "$KREL" -e 'probe kernel.function("__x64_sys_getppid") {}' \
	>"$TESTTMP/out" 2>"$TESTTMP/err" || { cat "$TESTTMP/err"; fail "not resolved"; }
grep -q 'kprobe __x64_sys_getppid+0x0' "$TESTTMP/out" || { cat "$TESTTMP/out"; fail "not at its entry"; }
exit 0
