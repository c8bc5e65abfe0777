// SPDX-License-Identifier: GPL-2.0
/*
 * staprun.c - load a generated tracing module, relay its output, unload it.
 *
 * The session, as seen from here:
 *
 *   1. Read the .ko's .modinfo (module name, vermagic) so failures can be
 *      explained, and refuse early if a module of that name is loaded.
 *   2. With -c CMD, fork the command now (its pid goes into stp_target)
 *      but hold it on a pipe until the probes are armed.
 *   3. finit_module() with the parameters, open /sys/kernel/debug/NAME/
 *      ctl and the relay files trace0..N, write "start" to ctl (the module
 *      runs its begin probes and arms its kprobes), release CMD.
 *   4. Every 20 ms: read all relay files, merge their records by sequence
 *      number, write channel 1 to stdout (or -o FILE) and channel 2 to
 *      stderr; read ctl. Stop when ctl says "exit", on SIGINT/SIGTERM, or
 *      when CMD exits.
 *   5. Write "stop" (end probes run), drain the relay files, close
 *      everything and delete_module().
 *
 * The record format and the ctl protocol are in doc/runtime-abi.md.
 * Built static: a target host needs nothing but this file and the .ko.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEBUGFS "/sys/kernel/debug"
#define MAX_CPUS 1024
#define POLL_MS 20
#define MAX_REC (1 << 20)	/* larger than any record the runtime writes */

/* Header of one relay record; must match struct stp_rec in runtime/. */
struct rec {
	uint32_t len;		/* payload bytes */
	uint16_t chan;		/* 1 stdout, 2 stderr */
	uint16_t pad;
	uint64_t seq;		/* global write order */
};

/* Bytes read from one relay file and not yet written out. */
struct cpubuf {
	int fd;			/* trace<N>, or -1 */
	char *data;		/* buffered bytes */
	size_t len;		/* bytes in data */
	size_t cap;		/* allocated size of data */
};

static const char *progname = "staprun";
static int verbose;
static int out_fd = STDOUT_FILENO;	/* channel 1 destination */
static struct cpubuf cpus[MAX_CPUS];
static int ncpus;
static volatile sig_atomic_t got_signal;

static __attribute__((format(printf, 1, 2))) void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static __attribute__((format(printf, 1, 2))) void info(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: staprun [-o FILE] [-c CMD] [-v] [-h] MODULE.ko [param=value...]\n"
		"  -o FILE  write the script's output to FILE instead of stdout\n"
		"  -c CMD   run CMD (/bin/sh -c CMD) once probes are armed; stop when it exits\n"
		"  -v       say what staprun is doing\n"
		"  -h       this help\n");
}

static void on_signal(int sig)
{
	got_signal = sig;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Write all of buf to fd, retrying short writes. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;	/* output gone: nothing better to do */
		}
		buf += n;
		len -= n;
	}
}

/* ---- the .ko file: module name and vermagic from .modinfo ---- */

/* Module facts read from the file before loading it. */
struct modfile {
	char name[64];		/* what the kernel will call it */
	char vermagic[256];	/* "6.1.0-56-cloud-amd64 SMP mod_unload ..." */
	char *image;		/* whole file */
	size_t size;
};

static int read_file(const char *path, char **data, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !(*data = malloc(st.st_size + 1))) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, *data + got, st.st_size - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	(*data)[got] = '\0';
	*size = got;
	return 0;
}

/* Find key=value in the .modinfo section; copy value into out. */
static void modinfo_get(const char *sec, size_t len, const char *key,
			char *out, size_t outlen)
{
	size_t klen = strlen(key);
	size_t i = 0;

	while (i < len) {
		const char *s = sec + i;
		size_t slen = strnlen(s, len - i);

		if (slen > klen && !strncmp(s, key, klen) && s[klen] == '=') {
			snprintf(out, outlen, "%.*s", (int)(slen - klen - 1),
				 s + klen + 1);
			return;
		}
		i += slen + 1;
	}
}

