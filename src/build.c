/*
 * build.c - pass 4: kbuild, its replayed recipe, and the module cache.
 *
 * The generated C and a two-line Kbuild file go into a temporary
 * directory; `make -C /lib/modules/REL/build M=DIR modules` builds
 * NAME.ko there. Before that, the cache is asked: its key is a 128-bit
 * hash (two FNV-1a lanes) of the C text, the Kbuild text, every file of
 * runtime/, the kernel release and the identity of its build tree
 * (its .config and Module.symvers), so any change to any of them
 * builds anew. A hit copies the cached .ko and skips kbuild entirely.
 * The C text names the translator's version and holds every tapset
 * function the script uses, so a new translator or a changed tapset
 * changes the key too.
 *
 * A miss builds through the release's recipe when there is one (the
 * fast path, below): kbuild's own commands, replayed without make.
 *
 * Cache layout, CACHE being $STAP_CACHE or $XDG_CACHE_HOME/stap or
 * ~/.cache/stap:
 *	CACHE/REL/KEY/NAME.ko		a built module
 *	CACHE/REL/recipe-KEY/		a release's recipe and its
 *					precompiled headers
 *	CACHE/dwarf/BUILDID.idx		function indexes (dwarf.c)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "build.h"
#include "diag.h"

struct hash {
	uint64_t a, b;		/* two FNV-1a lanes with different seeds */
};

static void hash_add(struct hash *h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h->a = (h->a ^ p[i]) * 1099511628211ull;
		h->b = (h->b ^ p[i]) * 0x100000001b3ull;
		h->b ^= h->b >> 29;
	}
	/* separate fields so "ab"+"c" differs from "a"+"bc" */
	h->a = (h->a ^ 0xff) * 1099511628211ull;
	h->b = (h->b ^ 0xfe) * 0x100000001b3ull;
}

static void hash_str(struct hash *h, const char *s)
{
	hash_add(h, s ? s : "", s ? strlen(s) : 0);
}

static bool read_whole(const char *path, struct strbuf *sb)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(sb, buf, n);
	fclose(f);
	return true;
}

/* Hash a file's text, after its name (the whole path or the last part). */
static void hash_file_as(struct hash *h, const char *path, const char *name)
{
	struct strbuf sb = { 0 };

	hash_str(h, name);
	if (read_whole(path, &sb))
		hash_add(h, sb.buf, sb.len);
}

static void hash_file(struct hash *h, const char *path)
{
	hash_file_as(h, path, path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Hash every regular file of dir, in name order, each after its path
 * (paths) or its name only (the same text anywhere hashes the same).
 */
static void hash_tree(struct hash *h, const char *dir, bool paths)
{
	DIR *d = opendir(dir);
	const char *names[512];
	int n = 0;
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && n < 512)
		if (e->d_name[0] != '.')
			names[n++] = arena_strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	for (int i = 0; i < n; i++) {
		const char *p = arena_printf("%s/%s", dir, names[i]);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			hash_tree(h, p, paths);
		else
			hash_file_as(h, p, paths ? p : names[i]);
	}
}

static void hash_dir(struct hash *h, const char *dir)
{
	hash_tree(h, dir, true);
}

/* An environment switch: set, non-empty and not "0". */
static bool env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

/* An environment switch turned off: set to "0". */
static bool env_off(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "0");
}

/* ccflags-y without the -D options, and those (" -DA -DB"). */
static const char *cc_flags(const struct session *ss)
{
	/*
	 * -Wrestrict cannot see that two fields of one frame never
	 * overlap. kbuild's -g (CONFIG_DEBUG_INFO) makes nine tenths of a
	 * small module's bytes and a third of its compile time, and nothing
	 * reads it: backtraces use ORC (objtool) and kallsyms. Kept on
	 * request.
	 */
	return arena_printf("-I%s -Werror -Wno-restrict%s", ss->runtime_dir,
			    env_on("STAP_MODULE_DEBUGINFO") ? "" : " -g0");
}

static const char *cc_defines(const struct session *ss)
{
	struct strbuf sb = { 0 };

	sb_puts(&sb, "");
	for (int i = 0; i < ss->ndefines; i++)
		sb_printf(&sb, " -D%s", ss->defines[i]);
	return sb.buf;
}

static const char *kbuild_text(const struct session *ss, const char *name)
{
	return arena_printf("obj-m := %s.o\nccflags-y := %s%s\n", name,
			    cc_flags(ss), cc_defines(ss));
}

static struct hash key_of(const struct session *ss, const char *name,
			  const char *ctext)
{
	struct hash h = { 14695981039346656037ull, 0x6c62272e07bb0142ull };
	const char *kdir = arena_printf("/lib/modules/%s/build", ss->release);

	hash_str(&h, "stap module v1");
	hash_str(&h, ctext);
	hash_str(&h, name);
	hash_str(&h, kbuild_text(ss, name ? name : "x"));
	hash_str(&h, ss->release);
	hash_dir(&h, ss->runtime_dir);
	hash_file(&h, arena_printf("%s/.config", kdir));
	hash_file(&h, arena_printf("%s/Module.symvers", kdir));
	return h;
}

const char *build_module_name(const struct session *ss, const char *ctext)
{
	if (ss->module_name)
		return ss->module_name;
	struct hash h = key_of(ss, NULL, ctext);

	return arena_printf("stap_%016llx", (unsigned long long)h.a);
}

const char *build_kernel_dir(const char *release)
{
	const char *kdir = arena_printf("/lib/modules/%s/build", release);
	struct stat st;

	if (stat(arena_printf("%s/Makefile", kdir), &st) != 0) {
		diag_error(NULL, "no kernel build tree for %s at %s: install "
			   "linux-headers-%s (or pick another kernel with -r, "
			   "or run with --vm)", release, kdir, release);
		return NULL;
	}
	return kdir;
}

const char *build_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = arena_printf("%s/stapXXXXXX", base && *base ? base : "/tmp");

	if (!mkdtemp(dir))
		diag_fatal("cannot create a temporary directory in %s: %s",
			   base && *base ? base : "/tmp", strerror(errno));
	return dir;
}

