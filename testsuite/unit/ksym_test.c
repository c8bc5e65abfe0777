/*
 * ksym_test.c - unit test for src/ksym.c.
 *
 * First a small hand-made table goes through ksym_build(): name
 * clean-up (".cold", "__pfx_", clone suffixes), NOKPROBE blacklist
 * records, uniqueness, glob matching and the ranking of suggestions.
 * Then, for every /usr/lib/debug/boot/vmlinux-* on this machine, the
 * real symbol table is loaded from the ELF file and from its System.map
 * and checked for well-known functions; /proc/kallsyms is tried too when
 * it shows addresses. A missing file is a skip, not a failure. Prints
 * one line per failed check and exits 1 if there was any.
 *
 * Build: cc -Isrc testsuite/unit/ksym_test.c src/ksym.c -lelf
 */
#define _POSIX_C_SOURCE 200809L

#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../../src/ksym.h"

static int failures;

/*
 * Loaded tables live for the whole process and are never freed, as in
 * the translator; keeping them here keeps LeakSanitizer quiet.
 */
static struct ksym_table tables[16];
static size_t ntables;

static struct ksym_table *new_table(void)
{
	if (ntables == sizeof(tables) / sizeof(tables[0]))
		abort();
	return &tables[ntables++];
}

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("%s:%d: FAIL: %s\n", __FILE__, __LINE__,	\
			       #cond);					\
			failures++;					\
		}							\
	} while (0)

/* What ksym_match reported, for checking. */
struct hits {
	const struct ksym *s[64];	/* first matches, in call order */
	size_t n;			/* calls seen */
};

static void collect(const struct ksym *s, void *arg)
{
	struct hits *h = arg;

	if (h->n < sizeof(h->s) / sizeof(h->s[0]))
		h->s[h->n] = s;
	h->n++;
}

static const struct ksym *find(const struct ksym_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->syms[i].name, name))
			return &t->syms[i];
	return NULL;
}

static bool has_func(const struct ksym_table *t, const char *func)
{
	return ksym_match(t, func, NULL, NULL) > 0;
}

/* Raw symbols of the small table: name and address. */
static const struct {
	const char *name;	/* as in kallsyms */
	uint64_t addr;		/* made-up address */
} raw[] = {
	{ "vfs_read", 0x1000 },
	{ "vfs_readv", 0x1100 },
	{ "vfs_write", 0x1200 },
	{ "ksys_read", 0x1300 },
	{ "cap_ptrace_traceme", 0x2000 },
	{ "cap_ptrace_access_check", 0x2100 },
	{ "cap_capable", 0x2200 },
	{ "ptrace_may_access", 0x2300 },
	{ "__ptrace_may_access", 0x2400 },
	{ "show", 0x3000 },		/* two static functions "show" */
	{ "show", 0x3100 },
	{ "show.isra.0", 0x3200 },
	{ "show.cold", 0x3300 },
	{ "helper.constprop.0.cold", 0x3400 },
	{ "helper.constprop.0", 0x3500 },
	{ "helper.part.0", 0x3600 },
	{ "coldfish", 0x3700 },		/* not a ".cold" part */
	{ "x.coldness", 0x3800 },
	{ "__pfx_vfs_read", 0x0ff0 },
	{ "__cfi_vfs_read", 0x0fe0 },
	{ "__SCT__might_resched", 0x4000 },
	{ "__x86_indirect_thunk_rax", 0x4100 },
	{ "__x86_return_thunk", 0x4200 },
	{ "_stext", 0x1000 },
	{ "__sched_text_start", 0x1000 },
	{ "_einittext", 0x1000 },
	{ "do_int3", 0x5000 },
	{ "_kbl_addr_do_int3", 0 },	/* NOKPROBE_SYMBOL(do_int3) */
	{ "_kbl_addr_not_there", 0 },
	{ "a", 0x6000 },
	{ "b", 0x6100 },
};

#define NRAW (sizeof(raw) / sizeof(raw[0]))

