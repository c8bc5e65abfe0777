#!/usr/bin/env python3
"""bench.py - our stap against Debian's SystemTap 4.8, side by side.

Run by `make bench` (after scripts/bench-deps.sh); see doc/performance.md.

    testsuite/bench/bench.py [-o FILE.json] [-n REPS] [-r REL] [-m 1,2,3,4,5]

Every figure is measured in this one invocation on this machine, ours and
the reference interleaved, so that the ratios hold even where the absolute
times are noise (a shared machine, a TCG guest):

  1. time to a built module (stap -p4): empty cache; warm (the cache the
     empty-cache run left, its module deleted: feature tests and indexes
     stay); cached (the same script again); plus the pass times of -v.
  2. module size: .ko bytes, text/data/bss (size(1)), and the size the
     kernel allocates for it (/sys/module/NAME/coresize) in the guest.
  3. probe cost in one QEMU TCG guest boot: a getppid() loop with no probe,
     with a bare hand-written kprobe (bare/bench_bare.c), with our module
     and with SystemTap's counting the same hits; also for a kretprobe,
     and for a probe printing a line per hit (bare: formats it, drops it).
  4. output, in the same boot: lines per second from a probe printing 50
     lines per getppid() call through each tool's transport to staprun -o,
     and the lines lost, with the default relay buffer and a big one.
  5. wildcard resolution: -p2 of probe kernel.function("*") {}, first and
     second run, with peak memory.

The reference's runtime is a patched copy (../shared/tools/
stap48-runtime-fix.sh: stock 4.8 does not build for 6.1.103+ kernels);
the output says so.  Raw numbers go to a JSON file (default
testsuite/bench/results.json).
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(BENCH))
TOOLS = os.environ.get("BENCH_SHARED_TOOLS",
                       os.path.join(os.path.dirname(TOP), "shared", "tools"))
REF_STAP = "/usr/bin/stap"
REF_STAPRUN = "/usr/bin/staprun"
REF_STAPIO = "/usr/lib/systemtap/stapio"
# The newest kernel series the reference (SystemTap 4.8) builds modules for.
REF_MAX_KERNEL = (6, 1)

# Measure 1 and 2: (name, script file, what it shows).
BUILD_SCRIPTS = [
    ("hello", "hello.stp", "begin probe, println, exit"),
    ("ptrace", "ptrace.stp", "*ptrace* wildcard, probefunc()"),
    ("ptrace_bt", "ptrace_bt.stp", "the same with print_backtrace()"),
    ("vfs_read", "vfs_read.stp", "a global counter on vfs_read"),
    ("syscalls20", "syscalls20.stp", "20 syscall.* probes"),
]
# Measure 3: (name, script, bare module arguments, hits are the lines
# printed rather than a count printed at the end).
COST_SCRIPTS = [
    ("kprobe", "cost_kprobe.stp", "", False),
    ("kretprobe", "cost_kretprobe.stp", "kretprobe=1", False),
    ("printf", "cost_printf.stp", "format=1", True),
]
# Scripts whose probes take most of the CPU on purpose: built with
# -DSTP_NO_OVERLOAD (both tools know it) and run with a relay buffer
# big enough for all their output (staprun -b MB, both tools), so
# neither overload protection nor a full buffer ends or thins the run.
HEAVY = {"printf", "output"}
HEAVY_DEFINES = ["STP_NO_OVERLOAD"]
BIG_BUFFER = "-b 64"
# Measure 4: the script, the lines it prints per getppid() call, and
# the staprun options of each run: the default buffer and a big one.
OUTPUT_SCRIPT = "output.stp"
OUTPUT_LINES_PER_CALL = 50
OUTPUT_CONFIGS = [("default buffer", "default", ""),
                  ("64 MB buffer", "big", BIG_BUFFER)]
# Scripts run fewer times than -n: SystemTap's first syscall.* script
# builds a tracepoint index (minutes on a busy 2-CPU machine).
MAX_REPS = {"syscalls20": 1}
WILDCARD_SCRIPT = 'probe kernel.function("*") {}'

PROBES_RE = re.compile(r"^Pass 2: analyzed script: (\d+) probes?", re.M)
PASS_RE = re.compile(r"^Pass (\d): .* in (\d+)usr/(\d+)sys/(\d+)real ms\.",
                     re.M)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log("bench: " + msg)
    sys.exit(1)


def version_key(rel):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.+-]", rel)]


def kernel_release():
    """The kernel to build for: as stap-vm -R (the newest
    /boot/vmlinuz-*-cloud-amd64 with headers), but no newer than the
    reference supports: SystemTap 4.8 came out with Linux 6.1 and its
    runtime does not build for later kernels (6.12: get_kretprobe,
    asm/unaligned.h, ...).  Returns (release, [newer ones skipped])."""
    rels = []
    for v in glob.glob("/boot/vmlinuz-*-cloud-amd64"):
        r = v[len("/boot/vmlinuz-"):]
        if os.path.isdir("/lib/modules/%s/build" % r):
            rels.append(r)
    if not rels:
        die("no /boot/vmlinuz-*-cloud-amd64 with headers (run: make deps)")
    rels.sort(key=version_key)
    ok = [r for r in rels if version_key(r)[:2] <= list(REF_MAX_KERNEL)]
    if not ok:
        die("no cloud kernel <= %d.%d with headers: SystemTap 4.8 cannot "
            "build for %s" % (REF_MAX_KERNEL + (", ".join(rels),)))
    return ok[-1], [r for r in rels if r not in ok]


def run(cmd, env=None, cwd=None, timeout=600):
    """Run CMD; return (status, seconds, stdout and stderr together)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        return 124, time.monotonic() - t0, out
    return p.returncode, time.monotonic() - t0, out