void build_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		const char *p = arena_printf("%s/%s", dir, e->d_name);
		struct stat st;

		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			build_rmtree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static bool is_cache_key(const char *name)
{
	size_t n = strspn(name, "0123456789abcdef");

	return n == 32 && !name[n];
}

/* Remove a file or a tree, counting it; -1 after a message if it stays. */
static int remove_entry(const char *path, int *count)
{
	struct stat st;

	if (lstat(path, &st))
		return 0;
	if (S_ISDIR(st.st_mode))
		build_rmtree(path);
	else
		unlink(path);
	if (lstat(path, &st) == 0) {
		diag_error(NULL, "cannot remove %s from the cache", path);
		return -1;
	}
	(*count)++;
	return 0;
}

/*
 * Only what stap put there: the modules (REL/KEY), the recipes
 * (REL/recipe-KEY) and the DWARF indexes (dwarf/BUILDID.idx); then the
 * directories left empty.
 */
int build_clean_cache(const char *cache, int verbose)
{
	DIR *d = opendir(cache);
	struct dirent *e;
	int n = 0, rc = 0;

	if (!d && errno == ENOENT)
		return 0;	/* nothing cached yet */
	if (!d) {
		diag_error(NULL, "cannot read the cache directory %s: %s",
			   cache, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		const char *sub = arena_printf("%s/%s", cache, e->d_name);
		bool dwarf = !strcmp(e->d_name, "dwarf");
		DIR *s = e->d_name[0] == '.' ? NULL : opendir(sub);
		struct dirent *f;

		if (!s)
			continue;
		while ((f = readdir(s))) {
			const char *fn = f->d_name;
			size_t len = strlen(fn);
			bool ours = dwarf ?
				len > 4 && !strcmp(fn + len - 4, ".idx") :
				is_cache_key(fn) || !strncmp(fn, "recipe-", 7);

			if (ours && remove_entry(arena_printf("%s/%s", sub, fn),
						 &n))
				rc = -1;
		}
		closedir(s);
		rmdir(sub);	/* fails unless it is empty now */
	}
	closedir(d);
	rmdir(cache);
	if (verbose)
		fprintf(stderr, "Removed %d cache entr%s from %s\n", n,
			n == 1 ? "y" : "ies", cache);
	return rc;
}

static int write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		diag_error(NULL, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int build_write(const struct session *ss, const char *dir, const char *name,
		const char *ctext)
{
	const char *kb = kbuild_text(ss, name);

	if (write_file(arena_printf("%s/%s.c", dir, name), ctext,
		       strlen(ctext)))
		return -1;
	return write_file(arena_printf("%s/Kbuild", dir), kb, strlen(kb));
}

static int copy_file(const char *from, const char *to)
{
	struct strbuf sb = { 0 };

	if (!read_whole(from, &sb))
		return -1;
	const char *tmp = arena_printf("%s.%d.tmp", to, (int)getpid());
	FILE *f = fopen(tmp, "wb");

	if (!f)
		return -1;
	if (fwrite(sb.buf, 1, sb.len, f) != sb.len || fclose(f)) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, to);
}

static void mkdirs(const char *path)
{
	char *p = arena_strdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static const char *cache_root(const struct session *ss)
{
	return ss->cache_dir;
}

/*
 * Run kbuild; its output goes to dir/build.log, shown on failure unless
 * quiet.
 */
static int kbuild(const struct session *ss, const char *kdir, const char *dir,
		  bool quiet)
{
	const char *log = arena_printf("%s/build.log", dir);
	pid_t pid = fork();

	if (pid < 0) {
		diag_error(NULL, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0 && ss->verbose < 2) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("make", "make", "-s", "-C", kdir,
		       arena_printf("M=%s", dir), "modules", (char *)NULL);
		_exit(127);
	}
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (quiet)
		return -1;
	struct strbuf sb = { 0 };

	if (read_whole(log, &sb) && sb.len)
		fprintf(stderr, "%s", sb.buf);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		diag_error(NULL, "cannot run make: install build-essential");
	diag_error(NULL, "building the module failed (pass 4); the "
		   "generated C is in %s", dir);
	return -1;
}

/*
 * The fast path. For a small module kbuild spends about half its time
 * in make itself (reading the kernel's Makefiles, checking what is out
 * of date) and most of the rest parsing kernel headers. A kbuild of an
 * empty module, the first build for a release, leaves the exact
 * commands it ran in its .*.cmd files; they become the release's
 * recipe, and that build and later ones replay them
 * with sh -c in the build tree, as make would, with these changes to
 * the two compiles (NAME.c and modpost's NAME.mod.c):
 *  - kbuild's -include files and the kernel headers (runtime/
 *    stp_kernel.h) come from a header compiled once per recipe into a
 *    GCC precompiled header. The sources include those again, no-ops
 *    behind their include guards. NAME.mod.c is compiled with NAME.c's
 *    command and header (modcc_like_cc).
 *  - KBUILD_MODNAME and friends come from a small header included after
 *    that one, not from -D: GCC refuses a precompiled header when a
 *    macro it mentions is defined differently, and the name changes
 *    with every module. The script's -D options are a placeholder in
 *    the recipe and stay out of the precompiled header.
 *  - NAME.c is compiled with -DSTP_RT_SPLIT, which leaves the runtime
 *    core declared only, and ld -r links it with the core object
 *    (runtime/stp_core.c), compiled by the same command once per
 *    recipe and -D options (core_object): most of a small module's
 *    code, compiled once.
 * The rest (objtool, modpost with the kernel's Module.symvers, ld -r
 * with the kernel's module.lds) runs unchanged, so the module carries
 * what kbuild's would (vermagic, modinfo, CRCs, this_module), the core's
 * functions being global symbols, and, compiled whole, is the one kbuild
 * would make up to the order of some instructions (GCC breaks
 * scheduling ties differently with a precompiled header) and the .BTF
 * kbuild adds with pahole on 6.12. Anything unexpected while capturing
 * means no recipe; a split compile that fails is redone whole, any
 * other failure while replaying falls back to kbuild. STAP_KBUILD=1
 * always uses kbuild.
 */
#define MAXSTEPS 8
#define MAXITEMS 8

struct step {
	const char *kind;	/* "cc", "modcc" (the two compiles) or "run" */
	const char *cmd;	/* with the @X@ placeholders of struct subst */
	const char *pch;	/* cc, modcc: compiles @H@ into @G@ */
	const char *incs[MAXITEMS];	/* kbuild's -include files */
	int nincs;
	const char *defs[MAXITEMS];	/* "NAME VALUE", were -D options */
	int ndefs;
	bool kernel_h;		/* modcc compiled like cc, through its header */
};

struct recipe {
	const char *dir;
	const char *srcarch;	/* make exports it; Debian's objtool needs it */
	struct step steps[MAXSTEPS];
	int nsteps;
};

/* What the placeholders of a recipe's commands stand for. */
struct subst {
	const char *dir;	/* @D@ the build directory */
	const char *name;	/* @N@ the module name */
	const char *rdir;	/* @R@ the recipe directory */
	const char *hdr;	/* @H@ the (pre)compiled header */
	const char *names;	/* @M@ the header of KBUILD_MODNAME & co. */
	const char *gch;	/* @G@ where the precompiled header goes */
	const char *defs;	/* @DEFS@ the -D options */
	const char *rt;		/* @RT@ the runtime directory */
};

/* s with every from replaced by to. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct strbuf sb = { 0 };
	size_t n = strlen(from);
	const char *p;

	sb_puts(&sb, "");
	while (n && (p = strstr(s, from))) {
		sb_add(&sb, s, (size_t)(p - s));
		sb_puts(&sb, to);
		s = p + n;
	}
	sb_puts(&sb, s);
	return sb.buf;
}

/* s with every blank-separated word equal to word replaced by to. */
static char *replace_word(const char *s, const char *word, const char *to)
{
	struct strbuf sb = { 0 };
	size_t n = strlen(word);
	const char *start = s;

	sb_puts(&sb, "");
	while (*s) {
		if ((s == start || s[-1] == ' ' || s[-1] == '\t') &&
		    !strncmp(s, word, n) &&
		    (!s[n] || s[n] == ' ' || s[n] == '\t')) {
			sb_puts(&sb, to);
			s += n;
		} else {
			sb_putc(&sb, *s++);
		}
	}
	return sb.buf;
}

static const char *expand(const char *s, const struct subst *x)
{
	const char *keys[] = { "@D@", "@N@", "@R@", "@H@", "@M@", "@G@",
			       " @DEFS@", "@RT@" };
	const char *vals[] = { x->dir, x->name, x->rdir, x->hdr, x->names,
			       x->gch, x->defs, x->rt };

	for (int i = 0; i < 8; i++)
		if (vals[i])
			s = replace_all(s, keys[i], vals[i]);
	return s;
}

/*
 * The command of a kbuild .cmd file ("cmd_T := ..." or "savedcmd_T :=
 * ..."), undoing make's escapes ($$ for $, $(pound) for #).
 */
static const char *cmd_of(const char *path)
{
	struct strbuf sb = { 0 }, out = { 0 };

	if (!read_whole(path, &sb) || !sb.buf)
		return NULL;
	char *nl = strchr(sb.buf, '\n');

	if (nl)
		*nl = '\0';
	if (strncmp(sb.buf, "cmd_", 4) && strncmp(sb.buf, "savedcmd_", 9))
		return NULL;
	const char *v = strstr(sb.buf, " := ");

	if (!v)
		return NULL;
	sb_puts(&out, "");
	for (v += 4; *v;) {
		if (!strncmp(v, "$$", 2)) {
			sb_putc(&out, '$');
			v += 2;
		} else if (!strncmp(v, "$(pound)", 8)) {
			sb_putc(&out, '#');
			v += 8;
		} else {
			sb_putc(&out, *v++);
		}
	}
	return out.buf;
}

/* A kbuild command with this build's directory and name made @D@, @N@. */
static const char *templatize(const char *cmd, const char *dir,
			      const char *name)
{
	char *s = replace_all(cmd, dir, "@D@");

	s = replace_all(s, arena_printf("@D@/%s.", name), "@D@/@N@.");
	s = replace_all(s, arena_printf("@D@/.%s.", name), "@D@/.@N@.");
	/* NAME.mod lists the objects: printf '%s\n' NAME.o | awk ... */
	return replace_word(s, arena_printf("%s.o", name), "@N@.o");
}

/* -DKBUILD_MODNAME='"x"' and the like: "KBUILD_MODNAME "@N@"", or NULL. */
static const char *name_def(const char *tok, const char *name)
{
	const char *defs[] = { "KBUILD_BASENAME", "KBUILD_MODNAME",
			       "__KBUILD_MODNAME" };

	for (int i = 0; i < 3; i++) {
		size_t n = strlen(defs[i]);

		if (strncmp(tok + 2, defs[i], n) || tok[2 + n] != '=')
			continue;
		const char *v = tok + 3 + n;
		size_t len = strlen(v);

		if (len >= 2 && v[0] == '\'' && v[len - 1] == '\'')
			v = arena_strndup(v + 1, len - 2);
		if (!strcmp(v, arena_printf("\"%s\"", name)))
			v = "\"@N@\"";
		else if (!strcmp(v, arena_printf("\"%s.mod\"", name)))
			v = "\"@N@.mod\"";
		else if (!strcmp(v, arena_printf("kmod_%s", name)))
			v = "kmod_@N@";
		else
			return "";	/* a form we do not know */
		return arena_printf("%s %s", defs[i], v);
	}
	return NULL;
}

/* The source a compile step reads, and the object it writes. */
static const char *step_src(const struct step *st)
{
	return !strcmp(st->kind, "cc") ? "@D@/@N@.c" : "@D@/@N@.mod.c";
}

static const char *step_obj(const struct step *st)
{
	return !strcmp(st->kind, "cc") ? "@D@/@N@.o" : "@D@/@N@.mod.o";
}

/*
 * Turn kbuild's compile of src into obj (templatized) into the step's
 * command and the command that precompiles its header. -1 when the
 * command does not look as expected.
 */
static int split_compile(const struct session *ss, struct step *st,
			 const char *cmd, const char *name, const char *kdir)
{
	const char *src = step_src(st), *obj = step_obj(st);

	if (!strcmp(st->kind, "cc")) {
		/*
		 * The -D options become @DEFS@ and the runtime's directory
		 * @RT@: one recipe for any of them.
		 */
		const char *f = cc_flags(ss), *d = cc_defines(ss);
		const char *p = strstr(cmd, f);

		if (!p || strstr(p + 1, f))
			return -1;
		const char *end = p + strlen(f);

		if (strncmp(end, d, strlen(d)))
			return -1;
		cmd = arena_printf("%.*s-I@RT@%s @DEFS@%s", (int)(p - cmd), cmd,
				   f + 2 + strlen(ss->runtime_dir),
				   end + strlen(d));
		if (strstr(cmd, ss->runtime_dir))
			return -1;
	}
	const char *semi = strchr(cmd, ';');
	size_t cclen = semi ? (size_t)(semi - cmd) : strlen(cmd);
	char *cc = arena_strndup(cmd, cclen);
	struct strbuf out = { 0 }, pch = { 0 };
	bool have_obj = false, have_src = false;
	char *save;

	for (char *t = strtok_r(cc, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		const char *def = !strncmp(t, "-D", 2) ? name_def(t, name) :
				  NULL;

		if (!strncmp(t, "-Wp,-MMD,", 9))
			continue;	/* make's dependency file */
		if (def) {
			if (!*def || st->ndefs == MAXITEMS)
				return -1;
			st->defs[st->ndefs++] = def;
		} else if (!strcmp(t, "-include")) {
			const char *f = strtok_r(NULL, " \t", &save);

			if (!f || st->nincs == MAXITEMS)
				return -1;
			if (*f != '/')
				f = arena_printf("%s/%s", kdir, f);
			if (!st->nincs)
				sb_puts(&out, " -include @H@ -include @M@");
			st->incs[st->nincs++] = f;
		} else if (!strcmp(t, "-o")) {
			t = strtok_r(NULL, " \t", &save);
			if (!t || strcmp(t, obj))
				return -1;
			sb_printf(&out, " -o %s", obj);
			sb_puts(&pch, " -o @G@");
			have_obj = true;
		} else if (!strcmp(t, "@DEFS@")) {
			sb_puts(&out, " @DEFS@");	/* not in the .gch */
		} else if (!strcmp(t, src)) {
			sb_printf(&out, " %s", src);
			sb_puts(&pch, " -x c-header @H@");
			have_src = true;
		} else {
			sb_printf(&out, " %s", t);
			sb_printf(&pch, " %s", t);
		}
	}
	if (!have_obj || !have_src || !st->nincs || st->ndefs != 3)
		return -1;
	/* say so when a precompiled header is stale (then rebuild it) */
	sb_puts(&out, " -Winvalid-pch -Wno-error=invalid-pch");
	if (semi)
		sb_printf(&out, " %s", semi);
	st->cmd = out.buf + 1;
	st->pch = pch.buf + 1;
	return 0;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * The recipe directory of this session's release and flags: its key
 * hashes what shapes kbuild's commands, not the C.
 */
static const char *recipe_dir(const struct session *ss, const char *kdir)
{
	static const char *known;	/* one session a process: hash once */
	struct hash h = { 14695981039346656037ull, 0x6c62272e07bb0142ull };

	if (known)
		return known;
	hash_str(&h, "stap recipe v4");
	hash_str(&h, ss->release);
	/* not the runtime's directory (@RT@) nor the -D options (@DEFS@) */
	hash_str(&h, cc_flags(ss) + 2 + strlen(ss->runtime_dir));
	hash_file(&h, arena_printf("%s/Makefile", kdir));
	hash_file(&h, arena_printf("%s/.config", kdir));
	hash_file(&h, arena_printf("%s/Module.symvers", kdir));
	known = arena_printf("%s/%s/recipe-%016llx%016llx", ss->cache_dir,
			     ss->release, (unsigned long long)h.a,
			     (unsigned long long)h.b);
	return known;
}

static void put_recipe(struct strbuf *sb, const struct recipe *r)
{
	sb_puts(sb, "stap recipe 4\n");
	sb_printf(sb, "srcarch %s\n", r->srcarch);
	for (int i = 0; i < r->nsteps; i++) {
		const struct step *st = &r->steps[i];

		sb_printf(sb, "step %s\n", st->kind);
		for (int j = 0; j < st->nincs; j++)
			sb_printf(sb, "inc %s\n", st->incs[j]);
		for (int j = 0; j < st->ndefs; j++)
			sb_printf(sb, "def %s\n", st->defs[j]);
		if (st->pch)
			sb_printf(sb, "pch %s\n", st->pch);
		sb_printf(sb, "cmd %s\n", st->cmd);
	}
}

static bool load_recipe(struct recipe *r, const char *rdir)
{
	struct strbuf sb = { 0 };
	struct step *st = NULL;
	char *save;

	memset(r, 0, sizeof(*r));
	r->dir = rdir;
	if (!read_whole(arena_printf("%s/recipe", rdir), &sb) || !sb.buf ||
	    strncmp(sb.buf, "stap recipe 4\n", 14))
		return false;
	for (char *l = strtok_r(sb.buf + 14, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(l, ' ');

		if (!v)
			return false;
		*v++ = '\0';
		if (!strcmp(l, "srcarch")) {
			r->srcarch = arena_strdup(v);
		} else if (!strcmp(l, "step")) {
			if (r->nsteps == MAXSTEPS)
				return false;
			st = &r->steps[r->nsteps++];
			st->kind = arena_strdup(v);
		} else if (!st) {
			return false;
		} else if (!strcmp(l, "inc") && st->nincs < MAXITEMS) {
			st->incs[st->nincs++] = arena_strdup(v);
		} else if (!strcmp(l, "def") && st->ndefs < MAXITEMS) {
			st->defs[st->ndefs++] = arena_strdup(v);
		} else if (!strcmp(l, "pch")) {
			st->pch = arena_strdup(v);
		} else if (!strcmp(l, "cmd")) {
			st->cmd = arena_strdup(v);
		} else {
			return false;
		}
	}
	for (int i = 0; i < r->nsteps; i++)
		if (!r->steps[i].cmd)
			return false;
	return r->nsteps > 0 && r->srcarch;
}

/*
 * Run a command line with sh -c in the kernel build tree, as make does,
 * its output appended to log. 0 on success.
 */
static int run_sh(const struct recipe *r, const char *kdir, const char *cmd,
		  const char *log)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (chdir(kdir) || setenv("SRCARCH", r->srcarch, 1))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * The first #include line of a C file, after its leading comments and
 * blank lines ("" if anything else comes first).
 */
static const char *first_include(const char *path)
{
	struct strbuf sb = { 0 };
	bool comment = false;
	const char *p;

	if (!read_whole(path, &sb) || !sb.buf)
		return "";
	for (p = sb.buf; *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *q = p;

		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (comment) {
			const char *c = strstr(q, "*/");

			if (c && c < p + n)
				comment = false;
		} else if (!strncmp(q, "/*", 2)) {
			const char *c = strstr(q + 2, "*/");

			comment = !c || c >= p + n;
		} else if (!strncmp(q, "#include", 8)) {
			return arena_strndup(q, (size_t)(p + n - q));
		} else if (q < p + n) {
			return "";
		}
		p += n + (end != NULL);
	}
	return "";
}

static int write_atomic(const char *path, const char *text)
{
	const char *tmp = arena_printf("%s.%d.tmp", path, (int)getpid());
	FILE *f = fopen(tmp, "wb");
	size_t len = strlen(text);

	if (!f)
		return -1;
	if (fwrite(text, 1, len, f) != len || fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Remove dir's files whose names start with prefix, except keep*. */
static void remove_others(const char *dir, const char *prefix,
			  const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)) &&
		    strncmp(e->d_name, keep, strlen(keep)))
			unlink(arena_printf("%s/%s", dir, e->d_name));
	closedir(d);
}

/*
 * The header of a compile step, in the recipe directory: kbuild's
 * -include files, then for NAME.c the runtime's kernel headers
 * (stp_kernel.h, independent of the module and its -D options), for
 * NAME.mod.c the same when it is compiled like NAME.c (kernel_h), else
 * its first #include. Named by a hash of its text, its compile command
 * and the runtime, and compiled once into NAME.h.gch when it can be
 * (and make is true); an older one of the same step goes then.
 */
static const char *step_header(const struct session *ss,
			       const struct recipe *r, const struct step *st,
			       const char *src, const char *kdir,
			       const char *log, bool make)
{
	struct strbuf text = { 0 }, kh = { 0 };
	struct hash h = { 14695981039346656037ull, 0x6c62272e07bb0142ull };
	bool kernel_h = st->kernel_h || !strcmp(st->kind, "cc");

	sb_puts(&text, "/* stap: compiled once into a precompiled header */\n");
	for (int i = 0; i < st->nincs; i++)
		sb_printf(&text, "#include \"%s\"\n", st->incs[i]);
	sb_printf(&text, "%s\n", kernel_h ? "#include \"stp_kernel.h\"" :
		  first_include(src));
	hash_str(&h, text.buf);
	hash_str(&h, st->pch);
	/* stp_kernel.h's text, not its path: trees at one commit share */
	if (kernel_h &&
	    read_whole(arena_printf("%s/stp_kernel.h", ss->runtime_dir), &kh))
		hash_add(&h, kh.buf, kh.len);
	const char *prefix = arena_printf("pch-%s-", kernel_h ? "cc" :
					  st->kind);
	const char *base = arena_printf("%s%016llx.h", prefix,
					(unsigned long long)h.a);
	const char *hdr = arena_printf("%s/%s", r->dir, base);
	const char *gch = arena_printf("%s.gch", hdr);
	const char *no = arena_printf("%s.nopch", hdr);

	if (!is_file(hdr) && write_atomic(hdr, text.buf))
		return NULL;
	if (is_file(gch) || is_file(no) || !make)
		return hdr;
	struct subst x = { .rdir = r->dir, .hdr = hdr, .rt = ss->runtime_dir };

	x.gch = arena_printf("%s.%d.tmp", gch, (int)getpid());

	if (run_sh(r, kdir, expand(st->pch, &x), log) == 0 &&
	    rename(x.gch, gch) == 0) {
		/* the runtime changed since the last one: that one is dead */
		remove_others(r->dir, prefix, base);
		return hdr;
	}
	/* it cannot be precompiled: the plain header still does the job */
	unlink(x.gch);
	write_atomic(no, "");
	if (ss->verbose)
		fprintf(stderr, "Pass 4: cannot precompile %s (see %s)\n", hdr,
			log);
	return hdr;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * What kbuild does after compiling NAME.o that modpost relies on: the
 * .NAME.o.cmd file, where modpost looks for the CRCs of the symbols an
 * object exports (genksyms appends them). Our modules export nothing;
 * one that did (embedded C) is left to kbuild.
 */
static int after_cc(const struct subst *x, const char *cmd)
{
	struct strbuf obj = { 0 };
	const char *o = arena_printf("%s/%s.o", x->dir, x->name);
	const char *text = arena_printf("cmd_%s := %s\n", o, cmd);

	if (!read_whole(o, &obj) || !obj.buf ||
	    memmem(obj.buf, obj.len, "__ksymtab", 9) ||
	    memmem(obj.buf, obj.len, "__export_symbol", 15))
		return -1;
	return write_file(arena_printf("%s/.%s.o.cmd", x->dir, x->name), text,
			  strlen(text));
}

/*
 * One compile step: header, names header, then the compile itself.
 * Without pch, a header not yet precompiled is not precompiled now.
 */
static int run_compile(const struct session *ss, const struct recipe *r,
		       const struct step *st, const struct subst *x0,
		       const char *kdir, const char *log, bool pch)
{
	struct subst x = *x0;
	struct strbuf names = { 0 };

	x.hdr = step_header(ss, r, st, expand(step_src(st), &x), kdir, log,
			    pch);
	if (!x.hdr)
		return -1;
	for (int i = 0; i < st->ndefs; i++)
		sb_printf(&names, "#define %s\n", expand(st->defs[i], &x));
	x.names = arena_printf("%s/.%s.%s.names.h", x.dir, x.name, st->kind);
	if (write_file(x.names, names.buf, names.len))
		return -1;
	size_t before = 0;
	struct stat sb;

	if (stat(log, &sb) == 0)
		before = (size_t)sb.st_size;
	const char *cmd = expand(st->cmd, &x);

	if (run_sh(r, kdir, cmd, log) || (!strcmp(st->kind, "cc") &&
					after_cc(&x, cmd)))
		return -1;
	struct strbuf out = { 0 };

	/*
	 * GCC fell back to the header's text: rebuild the .gch next time,
	 * unless a -D option the headers test (DEBUG, say) was the cause.
	 */
	if (!ss->ndefines && read_whole(log, &out) && out.len > before &&
	    strstr(out.buf + before, "invalid-pch")) {
		unlink(arena_printf("%s.gch", x.hdr));
		if (ss->verbose)
			fprintf(stderr, "Pass 4: stale precompiled header "
				"%s.gch removed\n", x.hdr);
	}
	return 0;
}

/* The recipe's (last) step of this kind, or NULL. */
static const struct step *find_step(const struct recipe *r, const char *kind)
{
	const struct step *found = NULL;

	for (int i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i].kind, kind))
			found = &r->steps[i];
	return found;
}

/*
 * The linker and its options as kbuild runs it for ld -r of a module's
 * parts: the recipe's final link up to its --build-id.
 */
static const char *recipe_ld(const struct recipe *r)
{
	const char *cmd = r->steps[r->nsteps - 1].cmd;
	const char *end = strstr(cmd, " --build-id");

	if (!end || !strstr(cmd, " -r "))
		return NULL;
	return arena_strndup(cmd, (size_t)(end - cmd));
}

/*
 * Remove the entries of dir named prefix... other than keep (a path or
 * NULL) unused for a week: recipes (an older stap, a kernel build tree
 * that changed; each holds some 40 MB of precompiled header) and core
 * objects (an older runtime, -D options not used since). Users touch
 * what they use.
 */
static void prune_old(const char *dir, const char *prefix, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	time_t old = time(NULL) - 7 * 24 * 3600;

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *p = arena_printf("%s/%s", dir, e->d_name);
		struct stat st;

		if (strncmp(e->d_name, prefix, strlen(prefix)) ||
		    (keep && !strcmp(p, keep)) || stat(p, &st) ||
		    st.st_mtime >= old)
			continue;
		if (S_ISDIR(st.st_mode))
			build_rmtree(p);
		else
			unlink(p);
	}
	closedir(d);
}

/*
 * The runtime core (runtime/stp_core.c) compiled by the recipe's compile
 * step st with this session's -D options, kept in the recipe directory
 * and built when missing: compiled once, linked into every module of
 * the release. NULL if it cannot be built.
 */
static const char *core_object(const struct session *ss,
			       const struct recipe *r, const struct step *st,
			       const char *kdir, const char *log, bool pch)
{
	struct hash h = { 14695981039346656037ull, 0x6c62272e07bb0142ull };

	hash_str(&h, "stap core v1");
	hash_str(&h, cc_defines(ss));
	/* the runtime's text, not its path: trees at one commit share */
	hash_tree(&h, ss->runtime_dir, false);
	const char *obj = arena_printf("%s/core-%016llx%016llx.o", r->dir,
				       (unsigned long long)h.a,
				       (unsigned long long)h.b);

	if (is_file(obj)) {
		utime(obj, NULL);	/* in use: prune_old keeps it */
		return obj;
	}
	const char *tmp = arena_printf("%s.%d.d", obj, (int)getpid());
	const char *src = "#include \"stp_core.c\"\n";
	struct subst x = { .dir = tmp, .name = "stp_rt_core", .rdir = r->dir,
			   .defs = arena_printf("%s -DSTP_RT_SPLIT",
						cc_defines(ss)),
			   .rt = ss->runtime_dir };
	int rc;

	mkdirs(tmp);
	rc = write_file(arena_printf("%s/stp_rt_core.c", tmp), src,
			strlen(src));
	if (!rc)
		rc = run_compile(ss, r, st, &x, kdir, log, pch);
	if (!rc)
		rc = rename(arena_printf("%s/stp_rt_core.o", tmp), obj);
	build_rmtree(tmp);
	if (rc)
		return NULL;
	prune_old(r->dir, "core-", NULL);
	return obj;
}

/*
 * The compile step of the fast path: the generated C with -DSTP_RT_SPLIT
 * (runtime core declared only), linked with the core object by ld -r
 * into NAME.o, as kbuild links a module of several objects. -1 if any
 * of it fails: the caller compiles the C whole instead.
 */
static int split_build(const struct session *ss, const struct recipe *r,
		       const struct step *st, const struct subst *x0,
		       const char *kdir, const char *log)
{
	struct subst x = *x0;
	const char *ld = recipe_ld(r);
	const char *core = ld ? core_object(ss, r, st, kdir, log, true) : NULL;

	if (!core)
		return -1;
	x.defs = arena_printf("%s -DSTP_RT_SPLIT", x0->defs);
	if (run_compile(ss, r, st, &x, kdir, log, true))
		return -1;
	const char *o = arena_printf("%s/%s.o", x.dir, x.name);
	const char *part = arena_printf("%s/%s.script.o", x.dir, x.name);

	if (rename(o, part))
		return -1;
	return run_sh(r, kdir, arena_printf("%s -o %s %s %s", ld, o, part,
					    core), log);
}

/*
 * modpost's NAME.mod.c compiled as NAME.c is, through its precompiled
 * header (stp_kernel.h has what NAME.mod.c includes, and more): one
 * header per recipe instead of two. The module is the same, without
 * the DWARF of NAME.mod.o (-g0). False if the recipe has no such step.
 */
static bool modcc_like_cc(const struct recipe *r, const struct step *m,
			  struct step *out)
{
	const struct step *c = find_step(r, "cc");

	if (!c || !c->pch || !m->pch)
		return false;
	*out = *c;
	out->kind = m->kind;
	out->kernel_h = true;
	memcpy(out->defs, m->defs, sizeof(m->defs));
	out->ndefs = m->ndefs;
	char *cmd = arena_strndup(c->cmd, strcspn(c->cmd, ";"));

	cmd = replace_all(cmd, " @DEFS@", "");
	cmd = replace_all(cmd, "@D@/@N@.o", "@D@/@N@.mod.o");
	out->cmd = replace_all(cmd, "@D@/@N@.c", "@D@/@N@.mod.c");
	return true;
}

/*
 * One step of the recipe. The compile of NAME.c links the runtime core
 * in (unless STAP_RT_SPLIT=0) and NAME.mod.c goes through NAME.c's
 * header; when either fails, the step runs as kbuild ran it.
 */
static int run_step(const struct session *ss, const struct recipe *r,
		    const struct step *st, const struct subst *x,
		    const char *kdir, const char *log)
{
	struct step m;

	if (!strcmp(st->kind, "cc") && !env_off("STAP_RT_SPLIT")) {
		if (split_build(ss, r, st, x, kdir, log) == 0)
			return 0;
		if (ss->verbose)
			fprintf(stderr, "Pass 4: linking with the runtime core "
				"failed (see %s); compiling the C whole\n", log);
	}
	if (!strcmp(st->kind, "modcc") && modcc_like_cc(r, st, &m) &&
	    run_compile(ss, r, &m, x, kdir, log, true) == 0)
		return 0;
	if (st->pch)
		return run_compile(ss, r, st, x, kdir, log, true);
	return run_sh(r, kdir, expand(st->cmd, x), log);
}

/* Build dir/name.ko with the recipe. 0 on success. */
static int recipe_build(const struct session *ss, const struct recipe *r,
			const char *kdir, const char *dir, const char *name)
{
	const char *log = arena_printf("%s/fast.log", dir);
	struct subst x = { .dir = dir, .name = name, .rdir = r->dir,
			   .defs = cc_defines(ss), .rt = ss->runtime_dir };
	struct strbuf times = { 0 };

	for (int i = 0; i < r->nsteps; i++) {
		const struct step *st = &r->steps[i];
		struct timespec t0;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = run_step(ss, r, st, &x, kdir, log);
		if (rc) {
			if (ss->verbose > 1)
				fprintf(stderr, "Pass 4: step %d (%s) of %s "
					"failed\n", i + 1, st->kind, r->dir);
			return -1;
		}
		sb_printf(&times, "%s%s %ld", i ? ", " : "", st->kind,
			  ms_since(&t0));
	}
	if (!is_file(arena_printf("%s/%s.ko", dir, name)))
		return -1;
	utime(r->dir, NULL);	/* in use: prune_old keeps it */
	if (ss->verbose)
		fprintf(stderr, "Pass 4: replayed kbuild's recipe %s (ms: "
			"%s)\n", r->dir, times.buf);
	return 0;
}

/*
 * After a kbuild of name in dir: keep its commands as the recipe in
 * rdir (made under a temporary name, then renamed, so that concurrent
 * runs see all of it or nothing), and precompile its headers.
 */
static void recipe_capture(const struct session *ss, const char *kdir,
			   const char *dir, const char *name, const char *rdir)
{
	static const struct {
		const char *file, *kind;
	} cmds[] = {
		{ ".%s.o.cmd", "cc" },
		{ ".%s.mod.cmd", "run" },
		{ ".modules.order.cmd", "run" },
		{ ".Module.symvers.cmd", "run" },
		{ ".%s.mod.o.cmd", "modcc" },
		{ ".%s.ko.cmd", "run" },
	};
	char real[PATH_MAX];
	struct recipe r = { 0 };
	const char *tmp = arena_printf("%s.%d.tmp", rdir, (int)getpid());

	if (!realpath(kdir, real))
		return;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		const char *f = arena_printf(cmds[i].file, name);
		const char *cmd = cmd_of(arena_printf("%s/%s", dir, f));
		struct step *st = &r.steps[r.nsteps];

		if (!cmd) {
			if (!strcmp(cmds[i].file, ".%s.mod.cmd"))
				continue;	/* not in every release */
			return;
		}
		st->kind = cmds[i].kind;
		cmd = templatize(cmd, dir, name);
		/* 6.12 links one module-common.o into every module */
		cmd = replace_all(cmd, "@D@/.module-common.o",
				  "@R@/module-common.o");
		if (strcmp(st->kind, "run")) {
			if (split_compile(ss, st, cmd, name, real))
				return;
		} else {
			st->cmd = cmd;
		}
		if (strstr(st->cmd, dir) || strchr(st->cmd, '\n'))
			return;
		r.nsteps++;
	}
	/* -I.../arch/x86/include names the architecture */
	const char *arch = strstr(r.steps[0].cmd, "/arch/");

	if (!arch)
		return;
	r.srcarch = arena_strndup(arch + 6, strcspn(arch + 6, "/ "));
	mkdirs(tmp);
	r.dir = tmp;
	struct strbuf text = { 0 };
	const char *common = arena_printf("%s/.module-common.o", dir);

	put_recipe(&text, &r);
	if ((is_file(common) &&
	     copy_file(common, arena_printf("%s/module-common.o", tmp))) ||
	    write_file(arena_printf("%s/recipe", tmp), text.buf, text.len) ||
	    rename(tmp, rdir)) {
		build_rmtree(tmp);	/* or another run made it first */
		return;
	}
	/*
	 * Precompile NAME.c's header now (NAME.mod.c shares it), and build
	 * the runtime core meanwhile, without it: the next new script finds
	 * both ready. Each takes most of a second.
	 */
	r.dir = rdir;
	pid_t kids[2];
	int nkids = 0;
	const char *log = arena_printf("%s/fast.log", dir);
	const struct step *st = find_step(&r, "cc");

	for (int job = 0; st && st->pch && job < 2; job++) {
		struct subst x = { .dir = dir, .name = name };
		pid_t pid = fork();

		if (pid < 0)
			continue;
		if (pid == 0) {
			if (job == 0)
				step_header(ss, &r, st, expand(step_src(st), &x),
					    kdir, log, true);
			else if (!env_off("STAP_RT_SPLIT"))
				core_object(ss, &r, st, kdir, log, false);
			_exit(0);
		}
		kids[nkids++] = pid;
	}
	while (nkids > 0)
		if (waitpid(kids[nkids - 1], NULL, 0) >= 0 || errno != EINTR)
			nkids--;
	prune_old(arena_strndup(rdir, (size_t)(strrchr(rdir, '/') - rdir)),
		  "recipe-", rdir);
	if (ss->verbose)
		fprintf(stderr, "Pass 4: kept kbuild's recipe in %s\n", rdir);
}

/* Leave only the C and Kbuild in dir, for kbuild after a failed replay. */
static void clean_build_dir(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *n = e->d_name;

		if (!strcmp(n, ".") || !strcmp(n, "..") ||
		    !strcmp(n, "Kbuild") || !strcmp(n, "fast.log") ||
		    !strcmp(n, arena_printf("%s.c", name)))
			continue;
		unlink(arena_printf("%s/%s", dir, n));
	}
	closedir(d);
}

