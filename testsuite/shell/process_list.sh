# process("PATH").function probes without a kernel: stap -l / -L list
# the program's functions (with --sysroot, and a name found in $PATH),
# and -p2 places each at its file offset: its address less its PT_LOAD
# segment's address plus the segment's file offset (readelf's view).
. "$TOPDIR/testsuite/lib/common.sh"
need_tools
root=$TESTTMP/root out=$TESTTMP/out err=$TESTTMP/err
mkdir -p "$root/bin"
gcc -O0 -static -o "$root/bin/uprog" testsuite/ubin/uprog.c ||
	fail "cannot build testsuite/ubin/uprog.c"

"$STAP" --sysroot="$root" -l 'process("/bin/uprog").function("up_*")' \
	>"$out" 2>"$err" || { show stderr "$err"; fail "-l exit $?"; }
printf '%s\n' 'process("/bin/uprog").function("up_hello")' \
	'process("/bin/uprog").function("up_square")' \
	'process("/bin/uprog").function("up_sum")' >"$TESTTMP/want"
diff -u "$TESTTMP/want" "$out" || fail "-l up_*"

"$STAP" --sysroot="$root/" -L 'process("/bin/uprog").function("up_s*").return' \
	>"$out" 2>"$err" || { show stderr "$err"; fail "-L exit $?"; }
printf '%s\n' 'process("/bin/uprog").function("up_square").return $return:long' \
	'process("/bin/uprog").function("up_sum").return $return:long' >"$TESTTMP/want"
diff -u "$TESTTMP/want" "$out" || fail "-L .return"

# A name without a slash is looked up in $PATH.
PATH=$root/bin:$PATH "$STAP" -l 'process("uprog").function("main")' \
	>"$out" 2>"$err" || { show stderr "$err"; fail "-l in PATH exit $?"; }
echo "process(\"$root/bin/uprog\").function(\"main\")" >"$TESTTMP/want"
diff -u "$TESTTMP/want" "$out" || fail "-l in \$PATH"

# The offsets -p2 shows, against readelf's symbols and segments.
"$STAP" --sysroot="$root" -p2 -e 'probe process("/bin/uprog").function("up_*") {}' \
	>"$out" 2>"$err" || { show stderr "$err"; fail "-p2 exit $?"; }
readelf -lW "$root/bin/uprog" | awk '$1 == "LOAD" { print $2, $3, $5 }' >"$TESTTMP/load"
for f in up_hello up_square up_sum; do
	addr=$(readelf -sW "$root/bin/uprog" | awk -v f=$f '$8 == f && $4 == "FUNC" { print $2 }')
	[ -n "$addr" ] || fail "readelf has no $f"
	want=$(while read -r off vaddr filesz; do
		if [ $((0x$addr)) -ge $((vaddr)) ] && [ $((0x$addr)) -lt $((vaddr + filesz)) ]; then
			printf '0x%x\n' $((0x$addr - vaddr + off))
		fi
	done <"$TESTTMP/load")
	grep -qF "process(\"/bin/uprog\").function(\"$f\") /* uprobe /bin/uprog+$want */" "$out" ||
		{ show stdout "$out"; fail "$f is not at $want"; }
done
# process.begin/.end name the program only: there is no place in it.
"$STAP" --sysroot="$root" -p2 -e 'probe process("/bin/uprog").end, process.begin {}' \
	>"$out" 2>"$err" || { show stderr "$err"; fail "-p2 .end exit $?"; }
printf '%s\n' '# probes' 'process("/bin/uprog").end /* process_end /bin/uprog */' \
	'process.begin /* process_begin */' >"$TESTTMP/want"
diff -u "$TESTTMP/want" "$out" || fail "-p2 process.begin/.end"
exit 0
