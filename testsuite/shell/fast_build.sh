# test: requires kernel-headers, every kernel
# The fast path of pass 4 (build.c): the first build for a release runs
# kbuild on an empty module and keeps its recipe; that script and every
# next new one replay it without
# make, through precompiled headers, compiling the generated C with
# -DSTP_RT_SPLIT and linking it with the runtime core (runtime/
# stp_core.c), compiled once per release and -D options and kept next to
# the recipe.  That module carries what kbuild's would for the loader
# (modinfo and vermagic, .gnu.linkonce.this_module, every modversions
# CRC the kernel's), plus the core's global functions, and it loads and
# runs in the guest.  With STAP_RT_SPLIT=0 the replay compiles the C
# whole, and that module matches a kbuild one in everything the loader
# reads (modinfo, the CRCs, this_module, sections, symbols).
# STAP_KBUILD=1 and an empty STAP_CACHE both mean plain kbuild.  Not
# compared: .BTF, which kbuild adds on 6.12 (pahole, from the DWARF of
# modpost's .mod.c only, our C being built with -g0) and the fast path
# does not.
. "$TOPDIR/testsuite/lib/common.sh"
need_kernel
need_tools
cd "$TESTTMP" || exit 1
export STAP_CACHE=$TESTTMP/cache
script='probe begin { printf("fast %d\n", 6 * 7) exit() }'

"$STAP" -v -p4 -m first -r "$KREL" -e 'probe begin { exit() }' >out 2>err ||
	{ show stderr err; fail "first build"; }
grep -q "^Pass 4: kept kbuild's recipe in $STAP_CACHE/$KREL/recipe-" err ||
	{ show stderr err; fail "the first build kept no recipe"; }
# kbuild built an empty module for the recipe, the script's is replayed
grep -q "^Pass 4: replayed kbuild's recipe " err ||
	{ show stderr err; fail "the first build did not replay its new recipe"; }
ls "$STAP_CACHE/$KREL"/recipe-*/pch-*.h.gch >/dev/null 2>&1 ||
	fail "no precompiled header next to the recipe"

"$STAP" -v -p4 -m fastmod -r "$KREL" -e "$script" >out 2>err ||
	{ show stderr err; fail "fast build"; }
grep -q "^Pass 4: replayed kbuild's recipe " err ||
	{ show stderr err; fail "the second build did not replay the recipe"; }
! grep -q "kept kbuild's recipe" err || fail "the second build ran kbuild"
ls "$STAP_CACHE/$KREL"/recipe-*/core-*.o >/dev/null 2>&1 ||
	fail "no runtime core object next to the recipe"
grep -q "^Pass 4: .*modcc [0-9]" err || { show stderr err; fail "no modcc step"; }
readelf -sW fastmod.ko | grep -q ' GLOBAL .* stp_module_init$' ||
	fail "the fast module is not linked with the runtime core"
mv fastmod.ko fast.ko
# embedded C that uses what the core keeps to itself cannot be compiled
# apart from it: the C is compiled whole instead, and says so with -v
"$STAP" -v -g -p4 -m fallback -r "$KREL" -e 'function nerr:long ()
%{ STAP_RETVALUE = atomic_read(&stp_nerrors); %}
probe begin { println(nerr()) exit() }' >out 2>err ||
	{ show stderr err; fail "fast build of C the core cannot serve"; }
grep -q "^Pass 4: linking with the runtime core failed (see .*); compiling the C whole$" err ||
	{ show stderr err; fail "no fallback to compiling whole"; }
! readelf -sW fallback.ko | grep -q ' GLOBAL .* stp_module_init$' ||
	fail "the fallback module is linked with the runtime core"
# the same, compiled whole (the fallback when the split compile fails)
rm -rf "$STAP_CACHE/$KREL"/[0-9a-f]*
STAP_RT_SPLIT=0 "$STAP" -v -p4 -m fastmod -r "$KREL" -e "$script" >out 2>err ||
	{ show stderr err; fail "fast build, whole"; }
grep -q "^Pass 4: replayed kbuild's recipe " err ||
	{ show stderr err; fail "the whole build did not replay the recipe"; }
! readelf -sW fastmod.ko | grep -q ' GLOBAL .* stp_module_init$' ||
	fail "STAP_RT_SPLIT=0 linked the runtime core"
mv fastmod.ko whole.ko

# -D options do not need a recipe (or precompiled header) of their own
"$STAP" -v -k -p4 -m fastdef -D MAXACTION=777 -r "$KREL" -e "$script" >out 2>err ||
	{ show stderr err; fail "fast build with -D"; }
grep -q "^Pass 4: replayed kbuild's recipe " err ||
	{ show stderr err; fail "the build with -D did not replay the recipe"; }
[ "$(ls -d "$STAP_CACHE/$KREL"/recipe-* | wc -l)" = 1 ] || fail "more than one recipe"
[ "$(ls "$STAP_CACHE/$KREL"/recipe-*/pch-*.gch | wc -l)" = 1 ] ||
	{ ls -l "$STAP_CACHE/$KREL"/recipe-*; fail "expected one precompiled header (NAME.mod.c uses NAME.c's)"; }
