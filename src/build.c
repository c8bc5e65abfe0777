/*
 * build.c - pass 4: kbuild and the module cache.
 *
 * The generated C and a two-line Kbuild file go into a temporary
 * directory; `make -C /lib/modules/REL/build M=DIR modules` builds
 * NAME.ko there. Before that, the cache is asked: its key is a 128-bit
 * hash (two FNV-1a lanes) of the C text, the Kbuild text, every file of
 * runtime/, the kernel release and the identity of its build tree
 * (its .config and Module.symvers), so any change to any of them
 * builds anew. A hit copies the cached .ko and skips kbuild entirely.
 *
 * Cache layout: CACHE/REL/KEY/NAME.ko, CACHE being $STAP_CACHE or
 * $XDG_CACHE_HOME/stap or ~/.cache/stap.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void hash_file(struct hash *h, const char *path)
{
	struct strbuf sb = { 0 };

	hash_str(h, path);
	if (read_whole(path, &sb))
		hash_add(h, sb.buf, sb.len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Hash every regular file of dir, in name order. */
static void hash_dir(struct hash *h, const char *dir)
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
			hash_dir(h, p);
		else
			hash_file(h, p);
	}
}

static const char *kbuild_text(const struct session *ss, const char *name)
{
	struct strbuf sb = { 0 };

	sb_printf(&sb, "obj-m := %s.o\n", name);
	/* -Wrestrict cannot see that two fields of one frame never overlap */
	sb_printf(&sb, "ccflags-y := -I%s -Werror -Wno-restrict",
		  ss->runtime_dir);
	for (int i = 0; i < ss->ndefines; i++)
		sb_printf(&sb, " -D%s", ss->defines[i]);
	sb_putc(&sb, '\n');
	return sb.buf;
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

/* Run kbuild; its output goes to dir/build.log, shown on failure. */
static int kbuild(const struct session *ss, const char *kdir, const char *dir)
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
	struct strbuf sb = { 0 };

	if (read_whole(log, &sb) && sb.len)
		fprintf(stderr, "%s", sb.buf);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		diag_error(NULL, "cannot run make: install build-essential");
	diag_error(NULL, "building the module failed (pass 4); the "
		   "generated C is in %s", dir);
	return -1;
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
	if (kbuild(ss, kdir, dir))
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
