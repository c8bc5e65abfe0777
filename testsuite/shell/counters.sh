# Per-CPU counters (find_counters in src/gen.c): a global that probes
# other than begin/end/error only add to (a++, b += 2) is kept per CPU
# and the probe that only adds takes no globals lock; a global read (c),
# assigned (d) or touched in a function (e) outside begin/end is not; nor
# is any global of a script with embedded C. run/rt_counters checks that
# the counts come out right.
. "$TOPDIR/testsuite/lib/common.sh"
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
s=testsuite/shell/data/counters.stp
"$STAP" -p3 $s >"$TESTTMP/c" 2>"$TESTTMP/err" || { cat "$TESTTMP/err"; fail "exit $?"; }
for g in a b; do
	grep -q "g_${g}_pcpu = alloc_percpu" "$TESTTMP/c" || fail "$g is not a counter"
done
for g in c d e; do
	grep -q "g_${g}_pcpu" "$TESTTMP/c" && fail "$g became a counter"
done
# the first timer probe adds only: no lock; the second reads c: locked
sed -n '/^static void probe_0_timer/,/^}/p' "$TESTTMP/c" >"$TESTTMP/p0"
sed -n '/^static void probe_1_timer/,/^}/p' "$TESTTMP/c" >"$TESTTMP/p1"
grep -q 'this_cpu_inc(\*g_a_pcpu)' "$TESTTMP/p0" || fail "a++ is not a per-CPU add"
grep -q stp_lock_globals "$TESTTMP/p0" && fail "the adding probe takes the lock"
grep -q stp_lock_globals "$TESTTMP/p1" || fail "the reading probe takes no lock"
# end folds the slots before it reads them
sed -n '/^static void probe_3_end/,/^}/p' "$TESTTMP/c" >"$TESTTMP/p3"
grep -q 'stp_counter_fold(&g_a, g_a_pcpu)' "$TESTTMP/p3" || fail "end does not fold a"
# embedded C could touch a global behind the translator's back
printf '%%{ static int x __maybe_unused; %%}\n' >"$TESTTMP/g.stp"
cat $s >>"$TESTTMP/g.stp"
"$STAP" -g -p3 "$TESTTMP/g.stp" >"$TESTTMP/g" 2>"$TESTTMP/err" || { cat "$TESTTMP/err"; fail "-g: exit $?"; }
grep -q '_pcpu' "$TESTTMP/g" && fail "counters in a script with embedded C"
exit 0
