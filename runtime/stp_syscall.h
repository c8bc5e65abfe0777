/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_syscall.h - formatting system call arguments as SystemTap's
 * syscall tapset does (argstr), for tapset/syscalls*.stp.
 *
 * Every function writes into a MAXSTRINGLEN buffer and always
 * NUL-terminates it. Values become text the way strace and SystemTap
 * show them:
 *
 *	strings		"/etc/passwd" (C escapes; cut: "...")
 *	flag words	O_RDONLY|O_CLOEXEC, unknown bits as |0x...
 *	sockaddrs	{AF_INET, 127.0.0.1, 80}, {AF_UNIX, "/run/sock"}
 *	argv		["/bin/cat", "/etc/passwd"]
 *	signals		SIGTERM
 *
 * User memory is read with copy_from_user_nofault() (page faults off:
 * memory that is not resident reads as a fault, handlers never sleep).
 * A pointer that cannot be read is shown as its hex address, NULL as
 * NULL, so an argstr is always produced.
 */
#ifndef STP_SYSCALL_H
#define STP_SYSCALL_H

#include <linux/uaccess.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/un.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netlink.h>
#include <linux/signal.h>
#include <linux/net.h>
#include "stp_probes.h"

/* Longest string shown in an argstr before it is cut with "...". */
#ifndef STP_SC_STRLEN
#define STP_SC_STRLEN 256
#endif
/* Bytes of a write()/sendto() buffer shown in its argstr. */
#ifndef STP_SC_BUFLEN
#define STP_SC_BUFLEN 32
#endif

/* One named bit (or value, for masked fields) of a flag word. */
struct stp_flag {
	unsigned long bits;	/* the bits it stands for */
	const char *name;	/* its C name */
};

/* Where a formatter writes: buf, MAXSTRINGLEN bytes. */
struct stp_out {
	char *buf;		/* destination */
	size_t used;		/* bytes written, NUL excluded */
};

static __maybe_unused void stp_out_init(struct stp_out *o, char *buf)
{
	o->buf = buf;
	o->used = 0;
	buf[0] = '\0';
}

static __maybe_unused __printf(2, 3)
void stp_out_printf(struct stp_out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->used >= MAXSTRINGLEN - 1)
		return;
	va_start(ap, fmt);
	o->used += vscnprintf(o->buf + o->used, MAXSTRINGLEN - o->used, fmt,
			      ap);
	va_end(ap);
}

/*
 * Copy the NUL-terminated user string at addr into dst (size bytes),
 * a page at a time so a string ending before an unmapped page reads.
 * Returns its length, size - 1 if it was cut, or -EFAULT.
 */