def run_rss(cmd, env=None, cwd=None):
    """Run CMD with output discarded; return (status, seconds, peak KiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.monotonic() - t0, ru.ru_maxrss, err


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(x, unit=""):
    if x is None:
        return "-"
    if isinstance(x, float):
        if abs(x) >= 100:
            return "%.0f%s" % (x, unit)
        if abs(x) >= 10:
            return "%.1f%s" % (x, unit)
        return "%.2f%s" % (x, unit)
    return "%s%s" % (x, unit)


def fmt_ratio(r):
    if r is None:
        return "-"
    return "<0.01x" if r < 0.005 else "%.2fx" % r


def table(title, head, rows):
    """Print one aligned table to stdout."""
    cols = [head] + rows
    w = [max(len(str(r[i])) for r in cols) for i in range(len(head))]
    print()
    print(title)
    line = "  ".join(str(h).ljust(w[i]) if i == 0 else str(h).rjust(w[i])
                     for i, h in enumerate(head))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i])
                        for i, c in enumerate(r)))
    sys.stdout.flush()


def kb(n):
    return None if n is None else "%.1f KB" % (n / 1024.0)


class Tool:
    """One side of the comparison: how to build a module with it."""

    def __init__(self, name, stap, extra, cache_env, is_module, rel, work):
        self.name = name
        self.is_module = is_module	# is this cache file a module?
        self.stap = stap
        self.extra = extra		# options after the command
        self.cache_env = cache_env	# the variable naming the cache dir
        self.rel = rel
        self.work = work

    def forget_modules(self, cache):
        """Delete the modules from CACHE, keep the rest (feature tests)."""
        for f in snapshot(cache):
            if self.is_module(f):
                os.unlink(f)

    def build(self, script, cache, outdir, modname=None, verbose=True,
              defines=()):
        """stap -p4 SCRIPT with cache directory CACHE, in OUTDIR.

        Returns a dict: ok, secs, passes {N: real ms}, ko (path), log.
        """
        os.makedirs(outdir, exist_ok=True)
        for f in glob.glob(os.path.join(outdir, "*.ko")):
            os.unlink(f)
        env = dict(os.environ)
        env[self.cache_env] = cache
        cmd = [self.stap] + self.extra + ["-p4", "-r", self.rel]
        if verbose:
            cmd.append("-v")
        if modname:
            cmd += ["-m", modname]
        for d in defines:
            cmd += ["-D", d]
        cmd.append(script)
        st, secs, out = run(cmd, env=env, cwd=outdir)
        kos = glob.glob(os.path.join(outdir, "*.ko"))
        if not kos:
            # SystemTap leaves an unnamed module in its cache and prints
            # its path; take a copy before the cache goes.
            for line in out.splitlines():
                if line.endswith(".ko") and os.path.isfile(line):
                    shutil.copy(line, outdir)
            kos = glob.glob(os.path.join(outdir, "*.ko"))
        passes = {}
        for m in PASS_RE.finditer(out):
            passes[int(m.group(1))] = int(m.group(4))
        m = PROBES_RE.search(out)
        return {"ok": st == 0 and len(kos) == 1, "secs": secs,
                "probes": int(m.group(1)) if m else None,
                "passes": passes, "ko": kos[0] if len(kos) == 1 else None,
                "cached": "using cached" in out, "log": out}


def is_ref_module(path):
    """SystemTap's cached modules are stap_HASH_SIZE{.ko,.c,_hash.log};
    stapconf_*, tracequery_*, typequery_* are its feature caches."""
    return os.path.basename(path).startswith("stap_")


def is_our_module(path):
    """Our cache holds REL/KEY/NAME.ko; anything else is not a module."""
    return path.endswith(".ko")


def snapshot(d):
    files = set()
    for root, _, names in os.walk(d):
        for n in names:
            files.add(os.path.join(root, n))
    return files


def modname_of(ko):
    out = subprocess.run(["/sbin/modinfo", "-F", "name", ko],
                         capture_output=True, text=True).stdout.strip() or "no git"
    return out or os.path.basename(ko)[:-3]


def size_of(ko):
    """text, data, bss of KO as size(1) counts them (Berkeley format)."""
    out = subprocess.run(["size", ko], capture_output=True,
                         text=True).stdout.splitlines()
    if len(out) < 2:
        return None
    f = out[1].split()
    return {"text": int(f[0]), "data": int(f[1]), "bss": int(f[2])}


def stripped_size(ko):
    """Bytes of KO without its DWARF (strip --strip-debug on a copy)."""
    tmp = ko + ".stripped"
    shutil.copy(ko, tmp)
    r = subprocess.run(["strip", "--strip-debug", tmp], capture_output=True)
    n = os.path.getsize(tmp) if r.returncode == 0 else None
    os.unlink(tmp)
    return n


def have_syscall_tapset():
    for f in glob.glob(os.path.join(TOP, "tapset", "*.stp")):
        with open(f) as fh:
            if re.search(r"^\s*probe\s+syscall\.", fh.read(), re.M):
                return True
    return False


#
# Measure 1: time to a built module.
#
def measure_build(ours, ref, reps, work, res):
    scripts = []
    for name, f, what in BUILD_SCRIPTS:
        if name == "syscalls20" and not have_syscall_tapset():
            res["notes"].append("syscalls20 skipped: tapset/ defines no "
                                "syscall.* probe aliases yet")
            continue
        scripts.append((name, os.path.join(BENCH, "scripts", f), what))

    out = {}
    for name, path, what in scripts:
        out[name] = {"script": os.path.relpath(path, TOP), "what": what}
        for t in (ours, ref):
            out[name][t.name] = {"cold": [], "warm": [], "cached": [],
                                 "passes": {}}
    n = 0
    for rep in range(reps):
        for name, path, what in scripts:
            if rep >= MAX_REPS.get(name, reps):
                continue
            for t in (ours, ref):
                n += 1
                log("bench: [1] %s %s, run %d of %d" % (t.name, name,
                                                         rep + 1, reps))
                o = out[name][t.name]
                mod = "bench_" + name if t.name == "ours" else None
                bdir = os.path.join(work, "build", t.name, name)
                cold = os.path.join(work, "cold-%s-%d" % (t.name, n))
                os.makedirs(cold)
                r = t.build(path, cold, bdir, modname=mod)
                if not r["ok"]:
                    log("bench: %s failed to build %s:\n%s" %
                        (t.name, name, r["log"][-2000:]))
                    o["error"] = r["log"][-2000:]
                    continue
                o["cold"].append(round(r["secs"], 3))
                o["probes"] = r["probes"]
                for p, ms in r["passes"].items():
                    o["passes"].setdefault(str(p), []).append(ms)
                if rep == 0:
                    keep = os.path.join(work, "ko", t.name)
                    os.makedirs(keep, exist_ok=True)
                    dst = os.path.join(keep, name + ".ko")
                    shutil.copy(r["ko"], dst)
                    o["ko"] = dst

                # Warm: the cache the cold run left, minus the module.
                t.forget_modules(cold)
                r = t.build(path, cold, bdir, modname=mod)
                if r["ok"] and not r["cached"]:
                    o["warm"].append(round(r["secs"], 3))
                r = t.build(path, cold, bdir, modname=mod)
                if r["ok"] and r["cached"]:
                    o["cached"].append(round(r["secs"], 3))
                elif r["ok"]:
                    o.setdefault("notes", []).append("second run not cached")
                shutil.rmtree(cold, ignore_errors=True)
    res["build"] = out

    rows = []
    for name, _, _ in scripts:
        for kind in ("cold", "warm", "cached"):
            a = median(out[name]["ours"][kind])
            b = median(out[name]["ref"][kind])
            rows.append(["%s (%s)" % (name, kind), fmt(a, " s"),
                         fmt(b, " s"), fmt_ratio(ratio(a, b)),
                         "%s/%s" % (out[name]["ours"].get("probes", "-"),
                                    out[name]["ref"].get("probes", "-"))])
    table("1. Time to a built module (stap -p4, median of %d runs, "
          "syscalls20: 1)\n   cold: empty cache; warm: the cache the cold "
          "run left, module deleted; cached: the same script again" % reps,
          ["script", "ours", "SystemTap 4.8", "ratio",
           "probes ours/ref"], rows)

    rows = []
    for name, _, _ in scripts:
        for p in ("1", "2", "3", "4"):
            a = median(out[name]["ours"]["passes"].get(p, []))
            b = median(out[name]["ref"]["passes"].get(p, []))
            rows.append(["%s pass %s" % (name, p), fmt(a, " ms"),
                         fmt(b, " ms"), fmt_ratio(ratio(a, b))])
    table("1b. Pass times from -v, empty cache (real ms, median)",
          ["script / pass", "ours", "SystemTap 4.8", "ratio"], rows)
    return scripts


#
# Measure 2 (host part): module file sizes.
#
def measure_size_host(scripts, res):
    for name, _, _ in scripts:
        for t in ("ours", "ref"):
            o = res["build"][name][t]
            if o.get("ko"):
                o["ko_bytes"] = os.path.getsize(o["ko"])
                o["size"] = size_of(o["ko"])
                o["ko_stripped_bytes"] = stripped_size(o["ko"])
                o["modname"] = modname_of(o["ko"])


#
# The guest: one boot for measure 2 (loaded sizes) and measure 3.
#
def build_bare(rel, work):
    d = os.path.join(work, "bare")
    shutil.copytree(os.path.join(BENCH, "bare"), d)
    r = subprocess.run(["make", "-s", "-C", "/lib/modules/%s/build" % rel,
                        "M=" + d, "modules"], capture_output=True, text=True)
    ko = os.path.join(d, "bench_bare.ko")
    if r.returncode != 0 or not os.path.exists(ko):
        die("cannot build bare/bench_bare.ko:\n" + r.stdout + r.stderr)
    return ko


def copy_libs(binaries, root):
    """Copy the shared libraries (and loader) BINARIES need into ROOT."""
    libs = set()
    for b in binaries:
        out = subprocess.run(["ldd", b], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            f = line.split()
            if "=>" in f and len(f) >= 3 and f[2].startswith("/"):
                libs.add(f[2])
            elif f and f[0].startswith("/"):
                libs.add(f[0])
    for lib in libs:
        real = os.path.realpath(lib)
        for p in (real, lib):
            dst = root + p
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if not os.path.exists(dst):
                shutil.copy(real, dst)


def make_guest(work, plan, loopargs, mods, outargs):
    """An initramfs with busybox, both loaders, /bin/loop and MODS."""
    root = os.path.join(work, "guest")
    for d in ("bin", "sbin", "usr/bin", "usr/lib/systemtap", "proc", "sys",
              "dev", "tmp", "m"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy("/bin/busybox", root + "/bin/busybox")
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True,
                             text=True).stdout.split()
    for a in applets:
        if a != "busybox" and not os.path.exists(root + "/bin/" + a):
            os.symlink("busybox", root + "/bin/" + a)
    shutil.copy(os.path.join(TOP, "staprun"), root + "/bin/staprun-ours")
    shutil.copy(REF_STAPRUN, root + "/usr/bin/staprun")
    shutil.copy(REF_STAPIO, root + REF_STAPIO)
    copy_libs([REF_STAPRUN, REF_STAPIO], root)
    loop = root + "/bin/loop"
    r = subprocess.run(["gcc", "-O2", "-static", "-o", loop,
                        os.path.join(BENCH, "loop.c")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        die("cannot build loop.c:\n" + r.stderr)
    for src, dst in mods:
        shutil.copy(src, root + dst)
    shutil.copy(os.path.join(BENCH, "guest-init.sh"), root + "/init")
    os.chmod(root + "/init", 0o755)
    with open(root + "/plan", "w") as fh:
        fh.write("\n".join(plan) + "\n")
    with open(root + "/loopargs", "w") as fh:
        fh.write(loopargs + "\n")
    with open(root + "/outargs", "w") as fh:
        fh.write(outargs + "\n")
    initrd = os.path.join(work, "initrd")
    with open(initrd, "wb") as fh:
        files = subprocess.run(["find", "."], cwd=root, capture_output=True,
                               text=True).stdout
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                       input=files.encode(), stdout=fh, check=True)
    return initrd


def boot(rel, initrd, work, timeout):
    log_path = os.path.join(work, "console.log")
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max",
           "-smp", os.environ.get("BENCH_SMP", "1"),
           "-m", os.environ.get("BENCH_MEM", "1024"),
           "-nodefaults", "-display", "none", "-no-reboot",
           "-kernel", "/boot/vmlinuz-" + rel, "-initrd", initrd,
           "-append", "console=ttyS0 quiet panic=-1",
           "-serial", "file:" + log_path]
    t0 = time.monotonic()
    try:
        subprocess.run(cmd, stdin=subprocess.DEVNULL, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        log("bench: the guest ran over %d s; killed" % timeout)
    with open(log_path, errors="replace") as fh:
        text = fh.read().replace("\r", "")
    return text, time.monotonic() - t0


def build_guest_module(t, f, name, work, res):
    """Build scripts/F with tool T for the guest; (module path, host
    path) or None."""
    path = os.path.join(BENCH, "scripts", f)
    bdir = os.path.join(work, "cost", t.name, name)
    cache = os.path.join(work, "cost-cache-" + t.name)
    os.makedirs(cache, exist_ok=True)
    r = t.build(path, cache, bdir,
                modname=("bench_" + name) if t.name == "ours" else None,
                defines=HEAVY_DEFINES if name in HEAVY else ())
    if not r["ok"]:
        log("bench: %s cannot build %s:\n%s" % (t.name, f, r["log"][-2000:]))
        res["notes"].append("%s: cannot build %s: %s" % (
            t.name, f, r["log"].strip().splitlines()[-1:]))
        return None
    # SystemTap's staprun takes the module name from the file name.
    return "/m/%s.ko" % modname_of(r["ko"]), r["ko"]


def measure_guest(ours, ref, rel, scripts, reps, work, res, measures):
    mods = []
    plan = []
    # Measure 2: every module of measure 1, loaded once without a loader.
    for name, _, _ in scripts:
        for t in ("ours", "ref"):
            o = res["build"][name][t]
            if not o.get("ko"):
                continue
            dst = "/m/%s.ko" % o["modname"]
            mods.append((o["ko"], dst))
            plan.append("size %s %s" % (o["modname"], dst))

    # Measure 3: the cost modules.
    cost = {}
    order = []
    if "3" in measures:
        bare = build_bare(rel, work)
        mods.append((bare, "/m/bare.ko"))
    for name, f, bare_args, _ in COST_SCRIPTS if "3" in measures else []:
        cost[name] = {"script": "testsuite/bench/scripts/" + f,
                      "bare_args": bare_args}
        # ABCD DCBA ... so that drift during the boot cancels out.
        order.append(("%s.bare" % name, "bare /m/bare.ko %s" % bare_args))
        for t in (ours, ref):
            m = build_guest_module(t, f, name, work, res)
            cost[name][t.name + "_module"] = m and m[0]
            if m:
                mods.append((m[1], m[0]))
                order.append(("%s.%s" % (name, t.name),
                              "%s %s %s" % (t.name, m[0], BIG_BUFFER
                                            if name in HEAVY else "")))
    if order:
        # A first unprobed run warms the guest up (not counted).
        plan.append("cost warmup none")
        for rep in range(reps):
            seq = [("none", "none")] + order
            if rep % 2:
                seq.reverse()
            for label, what in seq:
                plan.append("cost %s %s" % (label, what))
        plan.append("cost none none")

    # Measure 4: the output modules, ours and SystemTap's alternating.
    out_mods = {}
    for t in (ours, ref) if "4" in measures else []:
        m = build_guest_module(t, OUTPUT_SCRIPT, "output", work, res)
        if m:
            mods.append((m[1], m[0]))
            out_mods[t.name] = m[0]
    for rep in range(reps):
        for _, cname, opts in OUTPUT_CONFIGS:
            for t in ("ours", "ref") if rep % 2 == 0 else ("ref", "ours"):
                if t in out_mods:
                    plan.append("out output.%s.%s %s %s %s" % (
                        cname, t, t, out_mods[t], opts))

    calls = int(os.environ.get("BENCH_CALLS", "50000"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "20"))
    out_calls = int(os.environ.get("BENCH_OUT_CALLS", "20000"))
    initrd = make_guest(work, plan, "%d %d" % (calls, rounds), mods,
                        "%d 1" % out_calls)
    log("bench: [%s] booting the guest (%d cases)" % (
        ",".join(sorted(measures & {"2", "3", "4"})), len(plan)))
    text, secs = boot(rel, initrd, work, timeout=900)
    res["guest"] = {"boot_secs": round(secs, 1), "calls": calls,
                    "rounds": rounds, "smp": os.environ.get("BENCH_SMP",
                                                             "1")}
    if "@@BENCH-DONE" not in text:
        log("bench: the guest did not finish; console tail:\n" +
            "\n".join(text.splitlines()[-30:]))
        res["notes"].append("the guest did not finish")
    trouble = re.findall(r"^@@TROUBLE (.*)$", text, re.M)
    if trouble:
        res["notes"].append("kernel trouble in the guest: " + trouble[0])

    # Measure 2, guest part.
    sizes = {}
    for m in re.finditer(r"^@@SIZE (\S+) (\d+) (\d+)$", text, re.M):
        sizes[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    for m in re.finditer(r"^@@SIZE-FAIL (\S+) (.*)$", text, re.M):
        res["notes"].append("insmod %s failed: %s" % (m.group(1),
                                                       m.group(2)))
    rows = []
    for name, _, _ in scripts:
        b = res["build"][name]
        for t in ("ours", "ref"):
            s = sizes.get(b[t].get("modname"))
            if s:
                b[t]["coresize"], b[t]["initsize"] = s
        fields = [("ko bytes", lambda o: o.get("ko_bytes")),
                  ("ko, no debug info", lambda o: o.get("ko_stripped_bytes")),
                  ("text+data", lambda o: o["size"]["text"] +
                   o["size"]["data"] if o.get("size") else None),
                  ("loaded (coresize)", lambda o: o.get("coresize"))]
        for label, get in fields:
            a, c = get(b["ours"]), get(b["ref"])
            rows.append(["%s %s" % (name, label), kb(a), kb(c),
                         fmt_ratio(ratio(a, c))])
    if scripts:
        table("2. Module size (.ko file; text+data by size(1); loaded: "
              "/sys/module/NAME/coresize in the guest)",
              ["script / size", "ours", "SystemTap 4.8", "ratio"], rows)

    if order:
        measure_cost(text, reps, calls, rounds, cost, res)
    if out_mods:
        measure_output(text, out_calls, res)


def measure_cost(text, reps, calls, rounds, cost, res):
    """Measure 3, from the guest's console TEXT."""
    per_line = {name for name, _, _, lines in COST_SCRIPTS if lines}
    runs = {}
    for m in re.finditer(r"^@@COST-BEGIN (\S+)\n(.*?)^@@COST-END \1 (\d+)",
                         text, re.M | re.S):
        label, body, rc = m.group(1), m.group(2), int(m.group(3))
        ns = [float(x) for x in re.findall(r"^loop \d+ ([\d.]+)$", body,
                                           re.M)]
        # The bare module logs "N hits"; a counting script prints N; a
        # printing script's hits are the lines staprun -o wrote.
        hits = re.findall(r"^(\d+)(?: hits)?$", body, re.M)
        lines = re.findall(r"^@@LINES (\d+)$", body, re.M)
        if label.split(".")[0] in per_line and not label.endswith(".bare"):
            hits = lines
        other = [x for x in body.splitlines()
                 if x and not re.match(r"loop \d+ |\d+( hits)?$|@@LINES ",
                                       x)]
        runs.setdefault(label, []).append(
            {"rc": rc, "ns": ns, "hits": int(hits[-1]) if hits else None,
             "output": other[:20]})
        if rc != 0:
            res["notes"].append("%s: a run failed (status %d), not counted: "
                                "%s" % (label, rc, " | ".join(other[:5])))
    for label in runs:
        runs[label] = [r for r in runs[label] if r["rc"] == 0] + \
            [dict(r, failed=True) for r in runs[label] if r["rc"] != 0]
    res["cost_runs"] = runs

    # The fastest round is the one least disturbed by the host (other
    # load, qemu's own threads): on a shared machine the minimum is far
    # steadier than the median.  Both go to the JSON file.
    def per_call(label, how=min):
        xs = [x for r in runs.get(label, []) if not r.get("failed")
              for x in r["ns"]]
        return how(xs) if xs else None

    base = per_call("none")
    rows = []
    expect = calls * rounds
    for name, _, _, _ in COST_SCRIPTS:
        c = {"none_ns": base, "none_median_ns": per_call("none", median)}
        for t in ("bare", "ours", "ref"):
            v = per_call("%s.%s" % (name, t))
            c[t + "_ns"] = v
            c[t + "_median_ns"] = per_call("%s.%s" % (name, t), median)
            c[t + "_added"] = None if v is None or base is None \
                else v - base
            hits = [r["hits"] for r in runs.get("%s.%s" % (name, t), [])
                    if not r.get("failed")]
            c[t + "_hits"] = hits
            # sh -c in staprun -c may add a getppid() call or two.
            c[t + "_short"] = any(h is None or not expect <= h <= expect + 8
                                  for h in hits)
            if c[t + "_short"]:
                res["notes"].append("%s.%s counted %s hits, expected %d "
                                    "each: its figure (marked !) is not "
                                    "the cost of every hit" % (
                                        name, t, hits, expect))
        cost[name].update(c)

        def cell(t):
            return fmt(c[t + "_added"], " ns") + ("!" if c[t + "_short"]
                                                  else "")
        rows.append([name, cell("bare"), cell("ours"), cell("ref"),
                     fmt_ratio(ratio(c["ours_added"], c["bare_added"])),
                     fmt_ratio(ratio(c["ref_added"], c["bare_added"])),
                     fmt_ratio(ratio(c["ours_added"], c["ref_added"]))])
    res["cost"] = cost
    table("3. Probe cost in the TCG guest: ns added per getppid() call "
          "(unprobed %s ns/call; fastest of %d runs x %d rounds x %d calls)"
          "\n   printf: bare formats the same line and drops it; ours and "
          "SystemTap send it to staprun -o" % (fmt(base), reps, rounds, calls),
          ["probe", "bare", "ours", "SystemTap", "ours/bare", "ref/bare",
           "ours/ref"], rows)