static void test_small_table(void)
{
	struct ksym_table *t = new_table();
	struct ksym *v = calloc(NRAW, sizeof(*v));
	const struct ksym *s;
	const char *out[16];
	struct hits h = { 0 };
	size_t i, n;

	for (i = 0; i < NRAW; i++) {
		v[i].name = raw[i].name;
		v[i].addr = raw[i].addr;
	}
	ksym_build(t, v, NRAW);

	/* Sorted by func, then address. */
	for (i = 1; i < t->n; i++) {
		int c = strcmp(t->syms[i - 1].func, t->syms[i].func);

		CHECK(c < 0 || (c == 0 &&
				t->syms[i - 1].addr <= t->syms[i].addr));
	}

	/* Clean-up of names. */
	CHECK(!find(t, "show.cold"));
	CHECK(!find(t, "helper.constprop.0.cold"));
	CHECK(!find(t, "__pfx_vfs_read"));
	CHECK(!find(t, "__cfi_vfs_read"));
	CHECK(!find(t, "__SCT__might_resched"));
	CHECK(!find(t, "__x86_indirect_thunk_rax"));
	CHECK(!find(t, "__x86_return_thunk"));
	CHECK(!find(t, "_stext"));
	CHECK(!find(t, "__sched_text_start"));
	CHECK(!find(t, "_einittext"));
	CHECK(!find(t, "_kbl_addr_not_there"));
	CHECK(find(t, "coldfish") != NULL);
	s = find(t, "x.coldness");
	CHECK(s && !strcmp(s->func, "x"));
	s = find(t, "helper.constprop.0");
	CHECK(s && !strcmp(s->func, "helper") && s->unique);
	s = find(t, "vfs_read");
	CHECK(s && s->func == s->name && s->unique && s->addr == 0x1000);

	/* NOKPROBE_SYMBOL(do_int3) hides it. */
	CHECK(!has_func(t, "do_int3"));

	/* Three "show" symbols: two same-named statics and a clone. */
	n = ksym_match(t, "show", collect, &h);
	CHECK(n == 3 && h.n == 3);
	if (h.n == 3) {
		CHECK(h.s[0]->addr == 0x3000 && !h.s[0]->unique);
		CHECK(h.s[1]->addr == 0x3100 && !h.s[1]->unique);
		CHECK(!strcmp(h.s[2]->name, "show.isra.0") && h.s[2]->unique);
	}

	/* Globs: prefix, suffix, middle, classes, escapes, no match. */
	CHECK(ksym_match(t, "vfs_*", NULL, NULL) == 3);
	CHECK(ksym_match(t, "*_read", NULL, NULL) == 2);
	CHECK(ksym_match(t, "*ptrace*", NULL, NULL) == 4);
	CHECK(ksym_match(t, "vfs_[rw]*", NULL, NULL) == 3);
	CHECK(ksym_match(t, "vfs_rea?", NULL, NULL) == 1);
	CHECK(ksym_match(t, "helpe\\r", NULL, NULL) == 2);
	CHECK(ksym_match(t, "*", NULL, NULL) == t->n);
	CHECK(ksym_match(t, "vfs_rea", NULL, NULL) == 0);
	CHECK(ksym_match(t, "zzz*", NULL, NULL) == 0);
	h.n = 0;
	ksym_match(t, "vfs_*", collect, &h);
	CHECK(h.n == 3 && !strcmp(h.s[0]->func, "vfs_read") &&
	      !strcmp(h.s[1]->func, "vfs_readv") &&
	      !strcmp(h.s[2]->func, "vfs_write"));

	/* Suggestions: prefix (shortest first), then substring, typos. */
	n = ksym_suggest(t, "cap_ptrace", out, 16);
	CHECK(n >= 2 && !strcmp(out[0], "cap_ptrace_traceme") &&
	      !strcmp(out[1], "cap_ptrace_access_check"));
	n = ksym_suggest(t, "ptrace_may", out, 16);
	CHECK(n >= 2 && !strcmp(out[0], "ptrace_may_access") &&
	      !strcmp(out[1], "__ptrace_may_access"));
	n = ksym_suggest(t, "vfs_raed", out, 16);
	CHECK(n >= 1 && !strcmp(out[0], "vfs_read"));
	n = ksym_suggest(t, "*ptrace_trace*", out, 16);
	CHECK(n == 1 && !strcmp(out[0], "cap_ptrace_traceme"));
	n = ksym_suggest(t, "show", out, 16);
	CHECK(n == 1 && !strcmp(out[0], "show"));	/* distinct */
	n = ksym_suggest(t, "vfs", out, 2);
	CHECK(n == 2 && !strcmp(out[0], "vfs_read") &&
	      !strcmp(out[1], "vfs_readv"));
	CHECK(ksym_suggest(t, "*", out, 16) == 0);
	CHECK(ksym_suggest(t, "vfs", out, 0) == 0);
	CHECK(ksym_suggest(t, "qqqqqqqqqqqq", out, 16) == 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Checks that hold for any x86-64 kernel's table, whatever its source. */
static void check_real(const struct ksym_table *t)
{
	const char *out[8];
	size_t n;

	printf("ksym_test: %s: %zu symbols, _stext %#" PRIx64 "\n",
	       t->source, t->n, t->stext);
	CHECK(t->n > 20000);
	CHECK(t->stext != 0);
	CHECK(has_func(t, "vfs_read"));
	CHECK(has_func(t, "cap_ptrace_access_check"));
	CHECK(has_func(t, "ptrace_may_access"));
	CHECK(has_func(t, "schedule"));		/* .sched.text stays */
	CHECK(has_func(t, "_raw_spin_lock"));	/* .spinlock.text stays */
	CHECK(ksym_match(t, "*ptrace*", NULL, NULL) > 20);
	CHECK(!has_func(t, "start_kernel"));	/* __init */
	CHECK(!has_func(t, "do_int3"));		/* NOKPROBE_SYMBOL */
	CHECK(!has_func(t, "entry_SYSCALL_64"));	/* entry text */
	CHECK(ksym_match(t, "__pfx_*", NULL, NULL) == 0);
	CHECK(ksym_match(t, "__SCT__*", NULL, NULL) == 0);
	CHECK(ksym_match(t, "*.cold*", NULL, NULL) == 0);
	n = ksym_suggest(t, "cap_ptrace", out, 8);
	CHECK(n >= 2);
	if (n >= 2) {
		CHECK(!strcmp(out[0], "cap_ptrace_traceme") ||
		      !strcmp(out[0], "cap_ptrace_access_check"));
		CHECK(!strcmp(out[1], "cap_ptrace_traceme") ||
		      !strcmp(out[1], "cap_ptrace_access_check"));
	}
}

static void test_vmlinux(const char *vmlinux)
{
	const char *release = strrchr(vmlinux, '/') + strlen("/vmlinux-");
	struct ksym_table *t = new_table(), *m = new_table();
	char err[512], map[4096];
	double t0, t1;

	t0 = now();
	if (ksym_load(release, t, err, sizeof(err))) {
		printf("FAIL: ksym_load(%s): %s\n", release, err);
		failures++;
		return;
	}
	t1 = now();
	printf("ksym_test: ksym_load(%s) took %.0f ms\n", release,
	       (t1 - t0) * 1e3);
	CHECK(!strcmp(t->release, release));
	check_real(t);

	/* The System.map next to it must agree on the essentials. */
	snprintf(map, sizeof(map), "/usr/lib/debug/boot/System.map-%s",
		 release);
	if (access(map, R_OK))
		return;
	t0 = now();
	if (ksym_load_file(m, release, map, err, sizeof(err))) {
		printf("FAIL: ksym_load_file(%s): %s\n", map, err);
		failures++;
		return;
	}
	t1 = now();
	printf("ksym_test: System.map load took %.0f ms\n", (t1 - t0) * 1e3);
	check_real(m);
	CHECK(m->stext == t->stext);
	if (find(t, "vfs_read") && find(m, "vfs_read")) {
		CHECK(find(m, "vfs_read")->addr == find(t, "vfs_read")->addr);
		/* System.map sizes are estimated from the next symbol. */
		CHECK(find(m, "vfs_read")->size >=
		      find(t, "vfs_read")->size);
	}
}

/* Debian's /boot placeholder must be refused, not read as empty. */
static void test_placeholder(void)
{
	char path[] = "/tmp/ksym_test_XXXXXX", err[512] = "";
	struct ksym_table *t = new_table();
	FILE *f;
	int fd;

	fd = mkstemp(path);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs("ffffffffffffffff B The real System.map is in the "
	      "linux-image-<version>-dbg package\n", f);
	fclose(f);
	CHECK(ksym_load_file(t, "x", path, err, sizeof(err)) == -1);
	CHECK(strstr(err, "placeholder") != NULL);
	unlink(path);
}

static void test_missing(void)
{
	struct ksym_table *t = new_table();
	char err[512] = "";

	CHECK(ksym_load("0.0.0-nosuch", t, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "no symbol table for kernel 0.0.0-nosuch: install "
		      "linux-image-0.0.0-nosuch-dbg (or run on that kernel)"));
	CHECK(ksym_load("../../etc", t, err, sizeof(err)) == -1);
}

/* The running kernel: kallsyms if it shows addresses (root), else skip. */
static void test_running(void)
{
	struct ksym_table *t = new_table();
	struct utsname u;
	char err[512];
	double t0;

	if (uname(&u))
		return;
	t0 = now();
	if (ksym_load(u.release, t, err, sizeof(err))) {
		printf("ksym_test: skip running kernel %s: %s\n", u.release,
		       err);
		return;
	}
	printf("ksym_test: ksym_load(%s) took %.0f ms\n", u.release,
	       (now() - t0) * 1e3);
	CHECK(has_func(t, "vfs_read"));
	CHECK(!has_func(t, "start_kernel"));
	CHECK(ksym_match(t, "__pfx_*", NULL, NULL) == 0);
}

int main(void)
{
	glob_t g;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_small_table();
	test_placeholder();
	test_missing();
	test_running();
	if (!glob("/usr/lib/debug/boot/vmlinux-*", 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			test_vmlinux(g.gl_pathv[i]);
		globfree(&g);
	} else {
		printf("ksym_test: skip vmlinux: no -dbg package\n");
	}
	if (failures)
		printf("ksym_test: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