static __maybe_unused long stp_sc_ustr(char *dst, unsigned long addr,
				       size_t size)
{
	size_t done = 0;

	while (done < size - 1) {
		unsigned long at = addr + done;
		size_t chunk = min_t(size_t, size - 1 - done,
				     PAGE_SIZE - offset_in_page(at));
		char *nul;

		if (copy_from_user_nofault(dst + done,
					   (const void __user *)at, chunk)) {
			dst[0] = '\0';
			return -EFAULT;
		}
		nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	dst[done] = '\0';
	return done;
}

/* Append s (n bytes) in double quotes with C escapes; cut adds "...". */
static __maybe_unused void stp_out_quoted(struct stp_out *o, const char *s,
					  size_t n, bool cut)
{
	size_t i;

	stp_out_printf(o, "\"");
	for (i = 0; i < n && o->used < MAXSTRINGLEN - 8; i++) {
		unsigned char ch = s[i];

		switch (ch) {
		case '\n':
			stp_out_printf(o, "\\n");
			break;
		case '\t':
			stp_out_printf(o, "\\t");
			break;
		case '\r':
			stp_out_printf(o, "\\r");
			break;
		case '"':
		case '\\':
			stp_out_printf(o, "\\%c", ch);
			break;
		default:
			if (ch < 0x20 || ch >= 0x7f)
				stp_out_printf(o, "\\%03o", ch);
			else
				stp_out_printf(o, "%c", ch);
		}
	}
	stp_out_printf(o, "\"%s", cut || i < n ? "..." : "");
}

/* A user string, quoted; NULL, or the address when it cannot be read. */
static __maybe_unused void stp_out_ustr(struct stp_out *o, unsigned long addr)
{
	char tmp[STP_SC_STRLEN + 1];
	long n;

	if (!addr) {
		stp_out_printf(o, "NULL");
		return;
	}
	n = stp_sc_ustr(tmp, addr, sizeof(tmp));
	if (n < 0)
		stp_out_printf(o, "0x%lx", addr);
	else
		stp_out_quoted(o, tmp, n, n == STP_SC_STRLEN);
}

/* user_string_quoted() as the syscall tapsets use it. */
static __maybe_unused char *stp_sc_ustr_quoted(char *buf, unsigned long addr)
{
	struct stp_out o;

	stp_out_init(&o, buf);
	stp_out_ustr(&o, addr);
	return buf;
}

/* The first max of len bytes of a user buffer, quoted (write, sendto). */
static __maybe_unused char *stp_sc_ubuf_quoted(char *buf, unsigned long addr,
					       unsigned long len,
					       unsigned long max)
{
	char tmp[STP_SC_BUFLEN];
	size_t n = min_t(unsigned long, len, min_t(unsigned long, max,
						    sizeof(tmp)));
	struct stp_out o;

	stp_out_init(&o, buf);
	if (!addr) {
		stp_out_printf(&o, "NULL");
		return buf;
	}
	if (copy_from_user_nofault(tmp, (const void __user *)addr, n)) {
		stp_out_printf(&o, "0x%lx", addr);
		return buf;
	}
	stp_out_quoted(&o, tmp, n, n < len);
	return buf;
}

/*
 * Flag word v as NAME|NAME: each table entry whose bits are all set is
 * printed and removed; what is left is appended in hex. zero names a
 * value of 0 (NULL: "0").
 */
static __maybe_unused void stp_out_flags(struct stp_out *o,
					 const struct stp_flag *tab, size_t n,
					 unsigned long v, const char *zero)
{
	bool first = true;
	size_t i;

	if (!v) {
		stp_out_printf(o, "%s", zero ? zero : "0");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!tab[i].bits || (v & tab[i].bits) != tab[i].bits)
			continue;
		stp_out_printf(o, "%s%s", first ? "" : "|", tab[i].name);
		v &= ~tab[i].bits;
		first = false;
	}
	if (v)
		stp_out_printf(o, "%s0x%lx", first ? "" : "|", v);
}

#define STP_FLAG(x) { x, #x }

/* open(2) flags past the access mode; O_SYNC and O_TMPFILE come first. */
static const struct stp_flag stp_open_flags[] = {
	STP_FLAG(O_SYNC), STP_FLAG(O_TMPFILE),
	STP_FLAG(O_CREAT), STP_FLAG(O_EXCL), STP_FLAG(O_NOCTTY),
	STP_FLAG(O_TRUNC), STP_FLAG(O_APPEND), STP_FLAG(O_NONBLOCK),
	STP_FLAG(O_DSYNC), STP_FLAG(FASYNC), STP_FLAG(O_DIRECT),
	STP_FLAG(O_LARGEFILE), STP_FLAG(O_DIRECTORY), STP_FLAG(O_NOFOLLOW),
	STP_FLAG(O_NOATIME), STP_FLAG(O_CLOEXEC), STP_FLAG(O_PATH),
};

