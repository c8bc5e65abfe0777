/*
 * ksym.c - the target kernel's probeable function symbols.
 *
 * Without DWARF, a probe point like kernel.function("vfs_*") can only be
 * resolved against the kernel's symbol table. ksym_load() looks for one
 * in three places, best first, and stops at the first that works:
 *
 *   1. /proc/kallsyms, when the release is the running kernel and the
 *      addresses are not hidden (kptr_restrict shows them as zeros);
 *   2. the vmlinux ELF file of Debian's -dbg package, read with libelf:
 *      STT_FUNC symbols of the ".text" section;
 *   3. a System.map, skipping Debian's one-line placeholder in /boot.
 *
 * kallsyms and System.map share one "nm" format ("addr type name",
 * kallsyms adding "\t[module]" for module symbols, which we ignore).
 * The whole file is read into one buffer that is never freed: names
 * point into it. For the ELF file we copy the string table the same way.
 *
 * Which text is probeable. In the vmlinux the linker merges every text
 * subsection (.sched.text, .spinlock.text, .cpuidle.text, .noinstr.text,
 * .entry.text, .kprobes.text, static call trampolines, retpoline thunks)
 * into one ".text" output section; only .init.text and .exit.text stay
 * separate. So "section is .text" keeps core text and drops __init and
 * __exit code, and the subsections are told apart by the linker's
 * marker symbols instead (__noinstr_text_start/__noinstr_text_end and
 * so on), which all three sources carry. We drop the ranges kprobes
 * refuses or that are unsafe to trace: noinstr, kprobes, entry (which
 * holds irqentry on x86), cpuidle (idle code runs with RCU not
 * watching), static call trampolines, and init text for the nm sources.
 * .sched.text and .spinlock.text stay: schedule() and _raw_spin_lock()
 * are ordinary probe targets. NOKPROBE_SYMBOL(foo) leaves a data symbol
 * _kbl_addr_foo behind; such records drop every symbol of function foo.
 *
 * Names. The compiler clones and splits functions: "foo.isra.0",
 * "foo.constprop.0", "foo.part.0" and "foo.llvm.123" are real entry
 * points of foo, kept with func "foo"; "foo.cold" (or "foo.part.0.cold")
 * is the unlikely tail of foo and not a function, so it is dropped, as
 * are the 6.x "__pfx_"/"__cfi_" padding symbols and a short list of asm
 * thunks. The table is sorted by func, then address, so every symbol of
 * one func is contiguous and a glob with a literal prefix only scans
 * that part of the table.
 *
 * Memory is malloc'd and kept for the life of the process; only a
 * failed load frees what it read, since nothing would point to it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ksym.h"

#define KBL_PREFIX "_kbl_addr_"	/* NOKPROBE_SYMBOL() record prefix */
#define SUGGEST_MAX 64		/* most suggestions ksym_suggest ranks */
#define NAME_MAX_ED 128		/* longest name we edit-distance */

/* Text areas (between two linker markers) that we never probe. */
static const struct {
	const char *start;	/* marker symbol at the first byte */
	const char *end;	/* marker symbol just past the last byte */
} skipped_areas[] = {
	{ "_sinittext", "_einittext" },
	{ "__noinstr_text_start", "__noinstr_text_end" },
	{ "__cpuidle_text_start", "__cpuidle_text_end" },
	{ "__kprobes_text_start", "__kprobes_text_end" },
	{ "__entry_text_start", "__entry_text_end" },
	{ "__static_call_text_start", "__static_call_text_end" },
};

#define NAREAS (sizeof(skipped_areas) / sizeof(skipped_areas[0]))

/* Symbol name prefixes that are never probe targets. */
static const char *const skipped_prefixes[] = {
	"__pfx_",		/* 6.x function padding */
	"__cfi_",		/* kCFI type-hash preamble */
	"__SCT__",		/* static call trampolines */
	"__x86_indirect_",	/* retpoline / ITS thunks */
	"__x86_return_thunk",
};

