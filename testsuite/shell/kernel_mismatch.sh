# test: requires kernel-headers
# A module prebuilt for one kernel line and loaded on another (a 6.1 .ko
# on 6.12, and the other way round): the kernel refuses it (ENOEXEC) and
# staprun says so in one line naming both releases, exit 1, no raw errno
# and no kernel trouble.  Needs two installed cloud kernels with headers
# (make deps installs 6.1 and 6.12); runs once, not per kernel.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools

# Two releases of different kernel lines: from the kernels under test
# (run.sh passes KERNELS), else from all that are installed.
rels=()
for r in ${KERNELS:-}; do
	[ -d "/lib/modules/$r/build" ] && rels+=("$r")
done
if [ ${#rels[@]} -lt 2 ]; then
	rels=()
	for v in /boot/vmlinuz-*-cloud-amd64; do
		r=${v#/boot/vmlinuz-}
		[ -d "/lib/modules/$r/build" ] && rels+=("$r")
	done
fi
mapfile -t rels < <(printf '%s\n' "${rels[@]}" | sort -V -u)
[ ${#rels[@]} -ge 2 ] || skip "needs two cloud kernels with headers (make deps)"
old=${rels[0]} new=${rels[${#rels[@]} - 1]}
[ "$(echo "$old" | cut -d. -f1,2)" != "$(echo "$new" | cut -d. -f1,2)" ] ||
	skip "$old and $new are one kernel line"

cd "$TESTTMP" || exit 1
script='probe begin { println("loaded") exit() }'

# built FOR, booted ON
for pair in "$old $new" "$new $old"; do
	read -r for on <<<"$pair"
	m=mismatch_$(echo "${for%%-*}" | tr -c 'A-Za-z0-9\n' _)
	"$STAP" -p4 -m "$m" -r "$for" -e "$script" >build.out 2>build.err ||
		{ show stderr build.err; fail "stap -p4 -r $for exited $?"; }
	[ -f "$m.ko" ] || fail "stap -p4 -m $m left no $m.ko"
	"$STAPVM" -r "$on" -t "$TEST_TIMEOUT" "$m.ko" >out 2>err
	rc=$?
	[ $rc = 1 ] || { show stderr err; show stdout out; fail "$for module on $on: exit $rc, expected 1"; }
	[ ! -s out ] || { show stdout out; fail "$for module on $on: printed something"; }
	# The whole of stderr, exactly.
	printf 'staprun: cannot load module %s: module was built for another kernel (module: %s, running: %s)\n' \
		"$m" "$for" "$on" >want
	cmp -s want err || { show expected want; show stderr err; fail "$for module on $on: message"; }
done
exit 0