static void parse_modinfo(struct modfile *m)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m->image;
	const Elf64_Shdr *sh, *strsh;
	int i;

	if (m->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > m->size ||
	    eh->e_shstrndx >= eh->e_shnum)
		return;
	sh = (const Elf64_Shdr *)(m->image + eh->e_shoff);
	strsh = &sh[eh->e_shstrndx];
	for (i = 0; i < eh->e_shnum; i++) {
		const char *name;

		if (sh[i].sh_name >= strsh->sh_size ||
		    strsh->sh_offset + strsh->sh_size > m->size)
			return;
		name = m->image + strsh->sh_offset + sh[i].sh_name;
		if (strcmp(name, ".modinfo") ||
		    sh[i].sh_offset + sh[i].sh_size > m->size)
			continue;
		modinfo_get(m->image + sh[i].sh_offset, sh[i].sh_size,
			    "vermagic", m->vermagic, sizeof(m->vermagic));
		modinfo_get(m->image + sh[i].sh_offset, sh[i].sh_size,
			    "name", m->name, sizeof(m->name));
	}
}

/* Module name from the path: basename without .ko, '-' becomes '_'. */
static void name_from_path(const char *path, char *out, size_t outlen)
{
	const char *base = strrchr(path, '/');
	size_t n, i;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".ko"))
		n -= 3;
	snprintf(out, outlen, "%.*s", (int)n, base);
	for (i = 0; out[i]; i++)
		if (out[i] == '-')
			out[i] = '_';
}

/* The kernel release the module was built for: vermagic's first word. */
static const char *vermagic_release(const struct modfile *m, char *buf,
				    size_t len)
{
	if (!m->vermagic[0])
		return "unknown";
	snprintf(buf, len, "%.*s", (int)strcspn(m->vermagic, " "),
		 m->vermagic);
	return buf;
}

/* Explain a finit_module() failure in words. */
static void explain_load_error(int e, const struct modfile *m)
{
	struct utsname u;
	char rel[128];

	uname(&u);
	switch (e) {
	case ENOEXEC:
		vermagic_release(m, rel, sizeof(rel));
		if (strcmp(rel, u.release))
			err("cannot load module %s: module was built for "
			    "another kernel (module: %s, running: %s)",
			    m->name, rel, u.release);
		else
			err("cannot load module %s: not a valid module for "
			    "this kernel %s (see dmesg)", m->name, u.release);
		break;
	case EEXIST:
		err("cannot load module %s: a module named %s is already loaded "
		    "(left over from an earlier session? remove it with "
		    "'rmmod %s')", m->name, m->name, m->name);
		break;
	case EPERM:
		err("cannot load module %s: operation not permitted (run as "
		    "root; module loading may be disabled by "
		    "/proc/sys/kernel/modules_disabled or lockdown)", m->name);
		break;
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
		err("cannot load module %s: the kernel requires signed modules "
		    "(%s)", m->name, strerror(e));
		break;
	case ENOENT:
		err("cannot load module %s: it uses a symbol this kernel "
		    "does not export (see dmesg)", m->name);
		break;
	case EINVAL:
		err("cannot load module %s: invalid module or parameters "
		    "(see dmesg)", m->name);
		break;
	case ENOSYS:
		err("cannot load module %s: this kernel cannot load modules",
		    m->name);
		break;
	default:
		err("cannot load module %s: %s", m->name, strerror(e));
		break;
	}
}

/* ---- the -c command ---- */