/* Exact names: section markers and return-thunk asm. */
static const char *const skipped_names[] = {
	"_text", "_stext", "_etext", "_sinittext", "_einittext",
	"srso_alias_untrain_ret", "srso_alias_safe_ret",
	"srso_alias_return_thunk", "srso_untrain_ret", "srso_safe_ret",
	"srso_return_thunk", "retbleed_untrain_ret", "retbleed_return_thunk",
	"entry_untrain_ret", "zen_untrain_ret", "entry_ibpb",
};

/* Marker addresses found while reading one source. */
struct ranges {
	uint64_t stext;			/* _stext, 0 if not seen */
	uint64_t etext;			/* _etext, 0 if not seen */
	uint64_t lo[NAREAS];		/* area start, 0 if not seen */
	uint64_t hi[NAREAS];		/* area end, 0 if not seen */
};

/* A symbol array being filled by a loader. */
struct symvec {
	struct ksym *v;		/* entries */
	size_t n;		/* used */
	size_t cap;		/* allocated */
};

__attribute__((format(printf, 3, 4)))
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void push(struct symvec *sv, const char *name, uint64_t addr,
		 uint64_t size)
{
	struct ksym *s;

	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 4096;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	s = &sv->v[sv->n++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->addr = addr;
	s->size = size;
}

/* Record NAME's address if it is one of the markers we care about. */
static void note_marker(struct ranges *r, const char *name, uint64_t addr)
{
	size_t i;

	if (name[0] != '_')
		return;
	if (!strcmp(name, "_stext"))
		r->stext = addr;
	else if (!strcmp(name, "_etext"))
		r->etext = addr;
	for (i = 0; i < NAREAS; i++) {
		if (!strcmp(name, skipped_areas[i].start))
			r->lo[i] = addr;
		else if (!strcmp(name, skipped_areas[i].end))
			r->hi[i] = addr;
	}
}

static bool in_skipped_area(const struct ranges *r, uint64_t addr)
{
	size_t i;

	for (i = 0; i < NAREAS; i++)
		if (r->lo[i] && r->lo[i] <= addr && addr < r->hi[i])
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

/*
 * Linker markers such as __sched_text_start or __indirect_thunk_end:
 * System.map lists them as text symbols, but they are not functions.
 */
static bool is_area_marker(const char *name)
{
	if (!starts_with(name, "__"))
		return false;
	return ends_with(name, "_text_start") || ends_with(name, "_text_end") ||
	       !strcmp(name, "__indirect_thunk_start") ||
	       !strcmp(name, "__indirect_thunk_end");
}

static bool is_kbl(const char *name)
{
	return starts_with(name, KBL_PREFIX);
}

/*
 * Is NAME a symbol we never keep, whatever its address? That is markers,
 * padding and thunks, and ".cold" parts (a ".cold" or ".cold.N"
 * component anywhere after the first '.').
 */
static bool is_skipped_name(const char *name)
{
	const char *p;
	size_t i;

	if (!name[0] || name[0] == '.')
		return true;
	for (i = 0; i < sizeof(skipped_prefixes) / sizeof(*skipped_prefixes);
	     i++)
		if (starts_with(name, skipped_prefixes[i]))
			return true;
	for (i = 0; i < sizeof(skipped_names) / sizeof(*skipped_names); i++)
		if (!strcmp(name, skipped_names[i]))
			return true;
	if (is_area_marker(name))
		return true;
	for (p = strstr(name, ".cold"); p; p = strstr(p + 1, ".cold"))
		if (p[5] == '\0' || p[5] == '.')
			return true;
	return false;
}

/*
 * strncmp() on the func part of two names: a '.' ends a name like the
 * NUL does, so "foo.isra.0" compares as "foo". Lets ksym_build() sort
 * and search before it has cut (and allocated) any func.
 */
static int funcncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int ca = *a == '.' ? 0 : (unsigned char)*a;
		int cb = *b == '.' ? 0 : (unsigned char)*b;

		if (ca != cb)
			return ca - cb;
		if (!ca)
			break;
	}
	return 0;
}