def measure_output(text, calls, res):
    """Measure 4: lines per second through the transport, lines lost."""
    runs = {}
    for m in re.finditer(r"^@@OUT output\.(\S+)\.(\S+) (\d+) (\d+) (\d+)\n"
                         r"((?:(?!@@).*\n)*)", text, re.M):
        said = [x for x in m.group(6).splitlines() if x.strip()]
        ns, lines = int(m.group(5)), int(m.group(4))
        runs.setdefault(m.group(1), {}).setdefault(m.group(2), []).append(
            {"rc": int(m.group(3)), "lines": lines, "ns": ns,
             "lines_per_s": lines / (ns / 1e9) if ns else None,
             "stderr": said})
    expect = calls * OUTPUT_LINES_PER_CALL
    out = {"calls": calls, "lines_per_call": OUTPUT_LINES_PER_CALL,
           "expected_lines": expect, "runs": runs}
    rows = []
    for title, cname, opts in OUTPUT_CONFIGS:
        o = out[cname] = {"staprun_options": opts}
        for t in ("ours", "ref"):
            rs = runs.get(cname, {}).get(t, [])
            ok = [r for r in rs if r["rc"] == 0]
            best = max(ok, key=lambda r: r["lines_per_s"], default=None)
            # sh -c in staprun -c may add a getppid() call or two
            lost = [max(0, expect - r["lines"]) for r in ok]
            o[t] = {"lines_per_s": best and best["lines_per_s"],
                    "median_lines_per_s": median([r["lines_per_s"]
                                                  for r in ok]),
                    "lost": lost, "failed": len(rs) - len(ok)}
            for r in rs:
                if r["rc"] != 0 or r["stderr"]:
                    res["notes"].append("output, %s, %s: status %d, said: "
                                        "%s" % (title, t, r["rc"], " | ".join(
                                            r["stderr"][:3])))
        a, b = o["ours"], o["ref"]
        rows.append(["%s: lines/s" % title, fmt(a["lines_per_s"]),
                     fmt(b["lines_per_s"]),
                     fmt_ratio(ratio(a["lines_per_s"], b["lines_per_s"]))])
        rows.append(["%s: lines lost" % title,
                     ",".join(map(str, a["lost"])) or "-",
                     ",".join(map(str, b["lost"])) or "-", ""])
    res["output"] = out
    table("4. Output: %d getppid() calls printing %d lines each (%d lines) "
          "to staprun -o, fastest of %d runs\n   (staprun start to exit); "
          "ratio ours/SystemTap, above 1 is better for us; lost: each run's"
          % (calls, OUTPUT_LINES_PER_CALL, expect,
             len(runs.get("default", {}).get("ours", []))),
          ["figure", "ours", "SystemTap 4.8", "ratio"], rows)