/* Fork CMD, held until release_child() writes to the pipe. */
static pid_t start_child(const char *cmd, int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char c;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);	/* staprun gave up before start */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		fprintf(stderr, "%s: cannot run /bin/sh: %s\n", progname,
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static void release_child(int *go_fd)
{
	if (*go_fd >= 0) {
		write_all(*go_fd, "g", 1);
		close(*go_fd);
		*go_fd = -1;
	}
}

/* ---- relay files ---- */

static int open_relays(const char *name)
{
	char path[256];
	int i;

	for (i = 0; i < MAX_CPUS; i++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s/trace%d", name, i);
		cpus[i].fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (cpus[i].fd < 0)
			break;
	}
	ncpus = i;
	return ncpus ? 0 : -1;
}

/* Read whatever each relay file has; returns total bytes read. */
static size_t read_relays(void)
{
	size_t total = 0;
	int i;

	for (i = 0; i < ncpus; i++) {
		struct cpubuf *b = &cpus[i];

		for (;;) {
			size_t room;
			ssize_t n;

			if (b->cap - b->len < 65536) {
				size_t cap = b->cap ? b->cap * 2 : 1 << 18;
				char *d = realloc(b->data, cap);

				if (!d)
					break;
				b->data = d;
				b->cap = cap;
			}
			room = b->cap - b->len;
			n = read(b->fd, b->data + b->len, room);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			b->len += n;
			total += n;
			/*
			 * A short read drained the file. Do not read again
			 * this round: a script probing read() itself adds a
			 * record for each of our reads, and we would never
			 * catch up.
			 */
			if ((size_t)n < room)
				break;
		}
	}
	return total;
}

static size_t rec_size(const struct rec *r)
{
	return sizeof(*r) + ((r->len + 7) & ~(size_t)7);
}

/* Returned by rec_at() for bytes that are not a record header. */
static const struct rec bad_rec;

/* The complete record at offset off of b, NULL, or &bad_rec. */
static const struct rec *rec_at(const struct cpubuf *b, size_t off)
{
	const struct rec *r;

	if (b->len - off < sizeof(*r))
		return NULL;
	r = (const struct rec *)(b->data + off);
	if (r->len > MAX_REC || (r->chan != 1 && r->chan != 2) || r->pad)
		return &bad_rec;
	if (b->len - off < rec_size(r))
		return NULL;
	return r;
}

/*
 * Write out every complete record, merging the CPUs by sequence number;
 * an incomplete record at the end of a buffer waits for the next read.
 */
static void write_records(void)
{
	size_t off[MAX_CPUS] = { 0 };
	int i;

	for (;;) {
		const struct rec *best = NULL;
		int bi = -1;

		for (i = 0; i < ncpus; i++) {
			const struct rec *r = rec_at(&cpus[i], off[i]);

			if (r == &bad_rec) {
				/* Cannot resynchronise: drop what we have. */
				err("warning: corrupt relay data on cpu %d, "
				    "%zu bytes dropped", i,
				    cpus[i].len - off[i]);
				off[i] = cpus[i].len;
				continue;
			}
			if (r && (!best || r->seq < best->seq)) {
				best = r;
				bi = i;
			}
		}
		if (!best)
			break;
		if (best->chan == 2)
			write_all(STDERR_FILENO, (const char *)(best + 1),
				  best->len);
		else
			write_all(out_fd, (const char *)(best + 1), best->len);
		off[bi] += rec_size(best);
	}
	for (i = 0; i < ncpus; i++) {
		struct cpubuf *b = &cpus[i];

		memmove(b->data, b->data + off[i], b->len - off[i]);
		b->len -= off[i];
	}
}

/* Read and write until the relay files stay empty. */
static void drain_relays(void)
{
	int quiet = 0;

	while (quiet < 2) {
		if (read_relays())
			quiet = 0;
		else
			quiet++;
		write_records();
	}
	for (int i = 0; i < ncpus; i++)
		if (cpus[i].len)
			err("warning: %zu bytes of a cut record on cpu %d "
			    "dropped", cpus[i].len, i);
}

/* ---- ctl ---- */

/* What ctl says: "STATE ERRORS SKIPPED FAILED". */
struct ctl_status {
	char state[16];		/* starting, running, exit, stopping, stopped */
	int errors;		/* errors reported */
	int skipped;		/* probes skipped */
	int failed;		/* 1: errors ended the session */
};

static int read_ctl(int fd, struct ctl_status *st)
{
	char buf[128];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	memset(st, 0, sizeof(*st));
	if (sscanf(buf, "%15s %d %d %d", st->state, &st->errors,
		   &st->skipped, &st->failed) < 1)
		return -1;
	return 0;
}

static int write_ctl(int fd, const char *cmd)
{
	ssize_t n;

	do {
		n = pwrite(fd, cmd, strlen(cmd), 0);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

/* Make sure debugfs is mounted where the module's files appear. */
static void mount_debugfs(void)
{
	struct stat st;

	if (stat(DEBUGFS "/.", &st) == 0 && access(DEBUGFS "/kprobes", F_OK) == 0)
		return;
	if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) == 0)
		info("mounted debugfs on " DEBUGFS);
}

static int unload(const char *name)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0) {
			info("removed module %s", name);
			return 0;
		}
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			break;
		sleep_ms(50);	/* a file reference may linger briefly */
	}
	err("cannot remove module %s: %s", name, strerror(errno));
	return -1;
}

/* Join the module parameters, adding stp_target=PID with -c. */
static char *build_params(char **argv, int argc, pid_t target)
{
	size_t len = 64;
	char *p;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	p = calloc(1, len);
	if (!p)
		return NULL;
	for (i = 0; i < argc; i++) {
		strcat(p, argv[i]);
		strcat(p, " ");
	}
	if (target > 0)
		sprintf(p + strlen(p), "stp_target=%d", (int)target);
	return p;
}