/* open flags: O_RDONLY, O_WRONLY or O_RDWR, then the other bits. */
static __maybe_unused char *stp_sc_open_flags(char *buf, unsigned long f)
{
	static const char *const mode[] = {
		"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE",
	};
	struct stp_out o;

	stp_out_init(&o, buf);
	stp_out_printf(&o, "%s", mode[f & O_ACCMODE]);
	f &= ~(unsigned long)O_ACCMODE;
	if (f) {
		stp_out_printf(&o, "|");
		stp_out_flags(&o, stp_open_flags, ARRAY_SIZE(stp_open_flags),
			      f, NULL);
	}
	return buf;
}

/* A directory fd of the *at() calls: AT_FDCWD or the number. */
static __maybe_unused char *stp_sc_dfd(char *buf, long dfd)
{
	if ((int)dfd == AT_FDCWD)
		return strcpy(buf, "AT_FDCWD");
	snprintf(buf, MAXSTRINGLEN, "%d", (int)dfd);
	return buf;
}

static const struct stp_flag stp_prot_flags[] = {
	STP_FLAG(PROT_READ), STP_FLAG(PROT_WRITE), STP_FLAG(PROT_EXEC),
	STP_FLAG(PROT_SEM), STP_FLAG(PROT_GROWSDOWN), STP_FLAG(PROT_GROWSUP),
};

static __maybe_unused char *stp_sc_prot(char *buf, unsigned long prot)
{
	struct stp_out o;

	stp_out_init(&o, buf);
	stp_out_flags(&o, stp_prot_flags, ARRAY_SIZE(stp_prot_flags), prot,
		      "PROT_NONE");
	return buf;
}

static const struct stp_flag stp_mmap_flags[] = {
	STP_FLAG(MAP_SHARED_VALIDATE), STP_FLAG(MAP_SHARED),
	STP_FLAG(MAP_PRIVATE), STP_FLAG(MAP_FIXED), STP_FLAG(MAP_ANONYMOUS),
	STP_FLAG(MAP_32BIT), STP_FLAG(MAP_GROWSDOWN), STP_FLAG(MAP_DENYWRITE),
	STP_FLAG(MAP_EXECUTABLE), STP_FLAG(MAP_LOCKED),
	STP_FLAG(MAP_NORESERVE), STP_FLAG(MAP_POPULATE),
	STP_FLAG(MAP_NONBLOCK), STP_FLAG(MAP_STACK), STP_FLAG(MAP_HUGETLB),
	STP_FLAG(MAP_SYNC), STP_FLAG(MAP_FIXED_NOREPLACE),
};

static __maybe_unused char *stp_sc_mmap_flags(char *buf, unsigned long f)
{
	struct stp_out o;

	stp_out_init(&o, buf);
	stp_out_flags(&o, stp_mmap_flags, ARRAY_SIZE(stp_mmap_flags), f, NULL);
	return buf;
}

static const struct stp_flag stp_clone_flags[] = {
	STP_FLAG(CLONE_VM), STP_FLAG(CLONE_FS), STP_FLAG(CLONE_FILES),
	STP_FLAG(CLONE_SIGHAND), STP_FLAG(CLONE_PIDFD), STP_FLAG(CLONE_PTRACE),
	STP_FLAG(CLONE_VFORK), STP_FLAG(CLONE_PARENT), STP_FLAG(CLONE_THREAD),
	STP_FLAG(CLONE_NEWNS), STP_FLAG(CLONE_SYSVSEM), STP_FLAG(CLONE_SETTLS),
	STP_FLAG(CLONE_PARENT_SETTID), STP_FLAG(CLONE_CHILD_CLEARTID),
	STP_FLAG(CLONE_DETACHED), STP_FLAG(CLONE_UNTRACED),
	STP_FLAG(CLONE_CHILD_SETTID), STP_FLAG(CLONE_NEWCGROUP),
	STP_FLAG(CLONE_NEWUTS), STP_FLAG(CLONE_NEWIPC), STP_FLAG(CLONE_NEWUSER),
	STP_FLAG(CLONE_NEWPID), STP_FLAG(CLONE_NEWNET), STP_FLAG(CLONE_IO),
};

