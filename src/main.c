/*
 * main.c - the stap command: options, then one call per pass.
 *
 *   1 parse       the script and the tapset library     (parse.c)
 *   2 elaborate   probe points, names, types            (sema.c)
 *   3 translate   C for a kernel module                 (gen.c)
 *   4 build       kbuild, through the module cache      (build.c)
 *   5 run         staprun here, or stap-vm with --vm    (run_module)
 *
 * -p N stops after pass N and prints that pass's result.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "build.h"
#include "dwarf.h"
#include "gen.h"
#include "parse.h"
#include "sema.h"
#include "tracepoint.h"

#define STAP_VERSION "0.1"

static void usage(FILE *out)
{
	fprintf(out,
"Usage: stap [options] FILE [ARGS...]     run a script file\n"
"       stap [options] - [ARGS...]          run the script on standard input\n"
"       stap [options] -e SCRIPT [ARGS...]  run a script given inline\n"
"       stap [options] -l|-L POINT          list probe points\n"
"       stap [options] --dump-functions|--dump-probe-aliases|"
"--dump-probe-types\n"
"\n"
"General options:\n"
"  -h, --help    this help\n"
"  -V, --version print the version, features and tested kernels\n"
"  -v            more verbose: report each pass and its time\n"
"  -w            suppress warnings\n"
"  -k            keep the temporary directory\n"
"\n"
"Script options:\n"
"  -e SCRIPT     the script text\n"
"  -E SCRIPT     another script, run as well as the main one (repeatable;\n"
"                with -l/-L too: it may define the aliases listed)\n"
"  -I DIR        also read tapset files from DIR\n"
"  -g            guru mode: allow embedded C in the script\n"
"  -u            unoptimized: keep unused globals\n"
"  -l POINT      list the probe points POINT matches\n"
"  -L POINT      the same, with their target variables and types\n"
"\n"
"Passes:\n"
"  -p NUM        stop after pass NUM: 1 parse, 2 elaborate, 3 translate,\n"
"                4 build the module, 5 run it (default)\n"
"  --dump=WHAT   print the state after a pass and stop: ast (the script\n"
"                and the tapsets it parsed), sema (the resolved program\n"
"                with every variable's type)\n"
"  --dump-functions\n"
"                list the tapset functions with their types and exit\n"
"                (with -v, those named _* too and their /* tags */)\n"
"  --dump-probe-aliases\n"
"                list the tapset probe aliases and exit (-v: _* too)\n"
"  --dump-probe-types\n"
"                list the probe point families this stap accepts\n"
"\n"
"Building the module:\n"
"  -r RELEASE    build for kernel RELEASE (default: running kernel,\n"
"                or with --vm the newest installed cloud kernel)\n"
"  -m NAME       module name (with -p4, NAME.ko is left here)\n"
"  -D NAME=VAL   define a C macro for the module (MAXACTION=...)\n"
"  -b            bulk mode: one output file per CPU (merge: stap-merge)\n"
"  --disable-cache\n"
"                neither use nor fill the cache (modules, build recipes,\n"
"                DWARF indexes); the same as STAP_CACHE=\n"
"  --clean-cache remove what stap keeps in its cache, then go on with\n"
"                the script if one is given (else exit)\n"
"  --sysroot=DIR the target's files (process(\"PATH\") programs) are\n"
"                under DIR on this host: PATH is read as DIR/PATH\n"
"\n"
"Running it:\n"
"  -c CMD        run CMD while tracing, stop when it exits; target()\n"
"                is its process id\n"
"  -x PID        target() is PID\n"
"  -o FILE       send the script's output to FILE\n"
"  -S SIZE[,N]   with -o: new output file every SIZE MB, keep N\n"
"  -s MB         relay buffer size per CPU\n"
"  -F            flight recorder: keep output in memory, attach later\n"
"  -G NAME=VAL   set global NAME to VAL when the module loads\n"
"  --vm          run pass 5 in a QEMU virtual machine of the kernel\n");
}

/* Directory holding the running executable. */
static const char *exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return ".";
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');

	if (slash)
		*slash = '\0';
	return arena_strdup(buf);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * In place (the build tree: stap next to runtime/ and tapset/) or
 * installed (PREFIX/bin/stap, PREFIX/share/stap/{runtime,tapset},
 * PREFIX/libexec/stap), located relative to the executable so that a
 * DESTDIR install works as well.
 */
