#!/bin/bash
# run.sh - run the testsuite: every test is a file, its expectations sit
# next to it (see doc/testing.md).
#
#	unit/*.c	built with the sanitizer flags and run; exit 0 = pass;
#			unit/foo_test.c is linked with src/foo.c, or with what
#			a line "/* test: link src/a.c -lelf */" names
#	parse/*.stp	stap -p1 X.stp            stdout == X.ast
#	errors/*.stp	stap -p2 X.stp            exit 1, stderr == X.stderr
#	gen/*.stp	stap -p3 X.stp            stdout == X.c.golden
#	run/*.stp	stap -p4 -m X -r REL      then ALL run in one VM boot
#			per kernel; stdout == X.stdout (or matches every line
#			of X.match); X.match@6.12 (any sidecar, any release
#			prefix) replaces X.match on that kernel line;
#			X.kmod names modules of testsuite/kmod/ (one a
#			line, e.g. stptest): built with -g for the kernel,
#			found by stap through SYSTEMTAP_DEBUGINFO_PATH and
#			loaded in the guest before the script
#			X.ubin names programs of testsuite/ubin/ (NAME
#			for NAME.c, one a line): built static on the host,
#			read by stap through --sysroot and copied to the
#			guest's /bin, for process("/bin/NAME") probes
#	shell/*.sh	any script; exit 0 pass, 77 skip, else fail
#
# Like QBE's tools/test.sh it prints "name ... ok|FAIL|skip", a diff for
# each failure, one "REL: N passed, N failed, N skipped (S s)" line per
# kernel and last "N passed, N failed, N skipped"; the exit status is 1
# when something failed.  UPDATE=1 rewrites the expected files instead of
# comparing (review those diffs like code).
#
# usage: testsuite/run.sh [-k KERNEL]... [-t SECS] [PATTERN...]
#	PATTERN selects tests whose "kind/name" contains it (globs allowed).
#	-k takes a release, a list ("A B" or "A,B") or "all" (the default:
#	every installed cloud kernel with headers).  With several kernels,
#	run/ tests and shell tests marked "every kernel" run on each, named
#	NAME@REL; other kernel tests run on the newest selected kernel.
# env: STAP (./stap), STAPRUN (./staprun), STAPVM (src/stap-vm), KREL
#	(same as -k), JOBS (parallel module builds, nproc), UNIT_CC,
#	UNIT_CFLAGS, KEEP=1 (keep the work directory), UPDATE=1.
set -u
export LC_ALL=C

cd "$(dirname "$0")/.." || exit 2
top=$(pwd)

usage()
{
	sed -n 's/^# usage: /usage: /p' "$0" >&2
	exit 2
}

klist=${KREL:-} secs=${TEST_TIMEOUT:-30}
while getopts k:t:h o; do
	case $o in
	k) klist="$klist $OPTARG" ;;
	t) secs=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
patterns=("$@")

STAP=${STAP:-./stap}
STAPRUN=${STAPRUN:-./staprun}
STAPVM=${STAPVM:-src/stap-vm}
UNIT_CC=${UNIT_CC:-cc}
UNIT_CFLAGS=${UNIT_CFLAGS:--O1 -g -fsanitize=address,undefined \
-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Wshadow \
-Wstrict-prototypes -Wmissing-prototypes -Werror}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
UPDATE=${UPDATE:-}