/* Names of the signals, index = number. */
static const char *const stp_signal_names[] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",
	[SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",
	[SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

static __maybe_unused void stp_out_signal(struct stp_out *o, long sig)
{
	if (sig > 0 && sig < (long)ARRAY_SIZE(stp_signal_names) &&
	    stp_signal_names[sig])
		stp_out_printf(o, "%s", stp_signal_names[sig]);
	else if (sig >= 32 && sig <= _NSIG)
		stp_out_printf(o, "SIGRTMIN+%ld", sig - 32);
	else
		stp_out_printf(o, "SIG_%ld", sig);
}

/* signal_name(): SIGTERM, SIGRTMIN+3, SIG_0. */
static __maybe_unused char *stp_sc_signal(char *buf, long sig)
{
	struct stp_out o;

	stp_out_init(&o, buf);
	stp_out_signal(&o, sig);
	return buf;
}

/* clone flags: CLONE_* names, then the exit signal in the low byte. */
static __maybe_unused char *stp_sc_clone_flags(char *buf, unsigned long f)
{
	unsigned long sig = f & CSIGNAL;
	struct stp_out o;

	stp_out_init(&o, buf);
	f &= ~(unsigned long)CSIGNAL;
	if (f)
		stp_out_flags(&o, stp_clone_flags, ARRAY_SIZE(stp_clone_flags),
			      f, NULL);
	if (sig) {
		if (f)
			stp_out_printf(&o, "|");
		stp_out_signal(&o, sig);
	}
	if (!f && !sig)
		stp_out_printf(&o, "0");
	return buf;
}

static const struct stp_flag stp_msg_flags[] = {
	STP_FLAG(MSG_OOB), STP_FLAG(MSG_PEEK), STP_FLAG(MSG_DONTROUTE),
	STP_FLAG(MSG_CTRUNC), STP_FLAG(MSG_PROBE), STP_FLAG(MSG_TRUNC),
	STP_FLAG(MSG_DONTWAIT), STP_FLAG(MSG_EOR), STP_FLAG(MSG_WAITALL),
	STP_FLAG(MSG_FIN), STP_FLAG(MSG_SYN), STP_FLAG(MSG_CONFIRM),
	STP_FLAG(MSG_RST), STP_FLAG(MSG_ERRQUEUE), STP_FLAG(MSG_NOSIGNAL),
	STP_FLAG(MSG_MORE), STP_FLAG(MSG_WAITFORONE),
	STP_FLAG(MSG_FASTOPEN), STP_FLAG(MSG_CMSG_CLOEXEC),
};

static __maybe_unused char *stp_sc_msg_flags(char *buf, unsigned long f)
{
	struct stp_out o;

	stp_out_init(&o, buf);
	stp_out_flags(&o, stp_msg_flags, ARRAY_SIZE(stp_msg_flags), f, NULL);
	return buf;
}

static const struct stp_flag stp_sock_flags[] = {
	STP_FLAG(SOCK_NONBLOCK), STP_FLAG(SOCK_CLOEXEC),
};

/* accept4()/socket() type flags: SOCK_NONBLOCK|SOCK_CLOEXEC. */
static __maybe_unused char *stp_sc_sock_flags(char *buf, unsigned long f)
{
	struct stp_out o;

	stp_out_init(&o, buf);
	stp_out_flags(&o, stp_sock_flags, ARRAY_SIZE(stp_sock_flags), f, NULL);
	return buf;
}

/*
 * A struct sockaddr in user memory, len bytes: {AF_INET, 1.2.3.4, 80},
 * {AF_INET6, [::1], 80}, {AF_UNIX, "/path"}, {AF_NETLINK, pid, groups}.
 */
static __maybe_unused char *stp_sc_sockaddr(char *buf, unsigned long addr,
					     unsigned long len)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
		struct sockaddr_nl nl;
	} u;
	size_t n = min_t(unsigned long, len, sizeof(u));
	struct stp_out o;

	stp_out_init(&o, buf);
	memset(&u, 0, sizeof(u));
	if (!addr) {
		stp_out_printf(&o, "NULL");
		return buf;
	}
	if (n < sizeof(u.sa.sa_family) ||
	    copy_from_user_nofault(&u, (const void __user *)addr, n)) {
		stp_out_printf(&o, "0x%lx", addr);
		return buf;
	}
	switch (u.sa.sa_family) {
	case AF_INET:
		stp_out_printf(&o, "{AF_INET, %pI4, %u}", &u.in.sin_addr,
			       ntohs(u.in.sin_port));
		break;
	case AF_INET6:
		stp_out_printf(&o, "{AF_INET6, [%pI6c], %u}",
			       &u.in6.sin6_addr, ntohs(u.in6.sin6_port));
		break;
	case AF_UNIX: {
		size_t plen = n - offsetof(struct sockaddr_un, sun_path);

		stp_out_printf(&o, "{AF_UNIX, ");
		if (n <= offsetof(struct sockaddr_un, sun_path)) {
			stp_out_printf(&o, "\"\"");
		} else if (u.un.sun_path[0] == '\0') {
			stp_out_printf(&o, "@");	/* abstract name */
			stp_out_quoted(&o, u.un.sun_path + 1, plen - 1, false);
		} else {
			stp_out_quoted(&o, u.un.sun_path,
				       strnlen(u.un.sun_path, plen), false);
		}
		stp_out_printf(&o, "}");
		break;
	}
	case AF_NETLINK:
		stp_out_printf(&o, "{AF_NETLINK, pid=%u, groups=%08x}",
			       u.nl.nl_pid, u.nl.nl_groups);
		break;
	case AF_UNSPEC:
		stp_out_printf(&o, "{AF_UNSPEC}");
		break;
	default:
		stp_out_printf(&o, "{unknown sockaddr with sa_family=%u}",
			       u.sa.sa_family);
	}
	return buf;
}