int main(int argc, char **argv)
{
	const char *out_file = NULL, *cmd = NULL, *path;
	struct modfile m = { 0 };
	struct ctl_status st = { 0 };
	struct sigaction sa;
	char ctlpath[256], sysmod[128];
	pid_t child = -1;
	int go_fd = -1, child_status = 0, child_done = 0;
	int opt, ko_fd, ctl_fd, rc = 0, i;
	char *params;

	while ((opt = getopt(argc, argv, "+o:c:vh")) != -1) {
		switch (opt) {
		case 'o':
			out_file = optarg;
			break;
		case 'c':
			cmd = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	path = argv[optind];

	if (read_file(path, &m.image, &m.size) < 0) {
		err("cannot read %s: %s", path, strerror(errno));
		return 1;
	}
	parse_modinfo(&m);
	free(m.image);
	m.image = NULL;
	if (!m.name[0])
		name_from_path(path, m.name, sizeof(m.name));
	info("module %s, built for %s", m.name,
	     m.vermagic[0] ? m.vermagic : "unknown kernel");
	snprintf(sysmod, sizeof(sysmod), "/sys/module/%s", m.name);
	if (access(sysmod, F_OK) == 0) {
		err("a module named %s is already loaded (probably left by an "
		    "earlier staprun that did not finish); remove it with "
		    "'rmmod %s'", m.name, m.name);
		return 1;
	}
	if (out_file) {
		out_fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0666);
		if (out_fd < 0) {
			err("cannot open %s: %s", out_file, strerror(errno));
			return 1;
		}
	}

	if (cmd) {
		child = start_child(cmd, &go_fd);
		if (child < 0) {
			err("cannot start command: %s", strerror(errno));
			return 1;
		}
	}
	params = build_params(argv + optind + 1, argc - optind - 1, child);
	if (!params) {
		err("out of memory");
		return 1;
	}
	info("loading %s with \"%s\"", path, params);
	ko_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ko_fd < 0 || syscall(SYS_finit_module, ko_fd, params, 0) != 0) {
		int e = errno;

		free(params);
		explain_load_error(e, &m);
		goto fail_child;
	}
	free(params);
	close(ko_fd);

	mount_debugfs();
	snprintf(ctlpath, sizeof(ctlpath), DEBUGFS "/%s/ctl", m.name);
	ctl_fd = open(ctlpath, O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0) {
		err("cannot open %s: %s (is debugfs mounted on " DEBUGFS "?)",
		    ctlpath, strerror(errno));
		goto fail_unload;
	}
	if (open_relays(m.name) < 0) {
		err("cannot open " DEBUGFS "/%s/trace0: %s", m.name,
		    strerror(errno));
		close(ctl_fd);
		goto fail_unload;
	}
	info("%d relay files", ncpus);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (write_ctl(ctl_fd, "start") < 0) {
		err("cannot start the session: %s", strerror(errno));
		rc = 1;
	} else {
		info("probes armed");
		release_child(&go_fd);
	}

	/* Main loop: relay output, watch ctl, signals and the command. */
	while (!rc) {
		read_relays();
		write_records();
		if (got_signal) {
			info("signal %d: stopping", (int)got_signal);
			break;
		}
		if (child > 0 && !child_done &&
		    waitpid(child, &child_status, WNOHANG) == child) {
			child_done = 1;
			info("command exited: stopping");
			break;
		}
		if (read_ctl(ctl_fd, &st) == 0 && strcmp(st.state, "running") &&
		    strcmp(st.state, "starting")) {
			info("module asked to stop (%s)", st.state);
			break;
		}
		sleep_ms(POLL_MS);
	}

	release_child(&go_fd);	/* a held command now exits at once */
	if (write_ctl(ctl_fd, "stop") < 0)
		err("cannot stop the session cleanly: %s", strerror(errno));
	drain_relays();
	if (read_ctl(ctl_fd, &st) == 0 && st.failed)
		rc = 1;
	close(ctl_fd);
	for (i = 0; i < ncpus; i++) {
		close(cpus[i].fd);
		free(cpus[i].data);
	}
	if (unload(m.name) < 0)
		rc = 1;
	if (child > 0 && !child_done) {
		kill(child, SIGTERM);
		waitpid(child, &child_status, 0);
	}
	if (out_fd != STDOUT_FILENO && close(out_fd) < 0) {
		err("cannot write %s: %s", out_file, strerror(errno));
		rc = 1;
	}
	return rc;

fail_unload:
	unload(m.name);
fail_child:
	if (child > 0) {
		close(go_fd);
		waitpid(child, NULL, 0);
	}
	return 1;
}