static void find_dirs(struct session *ss)
{
	const char *bin = exe_dir();
	/* the tree itself, or build/check/ inside it (sanitizer build) */
	const char *roots[] = { bin, arena_printf("%s/../..", bin) };

	for (size_t i = 0; i < 2; i++) {
		const char *r = roots[i];

		if (exists(arena_printf("%s/runtime/stp_runtime.h", r))) {
			char real[PATH_MAX];

			if (realpath(r, real))
				r = arena_strdup(real);
			ss->runtime_dir = arena_printf("%s/runtime", r);
			ss->tapset_dir = arena_printf("%s/tapset", r);
			ss->libexec_dir = r;
			return;
		}
	}
	ss->runtime_dir = arena_printf("%s/../share/stap/runtime", bin);
	ss->tapset_dir = arena_printf("%s/../share/stap/tapset", bin);
	ss->libexec_dir = arena_printf("%s/../libexec/stap", bin);
}

static const char *helper_path(const struct session *ss, const char *name)
{
	const char *bin = exe_dir();
	const char *cands[] = {
		arena_printf("%s/%s", ss->libexec_dir, name),
		arena_printf("%s/src/%s", ss->libexec_dir, name),
		arena_printf("%s/%s", bin, name),
	};

	for (size_t i = 0; i < sizeof(cands) / sizeof(*cands); i++)
		if (access(cands[i], X_OK) == 0)
			return cands[i];
	diag_fatal("cannot find %s next to %s", name, bin);
}

static int cmp_release(const void *a, const void *b)
{
	return strverscmp(*(const char *const *)a, *(const char *const *)b);
}

/* The newest cloud kernel with both an image and a build tree. */
static const char *newest_cloud_kernel(void)
{
	DIR *d = opendir("/boot");
	const char *rels[256];
	int n = 0;
	struct dirent *e;

	if (!d)
		return NULL;
	while ((e = readdir(d)) && n < 256) {
		const char *r = e->d_name;

		if (strncmp(r, "vmlinuz-", 8) || !strstr(r, "-cloud-amd64"))
			continue;
		r += 8;
		if (exists(arena_printf("/lib/modules/%s/build/Makefile", r)))
			rels[n++] = arena_strdup(r);
	}
	closedir(d);
	if (!n)
		return NULL;
	qsort(rels, (size_t)n, sizeof(*rels), cmp_release);
	return rels[n - 1];
}

