// SPDX-License-Identifier: GPL-2.0
/*
 * staprun.c - load a generated tracing module, relay its output, unload it.
 *
 * The session, as seen from here:
 *
 *   1. Read the .ko's .modinfo (module name, vermagic, bulk mode) so
 *      failures can be explained, and refuse early if a module of that
 *      name is loaded. With -R, rename the module in memory first (the
 *      name lives in the .gnu.linkonce.this_module section).
 *   2. With -c CMD, fork the command now (its pid goes into stp_target)
 *      but hold it on a pipe until the probes are armed.
 *   3. finit_module() (init_module() for a renamed image) with the
 *      parameters, open /sys/kernel/debug/NAME/ctl and the relay files
 *      trace0..N, write "start" to ctl (the module runs its begin probes
 *      and arms its probes), release CMD.
 *   4. Read all relay files, merge their records by sequence number and
 *      write channel 1 to stdout (or -o FILE, switching files with -S)
 *      and channel 2 to stderr; in bulk mode each CPU goes to its own
 *      file, records kept whole for stap-merge. Read ctl. Stop when ctl
 *      says "exit", on SIGINT/SIGTERM/SIGHUP, when CMD exits, or when
 *      writing the output fails.
 *   5. Write "disarm" (no probe fires any more), drain the relay files,
 *      write "stop" (end or error probes run), drain again, report lost
 *      output, close everything and delete_module().
 *
 * Detaching: -L (or -D / -F without -o) stops after step 3 and leaves
 * the module running; SIGQUIT detaches a running staprun. A later
 * "staprun -A NAME" attaches and goes on from step 4. Output written
 * meanwhile waits in the module's relay buffers (-b MB), or, in
 * flight-recorder mode (-F), the newest of it does. -D / -F with -o run
 * the whole session in the background instead.
 *
 * Exit status: 0 the session ended normally; 1 it ended because of
 * errors in the script (MAXERRORS, MAXSKIPPED, overload), or staprun
 * could not load, attach, write its output or unload; 2 bad usage.
 *
 * The record format and the ctl protocol are in doc/runtime-abi.md.
 * Built static: a target host needs nothing but this file and the .ko.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#define STAPRUN_VERSION "0.1"
#define DEBUGFS "/sys/kernel/debug"
#define MAX_CPUS 1024
#define POLL_MS 20
#define BUSY_POLL_MS 4	/* while output flows: the relay buffer fills
			 * in tens of ms when a probe prints flat out */
#define MAX_REC (1 << 20)	/* larger than any record the runtime writes */
#define MODULE_NAME_LEN 56	/* the kernel's limit, NUL included */

/* Header of one relay record; must match struct stp_rec in runtime/. */
struct rec {
	uint32_t len;		/* payload bytes */
	uint16_t chan;		/* 1 stdout, 2 stderr, 3 system() */
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

/* Where channel 1 goes: stdout, a file, or numbered files (-S). */
/*
 * An output. Records are gathered in buf and written once a round (or
 * when buf is full, or before a stderr record, which keeps the order
 * the two had): a write(2) per record made staprun, not the module, the
 * bottleneck of a script that prints many short lines.
 */
#define OUT_BUFSIZE (1 << 16)

struct outfile {
	int fd;			/* current file */
	char base[PATH_MAX];	/* -o name (bulk: with _CPU), "" for stdout */
	int fnum;		/* -S: number of the current file */
	off_t size;		/* bytes in the current file, buffered included */
	char *buf;		/* OUT_BUFSIZE bytes, malloc'd on first use */
	size_t blen;		/* bytes in buf not yet written */
};

static const char *progname = "staprun";
static int verbose;
static bool no_warnings;		/* -w */
static bool bulk;			/* per-CPU output files */
static long long size_limit;		/* -S: bytes per file, 0 = none */
static int keep_files;			/* -S: files kept, 0 = all */
static struct outfile outs[MAX_CPUS];	/* [0] normally; one a CPU in bulk */
static bool write_failed;		/* an output write failed */
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
		"usage: staprun [OPTIONS] MODULE.ko [param=value...]\n"
		"       staprun [OPTIONS] -A MODULE\n"
		"  -o FILE     write the script's output to FILE instead of stdout\n"
		"  -S SIZE[,N] with -o: switch to FILE.1, FILE.2, ... every SIZE MB,\n"
		"              keeping the newest N files\n"
		"  -c CMD      run CMD (/bin/sh -c CMD) once probes are armed; stop when it exits\n"
		"  -x PID      target() is PID\n"
		"  -b MB       relay buffer size per CPU, 1..4095 MB\n"
		"  -L          load and start the module, then detach (see -A)\n"
		"  -A          attach to a module that is already loaded\n"
		"  -D          run in the background: with -o the whole session,\n"
		"              without it detach like -L\n"
		"  -F          flight recorder: keep the newest output in the module's\n"
		"              buffer until a staprun -A reads it (-o: in the background)\n"
		"  -R          rename the module (NAME_PID) so several copies can run\n"
		"  -w          suppress warnings\n"
		"  -v          say what staprun is doing\n"
		"  -V          print the version and exit\n"
		"  -h          this help\n"
		"SIGINT, SIGTERM and SIGHUP end the session (end probes run);\n"
		"SIGQUIT detaches and leaves the module running.\n"
		"Exit status: 0 normal end, 1 errors ended the session or staprun\n"
		"failed, 2 bad usage.\n");
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