#
# Measure 5: wildcard resolution at -p2.
#
def measure_wildcard(ours, ref, work, res):
    out = {}
    script = os.path.join(work, "wildcard.stp")
    with open(script, "w") as fh:
        fh.write(WILDCARD_SCRIPT + "\n")
    for t in (ours, ref):
        cache = os.path.join(work, "wild-" + t.name)
        os.makedirs(cache)
        env = dict(os.environ)
        env[t.cache_env] = cache
        o = out[t.name] = {}
        for run_ in ("first", "second"):
            log("bench: [5] %s -p2 wildcard, %s run" % (t.name, run_))
            st, secs, rss, err = run_rss(
                [t.stap] + t.extra + ["-p2", "-r", t.rel, script],
                env=env, cwd=work)
            err = err.decode(errors="replace")
            o[run_] = {"rc": st, "secs": round(secs, 3), "peak_kb": rss,
                       "ok": st == 0}
            # SystemTap resolves every function, then elides the empty
            # probes and stops with "no probes found": resolution is done.
            if st != 0 and "semantic error: no probes found" in err:
                o[run_]["ok"] = True
                o[run_]["elided"] = True
            elif st != 0:
                o[run_]["error"] = err[-500:]
    res["wildcard"] = out
    rows = []
    for run_ in ("first", "second"):
        a, b = out["ours"][run_], out["ref"][run_]
        ta = a["secs"] if a["ok"] else None
        tb = b["secs"] if b["ok"] else None
        rows.append(["%s run time" % run_, fmt(ta, " s"), fmt(tb, " s"),
                     fmt_ratio(ratio(ta, tb))])
        rows.append(["%s run peak RSS" % run_, kb(a["peak_kb"] * 1024),
                     kb(b["peak_kb"] * 1024),
                     fmt_ratio(ratio(a["peak_kb"], b["peak_kb"]))])
    table("5. Wildcard resolution: stap -p2 -e '%s'" % WILDCARD_SCRIPT,
          ["run", "ours", "SystemTap 4.8", "ratio"], rows)
    if any(out[t][r].get("elided") for t in out for r in out[t]):
        res["notes"].append("wildcard -p2: SystemTap's exit status is 1 "
                            "(all probes elided: empty bodies) after it "
                            "resolved them; its time counts")
    for t in ("ours", "ref"):
        for run_ in ("first", "second"):
            if not out[t][run_]["ok"]:
                res["notes"].append("%s -p2 wildcard %s run failed: %s" % (
                    t, run_, out[t][run_].get("error", "").strip()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", dest="out",
                    default=os.path.join(BENCH, "results.json"))
    ap.add_argument("-n", dest="reps", type=int,
                    default=int(os.environ.get("BENCH_REPS", "2")))
    ap.add_argument("-r", dest="rel")
    ap.add_argument("-m", dest="measures", default="1,2,3,4,5",
                    help="which measures (2 needs 1's modules)")
    ap.add_argument("-k", dest="keep", action="store_true",
                    help="keep the work directory")
    a = ap.parse_args()
    measures = set(a.measures.split(","))
    if "2" in measures:
        measures.add("1")

    newer = []
    if a.rel:
        rel = a.rel
    else:
        rel, newer = kernel_release()
    ours_stap = os.path.join(TOP, "stap")
    for f in (ours_stap, os.path.join(TOP, "staprun"), REF_STAP,
              REF_STAPRUN):
        if not os.access(f, os.X_OK):
            die("%s missing (make bench builds ours and installs "
                "systemtap)" % f)
    work = tempfile.mkdtemp(prefix="stap-bench.")
    res = {"release": rel, "reps": a.reps, "notes": [],
           "skipped_releases": newer,
           "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
           "host": os.uname().nodename, "cpus": os.cpu_count()}

    # The reference runtime: a patched copy when the fix script is there.
    rt = os.path.join(work, "stap48-runtime")
    fix = os.path.join(TOOLS, "stap48-runtime-fix.sh")
    ref_extra = []
    if os.path.exists(fix):
        subprocess.run(["sh", fix, rt], check=True, stdout=subprocess.DEVNULL)
        ref_extra = ["-R", rt]
        res["reference_runtime"] = ("patched copy of /usr/share/systemtap/"
                                    "runtime by ../shared/tools/"
                                    "stap48-runtime-fix.sh "
                                    "(task_work_cancel_func rename)")
    else:
        res["reference_runtime"] = "stock (fix script not found)"
    ver = subprocess.run([REF_STAP, "-V"], capture_output=True, text=True)
    ver = (ver.stdout + ver.stderr).splitlines()
    res["reference_version"] = ver[0] if ver else "?"
    over = subprocess.run([ours_stap, "-V"], capture_output=True, text=True)
    res["ours_version"] = (over.stdout or over.stderr).strip().split("\n")[0]
    res["ours_commit"] = subprocess.run(
        ["git", "-C", TOP, "describe", "--always", "--dirty"],
        capture_output=True, text=True).stdout.strip() or "no git"

    ours = Tool("ours", ours_stap, [], "STAP_CACHE", is_our_module, rel,
                work)
    ref = Tool("ref", REF_STAP, ref_extra, "SYSTEMTAP_DIR", is_ref_module,
               rel, work)

    print("stap benchmark: ours (%s, %s) against %s" % (
        res["ours_version"], res["ours_commit"], res["reference_version"]))
    print("kernel %s; host %s, %d CPUs; %s" % (rel, res["host"],
                                               res["cpus"], res["date"]))
    print("reference runtime: " + res["reference_runtime"])
    if newer:
        print("not benchmarked: %s (SystemTap 4.8 builds for <= %d.%d)" %
              ((", ".join(newer),) + REF_MAX_KERNEL))
    print("ratio = ours / SystemTap (below 1 is better for us)")
    sys.stdout.flush()

    t0 = time.monotonic()
    scripts = []
    try:
        if "1" in measures:
            scripts = measure_build(ours, ref, a.reps, work, res)
            measure_size_host(scripts, res)
        if measures & {"2", "3", "4"}:
            # The guest runs are cheap: at least three of each.
            measure_guest(ours, ref, rel, scripts, max(3, a.reps), work,
                          res, measures)
        if "5" in measures:
            measure_wildcard(ours, ref, work, res)
    finally:
        res["bench_secs"] = round(time.monotonic() - t0, 1)
        for name in res.get("build", {}):
            for t in ("ours", "ref"):
                res["build"][name][t].pop("ko", None)
        with open(a.out, "w") as fh:
            json.dump(res, fh, indent=1, sort_keys=True)
            fh.write("\n")
        if a.keep:
            log("bench: kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    for n in res["notes"]:
        print("note: " + n)
    print("raw numbers: %s; took %.0f s" % (os.path.relpath(a.out),
                                             res["bench_secs"]))


if __name__ == "__main__":
    main()