# another tree (a copy of stap, runtime/ and tapset/) shares the recipe
mkdir tree && cp "$STAP" tree/stap && cp -r "$TOPDIR/runtime" "$TOPDIR/tapset" tree/ ||
	fail "copying the tree"
tree/stap -v -p4 -m fasttree -r "$KREL" -e "$script" >out2 2>err2 ||
	{ show stderr err2; fail "fast build from a copy of the tree"; }
grep -q "^Pass 4: replayed kbuild's recipe " err2 ||
	{ show stderr err2; fail "the copy of the tree did not replay the recipe"; }
[ "$(ls -d "$STAP_CACHE/$KREL"/recipe-* | wc -l)" = 1 ] || fail "the copy made a recipe of its own"
[ "$(ls "$STAP_CACHE/$KREL"/recipe-*/pch-*.gch | wc -l)" = 1 ] ||
	fail "the copy made precompiled headers of its own"
# one core per set of -D options, shared by the copy of the tree
[ "$(ls "$STAP_CACHE/$KREL"/recipe-*/core-*.o | wc -l)" = 2 ] ||
	{ ls -l "$STAP_CACHE/$KREL"/recipe-*; fail "expected two core objects"; }
kept=$(sed -n 's/^Keeping temporary directory "\(.*\)"$/\1/p' err)
[ -d "$kept" ] || { show stderr err; fail "-k kept no directory"; }
grep -q -- ' -DMAXACTION=777 ' "$kept/.fastdef.o.cmd" ||
	{ rm -rf "$kept"; fail "the compile did not get -D MAXACTION=777"; }
rm -rf "$kept"

# the same module by kbuild: once forced, once without a cache
for how in forced nocache; do
	if [ $how = forced ]; then
		STAP_KBUILD=1 STAP_CACHE=$TESTTMP/cache2 "$STAP" -v -p4 -m fastmod \
			-r "$KREL" -e "$script" >out 2>err
	else
		STAP_CACHE= "$STAP" -v -p4 -m fastmod -r "$KREL" -e "$script" \
			>out 2>err
	fi || { show stderr err; fail "kbuild build ($how)"; }
	! grep -q "recipe" err || { show stderr err; fail "$how: not kbuild"; }
done
mv fastmod.ko kbuild.ko

# what the loader reads, side by side
for m in fast whole kbuild; do
	{
		modinfo "$m.ko" | grep -v '^filename:'
		readelf -x __versions "$m.ko" | tail -n +2
		readelf -x .gnu.linkonce.this_module "$m.ko" | tail -n +2
		readelf -SW "$m.ko" | awk '/^ *\[/ && $2 !~ /^\.(BTF|debug|rela\.debug)/ { print $2, $3 }'
		# __UNIQUE_ID_ numbers count macros seen before: not the same
		# through the precompiled header
		readelf -sW "$m.ko" | awk 'NR > 3 && $8 !~ /^\.(BTF|debug)/ {
			n = $8; if (n ~ /^__UNIQUE_ID_/) sub(/[0-9]+$/, "", n)
			print $4, $5, $7, n }' | sort
	} >"$m.loader" || fail "readelf $m.ko"
done
grep -q "^vermagic: *$KREL " whole.loader || { show whole whole.loader; fail "vermagic"; }
grep -q ' init_module$' whole.loader || fail "no init_module"
cmp -s kbuild.loader whole.loader ||
	{ diff kbuild.loader whole.loader | head -20; fail "whole fast module differs from kbuild's"; }

# the split one: the same modinfo and this_module, the kernel's CRCs
for m in fast kbuild; do
	modinfo "$m.ko" | grep -v '^filename:' | sort >"$m.modinfo"
	readelf -x .gnu.linkonce.this_module "$m.ko" | tail -n +2 >"$m.this"
done
cmp -s kbuild.modinfo fast.modinfo ||
	{ diff kbuild.modinfo fast.modinfo; fail "split module: modinfo differs"; }
cmp -s kbuild.this fast.this || fail "split module: this_module differs"
modprobe --dump-modversions fast.ko >fast.crcs || fail "no modversions in fast.ko"
grep -q . fast.crcs || fail "no modversions in fast.ko"
awk 'NR == FNR { crc[$2] = $1; next }
     !($2 in crc) || tolower($1) != tolower(crc[$2]) { print; bad = 1 }
     END { exit bad }' "/lib/modules/$KREL/build/Module.symvers" fast.crcs >bad.crcs ||
	{ show "CRCs not the kernel's" bad.crcs; fail "split module: CRCs"; }

"$STAPVM" -r "$KREL" -t "$TEST_TIMEOUT" fast.ko >out 2>err ||
	{ show stderr err; show stdout out; fail "the fast module did not run"; }
echo "fast 42" >want
cmp -s want out || { show stdout out; fail "output of the fast module"; }
exit 0