/*
 * No recipe yet: make one from a module with nothing in it, in
 * dir/template, which kbuild builds in much less time than a real one
 * (the recipe does not depend on the C). Its precompiled header and the
 * runtime core are made before this returns. 0 when kbuild built it
 * (the caller loads the recipe, which a concurrent run may have made).
 */
static int recipe_from_template(const struct session *ss, const char *kdir,
				const char *dir, const char *rdir)
{
	static const char c[] = "#include <linux/module.h>\n"
				"MODULE_LICENSE(\"GPL\");\n";
	const char *t = arena_printf("%s/template", dir);
	const char *name = "stp_template";
	const char *kb = kbuild_text(ss, name);
	struct recipe r;

	mkdirs(t);
	if (write_file(arena_printf("%s/%s.c", t, name), c, strlen(c)) ||
	    write_file(arena_printf("%s/Kbuild", t), kb, strlen(kb)) ||
	    kbuild(ss, kdir, t, true))
		return -1;
	if (!load_recipe(&r, rdir))
		recipe_capture(ss, kdir, t, name, rdir);
	return 0;
}

static pid_t prefetch_pid;	/* build_prefetch()'s child, or 0 */

void build_prefetch(const struct session *ss)
{
	const char *kdir = arena_printf("/lib/modules/%s/build", ss->release);

	if (!ss->cache_dir || env_on("STAP_KBUILD") ||
	    !is_file(arena_printf("%s/Makefile", kdir)))
		return;
	const char *rdir = recipe_dir(ss, kdir);

	if (access(rdir, F_OK) == 0)
		return;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();

	if (pid == 0) {
		const char *dir = build_tmpdir();

		recipe_from_template(ss, kdir, dir, rdir);
		build_rmtree(dir);
		_exit(0);
	}
	if (pid > 0)
		prefetch_pid = pid;
}

