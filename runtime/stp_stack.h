/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_stack.h - stacks as lists of addresses, and addresses as symbols,
 * for tapset/stack.stp.
 *
 * backtrace() gives the kernel stack of the probe hit as hex addresses
 * separated by spaces ("0xffffffff81234567 0xffffffff81234600 ..."),
 * walked by the runtime's stp_walk_stack() (stp_backtrace.h), so it has
 * the same frames print_backtrace() prints. print_stack()/sprint_stack()
 * turn such a list back into one symbolic line per frame. Symbols come
 * from sprint_symbol() ("name+0xoff/0xsize [module]"), which is exported,
 * unlike kallsyms_lookup_name().
 */
#ifndef STP_STACK_H
#define STP_STACK_H

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include "stp_backtrace.h"

/* Where stp_sprint_addrs() is writing. */
struct stp_addr_buf {
	char *buf;		/* MAXSTRINGLEN bytes */
	size_t used;		/* bytes written, NUL excluded */
};

static void stp_addr_one(struct stp_context *c, unsigned long addr, void *arg)
{
	struct stp_addr_buf *b = arg;
	int n;

	/* Whole addresses only: "0x" + 16 digits + separator. */
	if (b->used + 20 >= MAXSTRINGLEN)
		return;
	n = scnprintf(b->buf + b->used, MAXSTRINGLEN - b->used, "%s0x%lx",
		      b->used ? " " : "", addr);
	b->used += n;
}

/* backtrace(): the kernel stack of the hit as hex addresses. */
static __maybe_unused char *stp_backtrace_addrs(struct stp_context *c,
						char *buf)
{
	struct stp_addr_buf b = { .buf = buf, .used = 0 };

	buf[0] = '\0';
	stp_walk_stack(c, stp_addr_one, &b);
	return buf;
}

/* Where stp_callers_addrs() is writing. */
struct stp_callers_buf {
	struct stp_addr_buf b;	/* the string */
	int skip;		/* frames still to leave out */
	int left;		/* frames still wanted; < 0: all */
};

static void stp_callers_one(struct stp_context *c, unsigned long addr,
			    void *arg)
{
	struct stp_callers_buf *cb = arg;

	if (cb->skip > 0) {
		cb->skip--;
		return;
	}
	if (!cb->left)
		return;
	stp_addr_one(c, addr, &cb->b);
	if (cb->left > 0)
		cb->left--;
}

/* callers(n): backtrace() without the probe's own frame, n at most. */
static __maybe_unused char *stp_callers_addrs(struct stp_context *c,
					      char *buf, int n)
{
	struct stp_callers_buf cb = {
		.b = { .buf = buf, .used = 0 }, .skip = 1, .left = n,
	};

	buf[0] = '\0';
	stp_walk_stack(c, stp_callers_one, &cb);
	return buf;
}

/*
 * Call out() for each address of a backtrace() string; returns the
 * number of addresses. Anything that is not a number ends the walk.
 */
static __maybe_unused int stp_each_addr(struct stp_context *c,
					const char *stk,
					void (*out)(struct stp_context *c,
						    unsigned long addr,
						    void *arg),
					void *arg)
{
	char word[24];
	unsigned long addr;
	int n = 0;

	while (*stk) {
		size_t len;

		while (*stk == ' ')
			stk++;
		len = strcspn(stk, " ");
		if (!len)
			break;
		if (len >= sizeof(word))
			break;
		memcpy(word, stk, len);
		word[len] = '\0';
		if (kstrtoul(word, 0, &addr))
			break;
		out(c, addr, arg);
		n++;
		stk += len;
	}
	return n;
}

/* One symbolic line per address: " 0x... : name+0xoff/0xsize [kernel]". */
static void stp_stack_print_one(struct stp_context *c, unsigned long addr,
				void *arg)
{
	sprint_symbol(c->symbuf, addr);
	stp_printf(c, " 0x%lx : %s%s\n", addr, c->symbuf,
		   strchr(c->symbuf, '[') ? "" : " [kernel]");
}

/* print_stack(stk) */
static __maybe_unused void stp_print_stack(struct stp_context *c,
					   const char *stk)
{
	stp_each_addr(c, stk, stp_stack_print_one, NULL);
}

/* Where stp_sprint_stack() is writing: whole lines only. */
static void stp_stack_sprint_one(struct stp_context *c, unsigned long addr,
				 void *arg)
{
	struct stp_addr_buf *b = arg;
	char line[KSYM_SYMBOL_LEN + 40];
	int n;

	sprint_symbol(c->symbuf, addr);
	n = scnprintf(line, sizeof(line), " 0x%lx : %s%s\n", addr, c->symbuf,
		      strchr(c->symbuf, '[') ? "" : " [kernel]");
	if (b->used + n >= MAXSTRINGLEN)
		return;
	memcpy(b->buf + b->used, line, n + 1);
	b->used += n;
}

/* sprint_stack(stk) */
static __maybe_unused char *stp_sprint_stack(struct stp_context *c,
					     const char *stk, char *buf)
{
	struct stp_addr_buf b = { .buf = buf, .used = 0 };

	buf[0] = '\0';
	stp_each_addr(c, stk, stp_stack_sprint_one, &b);
	return buf;
}

/*
 * The parts of sprint_symbol(addr): which is 0 for the name, 1 for
 * "name+0xoff/0xsize [mod]" as is, 2 for the module ("kernel" when
 * there is none). An address with no symbol gives its hex form (and
 * "kernel" or "" as module).
 */
static __maybe_unused char *stp_symbol_part(struct stp_context *c, char *buf,
					    unsigned long addr, int which)
{
	char *p, *q;

	sprint_symbol(c->symbuf, addr);
	if (which == 1) {
		stp_strcpy(buf, c->symbuf);
		return buf;
	}
	if (which == 2) {
		p = strchr(c->symbuf, '[');
		q = p ? strchr(p, ']') : NULL;
		if (p && q) {
			*q = '\0';
			stp_strcpy(buf, p + 1);
		} else {
			stp_strcpy(buf, "kernel");
		}
		return buf;
	}
	/* the name: up to "+0x" or " [" */
	p = strstr(c->symbuf, "+0x");
	if (p)
		*p = '\0';
	p = strchr(c->symbuf, ' ');
	if (p)
		*p = '\0';
	stp_strcpy(buf, c->symbuf);
	return buf;
}

#endif /* STP_STACK_H */