static const char *default_cache(void)
{
	const char *s = getenv("STAP_CACHE");

	if (s)
		return *s ? s : NULL;	/* STAP_CACHE= disables it */
	s = getenv("XDG_CACHE_HOME");
	if (s && *s)
		return arena_printf("%s/stap", s);
	s = getenv("HOME");
	if (s && *s)
		return arena_printf("%s/.cache/stap", s);
	return NULL;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * stap -l / -L: each place once, sorted. An alias shows as its own name
 * (syscall.openat, not the kprobe under it) and, with -L, the
 * variables it sets before the target variables of the place.
 */
static void list_points(const struct session *ss, const struct program *prog)
{
	const char **lines = arena_alloc(sizeof(char *) *
					 (size_t)(prog->nrprobes + 1));
	int n = 0;

	for (struct rprobe *rp = prog->rprobes; rp; rp = rp->next) {
		const char *pp = rp->probe->alias_pp ? rp->probe->alias_pp :
				 rp->pp;

		/* the listed point's probe, not those of -E scripts */
		if (strcmp(rp->probe->tok->pos.file->name, "<input>"))
			continue;
		if (ss->listing == 2)
			pp = arena_printf("%s%s%s", pp,
					  sema_alias_vars(rp->probe),
					  rp->dw ? dwarf_list_vars(prog->dw,
								   rp->dw) :
					  rp->tp ? tracepoint_list_vars(rp->tp) :
					  rp->btf_fn ?
					  tracepoint_list_vars(rp->btf_fn) :
					  rp->kind == RP_URETPROBE ?
					  " $return:long" : "");
		lines[n++] = pp;
	}
	qsort(lines, (size_t)n, sizeof(*lines), cmp_line);
	for (int i = 0; i < n; i++)
		if (!i || strcmp(lines[i], lines[i - 1]))
			puts(lines[i]);
}

/*
 * --dump-functions, --dump-probe-aliases, --dump-probe-types: what the
 * tapsets and the translator offer, in SystemTap's formats, so that
 * tools and users written against its lists read ours.
 */
enum { DUMP_NONE, DUMP_FUNCTIONS, DUMP_ALIASES, DUMP_TYPES };
static int dump_list;

/* A listed line and its sort key (SystemTap's order, not the line's). */
struct dump_line {
	const char *key, *text;
	int index;
};

static int cmp_dump_line(const void *a, const void *b)
{
	const struct dump_line *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->index - y->index;
}

static void print_dump_lines(struct dump_line *lines, int n)
{
	qsort(lines, (size_t)n, sizeof(*lines), cmp_dump_line);
	for (int i = 0; i < n; i++)
		puts(lines[i].text);
}

/*
 * The pragmas in an embedded-C body, as SystemTap prints them after the
 * signature: in alphabetical order, only the privilege ones without -v.
 */
static void add_function_tags(struct strbuf *sb, const char *code,
			      bool all)
{
	static const char *const tags[] = {
		"guru", "myproc-unprivileged", "pure", "stable",
		"unmodified-fnargs", "unprivileged",
	};

	for (size_t i = 0; code && i < sizeof(tags) / sizeof(*tags); i++) {
		const char *tag = arena_printf("/* %s */", tags[i]);

		if (!strstr(code, tag) ||
		    (!all && !strstr(tags[i], "unprivileged")))
			continue;
		sb_add(sb, " ", 1);
		sb_add(sb, tag, strlen(tag));
	}
}

/*
 * "name:type (param:type, ...)" for each public tapset function, each
 * overload on its line. Types are the declared ones ("unknown" where
 * none is written), as SystemTap, which lists before inferring any.
 * Sorted on "name:type " with overloads in declaration order, as
 * SystemTap; names starting with '_' are internal, shown with -v.
 */
static void dump_functions(const struct session *ss, const struct script *s)
{
	int n = 0;

	for (struct function *f = s->funcs; f; f = f->next)
		n++;
	struct dump_line *lines = arena_alloc(sizeof(*lines) * (size_t)(n + 1));

	n = 0;
	for (struct function *f = s->funcs; f; f = f->next) {
		if (!f->from_tapset || f->priv ||
		    (f->name[0] == '_' && !ss->verbose))
			continue;
		const char *key = arena_printf("%s:%s ", f->name,
					       type_name(f->ret));
		struct strbuf sb = { 0 };

		sb_add(&sb, key, strlen(key));
		sb_add(&sb, "(", 1);
		for (struct symbol *p = f->params; p; p = p->next) {
			const char *param = arena_printf("%s%s:%s",
							 p == f->params ? "" :
							 ", ", p->name,
							 type_name(p->ty));

			sb_add(&sb, param, strlen(param));
		}
		sb_add(&sb, ")", 1);
		add_function_tags(&sb, f->embedded, ss->verbose > 0);
		sb_add(&sb, "", 1);
		lines[n++] = (struct dump_line){ key, sb.buf, f->index };
	}
	print_dump_lines(lines, n);
}

/* A probe point as text, with its '?' or '!'. */
static const char *point_text(const struct probe_point *pp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		diag_fatal("out of memory");
	ast_print_point(f, pp);
	fclose(f);
	const char *text = arena_strdup(buf);

	free(buf);
	return text;
}

/* "NAME = POINT, POINT" ("+=" for an epilogue alias), sorted by line. */
static void dump_aliases(const struct session *ss, const struct script *s)
{
	int n = 0;

	for (struct probe *pr = s->probes; pr; pr = pr->next)
		n++;
	struct dump_line *lines = arena_alloc(sizeof(*lines) * (size_t)(n + 1));

	n = 0;
	for (struct probe *pr = s->probes; pr; pr = pr->next) {
		if (!pr->alias || !pr->from_tapset)
			continue;
		const char *name = point_text(pr->alias_name);

		if (name[0] == '_' && !ss->verbose)
			continue;
		const char *text = arena_printf("%s %s ", name,
						pr->epilogue ? "+=" : "=");

		for (struct probe_point *pp = pr->points; pp; pp = pp->next)
			text = arena_printf("%s%s%s", text, point_text(pp),
					    pp->next ? ", " : "");
		lines[n++] = (struct dump_line){ text, text, pr->index };
	}
	print_dump_lines(lines, n);
}

/*
 * The probe point families resolve_point (sema.c) accepts, written as
 * SystemTap lists them: each argument as "(number)" or "(string)".
 * Aliases are not here: --dump-probe-aliases lists those.
 */
static const char *const probe_types[] = {
	"begin", "begin(number)", "end", "end(number)", "error",
	"error(number)", "never",
	"timer.hz(number)", "timer.jiffies(number)",
	"timer.jiffies(number).randomize(number)", "timer.ms(number)",
	"timer.ms(number).randomize(number)", "timer.msec(number)",
	"timer.msec(number).randomize(number)", "timer.ns(number)",
	"timer.ns(number).randomize(number)", "timer.nsec(number)",
	"timer.nsec(number).randomize(number)", "timer.profile",
	"timer.s(number)", "timer.s(number).randomize(number)",
	"timer.sec(number)", "timer.sec(number).randomize(number)",
	"timer.us(number)", "timer.us(number).randomize(number)",
	"timer.usec(number)", "timer.usec(number).randomize(number)",
	"kernel.function(string)", "kernel.function(string).call",
	"kernel.function(string).return",
	"kernel.function(string).return.maxactive(number)",
	"kernel.statement(number)", "kernel.statement(number).absolute",
	"kernel.statement(string)", "kernel.trace(string)",
	"module(string).function(string)",
	"module(string).function(string).call",
	"module(string).function(string).return",
	"module(string).function(string).return.maxactive(number)",
	"module(string).statement(string)",
	"kprobe.function(string)", "kprobe.function(string).call",
	"kprobe.function(string).return",
	"kprobe.function(string).return.maxactive(number)",
	"kprobe.module(string).function(string)",
	"kprobe.module(string).function(string).return",
	"kprobe.module(string).function(string).return.maxactive(number)",
	"process.begin", "process.end", "process(string).begin",
	"process(string).end", "process(string).function(string)",
	"process(string).function(string).return",
	"procfs.read", "procfs.read.maxsize(number)",
	"procfs.umask(number).read",
	"procfs.umask(number).read.maxsize(number)",
	"procfs.umask(number).write", "procfs.write",
	"procfs(string).read", "procfs(string).read.maxsize(number)",
	"procfs(string).umask(number).read",
	"procfs(string).umask(number).read.maxsize(number)",
	"procfs(string).umask(number).write", "procfs(string).write",
	"perf.type(number).config(number)",
	"perf.type(number).config(number).sample(number)",
};

/*
 * SystemTap's order: component by component, on the name and then no
 * argument before (number) before (string), a point before those that
 * extend it ("process.end" < "process(number).begin").
 */
static int cmp_probe_type(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	for (;;) {
		size_t nx = strcspn(x, ".("), ny = strcspn(y, ".(");
		int c = strncmp(x, y, nx < ny ? nx : ny);

		if (c || nx != ny)
			return c ? c : nx < ny ? -1 : 1;
		x += nx, y += ny;
		int kx = *x != '(' ? 0 : x[1] == 'n' ? 1 : 2;
		int ky = *y != '(' ? 0 : y[1] == 'n' ? 1 : 2;

		if (kx != ky)
			return kx - ky;
		if (kx) {
			x = strchr(x, ')') + 1;
			y = strchr(y, ')') + 1;
		}
		if (!*x || !*y)
			return !*x - !*y ? (*x ? 1 : -1) : 0;
		x++, y++;	/* the '.' */
	}
}

static void dump_probe_types(void)
{
	size_t n = sizeof(probe_types) / sizeof(*probe_types);
	const char **types = arena_alloc(sizeof(*types) * n);

	memcpy(types, probe_types, sizeof(*types) * n);
	qsort(types, n, sizeof(*types), cmp_probe_type);
	for (size_t i = 0; i < n; i++)
		puts(types[i]);
}

/* The whole of standard input, for "stap -". */
static const char *read_stdin(void)
{
	struct strbuf sb = { 0 };
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(stdin))
		diag_fatal("cannot read the script from standard input: %s",
			   strerror(errno));
	return sb.buf ? sb.buf : "";
}