/*
 * Build dir/name.ko: replay the release's recipe when there is one,
 * else make one from a template module and replay it, else (or when a
 * replay fails) run kbuild and keep its recipe.
 */
static int compile(const struct session *ss, const char *kdir,
		   const char *dir, const char *name)
{
	const char *rdir = ss->cache_dir && !env_on("STAP_KBUILD") ?
			   recipe_dir(ss, kdir) : NULL;
	struct recipe r;

	if (prefetch_pid > 0) {		/* its recipe first */
		while (waitpid(prefetch_pid, NULL, 0) < 0 && errno == EINTR)
			;
		prefetch_pid = 0;
	}
	bool have = rdir && load_recipe(&r, rdir);

	if (rdir && !have && access(rdir, F_OK) != 0 &&
	    recipe_from_template(ss, kdir, dir, rdir) == 0)
		have = load_recipe(&r, rdir);
	if (have) {
		if (recipe_build(ss, &r, kdir, dir, name) == 0)
			return 0;
		if (ss->verbose)
			fprintf(stderr, "Pass 4: replaying %s failed (see "
				"%s/fast.log); running kbuild\n", rdir, dir);
		clean_build_dir(dir, name);
	}
	if (kbuild(ss, kdir, dir, false))
		return -1;
	if (rdir) {
		/*
		 * kbuild did what the recipe could not (it is stale), or a
		 * recipe of an older stap is in the way; else keep the one
		 * a concurrent run may have made meanwhile.
		 */
		if (have || (access(rdir, F_OK) == 0 && !load_recipe(&r, rdir)))
			build_rmtree(rdir);
		if (!load_recipe(&r, rdir))
			recipe_capture(ss, kdir, dir, name, rdir);
	}
	return 0;
}

