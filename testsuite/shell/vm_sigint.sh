# test: requires kernel-headers
# Ctrl-C on the host (SIGINT to the process group of `stap --vm`) reaches
# the guest's staprun: the end probe runs and its output comes out.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
out=$TESTTMP/out err=$TESTTMP/err
set -m		# own process group, and SIGINT not ignored in the job
"$STAP" --vm -r "$KREL" -e 'probe begin { println("begin") } probe end { println("end") }' \
	>"$out" 2>"$err" &
pid=$!
set +m
for _ in $(seq 1 $((TEST_TIMEOUT * 10 + 600))); do
	grep -q begin "$out" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
grep -q begin "$out" || { kill -TERM -- -$pid 2>/dev/null; show stderr "$err"; fail "no begin output"; }
sleep 1
kill -INT -- -$pid
wait $pid
rc=$?
[ $rc = 0 ] || { show stderr "$err"; show stdout "$out"; fail "stap --vm exited $rc after SIGINT"; }
printf 'begin\nend\n' | cmp -s - "$out" || { show stdout "$out"; fail "expected begin, end"; }