static bool disable_cache;	/* --disable-cache */
static bool clean_cache;	/* --clean-cache */

static void parse_options(struct session *ss, int argc, char **argv)
{
	enum { OPT_VM = 256, OPT_DUMP, OPT_DISABLE_CACHE, OPT_CLEAN_CACHE,
	       OPT_SYSROOT, OPT_DUMP_FUNCTIONS, OPT_DUMP_ALIASES,
	       OPT_DUMP_TYPES };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "vm", no_argument, NULL, OPT_VM },
		{ "dump", required_argument, NULL, OPT_DUMP },
		{ "disable-cache", no_argument, NULL, OPT_DISABLE_CACHE },
		{ "clean-cache", no_argument, NULL, OPT_CLEAN_CACHE },
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		{ "dump-functions", no_argument, NULL, OPT_DUMP_FUNCTIONS },
		{ "dump-probe-aliases", no_argument, NULL, OPT_DUMP_ALIASES },
		{ "dump-probe-types", no_argument, NULL, OPT_DUMP_TYPES },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ss->last_pass = 5;
	ss->defines = arena_alloc(sizeof(char *) * (size_t)(argc + 1));
	ss->incdirs = arena_alloc(sizeof(char *) * (size_t)(argc + 1));
	ss->globals_set = arena_alloc(sizeof(char *) * (size_t)(argc + 1));
	ss->more_scripts = arena_alloc(sizeof(char *) * (size_t)(argc + 1));
	while ((c = getopt_long(argc, argv, "+e:E:p:vkm:o:r:c:I:D:G:gwuhVl:L:x:s:S:Fb",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			ss->script_text = optarg;
			break;
		case 'E':
			ss->more_scripts[ss->nmore_scripts++] = optarg;
			break;
		case 'l':
		case 'L':
			/* elaborate "probe POINT {}" and print its places */
			ss->listing = c == 'l' ? 1 : 2;
			ss->script_text = arena_printf("probe %s {}", optarg);
			ss->last_pass = 2;
			/* "assigned but never read" for every alias variable */
			diag_quiet_warnings = 1;
			break;
		case 'p': {
			char *end;
			long p = strtol(optarg, &end, 10);

			if (*end || p < 1 || p > 5)
				diag_fatal("-p takes a pass number from 1 to 5, "
					   "not '%s'", optarg);
			ss->last_pass = (int)p;
			break;
		}
		case 'v':
			ss->verbose++;
			break;
		case 'k':
			ss->keep_tmp = true;
			break;
		case 'm': {
			const char *p = optarg;

			for (; *p; p++)
				if (!((*p >= 'a' && *p <= 'z') ||
				      (*p >= 'A' && *p <= 'Z') ||
				      (*p >= '0' && *p <= '9') || *p == '_'))
					break;
			if (*p || !*optarg || strlen(optarg) > 55)
				diag_fatal("module name '%s' must be 1 to 55 "
					   "letters, digits or '_'", optarg);
			ss->module_name = optarg;
			break;
		}
		case 'o':
			ss->output = optarg;
			break;
		case 'x':
			ss->target_pid = optarg;
			break;
		case 's':
			ss->bufsize = optarg;
			break;
		case 'S':
			ss->split = optarg;
			break;
		case 'F':
			ss->flight = true;
			break;
		case 'b':
			/* bulk mode: one output file per CPU (stap-merge) */
			ss->bulk = true;
			ss->defines[ss->ndefines++] = "STP_BULKMODE";
			break;
		case 'r':
			ss->release = optarg;
			break;
		case 'c':
			ss->cmd = optarg;
			break;
		case 'I':
			ss->incdirs[ss->nincdirs++] = optarg;
			break;
		case 'D':
			if (!strchr(optarg, '=') && !*optarg)
				diag_fatal("-D takes NAME=VALUE");
			ss->defines[ss->ndefines++] = optarg;
			break;
		case 'G': {
			const char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg)
				diag_fatal("-G takes NAME=VALUE, not '%s'",
					   optarg);
			ss->globals_set[ss->nglobals_set++] = optarg;
			break;
		}
		case 'g':
			ss->guru = true;
			break;
		case 'w':
			ss->suppress_warnings = true;
			diag_quiet_warnings = 1;
			break;
		case 'u':
			ss->unoptimized = true;
			break;
		case OPT_VM:
			ss->vm = true;
			break;
		case OPT_DISABLE_CACHE:
			disable_cache = true;
			break;
		case OPT_CLEAN_CACHE:
			clean_cache = true;
			break;
		case OPT_SYSROOT:
			/* DIR/PATH: DIR's trailing slashes would double */
			ss->sysroot = arena_strdup(optarg);
			for (size_t n = strlen(optarg); n > 1 &&
			     optarg[n - 1] == '/'; n--)
				((char *)ss->sysroot)[n - 1] = '\0';
			break;
		case OPT_DUMP_FUNCTIONS:
		case OPT_DUMP_ALIASES:
		case OPT_DUMP_TYPES:
			/* the tapsets alone: an empty script, parsed only */
			dump_list = c == OPT_DUMP_FUNCTIONS ? DUMP_FUNCTIONS :
				    c == OPT_DUMP_ALIASES ? DUMP_ALIASES :
				    DUMP_TYPES;
			ss->script_text = "";
			ss->last_pass = 1;
			break;
		case OPT_DUMP:
			if (strcmp(optarg, "ast") && strcmp(optarg, "sema"))
				diag_fatal("--dump takes ast or sema, not '%s'",
					   optarg);
			ss->dump = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("stap (a SystemTap-compatible tracer) version "
			       "%s, language of SystemTap 4.8\n"
			       "enabled features: LIBDW LIBELF KPROBES "
			       "KRETPROBES TRACEPOINTS TIMERS RELAY BULKMODE "
			       "VM\n"
			       "tested kernels: Debian cloud 6.1 (bookworm) "
			       "and 6.12 (bookworm-backports), x86_64\n",
			       STAP_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (clean_cache) {
		const char *dir = default_cache();

		if (dir && build_clean_cache(dir, ss->verbose))
			exit(1);
		if (!ss->script_text && optind >= argc)
			exit(0);
	}
	if (!ss->script_text) {
		if (optind >= argc) {
			fprintf(stderr, "stap: error: no script given (a file "
				"name, - for standard input, or -e SCRIPT%s)"
				"\n\n", ss->nmore_scripts ? "; -E only adds "
				"to one" : "");
			usage(stderr);
			exit(1);
		}
		ss->script_file = argv[optind++];
		/* "-": the script is on standard input (with -e, "-" is $1) */
		if (!strcmp(ss->script_file, "-")) {
			ss->script_text = read_stdin();
			ss->script_file = NULL;
		}
	}
	if (ss->vm && (ss->target_pid || ss->bufsize || ss->split ||
		       ss->flight || ss->bulk))
		diag_fatal("-x, -s, -S, -F and -b are staprun options that "
			   "--vm does not pass on; build with -p4 and run the "
			   "module with staprun on the target");
	ss->args.argc = argc - optind;
	ss->args.argv = argv + optind;
	if (!ss->release) {
		if (ss->vm) {
			ss->release = newest_cloud_kernel();
			if (!ss->release)
				diag_fatal("--vm needs a cloud kernel with its "
					   "headers: run 'make deps'");
		} else {
			struct utsname u;

			uname(&u);
			ss->release = arena_strdup(u.release);
		}
	}
	ss->cache_dir = disable_cache ? NULL : default_cache();
}

/* Pass timing for -v. */
struct timer {
	struct timespec real;
	struct rusage ru;	/* this process */
	struct rusage kids;	/* children (make, the compiler) */
};

static void timer_start(struct timer *t)
{
	clock_gettime(CLOCK_MONOTONIC, &t->real);
	getrusage(RUSAGE_SELF, &t->ru);
	getrusage(RUSAGE_CHILDREN, &t->kids);
}

static long tv_ms(struct timeval a, struct timeval b)
{
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_usec - a.tv_usec) / 1000;
}

static const char *timer_text(const struct timer *t)
{
	struct timer now;

	timer_start(&now);
	long real = (now.real.tv_sec - t->real.tv_sec) * 1000 +
		    (now.real.tv_nsec - t->real.tv_nsec) / 1000000;

	/* CPU time of stap and of what it ran (kbuild in pass 4) */
	return arena_printf("%ldusr/%ldsys/%ldreal ms.",
			    tv_ms(t->ru.ru_utime, now.ru.ru_utime) +
			    tv_ms(t->kids.ru_utime, now.kids.ru_utime),
			    tv_ms(t->ru.ru_stime, now.ru.ru_stime) +
			    tv_ms(t->kids.ru_stime, now.kids.ru_stime), real);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Parse every .stp of dir as library code; returns files read or -1. */
static int parse_tapset_dir(const struct session *ss, struct script *s,
			    const struct pp_env *env, const char *dir)
{
	DIR *d = opendir(dir);
	const char *names[1024];
	int n = 0, nread = 0;
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < 1024) {
		size_t len = strlen(e->d_name);

		if (len > 4 && !strcmp(e->d_name + len - 4, ".stp"))
			names[n++] = arena_strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_name);
	for (int i = 0; i < n; i++) {
		const char *path = arena_printf("%s/%s", dir, names[i]);
		struct srcfile *f = parse_read_file(path, path);

		if (!f)
			diag_fatal("cannot read %s: %s", path, strerror(errno));
		f->library = true;
		if (parse_file(s, f, &ss->args, env, true))
			return -1;
		nread++;
	}
	return nread;
}

static int pass1(struct session *ss, struct script *s)
{
	struct srcfile *f;
	struct pp_env env = {
		.release = ss->release, .arch = "x86_64", .guru = ss->guru,
	};
	const char *cfgs[] = {
		arena_printf("/lib/modules/%s/build/.config", ss->release),
		arena_printf("/boot/config-%s", ss->release),
	};

	for (int i = 0; i < 2 && !env.config; i++)
		if (exists(cfgs[i]))
			env.config = cfgs[i];

	if (ss->script_text) {
		f = NEW(struct srcfile);
		f->name = "<input>";
		f->text = ss->script_text;
		f->len = strlen(ss->script_text);
	} else {
		f = parse_read_file(ss->script_file, ss->script_file);
		if (!f)
			diag_fatal("cannot read script %s: %s", ss->script_file,
				   strerror(errno));
	}
	if (parse_file(s, f, &ss->args, &env, false))
		return -1;
	/* -E scripts: more of the user's script, as SystemTap names them */
	for (int i = 0; i < ss->nmore_scripts; i++) {
		f = NEW(struct srcfile);
		f->name = arena_printf("<input%d>", i + 1);
		f->text = ss->more_scripts[i];
		f->len = strlen(f->text);
		if (parse_file(s, f, &ss->args, &env, false))
			return -1;
	}
	/* tapsets may always use embedded C */
	env.guru = true;
	int n = parse_tapset_dir(ss, s, &env, ss->tapset_dir);

	if (n < 0)
		return -1;
	s->nfiles = n;
	for (int i = 0; i < ss->nincdirs; i++) {
		n = parse_tapset_dir(ss, s, &env, ss->incdirs[i]);
		if (n < 0)
			return -1;
		s->nfiles += n;
	}
	return 0;
}

/* Pass 5: staprun here, or stap-vm; returns the exit status. */
static int run_module(const struct session *ss, const char *ko)
{
	const char **argv = arena_alloc(sizeof(char *) *
					(size_t)(32 + ss->nglobals_set));
	int n = 0;

	if (ss->vm) {
		argv[n++] = helper_path(ss, "stap-vm");
		argv[n++] = "-r";
		argv[n++] = ss->release;
	} else {
		argv[n++] = helper_path(ss, "staprun");
	}
	if (ss->output) {
		argv[n++] = "-o";
		argv[n++] = ss->output;
	}
	if (ss->cmd) {
		argv[n++] = "-c";
		argv[n++] = ss->cmd;
	}
	if (ss->target_pid) {
		argv[n++] = "-x";
		argv[n++] = ss->target_pid;
	}
	if (ss->bufsize) {
		argv[n++] = "-b";
		argv[n++] = ss->bufsize;
	}
	if (ss->split) {
		argv[n++] = "-S";
		argv[n++] = ss->split;
	}
	if (ss->flight)
		argv[n++] = "-F";
	if (ss->suppress_warnings && !ss->vm)
		argv[n++] = "-w";
	argv[n++] = ko;
	for (int i = 0; i < ss->nglobals_set; i++)
		argv[n++] = ss->globals_set[i];
	argv[n] = NULL;
	if (ss->verbose > 1) {
		fprintf(stderr, "Running");
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "\n");
	}
	/* the child gets Ctrl-C itself and ends the session cleanly */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	pid_t pid = fork();

	if (pid < 0)
		diag_fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "stap: error: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 1;
}

