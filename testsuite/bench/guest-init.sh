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
#	cost LABEL ours FILE.ko		our staprun -c /bin/loop FILE.ko
#	cost LABEL ref FILE.ko		SystemTap's staprun -c /bin/loop FILE.ko
#
# A cost case prints "@@COST-BEGIN LABEL", the loop's "loop N NS" lines
# and whatever the module printed, then "@@COST-END LABEL RC".  /loopargs
# holds the loop's arguments (calls per round, rounds).
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

while read -r kind a b c d; do
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
		ours)
			/bin/staprun-ours -c "/bin/loop $la" "$c" </dev/null 2>&1
			rc=$?
			;;
		ref)
			/usr/bin/staprun -c "/bin/loop $la" "$c" </dev/null 2>&1
			rc=$?
			;;
		esac
		echo "@@COST-END $a $rc"
		;;
	esac
	dmesg -c | grep -E 'Oops|BUG:|WARNING:|general protection|panic' |
		sed 's/^/@@TROUBLE /'
done </plan
echo "@@BENCH-DONE"
poweroff -f
