# The documentation keeps up with the code: every option of stap --help
# and staprun -h is in its man page, every public tapset function and
# probe alias has a documentation comment (scripts/gen-tapset-man -c),
# and the man pages in doc/ and the generated ones format without
# warnings.
. "$TOPDIR/testsuite/lib/common.sh"
need_tools
cd "$TOPDIR" || exit 1

bad=0
# opts HELPTEXT: the options a --help text lists (-x, --long).
opts()
{
	grep -oE '^ +(-[A-Za-z]|--[a-z-]+)(, (-[A-Za-z]|--[a-z-]+))?' |
		tr ',' '\n' | tr -d ' '
}
# in_page PAGE OPT: does PAGE document OPT (".BI -x", ".B -x", ...)?
in_page()
{
	local o=${2//-/\\\\-}
	grep -qE "^\.(B|BI|BR|TQ) (.* )?\"?$o([ =\"]|\$)" "$1"
}
for o in $("$STAP" --help | opts); do
	in_page doc/stap.1 "$o" || { echo "stap $o is not in doc/stap.1"; bad=1; }
done
for o in $("$STAPRUN" -h 2>&1 | opts); do
	in_page doc/staprun.8 "$o" || { echo "staprun $o is not in doc/staprun.8"; bad=1; }
done

scripts/gen-tapset-man -c tapset >"$TESTTMP/undoc.out" 2>&1 || { cat "$TESTTMP/undoc.out"; bad=1; }

rm -rf "$TESTTMP/man"
scripts/gen-tapset-man -o "$TESTTMP/man" tapset || bad=1
for m in doc/*.1 doc/*.8 doc/*.3stap "$TESTTMP"/man/*; do
	LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -Tutf8 -ww -z "$m" >"$TESTTMP/groff.out" 2>&1
	[ -s "$TESTTMP/groff.out" ] && { echo "groff warns on $m:"; sed 5q "$TESTTMP/groff.out"; bad=1; }
done
[ $bad = 0 ] || fail "documentation out of date"