int main(int argc, char **argv)
{
	struct session ss = { 0 };
	struct script s = { 0 };
	struct program prog = { 0 };
	struct timer t;
	int rc = 0;

	find_dirs(&ss);
	parse_options(&ss, argc, argv);
	if (dump_list == DUMP_TYPES) {
		dump_probe_types();
		return 0;
	}

	if (ss.last_pass >= 4 && !ss.listing && !ss.dump)
		build_prefetch(&ss);
	timer_start(&t);
	if (pass1(&ss, &s)) {
		fprintf(stderr, "Pass 1: parse failed.  [man error::pass1]\n");
		return 1;
	}
	if (ss.verbose)
		fprintf(stderr, "Pass 1: parsed user script and %d library "
			"scripts in %s\n", s.nfiles, timer_text(&t));
	if (dump_list == DUMP_FUNCTIONS || dump_list == DUMP_ALIASES) {
		if (dump_list == DUMP_FUNCTIONS)
			dump_functions(&ss, &s);
		else
			dump_aliases(&ss, &s);
		return 0;
	}
	if (ss.dump && !strcmp(ss.dump, "ast")) {
		ast_print(stdout, &s, true);	/* with the library */
		return 0;
	}
	if (ss.last_pass == 1) {
		ast_print(stdout, &s, false);
		return 0;
	}

	timer_start(&t);
	if (sema_check(&ss, &s, &prog)) {
		fprintf(stderr, "Pass 2: analysis failed.  [man error::pass2]\n");
		return 1;
	}
	if (ss.verbose)
		fprintf(stderr, "Pass 2: analyzed script: %d probe%s, %d "
			"function%s, %d global%s in %s\n", prog.nrprobes,
			prog.nrprobes == 1 ? "" : "s", prog.nfuncs,
			prog.nfuncs == 1 ? "" : "s", prog.nglobals,
			prog.nglobals == 1 ? "" : "s", timer_text(&t));
	if (ss.listing) {
		list_points(&ss, &prog);
		return 0;
	}
	if (ss.verbose && dwarf_index_note(prog.dw))
		fprintf(stderr, "%s\n", dwarf_index_note(prog.dw));
	if (ss.dump && !strcmp(ss.dump, "sema")) {
		sema_dump(stdout, &prog);
		return 0;
	}
	if (ss.last_pass == 2) {
		sema_print(stdout, &prog);
		return 0;
	}

	timer_start(&t);
	struct strbuf c = { 0 };

	gen_module(&ss, &prog, &c);
	const char *name = build_module_name(&ss, c.buf);

	if (ss.last_pass == 3) {
		fputs(c.buf, stdout);
		if (ss.verbose)
			fprintf(stderr, "Pass 3: translated to C in %s\n",
				timer_text(&t));
		return 0;
	}
	const char *dir = build_tmpdir();

	ss.tmpdir = dir;
	if (build_write(&ss, dir, name, c.buf)) {
		rc = 1;
		goto out;
	}
	if (ss.verbose)
		fprintf(stderr, "Pass 3: translated to C into \"%s/%s.c\" in "
			"%s\n", dir, name, timer_text(&t));

	timer_start(&t);
	const char *cached;
	const char *ko = build_module(&ss, dir, name, c.buf, &cached);

	if (!ko) {
		fprintf(stderr, "Pass 4: compilation failed.  "
			"[man error::pass4]\n");
		rc = 1;
		ss.keep_tmp = true;
		goto out;
	}
	if (ss.verbose)
		fprintf(stderr, "Pass 4: compiled C into \"%s.ko\" in %s\n",
			name, timer_text(&t));
	if (ss.last_pass == 4) {
		if (ss.module_name) {
			const char *dst = arena_printf("%s.ko", name);
			FILE *in = fopen(ko, "rb"), *out = fopen(dst, "wb");
			char buf[65536];
			size_t n;

			if (!in || !out)
				diag_fatal("cannot copy the module to %s: %s",
					   dst, strerror(errno));
			while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
				fwrite(buf, 1, n, out);
			fclose(in);
			if (fclose(out))
				diag_fatal("cannot write %s: %s", dst,
					   strerror(errno));
			printf("%s\n", dst);
		} else if (cached) {
			printf("%s\n", cached);
		} else {
			printf("%s\n", ko);
			ss.keep_tmp = true;
		}
		goto out;
	}

	timer_start(&t);
	rc = run_module(&ss, ko);
	if (rc)
		fprintf(stderr, "Pass 5: run failed.  [man error::pass5]\n");
	if (ss.verbose)
		fprintf(stderr, "Pass 5: run completed in %s\n",
			timer_text(&t));
out:
	if (ss.keep_tmp)
		fprintf(stderr, "Keeping temporary directory \"%s\"\n", dir);
	else
		build_rmtree(dir);
	return rc;
}