static int by_func_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	int c = funcncmp(x->name, y->name, SIZE_MAX);

	if (c)
		return c;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Index of the first entry whose func, cut to KLEN bytes, is >= the
 * first KLEN bytes of KEY (binary search; SIZE_MAX compares it all).
 */
static size_t lower_bound(const struct ksym *v, size_t n, const char *key,
			  size_t klen)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (funcncmp(v[mid].name, key, klen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Turn raw symbols into the table: see ksym.h. Blacklist records are
 * first moved to the tail, the rest filtered and sorted by the func
 * part of their names, then each record knocks out its func by binary
 * search. Only the survivors get a func of their own.
 */
void ksym_build(struct ksym_table *t, struct ksym *syms, size_t n)
{
	size_t i, j, w, nkbl = n;
	struct ksym tmp;

	for (i = 0; i < nkbl; i++) {
		if (syms[i].name && is_kbl(syms[i].name)) {
			tmp = syms[i];
			syms[i--] = syms[--nkbl];
			syms[nkbl] = tmp;
		}
	}
	/* Until the uniqueness pass, "unique" marks entries to drop. */
	for (i = w = 0; i < nkbl; i++) {
		if (syms[i].name && !is_skipped_name(syms[i].name)) {
			syms[w] = syms[i];
			syms[w++].unique = false;
		}
	}
	qsort(syms, w, sizeof(*syms), by_func_addr);

	for (i = nkbl; i < n; i++) {
		const char *func = syms[i].name + strlen(KBL_PREFIX);

		for (j = lower_bound(syms, w, func, SIZE_MAX);
		     j < w && !funcncmp(syms[j].name, func, SIZE_MAX); j++)
			syms[j].unique = true;
	}
	for (i = j = 0; i < w; i++) {
		struct ksym *s = &syms[i];
		const char *dot;

		if (s->unique)
			continue;
		dot = strchr(s->name, '.');
		s->func = dot ? xstrndup(s->name, dot - s->name) : s->name;
		syms[j++] = *s;
	}
	w = j;

	/* Equal names have equal funcs, so they sit in one func run. */
	for (i = 0; i < w; i = j) {
		size_t a, b;

		for (j = i + 1; j < w && !strcmp(syms[j].func, syms[i].func);
		     j++)
			;
		for (a = i; a < j; a++) {
			syms[a].unique = true;
			for (b = i; b < j; b++)
				if (a != b && !strcmp(syms[a].name,
						      syms[b].name))
					syms[a].unique = false;
		}
	}
	t->syms = w ? xrealloc(syms, w * sizeof(*syms)) : syms;
	t->n = w;
}

/*
 * Read all of PATH into a NUL-terminated malloc'd buffer. Works for
 * /proc files, whose size stat() reports as 0. Returns NULL with errno.
 */
static char *slurp(const char *path, size_t *lenp)
{
	struct stat st;
	size_t len = 0, cap = 1 << 20;
	char *buf;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	buf = xrealloc(NULL, cap);
	for (;;) {
		ssize_t got;

		if (len + 1 == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = read(fd, buf + len, cap - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static bool is_text_type(char c)
{
	return c == 't' || c == 'T' || c == 'w' || c == 'W';
}

/*
 * Give each symbol the distance to the next higher address as its size,
 * the way the kernel's own kallsyms lookup does. SV is in address order
 * (kallsyms and System.map are); blacklist records are skipped.
 */
static void estimate_sizes(struct symvec *sv)
{
	uint64_t last = 0, next = 0;
	bool have = false;
	size_t i;

	for (i = sv->n; i-- > 0;) {
		struct ksym *s = &sv->v[i];

		if (is_kbl(s->name))
			continue;
		if (!have || s->addr != last) {
			next = have && last > s->addr ? last : 0;
			last = s->addr;
			have = true;
		}
		s->size = next ? next - s->addr : 0;
	}
}

/*
 * Load an nm-format file (System.map or /proc/kallsyms). Returns 0,
 * -ENOENT when the file is missing or Debian's placeholder (so the
 * caller may quietly try the next source), or another -errno with err
 * set.
 */
static int load_nm(struct ksym_table *t, const char *path, char *err,
		   size_t errlen)
{
	struct ranges r = { 0 };
	struct symvec sv = { 0 };
	char *buf, *p, *end;
	size_t len, i, w;

	buf = slurp(path, &len);
	if (!buf) {
		int e = errno;

		seterr(err, errlen, "cannot read %s: %s", path, strerror(e));
		return -e;
	}
	if (len < 4096 && strstr(buf, "The real System.map is in")) {
		seterr(err, errlen, "%s: a placeholder without symbols", path);
		free(buf);
		return -ENOENT;
	}
	for (p = buf, end = buf + len; p < end;) {
		char *nl = memchr(p, '\n', end - p);
		char *q, *name, *tail;
		uint64_t addr;
		char type;

		if (!nl)
			nl = end;
		*nl = '\0';
		addr = strtoull(p, &q, 16);
		if (q == p || q[0] != ' ' || !q[1] || q[2] != ' ')
			goto next;
		type = q[1];
		name = q + 3;
		tail = strpbrk(name, " \t");
		if (tail) {
			if (strchr(tail, '['))
				goto next;	/* "\t[module]" */
			*tail = '\0';
		}
		note_marker(&r, name, addr);
		if (is_text_type(type))
			push(&sv, name, addr, 0);
		else if (is_kbl(name))
			push(&sv, name, 0, 0);
next:
		p = nl + 1;
	}

	if (!r.stext || !r.etext || r.etext <= r.stext) {
		seterr(err, errlen, "%s: no _stext/_etext (addresses hidden?)",
		       path);
		free(sv.v);
		free(buf);
		return -EINVAL;
	}

	estimate_sizes(&sv);
	for (i = w = 0; i < sv.n; i++) {
		struct ksym *s = &sv.v[i];

		if (!is_kbl(s->name) &&
		    (s->addr < r.stext || s->addr >= r.etext ||
		     in_skipped_area(&r, s->addr)))
			continue;
		sv.v[w++] = *s;
	}
	ksym_build(t, sv.v, w);
	t->stext = r.stext;
	return 0;
}

/* The section index of SECNAME in E, or 0 when there is none. */
static size_t find_section(Elf *e, size_t shstrndx, const char *secname)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		const char *nm;

		if (!gelf_getshdr(scn, &sh))
			continue;
		nm = elf_strptr(e, shstrndx, sh.sh_name);
		if (nm && !strcmp(nm, secname))
			return elf_ndxscn(scn);
	}
	return 0;
}

/*
 * Load the vmlinux symtab: one pass for the markers, one for the
 * functions. The string table is copied so that names outlive the
 * mapping. Returns 0 or -errno with err set.
 */
static int load_elf(struct ksym_table *t, const char *path, char *err,
		    size_t errlen)
{
	struct ranges r = { 0 };
	struct symvec sv = { 0 };
	Elf_Scn *scn = NULL, *symscn = NULL;
	Elf_Data *syms, *strs;
	size_t shstrndx, text, i, nsyms;
	GElf_Shdr sh;
	char *pool = NULL;
	Elf *e;
	int fd, rc = -EINVAL;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		seterr(err, errlen, "cannot open %s: %s", path,
		       strerror(errno));
		return rc;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx)) {
		seterr(err, errlen, "%s: not an ELF file: %s", path,
		       elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(e, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			break;
		}
	}
	text = find_section(e, shstrndx, ".text");
	if (!symscn || !text) {
		seterr(err, errlen, "%s: no %s", path,
		       symscn ? ".text section" : "symbol table (stripped?)");
		goto out;
	}
	syms = elf_getdata(symscn, NULL);
	strs = elf_getdata(elf_getscn(e, sh.sh_link), NULL);
	if (!syms || !strs || !strs->d_buf || !sh.sh_entsize) {
		seterr(err, errlen, "%s: bad symbol table: %s", path,
		       elf_errmsg(-1));
		goto out;
	}
	pool = xrealloc(NULL, strs->d_size + 1);
	memcpy(pool, strs->d_buf, strs->d_size);
	pool[strs->d_size] = '\0';
	nsyms = sh.sh_size / sh.sh_entsize;

	for (i = 0; i < nsyms; i++) {
		GElf_Sym s;

		if (gelf_getsym(syms, (int)i, &s) && s.st_name < strs->d_size)
			note_marker(&r, pool + s.st_name, s.st_value);
	}
	for (i = 0; i < nsyms; i++) {
		const char *name;
		GElf_Sym s;

		if (!gelf_getsym(syms, (int)i, &s) ||
		    s.st_name >= strs->d_size)
			continue;
		name = pool + s.st_name;
		if (GELF_ST_TYPE(s.st_info) == STT_FUNC &&
		    s.st_shndx == text && !in_skipped_area(&r, s.st_value))
			push(&sv, name, s.st_value, s.st_size);
		else if (GELF_ST_TYPE(s.st_info) == STT_OBJECT && is_kbl(name))
			push(&sv, name, 0, 0);
	}
	if (!sv.n) {
		seterr(err, errlen, "%s: no functions in .text", path);
		goto out;
	}
	ksym_build(t, sv.v, sv.n);
	sv.v = NULL;
	pool = NULL;		/* now reachable through t->syms[].name */
	t->stext = r.stext;
	rc = 0;
out:
	free(sv.v);
	free(pool);
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

static bool is_elf_file(const char *path)
{
	unsigned char magic[4];
	bool elf = false;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, magic, 4) == 4 && !memcmp(magic, ELFMAG, SELFMAG))
		elf = true;
	close(fd);
	return elf;
}

/* Load from PATH as ELF or nm text; returns 0 or -errno (see load_nm). */
static int load_path(struct ksym_table *t, const char *release,
		     const char *path, char *err, size_t errlen)
{
	int rc;

	if (access(path, R_OK)) {
		rc = -errno;
		seterr(err, errlen, "cannot read %s: %s", path,
		       strerror(errno));
		return rc;
	}
	if (is_elf_file(path))
		rc = load_elf(t, path, err, errlen);
	else
		rc = load_nm(t, path, err, errlen);
	if (rc)
		return rc;
	t->release = xstrndup(release, strlen(release));
	t->source = xstrndup(path, strlen(path));
	return 0;
}

int ksym_load_file(struct ksym_table *t, const char *release,
		   const char *path, char *err, size_t errlen)
{
	return load_path(t, release, path, err, errlen) ? -1 : 0;
}

int ksym_load(const char *release, struct ksym_table *t, char *err,
	      size_t errlen)
{
	static const char *const fmts[] = {
		"/proc/kallsyms",	/* only for the running kernel */
		"/usr/lib/debug/boot/vmlinux-%s",
		"/usr/lib/debug/boot/System.map-%s",
		"/boot/System.map-%s",
	};
	char why[512] = "", path[4096];
	struct utsname u;
	bool running;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (!release || !*release || strchr(release, '/')) {
		seterr(err, errlen, "bad kernel release '%s'",
		       release ? release : "");
		return -1;
	}
	running = !uname(&u) && !strcmp(u.release, release);

	for (i = running ? 0 : 1; i < sizeof(fmts) / sizeof(*fmts); i++) {
		char e[256];
		int rc;

		snprintf(path, sizeof(path), fmts[i], release);
		rc = load_path(t, release, path, e, sizeof(e));
		if (!rc)
			return 0;
		/* Say why a file that exists was no use; absence is normal. */
		if (rc != -ENOENT && !why[0])
			snprintf(why, sizeof(why), " (%s)", e);
	}
	seterr(err, errlen,
	       "no symbol table for kernel %s%s: install linux-image-%s-dbg "
	       "(or run %s)", release, why, release,
	       running ? "as root" : "on that kernel");
	return -1;
}

size_t ksym_match(const struct ksym_table *t, const char *pattern,
		  void (*fn)(const struct ksym *s, void *arg), void *arg)
{
	size_t plen = strcspn(pattern, "*?[\\");
	size_t i, count = 0;

	/* Only funcs starting with the glob's literal prefix can match. */
	for (i = lower_bound(t->syms, t->n, pattern, plen); i < t->n; i++) {
		const struct ksym *s = &t->syms[i];

		if (strncmp(s->func, pattern, plen))
			break;
		if (fnmatch(pattern, s->func, 0))
			continue;
		if (fn)
			fn(s, arg);
		count++;
	}
	return count;
}

/*
 * Levenshtein distance between A and B, or LIMIT + 1 as soon as it is
 * known to exceed LIMIT. Both are at most NAME_MAX_ED bytes.
 */
static size_t edit_distance(const char *a, size_t la, const char *b,
			    size_t lb, size_t limit)
{
	size_t row[NAME_MAX_ED + 1], i, j;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], v;

			v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			diag = up;
			row[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

/* One ranked suggestion; smaller keys are better. */
struct cand {
	const char *func;	/* the suggested name */
	int tier;		/* 0 prefix, 1 substring, 2 typo, 3 stem */
	size_t key;		/* length, or distance for tier 2 */
};

static int cand_cmp(const struct cand *x, const struct cand *y)
{
	if (x->tier != y->tier)
		return x->tier - y->tier;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->func, y->func);
}

/*
 * Rank FUNC against the glob-free pattern P. Returns false when it is
 * not a candidate: it must start with or contain P, be within edit
 * distance max(2, len/3), or share a prefix of max(4, 2/3 len) with it.
 */
static bool rank(const char *func, const char *p, size_t lp, struct cand *c)
{
	size_t lf = strlen(func), limit = lp / 3 > 2 ? lp / 3 : 2;
	size_t common = 0, stem = 2 * lp / 3 > 4 ? 2 * lp / 3 : 4;
	size_t d;

	c->func = func;
	if (!strncmp(func, p, lp)) {
		c->tier = 0;
		c->key = lf;
		return true;
	}
	if (strstr(func, p)) {
		c->tier = 1;
		c->key = lf;
		return true;
	}
	if (lf <= NAME_MAX_ED && lp <= NAME_MAX_ED &&
	    (lf > lp ? lf - lp : lp - lf) <= limit) {
		d = edit_distance(func, lf, p, lp, limit);
		if (d <= limit) {
			c->tier = 2;
			c->key = d;
			return true;
		}
	}
	while (func[common] && func[common] == p[common])
		common++;
	if (common >= stem && common < lp) {
		c->tier = 3;
		c->key = lf;
		return true;
	}
	return false;
}

size_t ksym_suggest(const struct ksym_table *t, const char *pattern,
		    const char **out, size_t max)
{
	struct cand best[SUGGEST_MAX];
	char p[NAME_MAX_ED + 1];
	size_t i, k, lp = 0, nbest = 0;

	for (i = 0; pattern[i] && lp < NAME_MAX_ED; i++)
		if (!strchr("*?[]\\", pattern[i]))
			p[lp++] = pattern[i];
	p[lp] = '\0';
	if (!lp || !max)
		return 0;
	if (max > SUGGEST_MAX)
		max = SUGGEST_MAX;

	for (i = 0; i < t->n; i++) {
		struct cand c;

		if (i && !strcmp(t->syms[i].func, t->syms[i - 1].func))
			continue;	/* same func as the last entry */
		if (!rank(t->syms[i].func, p, lp, &c))
			continue;
		/* Insertion into the sorted best[], capped at max. */
		if (nbest == max && cand_cmp(&c, &best[nbest - 1]) >= 0)
			continue;
		k = nbest < max ? nbest++ : nbest - 1;
		for (; k > 0 && cand_cmp(&c, &best[k - 1]) < 0; k--)
			best[k] = best[k - 1];
		best[k] = c;
	}
	for (i = 0; i < nbest; i++)
		out[i] = best[i].func;
	return nbest;
}
