# test: requires kernel-headers
# The module cache: a second build of a script is a hit; a changed
# tapset function or a changed runtime file is a miss; --disable-cache
# neither reads nor writes it; --clean-cache empties it of what stap put
# there (and only that), alone or before a script, and says which entry
# it cannot remove.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
[ -x "$STAP" ] || fail "no $STAP: build it first (make)"
cd "$TESTTMP" || exit 1
export STAP_CACHE=$TESTTMP/cache

# build [ARGS...]: stap -v -p4 of the script in s.stp, stderr in err.
build()
{
	"$STAP" -v -p4 -r "$KREL" "$@" >out 2>err || { show stderr err; fail "stap $* exited $?"; }
}
hit() { grep -q '^Pass 4: using cached ' err; }
nkos() { find "$STAP_CACHE" -name '*.ko' 2>/dev/null | wc -l; }

mkdir tap
printf 'function answer() { return 1 }\n' >tap/answer.stp
printf 'probe begin { printf("%%d\\n", answer()) exit() }\n' >s.stp
build -I tap s.stp
! hit || fail "first build was a cache hit"
build -I tap s.stp
hit || { show stderr err; fail "second build was no cache hit"; }

# a changed tapset function changes the module
printf 'function answer() { return 2 }\n' >tap/answer.stp
build -I tap s.stp
! hit || fail "a changed tapset function was a cache hit"
build -I tap s.stp
hit || fail "the changed tapset's module was not cached"

# --disable-cache: no lookup, nothing stored
before=$(nkos)
build --disable-cache -I tap s.stp
! hit || fail "--disable-cache used the cache"
[ "$(nkos)" = "$before" ] || fail "--disable-cache stored a module"
! grep -q recipe err || { show stderr err; fail "--disable-cache used a recipe"; }

# a changed runtime file changes the module: a copy of the tree
mkdir -p tree
cp "$STAP" tree/stap
cp -r "$TOPDIR/runtime" "$TOPDIR/tapset" tree/
STAP=$TESTTMP/tree/stap build -I tap s.stp
! hit || fail "the tree's copy was a cache hit (runtime path not in the key?)"
STAP=$TESTTMP/tree/stap build -I tap s.stp
hit || fail "the tree's copy was not cached"
echo '/* changed */' >>tree/runtime/stp_print.h
STAP=$TESTTMP/tree/stap build -I tap s.stp
! hit || fail "a changed runtime file was a cache hit"

# --clean-cache alone: modules, recipes and indexes go, other files stay
mkdir -p "$STAP_CACHE/dwarf" "$STAP_CACHE/mine"
echo x >"$STAP_CACHE/dwarf/0123.idx"
echo x >"$STAP_CACHE/mine/notes"
[ "$(nkos)" -gt 0 ] || fail "nothing cached to clean"
"$STAP" --clean-cache >out 2>err || { show stderr err; fail "--clean-cache exited $?"; }
[ ! -s out ] && [ ! -s err ] || { show stdout out; show stderr err; fail "--clean-cache printed something"; }
[ "$(nkos)" = 0 ] || fail "--clean-cache left modules"
! ls -d "$STAP_CACHE/$KREL"/recipe-* >/dev/null 2>&1 || fail "--clean-cache left a recipe"
[ ! -e "$STAP_CACHE/dwarf/0123.idx" ] || fail "--clean-cache left a DWARF index"
[ -f "$STAP_CACHE/mine/notes" ] || fail "--clean-cache removed a file that is not stap's"

# --clean-cache then a script: built anew
build -I tap s.stp
build --clean-cache -I tap s.stp
! hit || fail "--clean-cache before a script: still a cache hit"
grep -q '^Removed [0-9]* cache entr' err || { show stderr err; fail "-v --clean-cache said nothing"; }

# as another user: an entry it cannot remove is named, exit 1; so is a
# cache directory it cannot read
other=$(mktemp -d /tmp/stap-cache-test.XXXXXX) || fail "mktemp"
trap 'rm -rf "$other"' EXIT
chmod 755 "$other"
key=$other/$KREL/0123456789abcdef0123456789abcdef
mkdir -p "$key" && echo x >"$key/m.ko"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
STAP_CACHE=$other as_nobody "$STAP" --clean-cache >out 2>err
rc=$?
[ $rc = 1 ] || { show stderr err; fail "--clean-cache as another user: exit $rc, expected 1"; }
grep -qx "stap: error: cannot remove $key from the cache" err ||
	{ show stderr err; fail "message for an entry it cannot remove"; }
[ -f "$key/m.ko" ] || fail "another user removed root's module"
chmod 700 "$other"
STAP_CACHE=$other as_nobody "$STAP" --clean-cache >out 2>err
rc=$?
[ $rc = 1 ] || { show stderr err; fail "unreadable cache: exit $rc, expected 1"; }
grep -qx "stap: error: cannot read the cache directory $other: Permission denied" err ||
	{ show stderr err; fail "message for an unreadable cache"; }
exit 0
