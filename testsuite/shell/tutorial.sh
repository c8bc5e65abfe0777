# test: requires kernel-headers
# doc/tutorial.md must still be what the tool does: rerun every example of
# doc/tutorial.md.in (scripts/gen-tutorial, real VM runs), which fails when
# a command's exit status changed, then compare the result with the
# committed page, block by block, except the blocks marked "vary" in the
# .in (addresses, timings).  On a difference: make tutorial, review, commit.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
new=$TESTTMP/tutorial.md
scripts/gen-tutorial doc/tutorial.md.in "$new" 2>"$TESTTMP/log" || {
	show log "$TESTTMP/log"
	fail "scripts/gen-tutorial failed"
}

# mask IN MD: MD with the body of every block that IN marks "vary"
# replaced by one line.  The Nth fenced block of IN is the Nth of MD.
mask()
{
	awk '
	FNR == 1 { f++; k = 0; inb = 0 }
	/^```/ {
		if (!inb) {
			k++
			if (f == 1 && $0 ~ /^```run.* vary/)
				vary[k] = 1
		}
		inb = !inb
		if (f == 2) {
			print
			if (inb && vary[k])
				print "(output varies)"
		}
		next
	}
	f == 2 && !(inb && vary[k])
	' "$1" "$2"
}
mask doc/tutorial.md.in doc/tutorial.md >"$TESTTMP/old"
mask doc/tutorial.md.in "$new" >"$TESTTMP/cur"
diff -u "$TESTTMP/old" "$TESTTMP/cur" >"$TESTTMP/diff" || {
	show "diff (committed vs now)" "$TESTTMP/diff"
	fail "doc/tutorial.md is out of date: run make tutorial and review"
}
