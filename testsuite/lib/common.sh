# common.sh - helpers for testsuite/shell/*.sh; source it first:
#	. "$TOPDIR/testsuite/lib/common.sh"
#
# run.sh gives every shell test: STAP, STAPRUN, STAPVM (absolute paths),
# KREL (kernel release, empty without headers), TOPDIR (repo root, also
# the working directory), TESTTMP (an empty scratch directory) and
# TEST_TIMEOUT (seconds a guest run may take).
# Exit 0 = pass, 77 = skip (last output line says why), else fail.

: "${TOPDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${STAP:=$TOPDIR/stap}" "${STAPRUN:=$TOPDIR/staprun}"
: "${STAPVM:=$TOPDIR/src/stap-vm}" "${TEST_TIMEOUT:=30}"
: "${TESTTMP:=$(mktemp -d)}" "${KREL:=$("$STAPVM" -R 2>/dev/null)}"
export STAPRUN

# skip WHY: end the test as skipped.
skip()
{
	echo "$*"
	exit 77
}

# fail WHY: end the test as failed.
fail()
{
	echo "FAIL: $*"
	exit 1
}

# need_kernel: skip unless a test kernel with headers is installed.
need_kernel()
{
	[ -n "$KREL" ] || skip "no kernel headers"
}

# need_tools: fail unless stap and staprun are built.
need_tools()
{
	[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
	[ -x "$STAPRUN" ] || fail "no $STAPRUN: build it first (make)"
}

# show NAME FILE: print FILE under a heading, for the failure report.
show()
{
	echo "--- $1:"
	sed -n '1,40p' "$2"
}

# expect_lines FILE ERE...: each ERE must match some line of FILE.
expect_lines()
{
	local f=$1 re bad=0
	shift
	for re in "$@"; do
		grep -E -q -e "$re" "$f" || { echo "no line matches: $re"; bad=1; }
	done
	return $bad
}

# expect_match FILE PATTERNFILE: expect_lines with the lines of a .match file.
expect_match()
{
	local pats=()
	mapfile -t pats < <(grep -v '^$' "$2")
	expect_lines "$1" "${pats[@]}"
}

# vm [stap-vm args...]: stap-vm on the test kernel with the test timeout.
vm()
{
	"$STAPVM" -r "$KREL" -t "$TEST_TIMEOUT" "$@"
}