/*
 * An argv-style array of user strings: ["a", "b"]; at most MAXSTRINGLEN
 * of it, cut with "...". skip leaves out the first skip entries.
 */
static __maybe_unused char *stp_sc_argv(char *buf, unsigned long addr,
					long skip)
{
	struct stp_out o;
	unsigned long p;
	long i;

	stp_out_init(&o, buf);
	if (!addr) {
		stp_out_printf(&o, "NULL");
		return buf;
	}
	stp_out_printf(&o, "[");
	for (i = 0; i < 1024; i++) {
		if (copy_from_user_nofault(&p, (const void __user *)
					   (addr + i * sizeof(p)), sizeof(p))) {
			stp_out_printf(&o, "%s0x%lx", i > skip ? ", " : "",
				       addr + i * sizeof(p));
			break;
		}
		if (!p)
			break;
		if (i < skip)
			continue;
		if (o.used >= MAXSTRINGLEN - 8) {
			stp_out_printf(&o, "...");
			break;
		}
		if (i > skip)
			stp_out_printf(&o, ", ");
		stp_out_ustr(&o, p);
	}
	if (o.used >= MAXSTRINGLEN - 2)
		o.used = MAXSTRINGLEN - 2;	/* room for the bracket */
	o.buf[o.used] = '\0';
	stp_out_printf(&o, "]");
	return buf;
}

/* The number of entries of an envp-style array: [/\* 12 vars *\/]. */
static __maybe_unused char *stp_sc_envc(char *buf, unsigned long addr)
{
	unsigned long p = 1;
	long n = 0;

	if (!addr)
		return strcpy(buf, "NULL");
	while (n < 4096 && !copy_from_user_nofault(&p, (const void __user *)
			      (addr + n * sizeof(p)), sizeof(p)) && p)
		n++;
	snprintf(buf, MAXSTRINGLEN, "[/* %ld var%s */]", n, n == 1 ? "" : "s");
	return buf;
}

#undef STP_FLAG

#endif /* STP_SYSCALL_H */
