#!/bin/sh
# guest-init.sh - /init of the benchmark's QEMU guest (see bench.py).
#
# Runs the lines of /plan in order, in one boot, and reports on the
# console (the only serial port) between marker lines:
#
#	size NAME FILE.ko		insmod, read /sys/module/NAME/coresize,
#					rmmod  ->  "@@SIZE NAME CORE INIT"
#	cost LABEL none			/bin/loop alone
#	cost LABEL bare FILE.ko [ARGS]	insmod, /bin/loop, rmmod (hits in dmesg)
#	cost LABEL ours FILE.ko [OPTS]	our staprun [OPTS] -c /bin/loop FILE.ko
#	cost LABEL ref FILE.ko [OPTS]	SystemTap's staprun ... the same
#	out LABEL ours|ref FILE.ko [OPTS] the same with /outargs, timed
#
# A cost case prints "@@COST-BEGIN LABEL", the loop's "loop N NS" lines,
# what staprun said on stderr, "@@LINES N" (lines the script printed,
# written by staprun -o to a file) and, when they are few, the lines,
# then "@@COST-END LABEL RC".  /loopargs holds the loop's arguments
# (calls per round, rounds).  An out case prints "@@OUT LABEL RC LINES
# NS": the lines staprun -o wrote and the time from staprun's start to
# its exit (all output written); then staprun's stderr.
export PATH=/bin:/sbin:/usr/bin HOME=/ TERM=dumb
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
exec 0</dev/null
echo "@@BENCH-BOOTED $(uname -r) $(nproc) cpus"
dmesg -c >/dev/null
la=$(cat /loopargs)
oa=$(cat /outargs)

# staprun-ours or SystemTap's staprun: WHO FILE CMD MODULE [OPTS]:
# staprun OPTS -o FILE -c CMD MODULE
stap_run() {
	if [ "$1" = ours ]; then
		/bin/staprun-ours $5 -o "$2" -c "$3" "$4" </dev/null
	else
		/usr/bin/staprun $5 -o "$2" -c "$3" "$4" </dev/null
	fi
}

while read -r kind a b c d; do	# d: the rest of the line
	case $kind in
	size)
		if insmod "$b" </dev/null 2>/tmp/err; then
			echo "@@SIZE $a $(cat /sys/module/$a/coresize)" \
				"$(cat /sys/module/$a/initsize)"
			rmmod "$a" || echo "@@NOTE cannot unload $a"
		else
			echo "@@SIZE-FAIL $a $(head -n 1 /tmp/err)"
		fi
		;;
	cost)
		echo "@@COST-BEGIN $a"
		case $b in
		none)
			/bin/loop $la </dev/null
			rc=$?
			;;
		bare)
			insmod "$c" $d </dev/null
			/bin/loop $la </dev/null
			rc=$?
			rmmod bench_bare
			dmesg | grep -o '[0-9]* hits'
			;;
		ours|ref)
			# the loop's lines are its stdout; the script's go to a file
			stap_run $b /tmp/script.out "/bin/loop $la" "$c" "$d" 2>&1
			rc=$?
			n=$(wc -l </tmp/script.out)
			echo "@@LINES $n"
			[ "$n" -le 3 ] && cat /tmp/script.out
			rm -f /tmp/script.out
			;;
		esac
		echo "@@COST-END $a $rc"
		;;
	out)
		t0=$(/bin/loop now)
		stap_run $b /tmp/script.out "/bin/loop $oa >/dev/null" "$c" \
			"$d" 2>/tmp/err
		rc=$?
		t1=$(/bin/loop now)
		echo "@@OUT $a $rc $(wc -l </tmp/script.out) $((t1 - t0))"
		head -n 5 /tmp/err
		rm -f /tmp/script.out
		;;
	esac
	dmesg -c | grep -E 'Oops|BUG:|WARNING:|general protection|panic' |
		sed 's/^/@@TROUBLE /'
done </plan
echo "@@BENCH-DONE"
poweroff -f
