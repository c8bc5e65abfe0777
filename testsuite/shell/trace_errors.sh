# test: requires kernel-headers
# kernel.trace diagnostics: a name that matches nothing (unless '?'), an
# argument the tracepoint does not have (the message lists its
# arguments), a point without a quoted name; stap -L lists arguments.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools

p2()
{
	"$STAP" -p2 -r "$KREL" -e "$1" >"$TESTTMP/out" 2>"$TESTTMP/err"
}

p2 'probe kernel.trace("nosuch_tracepoint") { }' && fail "no error for nosuch_tracepoint"
expect_lines "$TESTTMP/err" \
	'^<input>:1:20: error: probe point kernel\.trace\("nosuch_tracepoint"\) matches no tracepoint of kernel ' ||
	fail "nosuch_tracepoint"

p2 'probe kernel.trace("sched_switch") { println($nope) }' && fail "no error for \$nope"
expect_lines "$TESTTMP/err" \
	"error: tracepoint sched:sched_switch has no argument 'nope'; it has: \\\$preempt:bool \\\$prev:struct task_struct\\* \\\$next:struct task_struct\\*" ||
	fail '$nope'

p2 'probe kernel.trace(1) { }' && fail "no error for kernel.trace(1)"
expect_lines "$TESTTMP/err" "error: 'trace' needs a tracepoint name in quotes" ||
	fail "kernel.trace(1)"

p2 'probe kernel.trace("nosuch_tracepoint") ? { } probe begin { exit() }' ||
	{ show stderr "$TESTTMP/err"; fail "optional kernel.trace"; }

"$STAP" -L 'kernel.trace("sched:sched_process_fork")' -r "$KREL" >"$TESTTMP/L" 2>&1 ||
	{ show output "$TESTTMP/L"; fail "stap -L"; }
expect_lines "$TESTTMP/L" \
	'^kernel\.trace\("sched:sched_process_fork"\) \$parent:struct task_struct\* \$child:struct task_struct\*$' ||
	fail "stap -L"
exit 0