/* Write all of buf to fd, retrying short writes; -1 on failure. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---- the .ko file: module name and vermagic from .modinfo ---- */

/* Module facts read from the file before loading it. */
struct modfile {
	char name[64];		/* what the kernel will call it */
	char vermagic[256];	/* "6.1.0-56-cloud-amd64 SMP mod_unload ..." */
	char bulk[4];		/* "1": built with -DSTP_BULKMODE (stap -b) */
	char *image;		/* whole file */
	size_t size;
	size_t this_off;	/* .gnu.linkonce.this_module: file offset */
	size_t this_size;	/* and size; 0 if not found */
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
		if (sh[i].sh_offset + sh[i].sh_size > m->size)
			continue;
		if (!strcmp(name, ".gnu.linkonce.this_module")) {
			m->this_off = sh[i].sh_offset;
			m->this_size = sh[i].sh_size;
			continue;
		}
		if (strcmp(name, ".modinfo"))
			continue;
		modinfo_get(m->image + sh[i].sh_offset, sh[i].sh_size,
			    "stp_bulk", m->bulk, sizeof(m->bulk));
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

/*
 * -R: give the module a new name in the in-memory image. The kernel takes
 * the name from struct module in .gnu.linkonce.this_module, where it sits
 * NUL-padded in a MODULE_NAME_LEN array: find the old name there and
 * overwrite the whole array.
 */
static int rename_module(struct modfile *m, const char *newname)
{
	size_t oldlen = strlen(m->name), i;
	char *sec = m->image + m->this_off;

	if (!m->this_size || strlen(newname) >= MODULE_NAME_LEN)
		return -1;
	for (i = 0; i + MODULE_NAME_LEN <= m->this_size; i++) {
		if (memcmp(sec + i, m->name, oldlen + 1))
			continue;
		memset(sec + i, 0, MODULE_NAME_LEN);
		memcpy(sec + i, newname, strlen(newname));
		snprintf(m->name, sizeof(m->name), "%s", newname);
		return 0;
	}
	return -1;
}

/* ---- output files ---- */

/* The file name for output o: BASE, BASE.N with -S. */
static void out_name(const struct outfile *o, char *buf, size_t len, int fnum)
{
	if (size_limit)
		snprintf(buf, len, "%s.%d", o->base, fnum);
	else
		snprintf(buf, len, "%s", o->base);
}

static int out_open(struct outfile *o)
{
	char path[PATH_MAX + 16];

	if (!o->base[0]) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	out_name(o, path, sizeof(path), o->fnum);
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0) {
		err("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	o->size = 0;
	return 0;
}

/* -S: the current file is full; go on with the next, drop the oldest. */
static int out_switch(struct outfile *o)
{
	char path[PATH_MAX + 16];

	if (close(o->fd) < 0)
		return -1;
	o->fnum++;
	if (keep_files && o->fnum >= keep_files) {
		out_name(o, path, sizeof(path), o->fnum - keep_files);
		unlink(path);
	}
	return out_open(o);
}

static void out_failed(void)
{
	if (!write_failed)
		err("cannot write the output: %s", strerror(errno));
	write_failed = true;
}

/* Write out what o has buffered. */
static int out_flush(struct outfile *o)
{
	size_t n = o->blen;

	o->blen = 0;
	if (!n || write_failed)
		return write_failed ? -1 : 0;
	if (write_all(o->fd, o->buf, n) < 0) {
		out_failed();
		return -1;
	}
	return 0;
}

static void out_flush_all(void)
{
	for (int i = 0; i < (bulk ? ncpus : 1); i++)
		out_flush(&outs[i]);
}

/* Append to output o, switching files first when -S says so. */
static void out_write(struct outfile *o, const char *buf, size_t len)
{
	if (write_failed)
		return;
	if (size_limit && o->size && o->size + (off_t)len > size_limit) {
		if (out_flush(o) < 0)
			return;
		if (out_switch(o) < 0)
			goto fail;
	}
	if (!o->buf && !(o->buf = malloc(OUT_BUFSIZE)))
		goto fail;
	if (o->blen + len > OUT_BUFSIZE && out_flush(o) < 0)
		return;
	if (len >= OUT_BUFSIZE) {
		if (write_all(o->fd, buf, len) < 0)
			goto fail;
	} else {
		memcpy(o->buf + o->blen, buf, len);
		o->blen += len;
	}
	o->size += len;
	return;
fail:
	out_failed();
}

static void out_close_all(int n)
{
	for (int i = 0; i < n; i++) {
		out_flush(&outs[i]);
		if (outs[i].fd > STDERR_FILENO && close(outs[i].fd) < 0 &&
		    !write_failed) {
			err("cannot write the output: %s", strerror(errno));
			write_failed = true;
		}
		outs[i].fd = -1;
	}
}

/* Channel 2: warnings and errors to stderr (-w drops the warnings). */
static void write_stderr(const char *buf, size_t len)
{
	if (no_warnings && len >= 8 && !memcmp(buf, "WARNING:", 8))
		return;
	write_all(STDERR_FILENO, buf, len);
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

static void close_relays(void)
{
	for (int i = 0; i < ncpus; i++) {
		close(cpus[i].fd);
		free(cpus[i].data);
		cpus[i].data = NULL;
		cpus[i].len = cpus[i].cap = 0;
	}
}

/*
 * Read whatever each relay file has; returns total bytes read. The
 * buffer always has room for a whole sub-buffer, so a read never ends
 * inside a record.
 */
static size_t read_relays(void)
{
	size_t total = 0;
	int i;

	for (i = 0; i < ncpus; i++) {
		struct cpubuf *b = &cpus[i];

		for (;;) {
			size_t room;
			ssize_t n;

			if (b->cap - b->len < (1 << 17)) {
				size_t cap = b->cap ? b->cap * 2 : 1 << 19;
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

/*
 * system(CMD) of the script: run "/bin/sh -c CMD" in the background, as
 * SystemTap does, once the output before it is written. A grandchild
 * runs it, so that it is never the -c command's sibling we reap by
 * mistake and leaves no zombie.
 */
static void run_system(const char *cmd, size_t len)
{
	char *buf = strndup(cmd, len);
	pid_t pid;

	if (!buf || (pid = fork()) < 0) {
		err("warning: system(\"%.*s\"): %s", (int)len, cmd,
		    strerror(errno));
		free(buf);
		return;
	}
	if (pid == 0) {
		if (fork() == 0) {
			execl("/bin/sh", "sh", "-c", buf, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	free(buf);
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
	if (r->len > MAX_REC || r->chan < 1 || r->chan > 3 || r->pad)
		return &bad_rec;
	if (b->len - off < rec_size(r))
		return NULL;
	return r;
}

/*
 * Write out every complete record up to sequence number limit: merged
 * across CPUs by sequence number, or in bulk mode each CPU's records
 * whole into its own file. The caller reads the module's last sequence
 * number before reading the relay files, so every record up to it is
 * already in our buffers: a later one may still have a predecessor on a
 * CPU read earlier, and waits for the next round. An incomplete record at
 * the end of a buffer waits too.
 */
static void write_records(uint64_t limit)
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
		if (!best || best->seq > limit)
			break;
		if (best->chan == 2) {
			out_flush_all();	/* what came before goes first */
			write_stderr((const char *)(best + 1), best->len);
		} else if (best->chan == 3) {
			out_flush_all();
			run_system((const char *)(best + 1), best->len);
		}
		else if (bulk)
			out_write(&outs[bi], (const char *)best,
				  rec_size(best));
		else
			out_write(&outs[0], (const char *)(best + 1),
				  best->len);
		off[bi] += rec_size(best);
	}
	out_flush_all();
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
		write_records(UINT64_MAX);
	}
	for (int i = 0; i < ncpus; i++)
		if (cpus[i].len)
			err("warning: %zu bytes of a cut record on cpu %d "
			    "dropped", cpus[i].len, i);
}

/* ---- ctl ---- */

/* What ctl says (see runtime/stp_runtime.h). */
struct ctl_status {
	char state[16];		/* starting, running, exit, stopping, stopped */
	int errors;		/* errors reported */
	int skipped;		/* probes skipped */
	int failed;		/* 1: errors ended the session */
	int dropped;		/* records lost: relay was full */
	long long dropped_bytes;	/* their bytes */
	long long dropped_lines;	/* and lines */
	int bulk;		/* built for bulk mode */
	int flight;		/* loaded in flight recorder mode */
	unsigned long long seq;	/* last sequence number the module gave */
};

static int read_ctl(int fd, struct ctl_status *st)
{
	char buf[192];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	memset(st, 0, sizeof(*st));
	st->seq = UINT64_MAX;
	if (sscanf(buf, "%15s %d %d %d %d %lld %lld %d %d %llu", st->state,
		   &st->errors, &st->skipped, &st->failed, &st->dropped,
		   &st->dropped_bytes, &st->dropped_lines, &st->bulk,
		   &st->flight, &st->seq) < 1)
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

/* Join the module parameters and the ones staprun adds. */
static char *build_params(char **argv, int argc, long target, int bufsize,
			  bool flight)
{
	size_t len = 128;
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
		sprintf(p + strlen(p), "stp_target=%ld ", target);
	if (bufsize)
		sprintf(p + strlen(p), "stp_bufsize=%d ", bufsize);
	if (flight)
		strcat(p, "stp_flight=1 ");
	return p;
}

/* -S SIZE[,N] */
static int parse_size_opt(const char *arg)
{
	char *end;
	long mb = strtol(arg, &end, 10);

	if (mb <= 0 || (*end && *end != ','))
		return -1;
	size_limit = (long long)mb << 20;
	if (*end == ',') {
		keep_files = (int)strtol(end + 1, &end, 10);
		if (keep_files <= 0 || *end)
			return -1;
	}
	return 0;
}

/* Say how to come back to a module left running. */
static void say_detached(const char *name)
{
	fprintf(stderr, "Disconnecting from systemtap module.\n"
		"To reconnect, type \"staprun -A %s\"\n", name);
}

/*
 * -D / -F with -o: go on in the background. The parent returns 0 at
 * once; the child leaves the terminal.
 */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

/* Set up outs[]: one output, or one per CPU in bulk mode. */
static int open_outputs(const char *out_file)
{
	int n = bulk ? ncpus : 1;

	for (int i = 0; i < n; i++) {
		struct outfile *o = &outs[i];

		if (bulk)
			snprintf(o->base, sizeof(o->base), "%s_%d",
				 out_file ? out_file : "stpd_cpu", i);
		else if (out_file)
			snprintf(o->base, sizeof(o->base), "%s", out_file);
		if (out_open(o) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *out_file = NULL, *cmd = NULL, *path;
	struct modfile m = { 0 };
	struct ctl_status st = { 0 };
	struct sigaction sa;
	char ctlpath[256], sysmod[128];
	pid_t child = -1;
	long target = 0;
	int go_fd = -1, child_status = 0, child_done = 0, bufsize = 0;
	int opt, ctl_fd, rc = 0, ko_fd;
	bool attach = false, load_only = false, daemon_mode = false;
	bool flight = false, rename = false, detach = false;
	char *params;

	while ((opt = getopt(argc, argv, "+o:S:c:x:b:LADFRwvVh")) != -1) {
		switch (opt) {
		case 'o':
			out_file = optarg;
			break;
		case 'S':
			if (parse_size_opt(optarg) < 0) {
				err("-S wants SIZE[,N] (MB, files), not '%s'",
				    optarg);
				return 2;
			}
			break;
		case 'c':
			cmd = optarg;
			break;
		case 'x':
			target = strtol(optarg, NULL, 10);
			if (target <= 0) {
				err("-x wants a process id, not '%s'", optarg);
				return 2;
			}
			break;
		case 'b':
			bufsize = atoi(optarg);
			if (bufsize < 1 || bufsize > 4095) {
				err("-b wants a size in MB from 1 to 4095, "
				    "not '%s'", optarg);
				return 2;
			}
			break;
		case 'L':
			load_only = true;
			break;
		case 'A':
			attach = true;
			break;
		case 'D':
			daemon_mode = true;
			break;
		case 'F':
			flight = true;
			break;
		case 'R':
			rename = true;
			break;
		case 'w':
			no_warnings = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("staprun %s (runtime ABI of doc/runtime-abi.md)\n",
			       STAPRUN_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (size_limit && !out_file) {
		err("-S needs -o FILE");
		return 2;
	}
	if (attach && (cmd || load_only || rename || optind + 1 < argc)) {
		err("-A attaches to a loaded module: no -c, -L, -R or "
		    "parameters");
		return 2;
	}
	if (cmd && target) {
		err("-c and -x both set target(): use one");
		return 2;
	}
	path = argv[optind];
	/* Leave the terminal now or when the session starts? */
	detach = load_only || ((daemon_mode || flight) && !out_file);
	if (out_file && (daemon_mode || flight) && !attach)
		daemon_mode = true;

	if (attach) {
		name_from_path(path, m.name, sizeof(m.name));
		goto attach_module;
	}

	if (read_file(path, &m.image, &m.size) < 0) {
		err("cannot read %s: %s", path, strerror(errno));
		return 1;
	}
	parse_modinfo(&m);
	if (!m.name[0])
		name_from_path(path, m.name, sizeof(m.name));
	info("module %s, built for %s", m.name,
	     m.vermagic[0] ? m.vermagic : "unknown kernel");
	if (rename) {
		char newname[MODULE_NAME_LEN + 16];
		char suffix[16];
		int room;

		snprintf(suffix, sizeof(suffix), "_%d", (int)getpid());
		room = MODULE_NAME_LEN - 1 - (int)strlen(suffix);
		snprintf(newname, sizeof(newname), "%.*s%s", room, m.name,
			 suffix);
		if (rename_module(&m, newname) < 0) {
			err("cannot rename module %s: no name in "
			    ".gnu.linkonce.this_module", m.name);
			return 1;
		}
		info("renamed the module to %s", m.name);
	}
	snprintf(sysmod, sizeof(sysmod), "/sys/module/%s", m.name);
	if (access(sysmod, F_OK) == 0) {
		err("a module named %s is already loaded (probably left by an "
		    "earlier staprun that did not finish); remove it with "
		    "'rmmod %s', or attach to it with 'staprun -A %s'",
		    m.name, m.name, m.name);
		return 1;
	}

	if (cmd) {
		child = start_child(cmd, &go_fd);
		if (child < 0) {
			err("cannot start command: %s", strerror(errno));
			return 1;
		}
		target = child;
	}
	params = build_params(argv + optind + 1, argc - optind - 1, target,
			      bufsize, flight);
	if (!params) {
		err("out of memory");
		return 1;
	}
	info("loading %s with \"%s\"", path, params);
	if (rename) {
		ko_fd = -1;
		if (syscall(SYS_init_module, m.image, m.size, params) != 0)
			goto load_failed;
	} else {
		ko_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (ko_fd < 0 || syscall(SYS_finit_module, ko_fd, params, 0))
			goto load_failed;
		close(ko_fd);
	}
	free(params);
	free(m.image);
	m.image = NULL;

attach_module:
	mount_debugfs();
	snprintf(ctlpath, sizeof(ctlpath), DEBUGFS "/%s/ctl", m.name);
	ctl_fd = open(ctlpath, O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0) {
		int e = errno;

		if (e == EBUSY)
			err("module %s is attached to another staprun", m.name);
		else if (attach && e == ENOENT)
			err("no module %s is loaded (or it is not a stap "
			    "module)", m.name);
		else
			err("cannot open %s: %s (is debugfs mounted on "
			    DEBUGFS "?)", ctlpath, strerror(e));
		if (attach)
			return 1;
		goto fail_unload;
	}
	if (open_relays(m.name) < 0) {
		err("cannot open " DEBUGFS "/%s/trace0: %s", m.name,
		    strerror(errno));
		close(ctl_fd);
		if (attach)
			return 1;
		goto fail_unload;
	}
	info("%d relay files", ncpus);
	if (read_ctl(ctl_fd, &st) == 0)
		bulk = st.bulk;
	else
		bulk = m.bulk[0] == '1';

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!attach) {
		if (write_ctl(ctl_fd, "start") < 0) {
			err("cannot start the session: %s", strerror(errno));
			rc = 1;
			goto stop;
		}
		info("probes armed");
		release_child(&go_fd);
	}
	if (detach) {
		close(ctl_fd);
		close_relays();
		say_detached(m.name);
		return 0;
	}
	if (daemon_mode && daemonize() < 0) {
		err("cannot go to the background: %s", strerror(errno));
		rc = 1;
		goto stop;
	}
	if (open_outputs(out_file) < 0) {
		rc = 1;
		goto stop;
	}

	/* Main loop: relay output, watch ctl, signals and the command. */
	for (;;) {
		uint64_t limit = UINT64_MAX;
		bool ctl_ok = read_ctl(ctl_fd, &st) == 0;
		size_t n;

		if (ctl_ok)
			limit = st.seq;
		n = read_relays();
		write_records(limit);
		if (write_failed) {
			rc = 1;
			break;
		}
		if (got_signal) {
			info("signal %d: %s", (int)got_signal,
			     got_signal == SIGQUIT ? "detaching" : "stopping");
			break;
		}
		if (child > 0 && !child_done &&
		    waitpid(child, &child_status, WNOHANG) == child) {
			child_done = 1;
			info("command exited: stopping");
			break;
		}
		if (ctl_ok && strcmp(st.state, "running") &&
		    strcmp(st.state, "starting")) {
			info("module asked to stop (%s)", st.state);
			break;
		}
		if (n < (1 << 16))
			sleep_ms(n ? BUSY_POLL_MS : POLL_MS);
	}
	if (got_signal == SIGQUIT) {
		drain_relays();
		out_close_all(bulk ? ncpus : 1);
		close(ctl_fd);
		close_relays();
		say_detached(m.name);
		return write_failed ? 1 : 0;
	}

stop:
	release_child(&go_fd);	/* a held command now exits at once */
	if (write_ctl(ctl_fd, "disarm") < 0 && errno != EINVAL)
		err("cannot disarm the probes: %s", strerror(errno));
	drain_relays();
	if (write_ctl(ctl_fd, "stop") < 0)
		err("cannot stop the session cleanly: %s", strerror(errno));
	drain_relays();
	if (read_ctl(ctl_fd, &st) == 0) {
		if (st.failed)
			rc = 1;
		if (st.dropped && !no_warnings)
			fprintf(stderr, "WARNING: There were %d transport "
				"failures: %lld bytes (%lld lines) of output "
				"lost; try a larger buffer (staprun -b MB, "
				"stap -s MB)\n", st.dropped, st.dropped_bytes,
				st.dropped_lines);
	}
	close(ctl_fd);
	close_relays();
	if (unload(m.name) < 0)
		rc = 1;
	if (child > 0 && !child_done) {
		kill(child, SIGTERM);
		waitpid(child, &child_status, 0);
	}
	out_close_all(bulk ? ncpus : 1);
	if (write_failed)
		rc = 1;
	return rc;

load_failed:
	{
		int e = errno;

		free(params);
		explain_load_error(e, &m);
	}
	goto fail_child;
fail_unload:
	unload(m.name);
fail_child:
	if (child > 0) {
		close(go_fd);
		waitpid(child, NULL, 0);
	}
	return 1;
}