# abspath P: P made absolute (for commands run from other directories).
abspath()
{
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$top/${1#./}" ;;
	esac
}
stap_abs=$(abspath "$STAP")
staprun_abs=$(abspath "$STAPRUN")
stapvm_abs=$(abspath "$STAPVM")

# The kernels to test: -k (repeatable; a list; "all"), by default all:
# every installed cloud kernel with headers, oldest first.  run/ tests
# and "every kernel" shell tests run on each; the other kernel tests
# (parse/errors/gen with -r, shell tests) on the newest, $primary, which
# is also what `stap --vm` boots by default.
kernels=()
for k in ${klist//,/ }; do
	if [ "$k" = all ]; then
		kernels+=(all)
		continue
	fi
	if [ ! -d "/lib/modules/$k/build" ]; then
		echo "run.sh: no headers for kernel $k (/lib/modules/$k/build)" >&2
		exit 2
	fi
	kernels+=("$k")
done
[ ${#kernels[@]} -gt 0 ] || kernels=(all)
mapfile -t kernels < <(
	for k in "${kernels[@]}"; do
		if [ "$k" = all ]; then
			for v in /boot/vmlinuz-*-cloud-amd64; do
				k=${v#/boot/vmlinuz-}
				[ -d "/lib/modules/$k/build" ] && echo "$k"
			done
		else
			echo "$k"
		fi
	done | sort -V -u
)
primary=${kernels[${#kernels[@]} - 1]:-}
krel=$primary

work=$(mktemp -d "${TMPDIR:-/tmp}/stap-tests.XXXXXX") || exit 2
if [ -n "${KEEP:-}" ]; then
	trap 'echo "run.sh: kept $work"' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi

npass=0 nfail=0 nskip=0
# Per kernel: tests passed, failed, skipped and seconds spent, keyed by
# release; "-" holds the tests that need no kernel.  $cur is the kernel
# the test being reported ran on.
declare -A kpass kfail kskip ksecs
cur=-

# selected NAME: is the test kind/name wanted by the command line?
selected()
{
	local p
	[ ${#patterns[@]} -eq 0 ] && return 0
	for p in "${patterns[@]}"; do
		# shellcheck disable=SC2053
		[[ $1 == *$p* ]] && return 0
	done
	return 1
}

# needs_kernel FILE: does FILE start with "test: requires kernel-headers"?
needs_kernel()
{
	head -n 1 "$1" | grep -q 'test: requires kernel-headers'
}

# every_kernel FILE: does a "test:" line in the first five say "every
# kernel"?  Such shell tests run on each kernel, not only the newest.
every_kernel()
{
	head -n 5 "$1" | grep -q 'test:.*every kernel'
}

# sidecar BASE EXT REL: the file with what BASE expects on kernel REL:
# BASE.EXT@V for the longest V that is REL or a prefix of it ending at a
# version boundary (6.12 fits 6.12.95+deb12-cloud-amd64, not 6.1.0-56),
# else BASE.EXT.  Prints nothing when there is neither.
sidecar()
{
	local f v best= len=0
	for f in "$1.$2"@*; do
		[ -f "$f" ] || continue
		v=${f##*@}
		case $3 in
		"$v" | "$v".* | "$v"-* | "$v"+* | "$v"~*) ;;
		*) continue ;;
		esac
		[ ${#v} -gt $len ] && { best=$f; len=${#v}; }
	done
	[ -z "$best" ] && [ -f "$1.$2" ] && best=$1.$2
	[ -n "$best" ] && printf '%s\n' "$best"
	return 0
}

# count VAR: one more for the current kernel in the array VAR.
count()
{
	local -n arr=$1
	arr[$cur]=$((${arr[$cur]:-0} + 1))
}

ok()
{
	echo "$1 ... ok"
	npass=$((npass + 1))
	count kpass
}

skip()
{
	echo "$1 ... skip${2:+ ($2)}"
	nskip=$((nskip + 1))
	count kskip
}

# fail NAME [WHY]: the rest of the explanation comes on stdin.
# ship LIST FROM EXT TO D: copy FROM/NAME.EXT into TO for each NAME the
# sidecar file LIST names (none when LIST is ""); a missing one fails the
# build of the case in D.
ship()
{
	[ -n "$1" ] || return 0
	mkdir -p "$4"
	for f in $(cat "$1"); do
		cp "$2/$f$3" "$4/" 2>>"$5/build.err" || echo 1 >"$5/build.rc"
	done
}

fail()
{
	echo "$1 ... FAIL${2:+ ($2)}"
	sed 's/^/    /'
	nfail=$((nfail + 1))
	count kfail
}

# compare NAME EXPECTED GOT: diff, or rewrite EXPECTED under UPDATE=1.
compare()
{
	if [ -n "$UPDATE" ]; then
		cmp -s "$2" "$3" || { cp "$3" "$2"; echo "$1: updated $2"; }
		return 0
	fi
	diff -u --label "$2" --label got "$2" "$3" >"$work/diff" && return 0
	return 1
}

have_stap()
{
	[ -x "$stap_abs" ] || { echo "no $STAP: build it first (make)" >"$work/why"; return 1; }
}

#
# unit/*.c: a main() that returns non-zero on failure.  A line
# "/* test: link src/arena.c -lelf */" adds sources and libraries.
#
unit_tests()
{
	local c name exe link src
	for c in testsuite/unit/*.c; do
		[ -f "$c" ] || continue
		name=unit/$(basename "$c" .c)
		selected "$name" || continue
		exe=$work/unit/$(basename "$c" .c)
		mkdir -p "$work/unit"
		link=$(sed -n 's|.*test: *link \(.*\)\*/.*|\1|p; s|.*test: *link \([^*]*\)$|\1|p' "$c" | head -n 1)
		if [ -z "$link" ]; then
			# By convention unit/foo_test.c tests src/foo.c.
			src=src/$(basename "$c" .c)
			src=${src%_test}.c
			[ -f "$src" ] && link="$src -lelf -ldw"
		fi
		# shellcheck disable=SC2086
		if ! $UNIT_CC $UNIT_CFLAGS -Isrc -Iruntime -Itestsuite/unit \
			-o "$exe" "$c" $link >"$work/out" 2>&1; then
			fail "$name" "does not compile" <"$work/out"
			continue
		fi
		if "$exe" >"$work/out" 2>&1; then
			ok "$name"
		else
			fail "$name" "exit $?" <"$work/out"
		fi
	done
}

# stp_test KIND FILE: one parse, errors or gen test.  Tests that need a
# kernel (first line "# test: requires kernel-headers") get -r REL.
stp_test()
{
	local kind=$1 stp=$2 name rflag=() rc cur=-
	name=$kind/$(basename "$stp" .stp)
	selected "$name" || return 0
	if needs_kernel "$stp"; then
		[ -n "$krel" ] || { skip "$name" "no kernel headers"; return 0; }
		rflag=(-r "$krel")
		cur=$krel
	fi
	have_stap || { fail "$name" <"$work/why"; return 0; }
	local base=${stp%.stp} out=$work/out err=$work/err
	case $kind in
	parse)
		"$STAP" -p1 "${rflag[@]}" "$stp" >"$out" 2>"$err"
		rc=$?
		[ $rc = 0 ] || { fail "$name" "exit $rc" <"$err"; return 0; }
		if compare "$name" "$base.ast" "$out"; then ok "$name"; else fail "$name" <"$work/diff"; fi
		;;
	gen)
		"$STAP" -p3 "${rflag[@]}" "$stp" >"$out" 2>"$err"
		rc=$?
		[ $rc = 0 ] || { fail "$name" "exit $rc" <"$err"; return 0; }
		if compare "$name" "$base.c.golden" "$out"; then ok "$name"; else fail "$name" <"$work/diff"; fi
		;;
	errors)
		"$STAP" -p2 "${rflag[@]}" "$stp" >"$out" 2>"$err"
		rc=$?
		if [ $rc != 1 ]; then
			fail "$name" "exit $rc" < <(echo "expected exit 1, got $rc"; cat "$err")
			return 0
		fi
		if compare "$name" "$base.stderr" "$err"; then ok "$name"; else fail "$name" <"$work/diff"; fi
		;;
	esac
}

#
# run/*.stp: build every module on the host (JOBS at a time), then run
# them all in one boot of the test kernel (stap-vm -b).
#
# build_one STP: compile one run test into $work/run/NAME/case/.
build_one()
{
	local stp=$1 n d m opts f s ubin
	n=$(basename "$stp" .stp)
	d=$work/run$sfx/$n
	m=$(printf '%s' "$n" | tr -c 'A-Za-z0-9_' '_')
	mkdir -p "$d/case/$n"
	opts=$(sidecar "${stp%.stp}" opts "$krel")
	[ -n "$opts" ] && opts=$(cat "$opts")
	# The script is reached as testsuite/run/X.stp, so the locations in
	# messages read the same on every checkout.
	mkdir -p "$d/$(dirname "$stp")"
	ln -sf "$top/$stp" "$d/$stp"
	ubin=$(sidecar "${stp%.stp}" ubin "$krel")
	[ -n "$ubin" ] && opts="--sysroot=$work/ubin $opts"
	# shellcheck disable=SC2086
	(cd "$d" && SYSTEMTAP_DEBUGINFO_PATH=$work/kmod$sfx \
		"$stap_abs" -p4 -m "$m" -r "$krel" $opts "$stp" \
		>build.out 2>build.err)
	echo $? >"$d/build.rc"
	[ -f "$d/$m.ko" ] && mv "$d/$m.ko" "$d/case/$n/module.ko"
	ship "$(sidecar "${stp%.stp}" kmod "$krel")" "$work/kmod$sfx" .ko \
		"$d/case/$n/kmod" "$d"
	ship "$ubin" "$work/ubin/bin" "" "$d/case/$n/bin" "$d"
	for f in cmd sigint args guest; do
		s=$(sidecar "${stp%.stp}" $f "$krel")
		[ -n "$s" ] && cp "$s" "$d/case/$n/$f"
	done
	return 0
}

run_tests()
{
	local krel=$1 sfx=$2 cur=${1:--}
	local stp n name list=() batch=$work/batch$sfx d rc want got msg why s f
	local f_out f_match f_err f_rc

	for stp in testsuite/run/*.stp; do
		[ -f "$stp" ] || continue
		name=run/$(basename "$stp" .stp)
		selected "$name$sfx" && list+=("$stp")
	done
	[ ${#list[@]} -gt 0 ] || return 0

	why=
	[ -n "$krel" ] || why="no kernel headers"
	if [ -n "$why" ]; then
		for stp in "${list[@]}"; do skip "run/$(basename "$stp" .stp)$sfx" "$why"; done
		return 0
	fi
	rm -f "$work/why"
	if ! have_stap || ! [ -x "$staprun_abs" ]; then
		[ -x "$staprun_abs" ] || echo "no $STAPRUN: build it first (make)" >>"$work/why"
		for stp in "${list[@]}"; do fail "run/$(basename "$stp" .stp)$sfx" <"$work/why"; done
		return 0
	fi

	mkdir -p "$batch"
	# The test modules (testsuite/kmod/), when a selected test loads one.
	for stp in "${list[@]}"; do
		[ -n "$(sidecar "${stp%.stp}" kmod "$krel")" ] || continue
		testsuite/kmod/build.sh "$krel" "$work/kmod$sfx" 2>"$work/kmod$sfx.err" ||
			sed 's/^/run.sh: testsuite\/kmod: /' "$work/kmod$sfx.err" >&2
		break
	done
	# The user programs (testsuite/ubin/) the selected tests probe:
	# static, so the guest needs no libraries.
	for stp in "${list[@]}"; do
		s=$(sidecar "${stp%.stp}" ubin "$krel")
		[ -n "$s" ] || continue
		mkdir -p "$work/ubin/bin"
		for f in $(cat "$s"); do
			[ -f "$work/ubin/bin/$f" ] && continue
			gcc -O0 -static -o "$work/ubin/bin/$f" "testsuite/ubin/$f.c" \
				2>"$work/ubin/$f.err" ||
				sed "s/^/run.sh: testsuite\/ubin: /" "$work/ubin/$f.err" >&2
		done
	done
	export work top stap_abs krel sfx
	export -f build_one sidecar ship
	printf '%s\n' "${list[@]}" |
		xargs -P "$JOBS" -I{} bash -c 'build_one "$1"' _ {}
	rm -rf "$batch"
	mkdir -p "$batch"

	for stp in "${list[@]}"; do
		n=$(basename "$stp" .stp)
		[ -f "$work/run$sfx/$n/case/$n/module.ko" ] &&
			mv "$work/run$sfx/$n/case/$n" "$batch/$n"
	done
	if [ -n "$(ls "$batch")" ]; then
		STAPRUN=$staprun_abs "$stapvm_abs" -b "$batch" -r "$krel" \
			-t "$secs" >"$work/vm$sfx.out" 2>&1
		if [ -s "$work/vm$sfx.out" ]; then
			sed 's/^/run.sh: /' "$work/vm$sfx.out" >&2
		fi
	fi

	for stp in "${list[@]}"; do
		n=$(basename "$stp" .stp)
		name=run/$n$sfx
		base=${stp%.stp}
		d=$batch/$n
		if [ ! -d "$d" ]; then
			fail "$name" "build" < <(
				echo "stap -p4 exited $(cat "$work/run$sfx/$n/build.rc")"
				tail -n 30 "$work/run$sfx/$n/build.err"
			)
			continue
		fi
		f_out=$(sidecar "$base" stdout "$krel")
		f_match=$(sidecar "$base" match "$krel")
		f_err=$(sidecar "$base" stderr "$krel")
		f_rc=$(sidecar "$base" rc "$krel")
		if [ -z "$f_out$f_match" ] && [ -n "${UPDATE:-}" ]; then
			f_out=$base.stdout	# a new test: compare writes it
		elif [ -z "$f_out$f_match" ]; then
			fail "$name" "expectations" <<<"no $base.stdout or .match: a test must say what it expects"
			continue
		fi
		# A release's own .match beats a generic .stdout.
		[[ $f_match == *@* && $f_out != *@* ]] && f_out=
		want=0
		[ -n "$f_rc" ] && want=$(tr -d ' \n' <"$f_rc")
		got= msg=
		[ -f "$d/rc" ] && read -r got msg <"$d/rc"
		if [ -n "$msg" ] || [ "$got" != "$want" ]; then
			fail "$name" "status" < <(
				echo "exit status $got, expected $want${msg:+: $msg}"
				echo "--- stderr:"
				head -n 20 "$d/stderr"
				echo "--- stdout:"
				head -n 20 "$d/stdout"
				if [ -s "$d/klog" ]; then
					echo "--- kernel log:"
					head -n 40 "$d/klog"
				fi
			)
			continue
		fi
		if [ -n "$f_out" ]; then
			if ! compare "$name" "$f_out" "$d/stdout"; then
				fail "$name" "stdout" <"$work/diff"
				continue
			fi
		elif [ -n "$f_match" ]; then
			if ! match_lines "$f_match" "$d/stdout" >"$work/diff"; then
				fail "$name" "stdout" < <(cat "$work/diff"
					echo "--- stdout:"; head -n 40 "$d/stdout")
				continue
			fi
		fi
		if [ -n "$f_err" ]; then
			if ! compare "$name" "$f_err" "$d/stderr"; then
				fail "$name" "stderr" <"$work/diff"
				continue
			fi
		fi
		ok "$name"
	done
}

# match_lines PATTERNS FILE: every non-empty line of PATTERNS (an ERE)
# must match some line of FILE.
match_lines()
{
	local re bad=0
	while IFS= read -r re; do
		[ -n "$re" ] || continue
		grep -E -q -e "$re" "$2" || { echo "no line matches: $re"; bad=1; }
	done <"$1"
	return $bad
}

#
# shell/*.sh: run from the top directory with the environment below.
#
shell_tests()
{
	local krel=$1 sfx=$2 sh name rc t cur
	for sh in testsuite/shell/*.sh; do
		[ -f "$sh" ] || continue
		name=shell/$(basename "$sh" .sh)
		cur=-
		if needs_kernel "$sh"; then
			if [ -z "$krel" ]; then
				selected "$name" && skip "$name" "no kernel headers"
				continue
			fi
			# Booting VMs is slow: only tests about what differs
			# between kernels run on each of them.
			every_kernel "$sh" || [ "$krel" = "$primary" ] || continue
			name=$name$sfx
			cur=$krel
		elif [ "$krel" != "$primary" ]; then
			continue
		fi
		selected "$name" || continue
		t=$work/shell$sfx/$(basename "$sh" .sh)
		mkdir -p "$t"
		STAP=$stap_abs STAPRUN=$staprun_abs STAPVM=$stapvm_abs KREL=$krel \
			KERNELS="${kernels[*]}" TOPDIR=$top TESTTMP=$t \
			TEST_TIMEOUT=$secs bash "$sh" </dev/null >"$t.out" 2>&1
		rc=$?
		case $rc in
		0) ok "$name" ;;
		77) skip "$name" "$(tail -n 1 "$t.out")" ;;
		*) fail "$name" "exit $rc" < <(tail -n 40 "$t.out") ;;
		esac
	done
}

# timed KEY CMD...: run CMD, adding the seconds it took to ksecs[KEY].
timed()
{
	local key=$1 t0=$SECONDS
	shift
	"$@"
	ksecs[$key]=$((${ksecs[$key]:-0} + SECONDS - t0))
}

# kernel_free: the tests that need no kernel (kernel ones get $primary).
kernel_free()
{
	local kind stp
	unit_tests
	for kind in parse errors gen; do
		for stp in testsuite/$kind/*.stp; do
			[ -f "$stp" ] && stp_test $kind "$stp"
		done
	done
}

# suffix REL: "" with one kernel, "@REL" with several.
suffix()
{
	[ ${#kernels[@]} -gt 1 ] && printf '@%s' "$1"
}

timed - kernel_free
if [ ${#kernels[@]} = 0 ]; then
	timed - run_tests "" ""
	timed - shell_tests "" ""
else
	for k in "${kernels[@]}"; do timed "$k" run_tests "$k" "$(suffix "$k")"; done
	for k in "${kernels[@]}"; do timed "$k" shell_tests "$k" "$(suffix "$k")"; done
fi

# The per-kernel summary, then the total (always the last line).
for k in - "${kernels[@]}"; do
	[ -n "${kpass[$k]:-}${kfail[$k]:-}${kskip[$k]:-}" ] || continue
	printf '%s: %d passed, %d failed, %d skipped (%d s)\n' \
		"$([ "$k" = - ] && echo "no kernel" || echo "$k")" \
		"${kpass[$k]:-0}" "${kfail[$k]:-0}" "${kskip[$k]:-0}" "${ksecs[$k]:-0}"
done
echo "$npass passed, $nfail failed, $nskip skipped"
[ $nfail = 0 ]