const char *build_module(const struct session *ss, const char *dir,
			 const char *name, const char *ctext,
			 const char **cached_out)
{
	const char *kdir = build_kernel_dir(ss->release);

	if (!kdir)
		return NULL;
	struct hash h = key_of(ss, name, ctext);
	const char *ko = arena_printf("%s/%s.ko", dir, name);
	const char *cached = NULL;
	struct stat st;

	*cached_out = NULL;
	if (cache_root(ss)) {
		const char *cdir = arena_printf("%s/%s/%016llx%016llx",
						cache_root(ss), ss->release,
						(unsigned long long)h.a,
						(unsigned long long)h.b);

		cached = arena_printf("%s/%s.ko", cdir, name);
		if (stat(cached, &st) == 0 && copy_file(cached, ko) == 0) {
			*cached_out = cached;
			if (ss->verbose)
				fprintf(stderr, "Pass 4: using cached %s\n",
					cached);
			return ko;
		}
		mkdirs(cdir);
	}
	if (compile(ss, kdir, dir, name))
		return NULL;
	if (stat(ko, &st) != 0) {
		diag_error(NULL, "kbuild did not produce %s", ko);
		return NULL;
	}
	if (cached) {
		if (copy_file(ko, cached) == 0)
			*cached_out = cached;
		else if (ss->verbose)
			fprintf(stderr, "stap: warning: cannot store %s in "
				"the cache\n", ko);
	}
	return ko;
}
